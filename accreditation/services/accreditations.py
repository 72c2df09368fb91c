"""Writes for the accreditation record: opening one, and moving its status.

Both go through :meth:`Accreditation.transition`, so every status an accreditation
ever holds appears in its status history with who, when and why.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kqm.models import User

from ..models import Accreditation, AccreditationStatusChange, Application, Status

# Moves that end or refuse a journey need a reason the setting can be given.
REASON_REQUIRED = frozenset({Status.DECLINED, Status.WITHDRAWN, Status.NOT_YET_MET})
# Moves after which nothing more can happen; the page asks for confirmation first.
FINAL_STATUSES = frozenset({Status.DECLINED, Status.WITHDRAWN, Status.LAPSED})


@transaction.atomic
def do_open_accreditation(
    *, application: Application, accepted_by: User, reason: str = ""
) -> Accreditation:
    """Create the accreditation of an accepted application, recorded as applied → accepted.

    The record starts at ``applied`` (the application) and moves to ``accepted``
    through ``transition()``, so its history shows the acceptance like any other move.
    """
    if Accreditation.objects.filter(
        setting=application.setting, cohort=application.cohort
    ).exists():
        raise ValidationError(
            f"{application.setting.display_name} already has an accreditation in "
            f"the {application.cohort}."
        )
    accreditation = Accreditation(
        setting=application.setting,
        cohort=application.cohort,
        application=application,
        status=Status.APPLIED,
        days_budget=application.cohort.days_per_setting,
    )
    accreditation.full_clean()
    accreditation._history_user = accepted_by
    accreditation.save()
    accreditation.transition(Status.ACCEPTED, by=accepted_by, reason=reason)
    return accreditation


@transaction.atomic
def do_change_accreditation_status(
    *, accreditation: Accreditation, to: str, changed_by: User, reason: str = ""
) -> AccreditationStatusChange:
    """Move the status if the pipeline allows it; raises IllegalTransition otherwise."""
    reason = reason.strip()
    if to in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": f"Enter the reason for moving to “{Status(to).label}”."})
    if to == Status.SUBMITTED:
        # The same check as the setting's own "check and submit" page.
        from .decisions import unfinished_tasks

        unfinished = unfinished_tasks(accreditation, changed_by)
        if unfinished:
            names = "; ".join(f"{task.name} ({task.status.lower()})" for task in unfinished)
            raise ValidationError(
                {"to": f"Every task must be completed before submitting. Still to do: {names}."}
            )
    if to in NEEDS_END_OF_YEAR_AUDIT and not has_completed_end_of_year_audit(accreditation):
        raise ValidationError(
            {
                "to": f"{accreditation.setting.display_name} cannot move to “{Status(to).label}” "
                "until its end-of-year audit is completed."
            }
        )
    if to in DECISIONS and accreditation.status == Status.SUBMITTED:
        from .decisions import current_recommendation

        if current_recommendation(accreditation) is None:
            raise ValidationError(
                {"to": "Wait for the evaluator's recommendation before deciding."}
            )
    change = accreditation.transition(to, by=changed_by, reason=reason)
    if to == Status.ACCREDITED:
        from .awards import do_grant_award

        do_grant_award(
            accreditation=accreditation, award_date=timezone.localdate(), granted_by=changed_by
        )
    return change


# The KQM manager decides a submitted accreditation only once the evaluator has recommended.
DECISIONS = frozenset({Status.ACCREDITED, Status.NOT_YET_MET})
# Submitting the year's work and accrediting it both need the end-of-year audit done.
NEEDS_END_OF_YEAR_AUDIT = frozenset({Status.SUBMITTED, Status.ACCREDITED})


def has_completed_end_of_year_audit(accreditation: Accreditation) -> bool:
    from audits.models import Audit, AuditStatus, Occasion

    # Only an audit filed under this accreditation counts: a later year's audit of the
    # same setting does not.
    return Audit.objects.filter(
        accreditation=accreditation, occasion=Occasion.END_OF_YEAR, status=AuditStatus.COMPLETED
    ).exists()
