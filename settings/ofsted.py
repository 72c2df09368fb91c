"""Ofsted's inspection frameworks as data: which judgements each records, on which scale.

Stored faithfully: the 2008-2012 grades with their area judgements, the 2015 common
inspection framework and the 2019 education inspection framework (overall
effectiveness and key judgements on a four-point scale), and the renewed framework
from November 2025, which gives no overall grade: safeguarding is met or not met and
each area is judged on a five-point scale. Grades of different frameworks are never
mapped onto each other.
"""

from __future__ import annotations

import datetime
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
    EY_2012 = "ey2012", "Early years framework (2012)"
    CIF_2015 = "cif2015", "Common inspection framework (2015)"
    EIF_2019 = "eif2019", "Education inspection framework (2019)"
    RENEWED_2025 = "renewed2025", "Renewed inspection framework (November 2025)"


FOUR_POINT_2008 = (Grade.OUTSTANDING, Grade.GOOD, Grade.SATISFACTORY, Grade.INADEQUATE)
# From September 2012 to 3 November 2013 "satisfactory", then "requires improvement".
FIVE_WORDS_2012 = (
    Grade.OUTSTANDING,
    Grade.GOOD,
    Grade.SATISFACTORY,
    Grade.REQUIRES_IMPROVEMENT,
    Grade.INADEQUATE,
)
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
    # Ofsted's data may say whether safeguarding was effective (yes / no, kept as met / not met).
    safeguarding_optional: bool = False

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
    Framework.EY_2012: FrameworkSpec(
        key=Framework.EY_2012,
        overall_scale=FIVE_WORDS_2012,
        areas=(
            ("meeting_needs", "How well the early years provision meets the needs of children"),
            ("wellbeing_contribution", "Contribution of the provision to children's well-being"),
            ("leadership_and_management", "Effectiveness of leadership and management"),
        ),
        area_scale=FIVE_WORDS_2012,
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
            ("early_years_provision", "Early years provision (school inspections)"),
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
            ("early_years_provision", "Early years provision (school inspections)"),
        ),
        area_scale=FOUR_POINT,
        safeguarding=False,
        safeguarding_optional=True,
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


@dataclass(frozen=True)
class FrameworkPeriod:
    framework: str
    first_day: datetime.date
    last_day: datetime.date | None  # None: still in force


# When each early years inspection framework was in force: the importer decides an
# inspection's framework by its date from this table, and warns when a column family
# of one framework carries a date outside its period. Sources (Ofsted):
# - 2008: inspections under the Early Years Foundation Stage from 1 September 2008
#   (Ofsted, "Inspecting the Early Years Foundation Stage", ref. 090209).
# - 2012: the revised early years evaluation schedule from 1 September 2012
#   ("Evaluation schedule for inspections of registered early years provision");
#   "requires improvement" replaced "satisfactory" on 4 November 2013 (Ofsted news,
#   "High-quality early education is the focus of Ofsted's revised inspection framework").
# - CIF: "On 1 September 2015, Ofsted introduced the common inspection framework"
#   (Ofsted, Early years inspection update, September 2015; handbook ref. 150068).
# - EIF: the education inspection framework from 1 September 2019 (Early years
#   inspection handbook, ref. 180040, updated September 2019).
# - Renewed: report cards and the five-point scale from 10 November 2025 (Ofsted press
#   release "Ofsted confirms changes to education inspection and unveils new-look
#   report cards", 9 September 2025).
FRAMEWORK_PERIODS: tuple[FrameworkPeriod, ...] = (
    FrameworkPeriod(Framework.EYFS_2008, datetime.date(2008, 9, 1), datetime.date(2012, 8, 31)),
    FrameworkPeriod(Framework.EY_2012, datetime.date(2012, 9, 1), datetime.date(2015, 8, 31)),
    FrameworkPeriod(Framework.CIF_2015, datetime.date(2015, 9, 1), datetime.date(2019, 8, 31)),
    FrameworkPeriod(Framework.EIF_2019, datetime.date(2019, 9, 1), datetime.date(2025, 11, 9)),
    FrameworkPeriod(Framework.RENEWED_2025, datetime.date(2025, 11, 10), None),
)
PERIODS = {period.framework: period for period in FRAMEWORK_PERIODS}
# "Satisfactory" was last given on 3 November 2013; "requires improvement" from the 4th.
REQUIRES_IMPROVEMENT_FROM = datetime.date(2013, 11, 4)


def framework_on(when: datetime.date) -> str:
    """The framework in force on ``when`` (inspections before 2008 count as the 2008 one)."""
    for period in reversed(FRAMEWORK_PERIODS):
        if when >= period.first_day:
            return period.framework
    return FRAMEWORK_PERIODS[0].framework


def in_period(framework: str, when: datetime.date) -> bool:
    period = PERIODS[framework]
    return period.first_day <= when and (period.last_day is None or when <= period.last_day)


def period_text(framework: str) -> str:
    period = PERIODS[framework]
    if period.last_day is None:
        return f"from {period.first_day:%d/%m/%Y}"
    return f"{period.first_day:%d/%m/%Y} to {period.last_day:%d/%m/%Y}"


# Lower is better, within one framework's four-point scale only.
RANK = {
    Grade.OUTSTANDING: 1,
    Grade.GOOD: 2,
    Grade.SATISFACTORY: 3,
    Grade.REQUIRES_IMPROVEMENT: 3,
    Grade.INADEQUATE: 4,
}
GOOD_OR_BETTER = frozenset({Grade.OUTSTANDING, Grade.GOOD})


GRADE_LABELS = {str(grade.value): str(grade.label) for grade in Grade}


def grade_label(value: str) -> str:
    return GRADE_LABELS.get(value, value)
