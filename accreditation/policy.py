"""Who may do what in the programme: the role sets the accreditation views declare.

Views declare ``role_required(*policy.X)`` and selectors check the same set before they
scope objects to the person, so changing who may open a kind of page is a change here
(and to its tests). The sets are built on ``kqm.policy``'s.
"""

from __future__ import annotations

from kqm.policy import (
    ASSESSORS,
    PROGRAMME_MANAGERS,
    SETTING_LEADS,
    SETTING_STAFF,
    VIEWERS,
)

# Everyone who works on a setting's accreditation: the KQM manager, its evaluator, its staff.
AT_THE_SETTING = ASSESSORS | SETTING_STAFF

CASE_STUDY_READERS = AT_THE_SETTING
CASE_STUDY_WRITERS = SETTING_STAFF
VISIT_READERS = AT_THE_SETTING

# Unit B: the self-evaluation, the SMART plan and its reviews.
UNIT_B_READERS = ASSESSORS | SETTING_LEADS
SEF_EDITORS = SETTING_LEADS
PLAN_EDITORS = SETTING_LEADS | PROGRAMME_MANAGERS
PLAN_REVIEWERS = SETTING_LEADS | ASSESSORS

ANNUAL_REVIEW_READERS = ASSESSORS | SETTING_LEADS
AWARD_READERS = PROGRAMME_MANAGERS | SETTING_STAFF
WORKSHOP_USERS = PROGRAMME_MANAGERS | SETTING_LEADS
REPORT_READERS = PROGRAMME_MANAGERS | VIEWERS

# Re-accreditation: who reads it, adds evidence, judges the requirements and submits.
REACCREDITATION_READERS = AT_THE_SETTING
REACCREDITATION_EVIDENCE_EDITORS = PROGRAMME_MANAGERS | SETTING_LEADS
REACCREDITATION_JUDGES = ASSESSORS
REACCREDITATION_SUBMITTERS = PROGRAMME_MANAGERS | SETTING_LEADS
