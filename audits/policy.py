"""Who may do what with Leuven screenings and children's progress, named once.

Each Leuven and progress view declares one of these sets (``role_required(*policy.X)``),
and its pages ask ``sees_children`` before showing child-level rows. Changing who may
see children's scores is a change to ``CHILD_LEVEL_READERS`` here, and to its tests.
"""

from __future__ import annotations

from typing import Any

from kqm.policy import (
    ASSESSORS,
    EVALUATORS,
    PROGRAMME_MANAGERS,
    SETTING_LEADS,
    SETTING_STAFF,
    VIEWERS,
    holds,
)

# Rating audits (ECERS, ITERS, SSTEW, the leadership tool) and the PPEL change: who reads
# them, who scores them, who reviews the leadership audit.
AUDIT_READERS = ASSESSORS | SETTING_STAFF
AUDIT_SCORERS = ASSESSORS | SETTING_LEADS
LEADERSHIP_REVIEWERS = ASSESSORS
# Staff and parent questionnaires, and the programme's own evaluation.
QUESTIONNAIRE_READERS = ASSESSORS | SETTING_LEADS
EVALUATION_MANAGERS = PROGRAMME_MANAGERS
EVALUATION_READERS = PROGRAMME_MANAGERS | VIEWERS

# Everyone who works with screenings: the group and setting pages, averages by zone.
LEUVEN_READERS = ASSESSORS | SETTING_STAFF
# Who sees each child's scores, codes and action points (every view of them is logged).
CHILD_LEVEL_READERS = EVALUATORS | SETTING_STAFF
# Who scores children, plans screenings and checkpoints, and keeps action points.
SCORERS = SETTING_STAFF
# Who keeps the setting's rooms, groups and children (their codes, leaving, export).
GROUP_KEEPERS = SETTING_LEADS
# Who moderates a screening's scores.
MODERATORS = EVALUATORS
# Who reads the log of who viewed the children's data.
ACCESS_LOG_READERS = PROGRAMME_MANAGERS | SETTING_LEADS


def sees_children(user: Any) -> bool:
    """Whether ``user`` sees child-level rows on the pages every Leuven reader opens."""
    return holds(user, CHILD_LEVEL_READERS)


def scores(user: Any) -> bool:
    """Whether ``user`` enters scores and progress (the edit links on the pages)."""
    return holds(user, SCORERS)
