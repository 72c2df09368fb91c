"""One table of status moves per record, with their guards and side effects.

The shape of the accreditation's pipeline (``accreditation.pipeline``), for the records
whose status is theirs alone (notes of visit, case studies, annual reviews,
re-accreditations, audits). Each row (``Step``) names a move, the reason written to the
record's history, the guards (each raises ``ValidationError`` with the words the page
shows) and the effects (emails, tasks, awards), run once the status has been saved.

``StatusTable.move`` is the only way to use a table: the caller passes the record it has
locked and the status its own page saw. A move that is not in the table is refused in
plain words; a move that the page could make but that someone else's move has made
impossible meanwhile (a double-submitted form, a colleague's click) is a
``MoveConflict``, which says what happened instead of an error page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from kqm.models import User

from .pipeline import MoveConflict

Check = Callable[
    [Any, Any, dict[str, Any]], None
]  # (record, actor, params); raises ValidationError


@dataclass(frozen=True)
class Step:
    source: str
    target: str
    reason: str  # the history's change reason (an effect may write a better one)
    guards: tuple[Check, ...] = ()
    effects: tuple[Check, ...] = ()  # run once the status has moved and been saved


class StatusTable:
    """The moves of one record's status; ``not_from`` says why nothing moves from a status."""

    def __init__(
        self,
        noun: str,
        statuses: type[models.TextChoices],
        steps: tuple[Step, ...],
        not_from: Mapping[str, str] | None = None,
    ) -> None:
        self.noun = noun
        self.statuses = statuses
        self.steps = steps
        self.pipeline = {(s.source, s.target): s for s in steps}
        self.not_from = dict(not_from or {})

    def _label(self, status: str) -> str:
        return str(self.statuses(status).label) if status in self.statuses.values else status

    def illegal(self, current: str, to: str) -> str:
        """The plain message refusing a move the table does not have."""
        if to not in self.statuses.values:
            return f"“{to}” is not a status of a {self.noun}."
        return self.not_from.get(current) or (
            f"A {self.noun} that is “{self._label(current)}” cannot move to “{self._label(to)}”."
        )

    def step(self, current: str, to: str, *, seen: str | None = None) -> Step:
        """The table's row for this move, or the message refusing it.

        ``seen`` is the status the caller's page showed: when that move was possible
        but is no longer, someone else moved the record first.
        """
        rule = self.pipeline.get((current, to))
        if rule is not None:
            return rule
        if seen is not None and seen != current and (seen, to) in self.pipeline:
            raise MoveConflict(
                f"This {self.noun} has just been moved to “{self._label(current)}” (it was "
                f"“{self._label(seen)}” when you loaded the page), so nothing was changed. "
                "Reload the page to see where it is now."
            )
        raise ValidationError(self.illegal(current, to))

    def move(
        self,
        locked: Any,
        to: str,
        *,
        actor: User | None,
        write: Callable[[Any, Step], None],
        seen: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> Step:
        """Check the move and its guards, set the status, ``write`` it (stamping dates and
        history), then run the effects. The caller holds the record's row lock."""
        params = params if params is not None else {}
        rule = self.step(locked.status, to, seen=seen)
        for guard in rule.guards:
            guard(locked, actor, params)
        locked.status = to
        write(locked, rule)
        for effect in rule.effects:
            effect(locked, actor, params)
        return rule
