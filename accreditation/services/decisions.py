"""The end of the year: the setting submits, the evaluator recommends, the manager decides.

Each step goes through :meth:`Accreditation.transition` (or writes a ``Recommendation``)
and emails the people concerned once the transaction commits. A step taken out of turn
is refused with a ``ValidationError`` that says why, and nothing changes.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from kqm.emails import queue_email
from kqm.models import Role, User

from ..models import (
    Accreditation,
    AccreditationStatusChange,
    Award,
    Outcome,
    Recommendation,
    Status,
)
from ..selectors_tasks import Task, accreditation_tasks


def unfinished_tasks(accreditation: Accreditation, user: User) -> list[Task]:
    return [
        task
        for group in accreditation_tasks(accreditation, user)
        for task in group.tasks
        if not task.done
    ]


def current_submission(accreditation: Accreditation) -> AccreditationStatusChange | None:
    """The move to "submitted" that the accreditation is waiting on, if it is submitted."""
    if accreditation.status != Status.SUBMITTED:
        return None
    return (
        AccreditationStatusChange.objects.filter(
            accreditation=accreditation, to_status=Status.SUBMITTED
        )
        .order_by("-changed_at", "-pk")
        .first()
    )


def current_recommendation(accreditation: Accreditation) -> Recommendation | None:
    submission = current_submission(accreditation)
    if submission is None:
        return None
    return Recommendation.objects.filter(submission=submission).select_related("written_by").first()


def _kqm_managers() -> list[User]:
    return list(User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk"))


def _context(accreditation: Accreditation, **extra: object) -> dict[str, object]:
    return {
        "setting": accreditation.setting.display_name,
        "cohort": str(accreditation.cohort),
        "link": accreditation.get_absolute_url(),
        "scheme": settings.KQM_SCHEME_NAME,
        **extra,
    }


def _send(template: str, people: list[User], context: dict[str, object], key: str) -> None:
    for person in people:
        queue_email(
            template=template,
            user_id=person.pk,
            context=context,
            key=f"{template}:{key}:{person.pk}",
        )


@transaction.atomic
def do_submit_accreditation(
    *, accreditation: Accreditation, submitted_by: User
) -> AccreditationStatusChange:
    """The setting manager submits the year's work once every task is completed."""
    from ..pipeline import SUBMIT_PAGE, move

    return move(accreditation, Status.SUBMITTED, by=submitted_by, via=SUBMIT_PAGE)


@transaction.atomic
def do_recommend(
    *, accreditation: Accreditation, outcome: str, summary: str, written_by: User
) -> Recommendation:
    """The assigned evaluator recommends an outcome for the submitted year's work."""
    if accreditation.evaluator_id != written_by.pk:
        raise ValidationError("Only the evaluator assigned to this setting can recommend.")
    locked = Accreditation.objects.select_for_update().get(pk=accreditation.pk)
    submission = current_submission(locked)
    if submission is None:
        raise ValidationError(
            "A recommendation can only be written once the setting has submitted its year's work."
        )
    if Recommendation.objects.filter(submission=submission).exists():
        raise ValidationError("This submission already has a recommendation.")
    recommendation = Recommendation(
        accreditation=accreditation,
        submission=submission,
        outcome=outcome,
        summary=summary.strip(),
        written_by=written_by,
    )
    recommendation.full_clean()
    recommendation._history_user = written_by  # type: ignore[attr-defined]
    recommendation.save()
    context = _context(
        accreditation,
        evaluator=written_by.full_name,
        outcome=recommendation.get_outcome_display(),
    )
    _send("accreditation_recommendation", _kqm_managers(), context, str(recommendation.pk))
    return recommendation


@transaction.atomic
def do_decide(
    *,
    accreditation: Accreditation,
    outcome: str,
    decided_by: User,
    award_date: datetime.date | None = None,
    feedback: str = "",
) -> Award | None:
    """The KQM manager's decision: accredit (and grant the award) or not yet met.

    "Not yet met" records the feedback as the reason and returns the accreditation to
    in progress, so that the setting can finish the work and submit again. The guards,
    the award and the emails are the pipeline's (``accreditation.pipeline``).
    """
    from ..pipeline import DECIDE_PAGE, move

    targets: dict[str, str] = {
        Outcome.ACCREDIT: Status.ACCREDITED,
        Outcome.NOT_YET_MET: Status.NOT_YET_MET,
    }
    if outcome not in targets:
        raise ValidationError({"outcome": "Choose accredited or not yet met"})
    params: dict[str, object] = {"award_date": award_date}
    move(
        accreditation,
        targets[outcome],
        by=decided_by,
        via=DECIDE_PAGE,
        reason=feedback,
        params=params,
        field_of={
            "Enter the reason": "feedback",
            "The award date": "award_date",
        },
    )
    award = params.get("award")
    return award if isinstance(award, Award) else None
