"""The change in a setting's parent partnership (PPEL) between the start and the end of the year.

:func:`ppel_change` is pure: it takes the two audits' instrument shapes and recorded
answers (:class:`ScoredAudit`) and returns, per statement, the start and end ratings and
their change, then per subscale and overall the mean ratings and their change, with a
plain-language headline. Statements are matched by number, so the two audits may use
different versions of the tool. Means follow the scoring rules (DESIGN §5): N/A is left
out, the overall mean is over every rated statement, 2 dp rounded half up.

:func:`scored_audits` reads what the pure function needs from the database, for any
number of audits in four queries; the PPEL change page and reports use both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from .scoring import Entry, ItemDef, VersionShape, difference, entries_for, mean, version_shapes

if TYPE_CHECKING:
    from .models import Audit

INCREASED = "increased"
STAYED_THE_SAME = "stayed the same"
DECREASED = "decreased"


@dataclass(frozen=True)
class ScoredAudit:
    """One audit's instrument (subscales, items, scale) and what was recorded per item id."""

    shape: VersionShape
    entries: dict[int, Entry]


def _text(entry: Entry | None) -> str:
    if entry is None or not entry.is_answered:
        return "–"
    return "N/A" if entry.not_applicable else str(entry.score)


def _direction(change: Decimal | None) -> str:
    if change is None:
        return "none"
    return "up" if change > 0 else "down" if change < 0 else "same"


@dataclass
class StatementChange:
    number: int
    title: str
    subscale_number: int
    start: int | None  # None when not rated (N/A, or not in that audit's version)
    end: int | None
    start_text: str
    end_text: str

    @property
    def change(self) -> Decimal | None:
        return difference(self.start, self.end)

    @property
    def direction(self) -> str:
        return _direction(self.change)


@dataclass
class MeanChange:
    """A subscale's (or all statements') mean at the start and the end of the year."""

    number: int  # 0 for all statements
    name: str
    start: Decimal | None
    end: Decimal | None

    @property
    def change(self) -> Decimal | None:
        return difference(self.start, self.end)

    @property
    def direction(self) -> str:
        return _direction(self.change)


@dataclass
class PpelChange:
    statements: list[StatementChange]
    subscales: list[MeanChange]
    overall: MeanChange
    scale_values: list[int] = field(default_factory=list)
    versions_differ: bool = False

    @property
    def verdict(self) -> str | None:
        return involvement_verdict(self.overall.start, self.overall.end)

    @property
    def headline(self) -> str:
        return change_headline(self.overall.start, self.overall.end)


def involvement_verdict(start_mean: Decimal | None, end_mean: Decimal | None) -> str | None:
    """ "increased" when the end-of-year overall mean is above the start's, "decreased" when
    below, "stayed the same" when equal (at 2 dp); None when either audit has no rating."""
    if start_mean is None or end_mean is None:
        return None
    if end_mean > start_mean:
        return INCREASED
    if end_mean < start_mean:
        return DECREASED
    return STAYED_THE_SAME


def change_headline(start_mean: Decimal | None, end_mean: Decimal | None) -> str:
    verdict = involvement_verdict(start_mean, end_mean)
    if verdict is None:
        return "The change cannot be shown: one of the audits has no rated statement."
    if verdict == STAYED_THE_SAME:
        return f"Parental involvement stayed the same (mean rating {end_mean} at both audits)."
    return (
        f"Parental involvement {verdict}: the mean rating went from {start_mean} at the "
        f"start of the year to {end_mean} at the end."
    )


def _score(entry: Entry | None) -> int | None:
    if entry is None or entry.not_applicable:
        return None
    return entry.score


def _rated(
    statements: Sequence[StatementChange], when: str, subscale: int | None = None
) -> list[int]:
    """The ratings given at the start (or end), in one subscale or all of them."""
    values = []
    for statement in statements:
        value = statement.start if when == "start" else statement.end
        if value is not None and subscale in (None, statement.subscale_number):
            values.append(value)
    return values


def ppel_change(start: ScoredAudit, end: ScoredAudit) -> PpelChange:
    """Per statement, per subscale and overall: start, end and change (end − start)."""
    start_items = {i.number: i for i in start.shape.items}
    end_items = {i.number: i for i in end.shape.items}
    # The end-of-year version names the subscales and statements where both have them.
    subscale_of: dict[int, tuple[int, str]] = {}
    for shape in (start.shape, end.shape):
        by_id = {s.id: s for s in shape.subscales}
        for item in shape.items:
            sub = by_id.get(item.subscale_id)
            if sub is not None:
                subscale_of[item.number] = (sub.number, sub.name)
    statements = []
    for number in sorted(set(start_items) | set(end_items)):
        before: ItemDef | None = start_items.get(number)
        after: ItemDef | None = end_items.get(number)
        start_entry = start.entries.get(before.id) if before else None
        end_entry = end.entries.get(after.id) if after else None
        title = (after or before).title  # type: ignore[union-attr]
        statements.append(
            StatementChange(
                number=number,
                title=title,
                subscale_number=subscale_of.get(number, (0, ""))[0],
                start=_score(start_entry),
                end=_score(end_entry),
                start_text=_text(start_entry),
                end_text=_text(end_entry),
            )
        )
    names = dict(subscale_of.values())
    subscales = [
        MeanChange(
            number,
            name,
            mean(
                s.start for s in statements if s.subscale_number == number and s.start is not None
            ),
            mean(s.end for s in statements if s.subscale_number == number and s.end is not None),
        )
        for number, name in sorted(names.items())
    ]
    overall = MeanChange(
        0,
        "All statements",
        mean(_rated(statements, "start")),
        mean(_rated(statements, "end")),
    )
    scale = sorted(set(start.shape.scale_values) | set(end.shape.scale_values))
    versions_differ = [(i.number, i.title) for i in start.shape.items] != [
        (i.number, i.title) for i in end.shape.items
    ]
    return PpelChange(statements, subscales, overall, scale, versions_differ)


def scored_audits(audits: Sequence[Audit]) -> dict[int, ScoredAudit]:
    """audit id -> ScoredAudit, in four queries whatever the number of audits."""
    shapes = version_shapes(a.version_id for a in audits)
    entries = entries_for(a.pk for a in audits)
    return {a.pk: ScoredAudit(shapes[a.version_id], entries[a.pk]) for a in audits}
