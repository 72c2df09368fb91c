"""Reads for questionnaires, scoped to the user; results only as aggregates.

Nothing here returns a single response: results are counted per statement, and shown
only when the round has closed with at least ``MIN_RESPONSES_SHOWN`` responses. Waiting
for the close stops anyone working out one person's answers by comparing the figures
before and after they answered.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accreditation.models import CLOSED_STATUSES, Accreditation, Cohort
from accreditation.models import Status as AccreditationStatus
from kqm.models import Role, User
from kqm.parsing import parse_id
from settings.models import Setting

from .. import policy
from ..models import (
    LinkStatus,
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireKind,
    QuestionnaireLink,
    QuestionnaireResponse,
    QuestionnaireRound,
    QuestionnaireScalePoint,
    QuestionnaireStatement,
    RespondentGroup,
)
from ..models.questionnaires import MIN_RESPONSES_SHOWN
from ..services.questionnaires import LinkRefusal, hash_token, refusal_for

ROUND_SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-created_at", "-pk"),
    "closing": ("closes_on", "-pk"),
    "setting": ("setting__name", "-created_at", "-pk"),
}


def rounds_visible_to(user: User) -> QuerySet[QuestionnaireRound]:
    """A setting's staff and parent rounds; cohort evaluation rounds are never among them
    (see :func:`evaluation_rounds_visible_to`)."""
    rounds = QuestionnaireRound.objects.filter(setting__isnull=False).select_related(
        "setting", "questionnaire"
    )
    if user.role == Role.MANAGER:
        return rounds
    if user.role == Role.EVALUATOR:
        assigned = Accreditation.objects.filter(evaluator=user).values("setting_id")
        return rounds.filter(setting_id__in=assigned)
    if user.role == Role.SETTING_MANAGER:
        return rounds.filter(setting__in=Setting.objects.filter(members=user))
    return rounds.none()


def _counted(status: str | None = None) -> Coalesce:
    links = QuestionnaireLink.objects.filter(round=OuterRef("pk"))
    links = links.filter(status=status) if status else links.exclude(status=LinkStatus.WITHDRAWN)
    total = links.order_by().values("round").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def _responses() -> Coalesce:
    total = (
        QuestionnaireResponse.objects.filter(round=OuterRef("pk"))
        .order_by()
        .values("round")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def with_figures(rounds: QuerySet[QuestionnaireRound]) -> QuerySet[QuestionnaireRound]:
    """Links issued (not withdrawn) and responses, counted in the same query."""
    return rounds.annotate(links_issued=_counted(), response_count=_responses())


def access_round_by_id(user: User, round_id: int) -> QuestionnaireRound:
    """The round if the user may read it: 403 for roles that never do, 404 if not theirs."""
    if user.role not in policy.QUESTIONNAIRE_READERS:
        raise PermissionDenied("Your role does not give you access to questionnaire results.")
    try:
        return with_figures(rounds_visible_to(user)).get(pk=round_id)
    except QuestionnaireRound.DoesNotExist:
        raise Http404("No such questionnaire round.") from None


def round_list(
    user: User,
    *,
    search: str = "",
    kind: str = "",
    state: str = "",
    setting: str = "",
    sort: str = "",
    today: datetime.date | None = None,
) -> QuerySet[QuestionnaireRound]:
    today = today or timezone.localdate()
    rounds = with_figures(rounds_visible_to(user))
    if search:
        rounds = rounds.filter(
            Q(title__icontains=search)
            | Q(setting__name__icontains=search)
            | Q(setting__urn__iexact=search)
        )
    if kind in QuestionnaireKind.values:
        rounds = rounds.filter(questionnaire__kind=kind)
    open_now = Q(closed_at__isnull=True, closes_on__gte=today)
    if state == "open":
        rounds = rounds.filter(open_now)
    elif state == "closed":
        rounds = rounds.exclude(open_now)
    if (setting_pk := parse_id(setting)) is not None:
        rounds = rounds.filter(setting_id=setting_pk)
    return rounds.order_by(*ROUND_SORTS.get(sort, ROUND_SORTS["newest"]))


def settings_for_new_round(user: User) -> QuerySet[Setting]:
    if user.role != Role.SETTING_MANAGER:
        return Setting.objects.none()
    return Setting.objects.filter(members=user).order_by("name", "urn")


def accreditations_for_new_round(user: User) -> list[Accreditation]:
    """The live accreditations of the user's settings: a new round is filed under one."""
    if user.role != Role.SETTING_MANAGER:
        return []
    return list(
        Accreditation.objects.filter(setting__members=user)
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("setting", "cohort")
        .order_by("setting__name", "-cohort__start_date", "-pk")
    )


def current_questionnaires() -> dict[str, Questionnaire]:
    return {q.kind: q for q in Questionnaire.objects.filter(is_current=True)}


def response_rate(responses: int, links: int) -> int | None:
    """Responses as a whole-number percentage of the links issued."""
    if not links:
        return None
    return int((Decimal(responses * 100) / links).quantize(Decimal("1"), ROUND_HALF_UP))


@dataclass(frozen=True)
class RoundFigures:
    links_issued: int  # not counting withdrawn links
    responses: int

    @property
    def rate(self) -> int | None:
        return response_rate(self.responses, self.links_issued)

    @property
    def unused(self) -> int:
        return self.links_issued - self.responses


def figures_of(questionnaire_round: QuestionnaireRound) -> RoundFigures:
    """The counts annotated by :func:`with_figures` (as on every round this module returns)."""
    return RoundFigures(
        links_issued=getattr(questionnaire_round, "links_issued", 0),
        responses=getattr(questionnaire_round, "response_count", 0),
    )


# --- Results ------------------------------------------------------------------------------------


@dataclass
class PointCount:
    point: QuestionnaireScalePoint
    count: int
    percent: int


@dataclass
class StatementResult:
    statement: QuestionnaireStatement
    answered: int  # on the scale (not counting "does not apply")
    not_applicable: int
    mean: Decimal | None
    points: list[PointCount]

    @property
    def shown(self) -> bool:
        return self.answered >= MIN_RESPONSES_SHOWN


@dataclass
class Theme:
    name: str
    results: list[StatementResult] = field(default_factory=list)


@dataclass
class RoundResults:
    response_count: int
    shown: bool
    why_hidden: str  # "open" or "too_few" when not shown
    scale: list[QuestionnaireScalePoint]
    themes: list[Theme]
    comments: list[str]
    minimum: int = MIN_RESPONSES_SHOWN

    @property
    def has_not_applicable(self) -> bool:
        return any(s.statement.na_allowed for t in self.themes for s in t.results)

    @property
    def figure_columns(self) -> int:
        """Answered, mean, one per scale point, and "does not apply" if any statement has it."""
        return 2 + len(self.scale) + (1 if self.has_not_applicable else 0)

    @property
    def scale_description(self) -> str:
        """For example “1 Strongly disagree to 5 Strongly agree”."""
        if not self.scale:
            return ""
        first, last = self.scale[0], self.scale[-1]
        return f"{first.value} {first.label} to {last.value} {last.label}"


def round_results(
    questionnaire_round: QuestionnaireRound,
    today: datetime.date | None = None,
    *,
    with_comments: bool = True,
    group: str = "",
) -> RoundResults:
    """Per statement: how many answered, the mean and the distribution; or why not shown.

    Four queries at most, whatever the number of responses. ``with_comments=False`` for
    readers who see aggregates only (a comment is one person's words).
    """
    responses = QuestionnaireResponse.objects.filter(round=questionnaire_round)
    answers = QuestionnaireAnswer.objects.filter(response__round=questionnaire_round)
    count = getattr(questionnaire_round, "response_count", None)
    if group:  # one respondent group's answers only
        responses = responses.filter(group=group)
        answers = answers.filter(response__group=group)
        count = None
    if count is None:
        count = responses.count()
    why_hidden = ""
    if questionnaire_round.is_open(today):
        why_hidden = "open"
    elif count < MIN_RESPONSES_SHOWN:
        why_hidden = "too_few"
    if why_hidden:
        return RoundResults(count, False, why_hidden, [], [], [])
    questionnaire = questionnaire_round.questionnaire
    scale = list(questionnaire.scale.order_by("value"))
    statements = list(questionnaire.statements.order_by("number"))
    tallies: dict[int, dict[int | None, int]] = defaultdict(dict)
    rows = answers.values("statement_id", "value").annotate(n=Count("pk")).order_by()
    for row in rows:
        tallies[row["statement_id"]][row["value"]] = row["n"]
    themes: dict[str, Theme] = {}
    for statement in statements:
        tally = tallies.get(statement.pk, {})
        answered = sum(n for value, n in tally.items() if value is not None)
        total = sum(value * n for value, n in tally.items() if value is not None)
        mean = (
            (Decimal(total) / answered).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if answered
            else None
        )
        points = [
            PointCount(
                point,
                tally.get(point.value, 0),
                response_rate(tally.get(point.value, 0), answered) or 0,
            )
            for point in scale
        ]
        result = StatementResult(statement, answered, tally.get(None, 0), mean, points)
        themes.setdefault(statement.theme, Theme(statement.theme)).results.append(result)
    # Comments in alphabetical order, never in the order they were given, and apart
    # from the ratings: nothing ties a comment to a set of answers.
    comments = (
        sorted(responses.exclude(comment="").values_list("comment", flat=True), key=str.casefold)
        if with_comments
        else []
    )
    return RoundResults(count, True, "", scale, list(themes.values()), comments)


def results_csv_rows(results: RoundResults) -> list[list[object]]:
    """The per-statement table of a results CSV: figures only, never a response or comment."""
    rows: list[list[object]] = [
        [
            "Theme",
            "Statement number",
            "Statement",
            "Answered",
            "Does not apply",
            "Mean",
            *(f"{p.value} {p.label}" for p in results.scale),
        ]
    ]
    for theme in results.themes:
        for result in theme.results:
            start = [theme.name, result.statement.number, result.statement.text]
            if result.shown:
                rows.append(
                    [
                        *start,
                        result.answered,
                        result.not_applicable,
                        result.mean,
                        *(p.count for p in result.points),
                    ]
                )
            else:
                rows.append([*start, f"fewer than {results.minimum} answers: not shown"])
    return rows


# --- End-of-cohort evaluation rounds ------------------------------------------------------------

# Accreditations that never started the programme: their settings are not asked.
NOT_TAKING_PART = (
    AccreditationStatus.APPLIED,
    AccreditationStatus.DECLINED,
    AccreditationStatus.WAITLISTED,
)


def _open_now(today: datetime.date) -> Q:
    return Q(closed_at__isnull=True, closes_on__gte=today)


def evaluation_rounds_visible_to(
    user: User, today: datetime.date | None = None
) -> QuerySet[QuestionnaireRound]:
    """Cohort evaluation rounds: all for the KQM manager, closed ones for viewers (whose
    results are then aggregates), none for anyone else. Setting rounds are never here."""
    rounds = QuestionnaireRound.objects.filter(
        cohort__isnull=False, setting__isnull=True
    ).select_related("cohort", "questionnaire")
    if user.role == Role.MANAGER:
        return rounds
    if user.role == Role.VIEWER:
        return rounds.exclude(_open_now(today or timezone.localdate()))
    return rounds.none()


def access_evaluation_round_by_id(user: User, round_id: int) -> QuestionnaireRound:
    """The evaluation round with its figures: 403 for roles that never see one, else 404."""
    if user.role not in policy.EVALUATION_READERS:
        raise PermissionDenied("Your role does not give you access to evaluation results.")
    try:
        return with_figures(evaluation_rounds_visible_to(user)).get(pk=round_id)
    except QuestionnaireRound.DoesNotExist:
        raise Http404("No such evaluation round.") from None


def evaluation_round_list(user: User) -> QuerySet[QuestionnaireRound]:
    return with_figures(evaluation_rounds_visible_to(user)).order_by("-created_at", "-pk")


def cohorts_for_evaluation() -> QuerySet[Cohort]:
    return Cohort.objects.order_by("-programme_year", "name")


def evaluation_recipients(cohort: Cohort) -> QuerySet[User]:
    """Who is asked: the active setting managers of the settings taking part in the
    cohort, and the active evaluators assigned to them."""
    taking_part = Accreditation.objects.filter(cohort=cohort).exclude(status__in=NOT_TAKING_PART)
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role=Role.SETTING_MANAGER, settings__in=taking_part.values("setting_id"))
            | Q(role=Role.EVALUATOR, pk__in=taking_part.values("evaluator_id"))
        )
        .distinct()
        .order_by("pk")
    )


def open_evaluation_round_of(
    cohort: Cohort, today: datetime.date | None = None
) -> QuestionnaireRound | None:
    return (
        QuestionnaireRound.objects.filter(cohort=cohort)
        .filter(_open_now(today or timezone.localdate()))
        .first()
    )


# --- The public answer page -----------------------------------------------------------------


def link_for_token(
    token: str, today: datetime.date | None = None
) -> tuple[QuestionnaireLink | None, LinkRefusal | None]:
    """The link a token opens (with its round and questionnaire), and why it is refused."""
    link = (
        QuestionnaireLink.objects.select_related(
            "round__questionnaire", "round__setting", "round__cohort"
        )
        .filter(token_hash=hash_token(token))
        .first()
    )
    return link, refusal_for(link, today)


def questionnaire_layout(
    questionnaire: Questionnaire,
) -> tuple[list[QuestionnaireScalePoint], list[QuestionnaireStatement]]:
    return (
        list(questionnaire.scale.order_by("value")),
        list(questionnaire.statements.order_by("number")),
    )


def results_by_group(questionnaire_round: QuestionnaireRound) -> list[tuple[str, RoundResults]]:
    """The results of each respondent group, when every group has at least
    ``MIN_RESPONSES_SHOWN`` answers (fewer could identify people); else nothing."""
    if questionnaire_round.is_open():
        return []
    counts = dict(
        QuestionnaireResponse.objects.filter(round=questionnaire_round)
        .exclude(group="")
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values_list("group", "n")
    )
    groups = RespondentGroup.values
    if any(counts.get(group, 0) < MIN_RESPONSES_SHOWN for group in groups):
        return []
    return [
        (
            RespondentGroup(group).label,
            round_results(questionnaire_round, with_comments=False, group=group),
        )
        for group in groups
    ]


def evaluation_not_invited(cohort: Cohort) -> QuerySet[Setting]:
    """Settings taking part in the cohort with no active setting manager's account: nobody
    there can be sent an evaluation link."""
    taking_part = Accreditation.objects.filter(cohort=cohort).exclude(status__in=NOT_TAKING_PART)
    managers = User.objects.filter(
        settings=OuterRef("pk"), role=Role.SETTING_MANAGER, is_active=True
    )
    return (
        Setting.objects.filter(pk__in=taking_part.values("setting_id"))
        .exclude(Exists(managers))
        .order_by("name", "pk")
    )
