"""Writes for evaluators: profile, training, and assigning one to an accreditation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from kqm.emails import queue_email
from kqm.models import Role, User

from ..models import Accreditation, EvaluatorProfile, Status, TrainingSession
from ..selectors import budgeted_days_in_year

# No evaluator work is planned on an accreditation that has ended this way.
NO_EVALUATOR_STATUSES = frozenset({Status.DECLINED, Status.WITHDRAWN, Status.LAPSED})


def _profile_for(*, actor: User, evaluator: User) -> EvaluatorProfile:
    """The evaluator's profile, created with the default day rate and capacity if missing."""
    profile = EvaluatorProfile.objects.select_for_update().filter(user=evaluator).first()
    if profile is None:
        profile = EvaluatorProfile(user=evaluator)
        profile.full_clean()
        profile._history_user = actor  # type: ignore[attr-defined]
        profile.save()
    return profile


def _check_is_evaluator(user: User) -> None:
    if user.role != Role.EVALUATOR:
        raise ValidationError(f"{user} is not an evaluator.")


@transaction.atomic
def do_save_evaluator_profile(
    *, actor: User, evaluator: User, day_rate: Decimal, capacity_days: Decimal, notes: str = ""
) -> EvaluatorProfile:
    """Create or change the evaluator's profile (day rate, capacity in days a year, notes)."""
    _check_is_evaluator(evaluator)
    profile = EvaluatorProfile.objects.select_for_update().filter(
        user=evaluator
    ).first() or EvaluatorProfile(user=evaluator)
    profile.day_rate = day_rate
    profile.capacity_days = capacity_days
    profile.notes = notes.strip()
    profile.full_clean()
    profile._history_user = actor  # type: ignore[attr-defined]
    profile.save()
    return profile


@transaction.atomic
def do_add_training_session(
    *, actor: User, evaluator: User, title: str, date: datetime.date
) -> TrainingSession:
    """Record a KQM training session the evaluator attended (creating their profile if need be)."""
    _check_is_evaluator(evaluator)
    session = TrainingSession(
        evaluator=_profile_for(actor=actor, evaluator=evaluator), title=title.strip(), date=date
    )
    session.full_clean()
    session._history_user = actor  # type: ignore[attr-defined]
    session.save()
    return session


@transaction.atomic
def do_delete_training_session(*, actor: User, session: TrainingSession) -> None:
    session._history_user = actor  # type: ignore[attr-defined]
    session.delete()


@dataclass(eq=False)
class OverCapacity(Exception):
    """The assignment would take the evaluator past their capacity for the programme year."""

    evaluator: User
    programme_year: int
    budgeted_before: Decimal  # on their other accreditations that year
    budgeted_after: Decimal  # with this one
    capacity: Decimal | None  # None: no profile, so no capacity recorded

    def __str__(self) -> str:
        capacity = "no capacity recorded" if self.capacity is None else f"{self.capacity} days"
        return (
            f"{self.evaluator} would have {self.budgeted_after} days budgeted in "
            f"{self.programme_year} ({capacity})."
        )


@transaction.atomic
def do_assign_evaluator(
    *,
    actor: User,
    accreditation: Accreditation,
    evaluator: User,
    allow_over_capacity: bool,
) -> Accreditation:
    """Make ``evaluator`` the accreditation's evaluator and email them.

    Raises :class:`OverCapacity` (changing nothing) when the accreditation's days
    would take the evaluator's budget for that programme year past their capacity,
    unless the KQM manager has confirmed with ``allow_over_capacity``.
    """
    _check_is_evaluator(evaluator)
    if not evaluator.is_active:
        raise ValidationError(f"{evaluator} is deactivated and cannot be assigned.")
    # Lock the evaluator's profile so two assignments at once cannot both pass the check.
    profile = EvaluatorProfile.objects.select_for_update().filter(user=evaluator).first()
    locked = (
        Accreditation.objects.select_for_update()
        .select_related("setting", "cohort")
        .get(pk=accreditation.pk)
    )
    if locked.status in NO_EVALUATOR_STATUSES:
        raise ValidationError(
            f"An evaluator cannot be assigned to a {locked.get_status_display().lower()} "
            "accreditation."
        )
    if locked.evaluator_id == evaluator.pk:
        return locked
    year = locked.cohort.programme_year
    before = budgeted_days_in_year(evaluator, year, excluding=locked)
    after = before + locked.days_budget
    capacity = profile.capacity_days if profile else None
    over = after > (capacity if capacity is not None else Decimal("0"))
    if over and not allow_over_capacity:
        raise OverCapacity(
            evaluator=evaluator,
            programme_year=year,
            budgeted_before=before,
            budgeted_after=after,
            capacity=capacity,
        )
    locked.evaluator = evaluator
    locked._history_user = actor
    locked._change_reason = (
        "Evaluator assigned over capacity (confirmed)" if over else "Evaluator assigned"
    )
    locked.save(update_fields=["evaluator"])
    queue_email(
        template="evaluator_assigned",
        user_id=evaluator.pk,
        context={
            "setting": locked.setting.display_name,
            "urn": locked.setting.urn,
            "cohort": locked.cohort.name,
            "days_budget": f"{locked.days_budget.normalize():f}",
            "assigned_by": actor.full_name or actor.email,
            "link": reverse("accreditation:my-workload"),
        },
    )
    accreditation.evaluator = evaluator
    return locked
