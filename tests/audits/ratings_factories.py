"""Helpers for the rating-audit tests: the instrument library and audits with scores."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.utils import timezone

from accreditation.models import Accreditation
from accreditation.models import Status as AccreditationStatus
from audits.definitions import load_shipped_instruments
from audits.models import (
    Audit,
    AuditStatus,
    InstrumentVersion,
    Item,
    ItemScore,
    Occasion,
)
from kqm.models import Role, User
from settings.models import Setting
from tests.factories import AccreditationFactory, CohortFactory, UserFactory

Scorer = Callable[[Item], int | None]


def library() -> dict[str, InstrumentVersion]:
    """The shipped instruments, code -> current version (reloaded after a flush)."""
    load_shipped_instruments()
    return {
        v.instrument.code: v
        for v in InstrumentVersion.objects.filter(is_current=True).select_related("instrument")
    }


def assign(setting: Setting, evaluator: User, cohort=None) -> Accreditation:
    """An accreditation of ``setting`` assigned to ``evaluator``."""
    return AccreditationFactory(
        setting=setting,
        evaluator=evaluator,
        cohort=cohort or CohortFactory(),
        status=AccreditationStatus.IN_PROGRESS,
    )


def items_of(version: InstrumentVersion) -> list[Item]:
    return list(version.items.order_by("number"))


def make_audit(
    *,
    setting: Setting,
    version: InstrumentVersion,
    created_by: User,
    occasion: str = Occasion.INITIAL,
    date: datetime.date = datetime.date(2026, 10, 5),
    room: str = "Pre-school room",
    score: Scorer | int | None = None,
    completed: bool = False,
    accreditation: Accreditation | None = None,
    is_self_audit: bool = False,
    observers: Iterable[User] = (),
    items: list[Item] | None = None,
    **extra: object,
) -> Audit:
    """An audit with every item scored by ``score`` (a constant or a function of the item).

    A scorer returning None marks that item N/A. Written directly (not through the
    services) so that tests can build many audits quickly.
    """
    audit = Audit.objects.create(
        setting=setting,
        version=version,
        created_by=created_by,
        occasion=occasion,
        date=date,
        room=room,
        accreditation=accreditation,
        is_self_audit=is_self_audit,
        status=AuditStatus.COMPLETED if completed else AuditStatus.IN_PROGRESS,
        completed_at=timezone.now() if completed else None,
        completed_by=created_by if completed else None,
        **extra,
    )
    audit.observers.set({created_by, *observers})
    if score is not None:
        scorer: Scorer = score if callable(score) else (lambda item, s=score: s)
        rows = []
        for item in items if items is not None else items_of(version):
            value = scorer(item)
            rows.append(
                ItemScore(
                    audit=audit,
                    item=item,
                    score=value,
                    not_applicable=value is None,
                    updated_by=created_by,
                )
            )
        ItemScore.objects.bulk_create(rows)
    return audit


def other_evaluator() -> User:
    return UserFactory(role=Role.EVALUATOR, full_name="Another Evaluator")
