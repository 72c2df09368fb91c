"""Reads of rating audits and instruments, always scoped to the user asking.

Who sees what: the KQM manager every audit; an evaluator the audits of settings whose
accreditation is assigned to them; setting managers and practitioners their own
settings' audits; viewers no audit (403), only the cohort aggregates. Practitioners
read but do not score.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from accreditation.models import CLOSED_STATUSES, Accreditation, Cohort
from kqm.models import Role, User
from settings.models import Setting

from .. import policy
from ..models import (
    Audit,
    AuditStatus,
    AuditStatusChange,
    Instrument,
    InstrumentKind,
    InstrumentVersion,
    Item,
    ItemScore,
    Occasion,
    ScaleValue,
    Subscale,
)
from ..scoring import (
    Agreement,
    AuditResult,
    Entry,
    ItemDef,
    VersionShape,
    agreement,
    difference,
    entries_for,
    mean,
    results_for,
    score,
    version_shapes,
)

AUDIT_SORTS: dict[str, tuple[str, ...]] = {
    "date": ("date", "id"),
    "setting": ("setting__name", "date", "id"),
    "instrument": ("version__instrument__name", "date", "id"),
}
DEFAULT_AUDIT_SORT = "-date"


# --- Access ------------------------------------------------------------------------------------


def audits_visible_to(user: User) -> QuerySet[Audit]:
    audits = Audit.objects.select_related("setting", "version__instrument")
    if user.role == Role.MANAGER:
        return audits
    if user.role == Role.EVALUATOR:
        assigned = Accreditation.objects.filter(evaluator=user).values("setting_id")
        return audits.filter(setting_id__in=assigned)
    if user.role in (Role.SETTING_MANAGER, Role.PRACTITIONER):
        return audits.filter(setting__in=Setting.objects.filter(members=user))
    return audits.none()


def access_audit_by_id(user: User, audit_id: int) -> Audit:
    """The audit if the user may read it: 403 for viewers, 404 for another setting's audit."""
    if user.role not in policy.AUDIT_READERS:
        raise PermissionDenied("Your role does not give you access to audits.")
    try:
        return audits_visible_to(user).get(pk=audit_id)
    except Audit.DoesNotExist:
        raise Http404("No such audit.") from None


def _is_observer(user: User, audit: Audit) -> bool:
    return audit.observers.filter(pk=user.pk).exists()


def scoring_refusal(user: User, audit: Audit) -> str | None:
    """Why ``user`` may not change this audit's scores, or None if they may."""
    if audit.is_completed:
        return "This audit is completed, so it is locked. The KQM manager can reopen it."
    if audit.accreditation is not None and audit.accreditation.is_closed:
        return audit.accreditation.closed_reason()
    if user.role not in policy.AUDIT_SCORERS:
        return "Practitioners can read their setting's audits but not score them."
    if user.role == Role.MANAGER:
        return None
    if audit.is_second_observation or audit.is_consensus:
        if _is_observer(user, audit):
            return None
        return "Only the observers of this independent scoring can change it."
    if user.role == Role.EVALUATOR and (not audit.is_self_audit or _is_observer(user, audit)):
        return None
    if user.role == Role.SETTING_MANAGER and (audit.is_self_audit or _is_observer(user, audit)):
        return None
    if user.role == Role.EVALUATOR:
        return "This is the setting's self-audit: only its observers score it."
    return "This audit is the evaluator's: only its observers score it."


def access_audit_for_scoring(user: User, audit_id: int) -> Audit:
    """The audit if the user may score it now: 404 as for reading, 403 when locked or not theirs."""
    if user.role not in policy.AUDIT_SCORERS:
        raise PermissionDenied("Your role does not let you score audits.")
    audit = access_audit_by_id(user, audit_id)
    refusal = scoring_refusal(user, audit)
    if refusal:
        raise PermissionDenied(refusal)
    return audit


def settings_for_new_audit(user: User) -> QuerySet[Setting]:
    """Settings the user may start an audit for."""
    if user.role == Role.MANAGER:
        return Setting.objects.filter(accreditations__isnull=False).distinct().order_by("name")
    if user.role == Role.EVALUATOR:
        return Setting.objects.filter(
            pk__in=Accreditation.objects.filter(evaluator=user).values("setting_id")
        ).order_by("name")
    if user.role == Role.SETTING_MANAGER:
        return Setting.objects.filter(members=user).order_by("name")
    return Setting.objects.none()


def access_setting_for_new_audit(user: User, setting_id: int) -> Setting:
    if user.role not in policy.AUDIT_SCORERS:
        raise PermissionDenied("Your role does not let you start audits.")
    try:
        return settings_for_new_audit(user).get(pk=setting_id)
    except Setting.DoesNotExist:
        raise Http404("No such setting.") from None


def access_setting_for_comparison(user: User, setting_id: int) -> Setting:
    if user.role not in policy.AUDIT_READERS:
        raise PermissionDenied("Your role does not give you access to audits.")
    if user.role == Role.MANAGER:
        settings = Setting.objects.all()
    elif user.role == Role.EVALUATOR:
        settings = Setting.objects.filter(
            pk__in=Accreditation.objects.filter(evaluator=user).values("setting_id")
        )
    else:
        settings = Setting.objects.filter(members=user)
    try:
        return settings.get(pk=setting_id)
    except Setting.DoesNotExist:
        raise Http404("No such setting.") from None


def accreditations_for_new_audit(user: User, setting: Setting) -> QuerySet[Accreditation]:
    """The accreditations a new audit of ``setting`` may be filed under (an evaluator's own).

    Closed ones (withdrawn, declined, lapsed) are read-only, so they take no new audits.
    The page that starts the audit chooses among these explicitly; nothing is inferred
    from which was created last.
    """
    accreditations = Accreditation.objects.filter(setting=setting).exclude(
        status__in=CLOSED_STATUSES
    )
    if user.role == Role.EVALUATOR:
        accreditations = accreditations.filter(evaluator=user)
    return accreditations.select_related("cohort").order_by("-cohort__start_date", "-pk")


def observer_choices(setting: Setting, user: User) -> QuerySet[User]:
    """Who can be named as an observer: the setting's staff and evaluators, and the user."""
    evaluators = Accreditation.objects.filter(setting=setting, evaluator__isnull=False).values(
        "evaluator_id"
    )
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(pk=user.pk)
            | Q(settings=setting, role=Role.SETTING_MANAGER)
            | Q(settings=setting, role=Role.PRACTITIONER)
            | Q(pk__in=evaluators)
        )
        .distinct()
        .order_by("full_name", "email")
    )


def current_versions() -> QuerySet[InstrumentVersion]:
    return (
        InstrumentVersion.objects.filter(is_current=True)
        .select_related("instrument")
        .order_by("instrument__name")
    )


def whole_setting_version(kind: str) -> InstrumentVersion | None:
    """The current version of a whole-setting tool (leadership, PPEL) named by its kind;
    None for any other value, so the page then offers every instrument."""
    if kind not in (InstrumentKind.LEADERSHIP, InstrumentKind.PARTNERSHIP):
        return None
    return current_versions().filter(instrument__kind=kind).first()


# --- The audit list --------------------------------------------------------------------------


def _answered_count() -> Subquery:
    return Subquery(
        ItemScore.objects.filter(audit=OuterRef("pk"))
        .filter(Q(score__isnull=False) | Q(not_applicable=True))
        .order_by()
        .values("audit")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def _item_count() -> Subquery:
    return Subquery(
        Item.objects.filter(version=OuterRef("version"))
        .order_by()
        .values("version")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def with_progress(audits: QuerySet[Audit]) -> QuerySet[Audit]:
    """Annotate ``answered`` and ``item_total`` (two subqueries, no extra query per row)."""
    return audits.annotate(
        answered=Coalesce(_answered_count(), Value(0)),
        item_total=Coalesce(_item_count(), Value(0)),
    )


def parse_audit_sort(value: str) -> tuple[str, bool]:
    descending = value.startswith("-")
    key = value.removeprefix("-")
    if key not in AUDIT_SORTS:
        return "date", True
    return key, descending


def audit_list(
    user: User,
    *,
    search: str = "",
    instrument: str = "",
    occasion: str = "",
    status: str = "",
    sort: str = DEFAULT_AUDIT_SORT,
) -> QuerySet[Audit]:
    audits = with_progress(audits_visible_to(user))
    search = search.strip()
    if search:
        audits = audits.filter(
            Q(setting__name__icontains=search)
            | Q(setting__urn__iexact=search)
            | Q(room__icontains=search)
        )
    if instrument:
        audits = audits.filter(version__instrument__code=instrument)
    if occasion in Occasion.values:
        audits = audits.filter(occasion=occasion)
    if status in AuditStatus.values:
        audits = audits.filter(status=status)
    key, descending = parse_audit_sort(sort)
    fields = AUDIT_SORTS[key]
    ordering = [f"-{f}" if descending else f for f in fields]
    return audits.order_by(*ordering)


def instruments_in_use() -> QuerySet[Instrument]:
    return Instrument.objects.filter(versions__audits__isnull=False).distinct().order_by("name")


# --- One audit ---------------------------------------------------------------------------------


@dataclass
class ItemRow:
    item: ItemDef
    entry: Entry

    @property
    def answered(self) -> bool:
        return self.entry.is_answered


@dataclass
class SubscaleSheet:
    number: int
    name: str
    items: list[ItemRow]

    @property
    def answered(self) -> int:
        return sum(1 for row in self.items if row.answered)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def done(self) -> bool:
        return self.answered == self.total


@dataclass
class ScoringSheet:
    """The audit's instrument laid out for scoring: subscales, items, what is recorded."""

    audit: Audit
    scale: list[ScaleValue]
    subscales: list[SubscaleSheet]
    shape: VersionShape
    entries: dict[int, Entry]

    def result(self) -> AuditResult:
        return score(
            self.shape.subscales, self.shape.items, self.entries, [p.value for p in self.scale]
        )

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.subscales)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.subscales)

    def subscale(self, number: int) -> SubscaleSheet | None:
        return next((s for s in self.subscales if s.number == number), None)


def scoring_sheet(audit: Audit) -> ScoringSheet:
    """Five queries: subscales, items, scale values (twice), scores."""
    shape = version_shapes([audit.version_id])[audit.version_id]
    entries = entries_for([audit.pk])[audit.pk]
    by_subscale: dict[int, list[ItemRow]] = defaultdict(list)
    for item in shape.items:
        by_subscale[item.subscale_id].append(ItemRow(item, entries.get(item.id, Entry())))
    return ScoringSheet(
        audit=audit,
        scale=list(ScaleValue.objects.filter(version_id=audit.version_id).order_by("value")),
        subscales=[
            SubscaleSheet(s.number, s.name, by_subscale.get(s.id, [])) for s in shape.subscales
        ],
        shape=shape,
        entries=entries,
    )


def audit_observers(audit: Audit) -> list[User]:
    return list(audit.observers.order_by("full_name", "email"))


def audit_status_changes(audit: Audit) -> list[AuditStatusChange]:
    return list(audit.status_changes.select_related("changed_by"))


def paired_copies(audit: Audit) -> dict[str, Audit | None]:
    """The primary audit's second observation and consensus (if any)."""
    primary_id = audit.paired_with_id or audit.pk
    copies = {a.is_consensus: a for a in Audit.objects.filter(paired_with_id=primary_id)}
    return {"second": copies.get(False), "consensus": copies.get(True)}


def blinded_to(user: User, audit: Audit, second: Audit | None) -> bool:
    """True while ``user`` is scoring this room independently as the second observer:
    the first observer's scores stay hidden from them until their own are complete."""
    if second is None or second.is_completed or not audit.is_primary:
        return False
    return _is_observer(user, second) and not _is_observer(user, audit)


@dataclass
class PairedScoring:
    primary: Audit
    second: Audit
    consensus: Audit | None
    agreement: Agreement
    scale: list[ScaleValue]

    @property
    def both_complete(self) -> bool:
        return self.primary.is_completed and self.second.is_completed


def paired_scoring(user: User, audit: Audit) -> PairedScoring | None:
    """The primary audit and its second observation with their agreement, or None."""
    primary = audit if audit.is_primary else access_audit_by_id(user, audit.paired_with_id or 0)
    copies = paired_copies(primary)
    second = copies["second"]
    if second is None:
        return None
    shape = version_shapes([primary.version_id])[primary.version_id]
    entries = entries_for([primary.pk, second.pk])
    return PairedScoring(
        primary=primary,
        second=second,
        consensus=copies["consensus"],
        agreement=agreement(shape.items, entries[primary.pk], entries[second.pk]),
        scale=list(ScaleValue.objects.filter(version_id=primary.version_id).order_by("value")),
    )


# --- Comparisons --------------------------------------------------------------------------------


def audits_of_record(audits: QuerySet[Audit]) -> QuerySet[Audit]:
    """Completed audits that stand for their room and occasion.

    A primary audit counts unless a completed consensus of it exists, which then counts
    instead; independent second observations are for agreement only.
    """
    consensus = Audit.objects.filter(
        paired_with=OuterRef("pk"), is_consensus=True, status=AuditStatus.COMPLETED
    )
    return (
        audits.filter(status=AuditStatus.COMPLETED)
        .alias(has_consensus=Exists(consensus))
        .filter(Q(paired_with__isnull=True, has_consensus=False) | Q(is_consensus=True))
    )


@dataclass
class MeanRow:
    """One subscale (or item) of a before/after comparison."""

    number: int
    name: str
    before: Decimal | None
    after: Decimal | None
    before_text: str = ""
    after_text: str = ""

    @property
    def change(self) -> Decimal | None:
        return difference(self.before, self.after)

    @property
    def direction(self) -> str:
        change = self.change
        if change is None:
            return "none"
        return "up" if change > 0 else "down" if change < 0 else "same"


@dataclass
class SettingComparison:
    setting: Setting
    instruments: list[Instrument]
    instrument: Instrument | None
    audits: list[Audit]  # oldest first
    results: dict[int, AuditResult]
    subscale_names: list[tuple[int, str]]
    before: Audit | None = None
    after: Audit | None = None
    subscale_rows: list[MeanRow] = field(default_factory=list)
    item_rows: list[MeanRow] = field(default_factory=list)
    total: MeanRow | None = None
    versions_differ: bool = False

    def means_of(self, audit: Audit) -> list[Decimal | None]:
        result = self.results[audit.pk]
        return [result.subscale_mean(number) for number, _ in self.subscale_names]


def _default_pair(audits: list[Audit]) -> tuple[Audit | None, Audit | None]:
    """The latest end-of-year audit and the latest initial audit before it (same room if any)."""
    if not audits:
        return None, None
    ends = [a for a in audits if a.occasion == Occasion.END_OF_YEAR]
    after = ends[-1] if ends else audits[-1]
    earlier = [a for a in audits if (a.date, a.pk) < (after.date, after.pk)]
    initial = [a for a in earlier if a.occasion == Occasion.INITIAL]
    same_room = [a for a in initial if a.room == after.room]
    candidates = same_room or initial or earlier
    before = candidates[-1] if candidates else None
    return before, after


def _entry_text(entry: Entry | None) -> str:
    if entry is None or not entry.is_answered:
        return "–"
    return "N/A" if entry.not_applicable else str(entry.score)


def setting_comparison(
    user: User,
    setting: Setting,
    *,
    instrument_code: str = "",
    before_id: str = "",
    after_id: str = "",
) -> SettingComparison:
    """Every completed audit of the setting for one instrument, and two of them side by side.

    A fixed number of queries however many audits: instruments, audits, then the scoring
    reads (subscales, items, scale values, scores) for all of them at once.
    """
    visible = audits_of_record(audits_visible_to(user).filter(setting=setting))
    instruments = list(
        Instrument.objects.filter(versions__audits__in=visible).distinct().order_by("name")
    )
    instrument = next((i for i in instruments if i.code == instrument_code), None)
    if instrument is None and instruments:
        instrument = instruments[0]
    if instrument is None:
        return SettingComparison(setting, instruments, None, [], {}, [])
    audits = list(
        visible.filter(version__instrument=instrument)
        .select_related("version__instrument")
        .order_by("date", "pk")
    )
    results = results_for(audits)
    names: dict[int, str] = {}
    for audit in audits:  # the latest version's names win
        for sub in results[audit.pk].subscales:
            names[sub.subscale.number] = sub.subscale.name
    comparison = SettingComparison(
        setting, instruments, instrument, audits, results, sorted(names.items())
    )
    by_id = {str(a.pk): a for a in audits}
    before, after = _default_pair(audits)
    before = by_id.get(before_id, before)
    after = by_id.get(after_id, after)
    if before is None or after is None or before.pk == after.pk:
        comparison.before, comparison.after = before, after
        return comparison
    comparison.before, comparison.after = before, after
    first, second = results[before.pk], results[after.pk]
    comparison.subscale_rows = [
        MeanRow(number, name, first.subscale_mean(number), second.subscale_mean(number))
        for number, name in comparison.subscale_names
    ]
    comparison.total = MeanRow(0, "All items", first.total_mean, second.total_mean)
    comparison.versions_differ = before.version_id != after.version_id
    shapes = version_shapes([before.version_id, after.version_id])
    entries = entries_for([before.pk, after.pk])
    before_items = {i.number: i for i in shapes[before.version_id].items}
    after_items = {i.number: i for i in shapes[after.version_id].items}
    for number in sorted(set(before_items) | set(after_items)):
        item = after_items.get(number) or before_items[number]
        b = entries[before.pk].get(before_items[number].id) if number in before_items else None
        a = entries[after.pk].get(after_items[number].id) if number in after_items else None
        comparison.item_rows.append(
            MeanRow(
                number,
                item.title,
                Decimal(b.score) if b and b.score is not None else None,
                Decimal(a.score) if a and a.score is not None else None,
                _entry_text(b),
                _entry_text(a),
            )
        )
    return comparison


@dataclass
class Distribution:
    count: int
    mean: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None


def distribution(values: list[Decimal]) -> Distribution:
    if not values:
        return Distribution(0, None, None, None)
    return Distribution(len(values), mean(values), min(values), max(values))


@dataclass
class CohortRow:
    """One subscale (or the total) at the initial and end-of-year audits across a cohort."""

    number: int
    name: str
    initial: Distribution
    end_of_year: Distribution

    @property
    def change(self) -> Decimal | None:
        return difference(self.initial.mean, self.end_of_year.mean)

    @property
    def direction(self) -> str:
        change = self.change
        if change is None:
            return "none"
        return "up" if change > 0 else "down" if change < 0 else "same"


@dataclass
class SettingRow:
    setting: Setting
    room: str
    initial: Audit | None
    end_of_year: Audit | None
    initial_mean: Decimal | None
    end_mean: Decimal | None

    @property
    def change(self) -> Decimal | None:
        return difference(self.initial_mean, self.end_mean)

    @property
    def direction(self) -> str:
        change = self.change
        if change is None:
            return "none"
        return "up" if change > 0 else "down" if change < 0 else "same"


@dataclass
class CohortComparison:
    cohort: Cohort
    instruments: list[Instrument]
    instrument: Instrument | None
    rows: list[CohortRow]
    total: CohortRow | None
    settings: list[SettingRow]
    audit_count: int


COMPARED_OCCASIONS = (Occasion.INITIAL, Occasion.END_OF_YEAR)


def cohort_audits(cohort: Cohort, instrument: Instrument) -> QuerySet[Audit]:
    """The cohort's audits of record for one instrument (audits of its accreditations)."""
    return (
        audits_of_record(Audit.objects.filter(accreditation__cohort=cohort))
        .filter(version__instrument=instrument)
        .select_related("setting", "version__instrument")
        .order_by("setting__name", "room", "date", "pk")
    )


def cohort_instruments(cohort: Cohort) -> list[Instrument]:
    audits = audits_of_record(Audit.objects.filter(accreditation__cohort=cohort))
    return list(Instrument.objects.filter(versions__audits__in=audits).distinct().order_by("name"))


def cohort_comparison(cohort: Cohort, *, instrument_code: str = "") -> CohortComparison:
    """Subscale means at the initial and end-of-year audits across the cohort's settings.

    Each audit of record counts once (one room on one occasion). Fixed queries: the
    instruments, the audits, then the scoring reads for all of them at once.
    """
    instruments = cohort_instruments(cohort)
    instrument = next((i for i in instruments if i.code == instrument_code), None)
    if instrument is None and instruments:
        instrument = instruments[0]
    if instrument is None:
        return CohortComparison(cohort, instruments, None, [], None, [], 0)
    audits = [a for a in cohort_audits(cohort, instrument) if a.occasion in COMPARED_OCCASIONS]
    results = results_for(audits)
    names: dict[int, str] = {}
    values: dict[tuple[str, int], list[Decimal]] = defaultdict(list)
    totals: dict[str, list[Decimal]] = defaultdict(list)
    latest: dict[tuple[int, str], dict[str, Audit]] = defaultdict(dict)
    for audit in audits:
        result = results[audit.pk]
        for sub in result.subscales:
            names[sub.subscale.number] = sub.subscale.name
            if sub.mean is not None:
                values[(audit.occasion, sub.subscale.number)].append(sub.mean)
        if result.total_mean is not None:
            totals[audit.occasion].append(result.total_mean)
        latest[(audit.setting_id, audit.room)][audit.occasion] = audit  # ordered by date
    rows = [
        CohortRow(
            number,
            name,
            distribution(values[(Occasion.INITIAL, number)]),
            distribution(values[(Occasion.END_OF_YEAR, number)]),
        )
        for number, name in sorted(names.items())
    ]
    total = CohortRow(
        0,
        "All items",
        distribution(totals[Occasion.INITIAL]),
        distribution(totals[Occasion.END_OF_YEAR]),
    )
    setting_rows = []
    for pair in latest.values():
        initial = pair.get(Occasion.INITIAL)
        end = pair.get(Occasion.END_OF_YEAR)
        some = initial or end
        assert some is not None
        setting_rows.append(
            SettingRow(
                some.setting,
                some.room,
                initial,
                end,
                results[initial.pk].total_mean if initial else None,
                results[end.pk].total_mean if end else None,
            )
        )
    return CohortComparison(cohort, instruments, instrument, rows, total, setting_rows, len(audits))


def cohorts_with_audits() -> QuerySet[Cohort]:
    """Cohorts, newest first, with how many completed audits their accreditations have."""
    completed = Audit.objects.filter(
        accreditation__cohort=OuterRef("pk"), status=AuditStatus.COMPLETED
    )
    return Cohort.objects.annotate(
        completed_audits=Coalesce(
            Subquery(
                completed.order_by()
                .values("accreditation__cohort")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        )
    ).order_by("-programme_year", "name")


def access_cohort_by_id(user: User, cohort_id: int) -> Cohort:
    if user.role not in (Role.MANAGER, Role.VIEWER):
        raise PermissionDenied("Only the KQM manager and viewers see cohort results.")
    try:
        return Cohort.objects.get(pk=cohort_id)
    except Cohort.DoesNotExist:
        raise Http404("No such cohort.") from None


# --- Instruments --------------------------------------------------------------------------------


def instrument_library() -> list[Instrument]:
    """Every instrument with its versions (and how many audits each has), in two queries."""
    versions = InstrumentVersion.objects.annotate(audit_count=Count("audits")).order_by(
        "-is_current", "-created_at", "-pk"
    )
    return list(
        Instrument.objects.prefetch_related(Prefetch("versions", queryset=versions)).order_by(
            "name"
        )
    )


def access_version_by_id(user: User, version_id: int) -> InstrumentVersion:
    if user.role not in policy.AUDIT_READERS:
        raise PermissionDenied("Your role does not give you access to instruments.")
    try:
        return InstrumentVersion.objects.select_related("instrument", "based_on").get(pk=version_id)
    except InstrumentVersion.DoesNotExist:
        raise Http404("No such instrument version.") from None


@dataclass
class VersionLayout:
    version: InstrumentVersion
    scale: list[ScaleValue]
    subscales: list[tuple[Subscale, list[Item]]]
    audit_count: int

    @property
    def item_count(self) -> int:
        return sum(len(items) for _, items in self.subscales)

    @property
    def in_use(self) -> bool:
        return self.audit_count > 0


def version_layout(version: InstrumentVersion) -> VersionLayout:
    items: dict[int, list[Item]] = defaultdict(list)
    for item in version.items.order_by("number"):
        items[item.subscale_id].append(item)
    return VersionLayout(
        version=version,
        scale=list(version.scale.order_by("value")),
        subscales=[(s, items[s.pk]) for s in version.subscales.order_by("number")],
        audit_count=version.audits.count(),
    )


def version_in_use(version: InstrumentVersion) -> bool:
    return version.audits.exists()


def item_titles(version: InstrumentVersion) -> dict[str, Any]:
    """Field values for the edit form of a version's titles and N/A flags."""
    initial: dict[str, Any] = {}
    for subscale in version.subscales.all():
        initial[f"subscale-{subscale.pk}"] = subscale.name
    for item in version.items.all():
        initial[f"item-{item.pk}-title"] = item.short_title
        initial[f"item-{item.pk}-na"] = item.na_allowed
    return initial


# --- Inter-rater agreement across observers -----------------------------------------------------


@dataclass
class PairAgreement:
    primary: Audit
    second: Audit
    agreement: Agreement
    threshold: int

    @property
    def below(self) -> bool:
        within = self.agreement.within_one_percent
        return within is not None and within < self.threshold


@dataclass
class ObserverAgreement:
    observer: User
    pairs: list[PairAgreement] = field(default_factory=list)
    threshold: int = 80

    @property
    def below_count(self) -> int:
        return sum(1 for pair in self.pairs if pair.below)

    @property
    def within_one_percent(self) -> Decimal | None:
        """Items within one point over all of the observer's pairs."""
        compared = sum(pair.agreement.compared for pair in self.pairs)
        if not compared:
            return None
        within = sum(pair.agreement.within_one for pair in self.pairs)
        return (Decimal(within) * 100 / compared).quantize(Decimal("0.1"))

    @property
    def flagged(self) -> bool:
        percent = self.within_one_percent
        return percent is not None and percent < self.threshold


def agreement_overview(threshold: int) -> tuple[list[PairAgreement], list[ObserverAgreement]]:
    """Every completed pair of independent scorings with its agreement, and each observer's
    agreement over their pairs, flagged below ``threshold`` (percent within one point).
    Seven queries whatever the number of pairs."""
    seconds = list(
        Audit.objects.filter(
            paired_with__isnull=False,
            is_consensus=False,
            status=AuditStatus.COMPLETED,
            paired_with__status=AuditStatus.COMPLETED,
        )
        .select_related("paired_with__setting", "paired_with__version__instrument")
        .prefetch_related("observers", "paired_with__observers")
        .order_by("-date", "-pk")
    )
    shapes = version_shapes({second.version_id for second in seconds})
    entries = entries_for(
        [audit_id for second in seconds for audit_id in (second.pk, second.paired_with_id or 0)]
    )
    pairs = []
    by_observer: dict[int, ObserverAgreement] = {}
    for second in seconds:
        primary = second.paired_with
        assert primary is not None
        pair = PairAgreement(
            primary,
            second,
            agreement(shapes[second.version_id].items, entries[primary.pk], entries[second.pk]),
            threshold,
        )
        pairs.append(pair)
        for observer in {*primary.observers.all(), *second.observers.all()}:
            summary = by_observer.setdefault(
                observer.pk, ObserverAgreement(observer, threshold=threshold)
            )
            summary.pairs.append(pair)
    observers = sorted(
        by_observer.values(), key=lambda o: (not o.flagged, o.observer.full_name, o.observer.pk)
    )
    return pairs, observers
