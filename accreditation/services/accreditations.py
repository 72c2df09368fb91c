"""Writes for the accreditation record: opening one, and moving its status.

Both go through the pipeline (``accreditation.pipeline.move``), so every status an accreditation
ever holds appears in its status history with who, when and why.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from kqm.models import User

from ..models import Accreditation, AccreditationStatusChange, Application, Status


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
    from ..pipeline import move

    move(accreditation, Status.ACCEPTED, by=accepted_by, reason=reason)
    return accreditation


@transaction.atomic
def do_change_accreditation_status(
    *, accreditation: Accreditation, to: str, changed_by: User, reason: str = ""
) -> AccreditationStatusChange:
    """The KQM manager's generic status form: only moves with no page of their own.

    Raises ``IllegalTransition`` for a move the pipeline does not have, and
    ``ValidationError`` (``MoveConflict`` when someone moved it first) otherwise.
    """
    from ..pipeline import GENERIC, move

    return move(
        accreditation,
        to,
        by=changed_by,
        via=GENERIC,
        reason=reason,
        field_of={"Enter the reason": "reason"},
    )


def has_completed_end_of_year_audit(accreditation: Accreditation) -> bool:
    from audits.models import Audit, AuditStatus, Occasion

    # Only an audit filed under this accreditation counts: a later year's audit of the
    # same setting does not.
    return Audit.objects.filter(
        accreditation=accreditation, occasion=Occasion.END_OF_YEAR, status=AuditStatus.COMPLETED
    ).exists()
