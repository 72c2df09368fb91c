"""Scoring of rating audits: pure functions over plain values, and helpers that read the DB.

Rules (DESIGN §5): items marked N/A are left out; a subscale mean is the sum of its
scored items divided by their count, and the total mean is taken over every scored item
(not the mean of the subscale means); means are shown to 2 decimal places, rounded half
up. An audit is complete when every item is scored, or marked N/A where the item allows
it. Scores point at the items of the audit's own version, so a new version of an
instrument never changes an old audit's results.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Audit

TWO_PLACES = Decimal("0.01")


class IncompleteAudit(Exception):
    """The audit has items that are neither scored nor (where allowed) marked N/A."""

    def __init__(self, missing: Sequence[ItemDef]) -> None:
        self.missing = list(missing)
        numbers = ", ".join(str(item.number) for item in self.missing[:10])
        more = "…" if len(self.missing) > 10 else ""
        super().__init__(
            f"{len(self.missing)} item{'s' if len(self.missing) != 1 else ''} still to score "
            f"(item {numbers}{more})."
        )


@dataclass(frozen=True)
class ItemDef:
    id: int
    number: int
    title: str
    subscale_id: int
    na_allowed: bool = False


@dataclass(frozen=True)
class SubscaleDef:
    id: int
    number: int
    name: str


@dataclass(frozen=True)
class Entry:
    """What was recorded for one item: a score, or N/A, or nothing yet."""

    score: int | None = None
    not_applicable: bool = False
    note: str = ""

    @property
    def is_answered(self) -> bool:
        return self.not_applicable or self.score is not None


def mean(values: Iterable[int | Decimal]) -> Decimal | None:
    """The mean to 2 dp, rounded half up; None when there is nothing to average."""
    values = list(values)
    if not values:
        return None
    total = sum((Decimal(v) for v in values), Decimal(0))
    return (total / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def difference(before: Decimal | int | None, after: Decimal | int | None) -> Decimal | None:
    """after − before to 2 dp, or None when either is missing."""
    if before is None or after is None:
        return None
    return (Decimal(after) - Decimal(before)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def missing_items(items: Iterable[ItemDef], entries: Mapping[int, Entry]) -> list[ItemDef]:
    """Items neither scored nor validly marked N/A (N/A counts only where allowed)."""
    missing = []
    for item in items:
        entry = entries.get(item.id)
        if entry is None or not entry.is_answered or (entry.not_applicable and not item.na_allowed):
            missing.append(item)
    return missing


def require_complete(items: Iterable[ItemDef], entries: Mapping[int, Entry]) -> None:
    """Raise IncompleteAudit unless every item is answered."""
    missing = missing_items(items, entries)
    if missing:
        raise IncompleteAudit(missing)


@dataclass
class SubscaleResult:
    subscale: SubscaleDef
    item_count: int
    scored: int
    not_applicable: int
    mean: Decimal | None


@dataclass
class AuditResult:
    subscales: list[SubscaleResult]
    total_mean: Decimal | None
    item_count: int
    scored: int
    not_applicable: int
    counts: dict[int, int] = field(default_factory=dict)  # scale value -> items at it

    @property
    def answered(self) -> int:
        return self.scored + self.not_applicable

    @property
    def unanswered(self) -> int:
        return self.item_count - self.answered

    @property
    def percent_answered(self) -> int:
        return round(self.answered * 100 / self.item_count) if self.item_count else 0

    def subscale_mean(self, number: int) -> Decimal | None:
        for result in self.subscales:
            if result.subscale.number == number:
                return result.mean
        return None


def score(
    subscales: Sequence[SubscaleDef],
    items: Sequence[ItemDef],
    entries: Mapping[int, Entry],
    scale_values: Sequence[int] = (),
) -> AuditResult:
    """Subscale means, the total mean and counts per scale value, N/A left out.

    ``scale_values`` lists every point of the scale so that unused values count 0.
    """
    by_subscale: dict[int, list[ItemDef]] = defaultdict(list)
    for item in items:
        by_subscale[item.subscale_id].append(item)
    counts = dict.fromkeys(scale_values, 0)
    all_scores: list[int] = []
    results = []
    total_na = 0
    for subscale in sorted(subscales, key=lambda s: s.number):
        scores: list[int] = []
        na = 0
        for item in by_subscale.get(subscale.id, []):
            entry = entries.get(item.id)
            if entry is None:
                continue
            if entry.not_applicable:
                na += 1
            elif entry.score is not None:
                scores.append(entry.score)
                counts[entry.score] = counts.get(entry.score, 0) + 1
        all_scores.extend(scores)
        total_na += na
        results.append(
            SubscaleResult(
                subscale=subscale,
                item_count=len(by_subscale.get(subscale.id, [])),
                scored=len(scores),
                not_applicable=na,
                mean=mean(scores),
            )
        )
    return AuditResult(
        subscales=results,
        total_mean=mean(all_scores),
        item_count=len(items),
        scored=len(all_scores),
        not_applicable=total_na,
        counts=dict(sorted(counts.items())),
    )


# --- Inter-rater agreement ------------------------------------------------------------------


@dataclass
class ItemAgreement:
    item: ItemDef
    first: Entry
    second: Entry

    @property
    def exact(self) -> bool:
        if self.first.not_applicable or self.second.not_applicable:
            return self.first.not_applicable and self.second.not_applicable
        return self.first.score == self.second.score

    @property
    def within_one(self) -> bool:
        if self.first.not_applicable or self.second.not_applicable:
            return self.exact
        if self.first.score is None or self.second.score is None:
            return False
        return abs(self.first.score - self.second.score) <= 1

    @property
    def gap(self) -> int | None:
        if self.first.score is None or self.second.score is None:
            return None
        return abs(self.first.score - self.second.score)


@dataclass
class Agreement:
    items: list[ItemAgreement]

    @property
    def compared(self) -> int:
        return len(self.items)

    @property
    def exact(self) -> int:
        return sum(1 for i in self.items if i.exact)

    @property
    def within_one(self) -> int:
        return sum(1 for i in self.items if i.within_one)

    @property
    def exact_percent(self) -> Decimal | None:
        return _percent(self.exact, self.compared)

    @property
    def within_one_percent(self) -> Decimal | None:
        return _percent(self.within_one, self.compared)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def agreement(
    items: Sequence[ItemDef], first: Mapping[int, Entry], second: Mapping[int, Entry]
) -> Agreement:
    """Exact and within-one-point agreement per item (N/A agrees only with N/A)."""
    return Agreement(
        items=[
            ItemAgreement(item, first.get(item.id, Entry()), second.get(item.id, Entry()))
            for item in sorted(items, key=lambda i: i.number)
        ]
    )


# --- Reading audits from the database ---------------------------------------------------------


@dataclass
class VersionShape:
    """One instrument version's subscales, items and scale values, read once."""

    subscales: list[SubscaleDef]
    items: list[ItemDef]
    scale_values: list[int]


def version_shapes(version_ids: Iterable[int]) -> dict[int, VersionShape]:
    """Three queries whatever the number of versions."""
    from .models import Item, ScaleValue, Subscale

    ids = set(version_ids)
    shapes = {vid: VersionShape([], [], []) for vid in ids}
    for s in Subscale.objects.filter(version_id__in=ids).order_by("number"):
        shapes[s.version_id].subscales.append(SubscaleDef(s.pk, s.number, s.name))
    for i in Item.objects.filter(version_id__in=ids).order_by("number"):
        shapes[i.version_id].items.append(
            ItemDef(i.pk, i.number, i.short_title, i.subscale_id, i.na_allowed)
        )
    for version_id, value in (
        ScaleValue.objects.filter(version_id__in=ids)
        .order_by("value")
        .values_list("version_id", "value")
    ):
        shapes[version_id].scale_values.append(value)
    return shapes


def entries_for(audit_ids: Iterable[int]) -> dict[int, dict[int, Entry]]:
    """audit id -> item id -> Entry, in one query."""
    from .models import ItemScore

    ids = list(audit_ids)
    entries: dict[int, dict[int, Entry]] = {audit_id: {} for audit_id in ids}
    rows = ItemScore.objects.filter(audit_id__in=ids).values_list(
        "audit_id", "item_id", "score", "not_applicable", "note"
    )
    for audit_id, item_id, value, na, note in rows:
        entries[audit_id][item_id] = Entry(value, na, note)
    return entries


def results_for(audits: Sequence[Audit]) -> dict[int, AuditResult]:
    """audit id -> AuditResult for many audits in four queries."""
    shapes = version_shapes(a.version_id for a in audits)
    entries = entries_for(a.pk for a in audits)
    results = {}
    for audit in audits:
        shape = shapes[audit.version_id]
        results[audit.pk] = score(
            shape.subscales, shape.items, entries[audit.pk], shape.scale_values
        )
    return results


def audit_result(audit: Audit) -> AuditResult:
    return results_for([audit])[audit.pk]


def check_complete(audit: Audit) -> None:
    """Raise IncompleteAudit unless every item of the audit's version is answered."""
    shape = version_shapes([audit.version_id])[audit.version_id]
    require_complete(shape.items, entries_for([audit.pk])[audit.pk])
