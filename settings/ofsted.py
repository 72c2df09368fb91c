"""Ofsted's inspection frameworks as data: which judgements each records, on which scale.

Stored faithfully: the 2008-2012 grades with their area judgements, the 2015 common
inspection framework and the 2019 education inspection framework (overall
effectiveness and key judgements on a four-point scale), and the renewed framework
from November 2025, which gives no overall grade: safeguarding is met or not met and
each area is judged on a five-point scale. Grades of different frameworks are never
mapped onto each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Grade(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    SATISFACTORY = "satisfactory", "Satisfactory"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"
    EXCEPTIONAL = "exceptional", "Exceptional"
    STRONG = "strong", "Strong standard"
    EXPECTED = "expected", "Expected standard"
    NEEDS_ATTENTION = "needs_attention", "Needs attention"
    URGENT_IMPROVEMENT = "urgent_improvement", "Urgent improvement"
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"


class Framework(models.TextChoices):
    EYFS_2008 = "eyfs2008", "2008 to 2012 framework"
    CIF_2015 = "cif2015", "Common inspection framework (2015)"
    EIF_2019 = "eif2019", "Education inspection framework (2019)"
    RENEWED_2025 = "renewed2025", "Renewed inspection framework (November 2025)"


FOUR_POINT_2008 = (Grade.OUTSTANDING, Grade.GOOD, Grade.SATISFACTORY, Grade.INADEQUATE)
FOUR_POINT = (Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE)
FIVE_POINT_2025 = (
    Grade.EXCEPTIONAL,
    Grade.STRONG,
    Grade.EXPECTED,
    Grade.NEEDS_ATTENTION,
    Grade.URGENT_IMPROVEMENT,
)


@dataclass(frozen=True)
class FrameworkSpec:
    key: str
    overall_scale: tuple[str, ...]  # empty: the framework gives no overall grade
    areas: tuple[tuple[str, str], ...]  # (key, label)
    area_scale: tuple[str, ...]
    safeguarding: bool  # records safeguarding as met / not met

    @property
    def has_overall(self) -> bool:
        return bool(self.overall_scale)

    def area_label(self, key: str) -> str:
        return dict(self.areas).get(key, key)


FRAMEWORKS: dict[str, FrameworkSpec] = {
    Framework.EYFS_2008: FrameworkSpec(
        key=Framework.EYFS_2008,
        overall_scale=FOUR_POINT_2008,
        areas=(
            ("quality_of_provision", "Quality of provision"),
            ("being_healthy", "Being healthy"),
            ("staying_safe", "Staying safe"),
            ("enjoying_and_achieving", "Enjoying and achieving"),
            ("positive_contribution", "Making a positive contribution"),
            ("economic_wellbeing", "Achieving economic well-being"),
            ("leadership_and_management", "Leadership and management"),
        ),
        area_scale=FOUR_POINT_2008,
        safeguarding=False,
    ),
    Framework.CIF_2015: FrameworkSpec(
        key=Framework.CIF_2015,
        overall_scale=FOUR_POINT,
        areas=(
            ("leadership_and_management", "Effectiveness of leadership and management"),
            ("teaching_learning_assessment", "Quality of teaching, learning and assessment"),
            ("personal_development", "Personal development, behaviour and welfare"),
            ("outcomes", "Outcomes for children"),
        ),
        area_scale=FOUR_POINT,
        safeguarding=False,
    ),
    Framework.EIF_2019: FrameworkSpec(
        key=Framework.EIF_2019,
        overall_scale=FOUR_POINT,
        areas=(
            ("quality_of_education", "Quality of education"),
            ("behaviour_and_attitudes", "Behaviour and attitudes"),
            ("personal_development", "Personal development"),
            ("leadership_and_management", "Leadership and management"),
        ),
        area_scale=FOUR_POINT,
        safeguarding=False,
    ),
    Framework.RENEWED_2025: FrameworkSpec(
        key=Framework.RENEWED_2025,
        overall_scale=(),
        areas=(
            ("curriculum_and_teaching", "Curriculum and teaching"),
            ("achievement", "Achievement"),
            ("behaviour_attitudes_routines", "Behaviour, attitudes and routines"),
            ("welfare_and_wellbeing", "Children's welfare and well-being"),
            ("inclusion", "Inclusion"),
            ("leadership_and_governance", "Leadership and governance"),
        ),
        area_scale=FIVE_POINT_2025,
        safeguarding=True,
    ),
}

# Lower is better, within one framework's four-point scale only.
RANK = {
    Grade.OUTSTANDING: 1,
    Grade.GOOD: 2,
    Grade.SATISFACTORY: 3,
    Grade.REQUIRES_IMPROVEMENT: 3,
    Grade.INADEQUATE: 4,
}
GOOD_OR_BETTER = frozenset({Grade.OUTSTANDING, Grade.GOOD})


def grade_label(value: str) -> str:
    return Grade(value).label if value in Grade.values else value
