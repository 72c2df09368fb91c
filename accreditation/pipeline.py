"""The accreditation's status pipeline: every move, its page, guards and side effects.

One table (``MOVES``), in the spirit of django-oscar's order status pipeline. Each row
says from which status to which, on which page the move is made (``GENERIC`` is the
KQM manager's status form; any other value names the move's own page or job), whether a
reason is needed or a confirmation asked, the guards that must all pass, and the side
effects (award, emails) run once the status has moved. ``move()`` is the only way to use
it: it locks the record, checks the move is still possible (a second request that lost a
race gets a plain message, never an error page), runs the guards, moves the status
through :meth:`Accreditation.transition` and runs the effects. ``refusal()`` runs the
same guards without moving, so each page states why a step cannot be taken yet in the
words the move itself would use.

Effects call the existing queueing functions (``queue_email``, ``do_grant_award`` which
queues the certificate), each on commit.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kqm.models import Role, User
from kqm.selectors import setting_managers_of

from .models.accreditation import (
    OPEN_STATUSES,
    Accreditation,
    AccreditationStatusChange,
    IllegalTransition,
    Status,
)

if TYPE_CHECKING:
    from .selectors_tasks import TaskGroup

# Where a move is made.
GENERIC = "status-form"  # the KQM manager's generic status form
SUBMIT_PAGE = "accreditation:accreditation-submit"
DECIDE_PAGE = "accreditation:accreditation-decide"
APPLICATION_PAGE = "accreditation:application-decide"
ANNUAL_REVIEW = "annual-review"  # the review's opening job and its sign-off page
REACCREDITATION = "reaccreditation"  # opened by the daily job or the manager, early
RENEW_PAGE = "reaccreditation-renew"  # the re-accreditation's decision page, renewing
LAPSE_PAGE = "reaccreditation-lapse"  # the same page, letting the award lapse

PAGE_NAMES = {
    SUBMIT_PAGE: "the setting's “Check and submit” page",
    DECIDE_PAGE: "the decision page",
    APPLICATION_PAGE: "the application's decision page",
    ANNUAL_REVIEW: "the annual review",
    REACCREDITATION: "the re-accreditation",
    RENEW_PAGE: "the re-accreditation's decision page",
    LAPSE_PAGE: "the re-accreditation's decision page",
}

Guard = Callable[[Accreditation, User | None, dict[str, Any]], str]
Effect = Callable[[Accreditation, User | None, AccreditationStatusChange, dict[str, Any]], None]


class MoveConflict(ValidationError):
    """Someone else moved the status first: the loser is told, plainly, what happened."""


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    page: str = GENERIC
    reason_required: bool = False
    confirm: bool = False  # a final move, confirmed on a second page
    guards: tuple[Guard, ...] = ()
    effects: tuple[Effect, ...] = field(default=())


# --- Guards: each returns why the move cannot be made ('' when it can) ----------------------


def submit_refusal(
    accreditation: Accreditation, by: User | None, groups: list[TaskGroup] | None = None
) -> str:
    """The one "can submit" rule: shared by the task list, the submit page and the manager.

    ``groups`` is the task list when the page has already built it.
    """
    from .selectors_tasks import accreditation_tasks
    from .services.accreditations import has_completed_end_of_year_audit

    if accreditation.status != Status.IN_PROGRESS:
        return (
            f"The accreditation is “{accreditation.get_status_display()}”: only an "
            "accreditation in progress can be submitted."
        )
    if groups is None:
        groups = accreditation_tasks(accreditation, by or User(role=Role.MANAGER))
    unfinished = [task for group in groups for task in group.tasks if not task.done]
    if unfinished:
        names = "; ".join(f"{task.name} ({task.status.lower()})" for task in unfinished)
        return f"Complete every task before submitting. Still to do: {names}."
    if not has_completed_end_of_year_audit(accreditation):
        return "Complete the end-of-year audit before submitting."
    return ""


def can_submit(accreditation: Accreditation, by: User | None = None) -> bool:
    return not submit_refusal(accreditation, by)


def _submittable(accreditation: Accreditation, by: User | None, params: dict[str, Any]) -> str:
    return submit_refusal(accreditation, by)


def recommendation_refusal(
    accreditation: Accreditation, by: User | None, params: dict[str, Any]
) -> str:
    from .services.decisions import current_recommendation

    if current_recommendation(accreditation) is None:
        return "Wait for the evaluator's recommendation before deciding."
    return ""


def _end_of_year_audit(
    accreditation: Accreditation, by: User | None, params: dict[str, Any]
) -> str:
    from .services.accreditations import has_completed_end_of_year_audit

    if not has_completed_end_of_year_audit(accreditation):
        return "The setting cannot be accredited until its end-of-year audit is completed."
    return ""


def _award_date_not_future(
    accreditation: Accreditation, by: User | None, params: dict[str, Any]
) -> str:
    from django.utils import timezone

    award_date: datetime.date | None = params.get("award_date")
    if award_date is not None and award_date > timezone.localdate():
        return "The award date must be today or in the past"
    return ""


def _manager_decides(accreditation: Accreditation, by: User | None, params: dict[str, Any]) -> str:
    if by is None or by.role != Role.MANAGER:
        return "Only the KQM manager decides a re-accreditation."
    return ""


def _reaccreditation_given(
    accreditation: Accreditation, by: User | None, params: dict[str, Any]
) -> str:
    """Renewal and lapse decide a re-accreditation: they need it (their page passes it)."""
    from .services.reaccreditation import LIVE

    reaccreditation = params.get("reaccreditation")
    if reaccreditation is None or reaccreditation.accreditation_id != accreditation.pk:
        return "Decide on the re-accreditation's decision page."
    if reaccreditation.status not in LIVE:
        return f"This re-accreditation is already “{reaccreditation.get_status_display()}”."
    return ""


def _renewable(accreditation: Accreditation, by: User | None, params: dict[str, Any]) -> str:
    from django.utils import timezone

    from .services.reaccreditation import renewal_problems

    problems = renewal_problems(params["reaccreditation"], timezone.localdate())
    return " ".join(["The award cannot be renewed yet.", *problems]) if problems else ""


# --- Effects ------------------------------------------------------------------------------


def _notify_submitted(
    accreditation: Accreditation,
    by: User | None,
    change: AccreditationStatusChange,
    params: dict[str, Any],
) -> None:
    from .services.decisions import _context, _kqm_managers, _send

    people = _kqm_managers()
    evaluator = accreditation.evaluator
    if evaluator is not None and evaluator.is_active:
        people.append(evaluator)
    context = _context(accreditation, submitted_by=by.full_name if by else "")
    _send("accreditation_submitted", people, context, str(change.pk))


def _grant_award(
    accreditation: Accreditation,
    by: User | None,
    change: AccreditationStatusChange,
    params: dict[str, Any],
) -> None:
    from django.utils import timezone

    from .services.awards import do_grant_award

    assert by is not None
    params["award"] = do_grant_award(
        accreditation=accreditation,
        award_date=params.get("award_date") or timezone.localdate(),
        granted_by=by,
    )


def _back_in_progress(
    accreditation: Accreditation,
    by: User | None,
    change: AccreditationStatusChange,
    params: dict[str, Any],
) -> None:
    accreditation.transition(Status.IN_PROGRESS, by=by, reason="Returned to finish the work.")


def _notify_decision(
    accreditation: Accreditation,
    by: User | None,
    change: AccreditationStatusChange,
    params: dict[str, Any],
) -> None:
    from django.utils.formats import date_format

    from .services.decisions import _context, _send

    feedback = change.reason
    award = params.get("award")
    if award is not None:
        extra: dict[str, object] = {
            "accredited": True,
            "award_date": date_format(award.award_date, "j F Y"),
            "number": award.number,
            "feedback": feedback,
        }
    else:
        extra = {"accredited": False, "feedback": feedback}
    people = setting_managers_of(accreditation.setting_id)
    evaluator = accreditation.evaluator
    if evaluator is not None and evaluator.is_active:
        people.append(evaluator)
    _send("accreditation_decision", people, _context(accreditation, **extra), str(change.pk))


def _renew_award(
    accreditation: Accreditation,
    by: User | None,
    change: AccreditationStatusChange,
    params: dict[str, Any],
) -> None:
    """The new award follows the old one (its certificate queued); the re-accreditation
    records the decision."""
    from .services.reaccreditation import record_renewal

    assert by is not None
    params["award"] = record_renewal(
        reaccreditation=params["reaccreditation"], actor=by, note=params.get("note", "")
    )


def _record_lapse(
    accreditation: Accreditation,
    by: User | None,
    change: AccreditationStatusChange,
    params: dict[str, Any],
) -> None:
    from .services.reaccreditation import record_lapse

    assert by is not None
    record_lapse(reaccreditation=params["reaccreditation"], actor=by, reason=change.reason)


def _notify_reaccreditation_decision(
    accreditation: Accreditation,
    by: User | None,
    change: AccreditationStatusChange,
    params: dict[str, Any],
) -> None:
    from .services.reaccreditation import tell_decision

    tell_decision(reaccreditation=params["reaccreditation"], award=params.get("award"))


# --- The table ----------------------------------------------------------------------------

_AFTER_AWARD = (Status.ACCREDITED, Status.REVIEWED, Status.REACCREDITED)

MOVES: tuple[Move, ...] = (
    Move(Status.APPLIED, Status.ACCEPTED),
    Move(Status.APPLIED, Status.DECLINED, reason_required=True, confirm=True),
    Move(Status.APPLIED, Status.WAITLISTED),
    Move(Status.WAITLISTED, Status.ACCEPTED),
    Move(Status.WAITLISTED, Status.DECLINED, reason_required=True, confirm=True),
    Move(Status.ACCEPTED, Status.IN_PROGRESS),
    Move(
        Status.IN_PROGRESS,
        Status.SUBMITTED,
        page=SUBMIT_PAGE,
        guards=(_submittable,),
        effects=(_notify_submitted,),
    ),
    Move(
        Status.SUBMITTED,
        Status.ACCREDITED,
        page=DECIDE_PAGE,
        guards=(recommendation_refusal, _end_of_year_audit, _award_date_not_future),
        effects=(_grant_award, _notify_decision),
    ),
    Move(
        Status.SUBMITTED,
        Status.NOT_YET_MET,
        page=DECIDE_PAGE,
        reason_required=True,
        guards=(recommendation_refusal,),
        effects=(_back_in_progress, _notify_decision),
    ),
    # Only as part of "not yet met" (its effect above), never on its own.
    Move(Status.NOT_YET_MET, Status.IN_PROGRESS, page=DECIDE_PAGE),
    *(Move(source, Status.REVIEW_DUE, page=ANNUAL_REVIEW) for source in _AFTER_AWARD),
    Move(Status.REVIEW_DUE, Status.REVIEWED, page=ANNUAL_REVIEW),
    *(Move(source, Status.REACCREDITATION_DUE, page=REACCREDITATION) for source in _AFTER_AWARD),
    Move(
        Status.REACCREDITATION_DUE,
        Status.REACCREDITED,
        page=RENEW_PAGE,
        guards=(_manager_decides, _reaccreditation_given, _renewable),
        effects=(_renew_award, _notify_reaccreditation_decision),
    ),
    Move(
        Status.REACCREDITATION_DUE,
        Status.LAPSED,
        page=LAPSE_PAGE,
        reason_required=True,
        guards=(_manager_decides, _reaccreditation_given),
        effects=(_record_lapse, _notify_reaccreditation_decision),
    ),
    *(
        Move(source, Status.WITHDRAWN, reason_required=True, confirm=True)
        for source in sorted(OPEN_STATUSES)
    ),
)

PIPELINE: dict[tuple[str, str], Move] = {(m.source, m.target): m for m in MOVES}

TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(m.target for m in MOVES if m.source == status) for status in Status.values
}


def generic_moves(status: str) -> list[Move]:
    """The moves the KQM manager's status form offers: those with no page of their own."""
    return [m for m in MOVES if m.source == status and m.page == GENERIC]


def own_page_moves(accreditation: Accreditation) -> list[dict[str, str]]:
    """For the KQM manager: the moves from here that are made on their own page, and where."""
    from django.urls import reverse

    links = {DECIDE_PAGE: reverse(DECIDE_PAGE, args=[accreditation.pk])}
    result = []
    for rule in MOVES:
        if rule.source != accreditation.status or rule.page == GENERIC:
            continue
        if rule.source == Status.NOT_YET_MET:
            continue
        result.append(
            {
                "target": Status(rule.target).label,
                "where": PAGE_NAMES[rule.page],
                "url": links.get(rule.page, ""),
            }
        )
    return result


def _illegal(current: str, to: str) -> str:
    if to not in Status.values:
        return f"“{to}” is not an accreditation status."
    return (
        f"An accreditation that is “{Status(current).label}” cannot move to “{Status(to).label}”."
    )


def refusal(
    accreditation: Accreditation,
    to: str,
    *,
    by: User | None,
    via: str = GENERIC,
    reason: str = "",
    params: dict[str, Any] | None = None,
) -> str:
    """Why ``move()`` would refuse this move now ('' when it would make it)."""
    rule = PIPELINE.get((accreditation.status, to))
    if rule is None:
        return _illegal(accreditation.status, to)
    if rule.page != via:
        return (
            f"Moving to “{Status(to).label}” is done on "
            f"{PAGE_NAMES.get(rule.page, 'its own page')}, not here."
        )
    if rule.reason_required and not reason.strip():
        return f"Enter the reason for moving to “{Status(to).label}”."
    for guard in rule.guards:
        problem = guard(accreditation, by, params or {})
        if problem:
            return problem
    return ""


@transaction.atomic
def move(
    accreditation: Accreditation,
    to: str,
    *,
    by: User | None,
    via: str = GENERIC,
    reason: str = "",
    field_of: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
) -> AccreditationStatusChange:
    """Make one move of the pipeline, or refuse it with a message saying why.

    ``accreditation.status`` is what the caller saw; if the record moved meanwhile (a
    double-submitted form, a colleague's click) the loser gets ``MoveConflict``.
    ``field_of`` maps a guard's message to a form field, for showing it beside the field.
    ``params`` carries the move's details to guards and effects (an award date), and
    brings back what effects made (the award).
    """
    params = params if params is not None else {}
    seen = accreditation.status
    locked = Accreditation.objects.select_for_update().get(pk=accreditation.pk)
    if locked.status != seen:
        raise MoveConflict(
            f"This accreditation has just been moved to “{locked.get_status_display()}” "
            f"(it was “{Status(seen).label}” when you loaded the page), so nothing was "
            "changed. Reload the page to see where it is now."
        )
    reason = reason.strip()
    problem = refusal(accreditation, to, by=by, via=via, reason=reason, params=params)
    if problem:
        if (accreditation.status, to) not in PIPELINE:
            raise IllegalTransition(problem)
        for message, name in (field_of or {}).items():
            if problem.startswith(message):
                raise ValidationError({name: problem})
        raise ValidationError(problem)
    rule = PIPELINE[(seen, to)]
    try:
        change = accreditation.transition(to, by=by, reason=reason)
    except IllegalTransition as error:  # moved between our lock and the write: never here
        raise MoveConflict(str(error)) from None
    for effect in rule.effects:
        effect(accreditation, by, change, params)
    return change
