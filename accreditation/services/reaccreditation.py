"""Writes for re-accreditation: opening it, the evidence, judgements, the visit and the decision.

A re-accreditation opens in the award's third year, on its alert date (see
``reminders.reaccreditation_dates``): the daily job opens every one due in a fixed
number of queries, and the KQM manager can open one early from the award page.
Opening creates the seven requirements and moves the accreditation to
"re-accreditation due". The setting writes its evidence, the evaluator (or the KQM
manager) judges each requirement and books the visit, the setting submits, and the
KQM manager renews the award (a new award whose ``previous_award`` is the old one)
or lets it lapse. A step taken out of turn is refused with a ``ValidationError``
that says why, and nothing changes.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.utils import bulk_create_with_history

from audits.models import Audit
from kqm.emails import queue_email
from kqm.models import Role, User
from kqm.outbox import batched
from kqm.selectors import setting_managers_of

from ..models import (
    Accreditation,
    AccreditationStatusChange,
    Award,
    IllegalTransition,
    Judgement,
    Reaccreditation,
    ReaccreditationStatus,
    ReminderSettings,
    Requirement,
    Status,
    Visit,
    VisitType,
)
from ..models.awards import add_years
from ..pipeline import LAPSE_PAGE, REACCREDITATION, RENEW_PAGE, TRANSITIONS, move, refusal
from ..reports import cache as reports_cache
from ..requirements import REQUIREMENTS, in_order, is_ready, spec_of, what_is_missing
from ..selectors_reaccreditation import (
    attended_workshop,
    eligible_audits,
    visit_has_taken_place,
)
from ..status_table import StatusTable, Step
from ..uploads import CheckedFile
from .awards import do_grant_award
from .reminders import reaccreditation_dates

logger = logging.getLogger(__name__)

OPEN_REASON = "Re-accreditation opened in the award's third year."
EARLY_REASON = "Re-accreditation opened early by the KQM manager."
LIVE = (ReaccreditationStatus.OPEN, ReaccreditationStatus.SUBMITTED)


def _save(obj: object, actor: User | None, reason: str = "", **kwargs: object) -> None:
    obj.full_clean()  # type: ignore[attr-defined]
    obj._history_user = actor  # type: ignore[attr-defined]
    if reason:
        obj._change_reason = reason  # type: ignore[attr-defined]
    obj.save(**kwargs)  # type: ignore[attr-defined]


def _day(date: datetime.date) -> str:
    return date_format(date, "j F Y")


# --- Who is told -----------------------------------------------------------------------------


def _kqm_managers() -> list[User]:
    return list(User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk"))


def _judges(accreditation: Accreditation) -> list[User]:
    """The accreditation's evaluator and the KQM managers."""
    people = _kqm_managers()
    evaluator = accreditation.evaluator
    if evaluator is not None and evaluator.is_active:
        people.insert(0, evaluator)
    return people


def _context(reaccreditation: Reaccreditation, **extra: object) -> dict[str, object]:
    award = reaccreditation.award
    return {
        "setting": reaccreditation.setting.display_name,
        "scheme": settings.KQM_SCHEME_NAME,
        "number": award.number,
        "expiry_date": _day(award.expiry_date),
        "link": reaccreditation.get_absolute_url(),
        **extra,
    }


def _send(template: str, people: Iterable[User], context: dict[str, object], key: str) -> None:
    seen: set[int] = set()
    for person in people:
        if person.pk in seen:
            continue
        seen.add(person.pk)
        queue_email(template=template, user_id=person.pk, context=context, key=f"{key}:{person.pk}")


# --- Opening -----------------------------------------------------------------------------------

# The accreditation statuses from which re-accreditation may open (see TRANSITIONS).
OPENABLE = frozenset(
    status for status, moves in TRANSITIONS.items() if Status.REACCREDITATION_DUE in moves
)


def _check_openable(award: Award, accreditation: Accreditation, today: datetime.date) -> None:
    if Reaccreditation.objects.filter(award=award).exists():
        raise ValidationError(f"The re-accreditation of {award.number} is already open.")
    if award.revoked_at is not None:
        raise ValidationError(f"{award.number} was revoked, so it cannot be renewed.")
    if Award.objects.filter(previous_award=award).exists():
        raise ValidationError(f"{award.number} has already been renewed.")
    if award.expiry_date <= today:
        raise ValidationError(
            f"{award.number} expired on {_day(award.expiry_date)}, so it can no longer be renewed."
        )
    if accreditation.status not in OPENABLE:
        raise ValidationError(
            f"The accreditation is “{accreditation.get_status_display()}”: re-accreditation "
            "opens once it is accredited or its annual review is signed off."
        )


def _requirements_for(reaccreditations: Iterable[Reaccreditation]) -> list[Requirement]:
    return [
        Requirement(reaccreditation=reaccreditation, kind=kind)
        for reaccreditation in reaccreditations
        for kind in REQUIREMENTS
    ]


def _tell_opened(reaccreditation: Reaccreditation, managers: Iterable[User]) -> None:
    accreditation = reaccreditation.accreditation
    evaluator = accreditation.evaluator
    people = [*managers, *([evaluator] if evaluator is not None and evaluator.is_active else [])]
    _send(
        "reaccreditation_opened",
        people,
        _context(reaccreditation),
        f"reaccreditation_opened:{reaccreditation.award_id}",
    )


@transaction.atomic
def do_open_reaccreditation(
    *, award: Award, opened_by: User | None, today: datetime.date | None = None
) -> Reaccreditation:
    """Open the re-accreditation of one award (the KQM manager, possibly early)."""
    today = today or timezone.localdate()
    if opened_by is not None and opened_by.role != Role.MANAGER:
        raise ValidationError("Only the KQM manager opens a re-accreditation early.")
    award = Award.objects.select_for_update().get(pk=award.pk)
    accreditation = (
        Accreditation.objects.select_related("setting", "evaluator", "cohort")
        .select_for_update(of=("self",))
        .get(pk=award.accreditation_id)
    )
    _check_openable(award, accreditation, today)
    reaccreditation = Reaccreditation(
        award=award,
        accreditation=accreditation,
        setting_id=award.setting_id,
        opened_by=opened_by,
    )
    _save(reaccreditation, opened_by, EARLY_REASON if opened_by else OPEN_REASON)
    bulk_create_with_history(
        _requirements_for([reaccreditation]), Requirement, default_user=opened_by
    )
    try:
        move(
            accreditation,
            Status.REACCREDITATION_DUE,
            by=opened_by,
            via=REACCREDITATION,
            reason=EARLY_REASON if opened_by else OPEN_REASON,
        )
    except IllegalTransition as error:
        raise ValidationError(str(error)) from None
    _tell_opened(reaccreditation, setting_managers_of(award.setting_id))
    return reaccreditation


def due_for_opening(award: Award, rules: ReminderSettings, today: datetime.date) -> bool:
    return reaccreditation_dates(award, rules)["alert"] <= today < award.expiry_date


@transaction.atomic
@batched  # one insert for all the emails it queues
def do_open_due_reaccreditations(*, today: datetime.date | None = None) -> int:
    """The daily job: open every re-accreditation whose alert date has come. Idempotent.

    A fixed number of queries whatever the number of awards: the candidate awards with
    their setting managers, the accreditations locked, one bulk insert each for the
    re-accreditations, their requirements and the history rows, one update per
    accreditation status moved from, and one insert of the status changes. The status
    move is the bulk twin of ``Accreditation.transition``: it checks the same
    ``TRANSITIONS`` and writes the same ``AccreditationStatusChange`` and history rows.
    An accreditation that cannot move yet (its annual review is still due) is skipped
    and tried again the next day.
    """
    today = today or timezone.localdate()
    rules = ReminderSettings.load()
    managers = User.objects.filter(role=Role.SETTING_MANAGER, is_active=True).order_by("pk")
    candidates = [
        award
        for award in Award.objects.filter(
            revoked_at__isnull=True,
            later_awards__isnull=True,
            reaccreditation__isnull=True,
            award_date__lte=add_years(today, -2),
            expiry_date__gt=today,
        )
        .select_related("setting")
        .prefetch_related(Prefetch("setting__members", queryset=managers, to_attr="managers"))
        .order_by("pk")
        if due_for_opening(award, rules, today)
    ]
    if not candidates:
        return 0
    accreditations = {
        accreditation.pk: accreditation
        for accreditation in Accreditation.objects.select_for_update(of=("self",))
        .select_related("evaluator")
        .filter(pk__in={award.accreditation_id for award in candidates})
    }
    awards: list[Award] = []
    for award in candidates:
        accreditation = accreditations[award.accreditation_id]
        if accreditation.status not in OPENABLE:
            logger.info(
                "Re-accreditation of %s waits: its accreditation is %s.",
                award.number,
                accreditation.status,
            )
            continue
        # Two awards of one accreditation cannot both be current; keep the first seen.
        if any(other.accreditation_id == award.accreditation_id for other in awards):
            continue
        awards.append(award)
    if not awards:
        return 0
    now = timezone.now()
    reaccreditations = bulk_create_with_history(
        [
            Reaccreditation(
                award=award,
                accreditation_id=award.accreditation_id,
                setting_id=award.setting_id,
                opened_at=now,
            )
            for award in awards
        ],
        Reaccreditation,
        default_change_reason=OPEN_REASON,
    )
    by_award = {r.award_id: r for r in reaccreditations}
    bulk_create_with_history(_requirements_for(by_award.values()), Requirement)
    _bulk_transition(
        [accreditations[award.accreditation_id] for award in awards],
        Status.REACCREDITATION_DUE,
        reason=OPEN_REASON,
        now=now,
    )
    for award in awards:
        reaccreditation = by_award[award.pk]
        reaccreditation.award = award
        reaccreditation.setting = award.setting
        reaccreditation.accreditation = accreditations[award.accreditation_id]
        _tell_opened(reaccreditation, getattr(award.setting, "managers", []))
    return len(awards)


def _bulk_transition(
    accreditations: list[Accreditation], to: str, *, reason: str, now: datetime.datetime
) -> None:
    """Move many (locked) accreditations at once, as ``Accreditation.transition`` moves one."""
    by_status: dict[str, list[Accreditation]] = defaultdict(list)
    for accreditation in accreditations:
        # The same row of the pipeline as one move by the job: its source, page and guards.
        problem = refusal(accreditation, to, by=None, via=REACCREDITATION, reason=reason)
        if problem:
            raise IllegalTransition(problem)
        by_status[accreditation.status].append(accreditation)
    changes = []
    for previous, group in by_status.items():
        moved = Accreditation.objects.filter(pk__in=[a.pk for a in group], status=previous).update(
            status=to, status_changed_at=now
        )
        if moved != len(group):
            raise IllegalTransition("A status changed meanwhile; the job will try again.")
        reports_cache.data_changed()  # an update() sends no signal
        for accreditation in group:
            accreditation.status = to
            accreditation.status_changed_at = now
            accreditation._saved_status = to
            changes.append(
                AccreditationStatusChange(
                    accreditation=accreditation,
                    from_status=previous,
                    to_status=to,
                    changed_by=None,
                    changed_at=now,
                    reason=reason,
                )
            )
    AccreditationStatusChange.objects.bulk_create(changes)
    Accreditation.history.bulk_history_create(
        accreditations, update=True, default_change_reason=reason, default_date=now
    )


# --- The setting's evidence -------------------------------------------------------------------


def can_edit_evidence(user: User, reaccreditation: Reaccreditation) -> bool:
    if reaccreditation.status != ReaccreditationStatus.OPEN:
        return False
    if user.role == Role.MANAGER:
        return True
    return (
        user.role == Role.SETTING_MANAGER
        and reaccreditation.setting.members.filter(pk=user.pk).exists()
    )


def can_judge(user: User, reaccreditation: Reaccreditation) -> bool:
    if reaccreditation.status not in LIVE:
        return False
    if user.role == Role.MANAGER:
        return True
    return user.role == Role.EVALUATOR and reaccreditation.accreditation.evaluator_id == user.pk


def _check_open(reaccreditation: Reaccreditation) -> None:
    if reaccreditation.status != ReaccreditationStatus.OPEN:
        raise ValidationError(
            f"This re-accreditation is “{reaccreditation.get_status_display()}”: its evidence "
            "can no longer change."
        )


def _fingerprint(requirement: Requirement) -> tuple[object, ...]:
    return (
        requirement.evidence,
        requirement.evidence_file.name,
        requirement.audit_id,
        requirement.booking_id,
    )


@transaction.atomic
def do_save_requirement_evidence(
    *,
    actor: User,
    requirement: Requirement,
    evidence: str,
    checked: CheckedFile | None = None,
    remove_file: bool = False,
    audit: Audit | None = None,
) -> Requirement:
    """Save the setting's evidence for one requirement, and the record it links.

    The ECERS and leadership requirements link one of the setting's completed audits
    after the award; the workshop requirement links the setting's latest attended
    booking. A change clears an earlier judgement: the judge looks at the new evidence.
    """
    reaccreditation = requirement.reaccreditation
    reaccreditation.status = (
        Reaccreditation.objects.select_for_update()
        .filter(pk=reaccreditation.pk)
        .values_list("status", flat=True)
        .get()
    )
    if not can_edit_evidence(actor, reaccreditation):
        _check_open(reaccreditation)
        raise ValidationError("Only the setting's manager or the KQM manager adds evidence.")
    evidence = evidence.strip()
    if not evidence:
        raise ValidationError({"evidence": "Enter the evidence"})
    locked = Requirement.objects.select_for_update().get(pk=requirement.pk)
    before = _fingerprint(locked)
    old_file = locked.evidence_file.name if locked.evidence_file else ""
    locked.evidence = evidence
    spec = spec_of(requirement.kind)
    if spec.record == "audit":
        allowed = {a.pk for a in eligible_audits(reaccreditation, spec.instrument)}
        if audit is not None and audit.pk not in allowed:
            raise ValidationError({"audit": "Select one of the audits listed"})
        locked.audit = audit
    if spec.record == "workshop":
        locked.booking = attended_workshop(reaccreditation)
    if checked is not None:
        locked.evidence_file.save(
            f"{uuid.uuid4().hex}.{checked.extension}", checked.upload, save=False
        )
        locked.original_name = checked.original_name
        locked.content_type = checked.kind.content_type
        locked.size = checked.size
    elif remove_file and old_file:
        locked.evidence_file.name = ""
        locked.original_name = locked.content_type = ""
        locked.size = None
    changed = before != (
        locked.evidence,
        locked.evidence_file.name,
        locked.audit_id,
        locked.booking_id,
    )
    if changed and locked.judgement:
        locked.judgement = ""
        locked.judgement_note = ""
        locked.judged_at = None
        locked.judged_by = None
    locked.updated_at = timezone.now()
    locked.updated_by = actor
    try:
        _save(locked, actor, "Evidence saved")
    except Exception:
        if checked is not None:
            locked.evidence_file.storage.delete(locked.evidence_file.name)
        raise
    if old_file and old_file != locked.evidence_file.name:
        storage = locked.evidence_file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    return locked


# --- Judgements --------------------------------------------------------------------------------


@transaction.atomic
def do_judge_requirement(
    *,
    actor: User,
    requirement: Requirement,
    judgement: str,
    note: str = "",
    keep_previous_note: bool | None = None,
) -> Requirement:
    """Met or not met, with a note (a "not met" needs one, so the setting knows why).

    When the judgement changes and the note is the one written for the old judgement,
    untouched, the judge says whether it still stands (``keep_previous_note``): it is
    never carried over, or dropped, silently.
    """
    reaccreditation = requirement.reaccreditation
    if not can_judge(actor, reaccreditation):
        if reaccreditation.status not in LIVE:
            raise ValidationError(
                f"This re-accreditation is “{reaccreditation.get_status_display()}”: its "
                "requirements can no longer be judged."
            )
        raise ValidationError("Only the setting's evaluator or the KQM manager judges.")
    note = note.strip()
    if judgement not in Judgement.values:
        raise ValidationError({"judgement": "Select met or not met"})
    if judgement == Judgement.NOT_MET and not note:
        raise ValidationError({"judgement_note": "Enter why the requirement is not met"})
    locked = Requirement.objects.select_for_update().get(pk=requirement.pk)
    if judgement == Judgement.MET and not is_ready(locked):
        raise ValidationError(
            {
                "judgement": f"“{locked.get_kind_display()}” cannot be met yet: "
                f"{what_is_missing(locked)}"
            }
        )
    changed = bool(locked.judgement) and judgement != locked.judgement
    if changed and locked.judgement_note and note == locked.judgement_note.strip():
        if keep_previous_note is None:
            raise ValidationError(
                {
                    "previous_note": "The note was written when the requirement was judged "
                    f"“{Judgement(locked.judgement).label.lower()}”: choose whether to keep "
                    "it or clear it"
                }
            )
        if not keep_previous_note:
            note = ""
            if judgement == Judgement.NOT_MET:
                raise ValidationError({"judgement_note": "Enter why the requirement is not met"})
    locked.judgement = judgement
    locked.judgement_note = note
    locked.judged_at = timezone.now()
    locked.judged_by = actor
    _save(locked, actor, f"Judged {Judgement(judgement).label.lower()}")
    return locked


# --- The visit ---------------------------------------------------------------------------------


@transaction.atomic
def do_schedule_reaccreditation_visit(
    *,
    actor: User,
    reaccreditation: Reaccreditation,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
) -> Visit:
    """Book the re-accreditation visit (a ``Visit`` of the accreditation) and link it.

    A re-accreditation visit already booked on the visits page for this accreditation,
    and not linked to an earlier re-accreditation, is linked instead of booking another.
    """
    from .visits import do_schedule_visit

    locked = Reaccreditation.objects.select_for_update().get(pk=reaccreditation.pk)
    if locked.status not in LIVE:
        raise ValidationError(
            f"This re-accreditation is “{locked.get_status_display()}”: no visit can be booked."
        )
    if locked.visit_id is not None:
        raise ValidationError(
            "The re-accreditation visit is already booked; change its date on the visit's page."
        )
    accreditation = reaccreditation.accreditation
    existing = Visit.objects.filter(
        accreditation=accreditation, visit_type=VisitType.REACCREDITATION
    ).first()
    if existing is not None:
        if Reaccreditation.objects.filter(visit=existing).exclude(pk=locked.pk).exists():
            raise ValidationError(
                "This accreditation's re-accreditation visit belongs to its earlier "
                "re-accreditation. Ask the KQM manager to record this visit."
            )
        visit = existing
    else:
        visit = do_schedule_visit(
            actor=actor,
            accreditation=accreditation,
            visit_type=VisitType.REACCREDITATION,
            date=date,
            start_time=start_time,
            end_time=end_time,
        )
    locked.visit = visit
    _save(locked, actor, "Visit linked", update_fields=["visit"])
    reaccreditation.visit = visit
    return visit


# --- Submitting and deciding -------------------------------------------------------------------


def _locked_requirements(reaccreditation: Reaccreditation) -> list[Requirement]:
    return list(Requirement.objects.select_for_update().filter(reaccreditation=reaccreditation))


# --- The re-accreditation's status: one table of moves, with their guards and effects ----------


def _editor_may(reaccreditation: Reaccreditation, actor: User, params: dict[str, Any]) -> None:
    if not can_edit_evidence(actor, reaccreditation):
        raise ValidationError("Only the setting's manager or the KQM manager submits.")


def _every_requirement_ready(
    reaccreditation: Reaccreditation, actor: User, params: dict[str, Any]
) -> None:
    missing = [
        f"{r.get_kind_display()}: {what_is_missing(r)}"
        for r in in_order(_locked_requirements(reaccreditation))
        if not is_ready(r)
    ]
    if missing:
        raise ValidationError(
            ["Every requirement needs its evidence before you submit. Still to do:", *missing]
        )


def _judge_may(reaccreditation: Reaccreditation, actor: User, params: dict[str, Any]) -> None:
    if not can_judge(actor, reaccreditation):
        raise ValidationError("Only the setting's evaluator or the KQM manager returns evidence.")


def _note_given(reaccreditation: Reaccreditation, actor: User, params: dict[str, Any]) -> None:
    if not params.get("note", "").strip():
        raise ValidationError({"note": "Enter what the setting still has to show"})


def _tell_submitted(reaccreditation: Reaccreditation, actor: User, params: dict[str, Any]) -> None:
    _send(
        "reaccreditation_submitted",
        _judges(reaccreditation.accreditation),
        _context(reaccreditation, submitted_by=actor.full_name or actor.email),
        f"reaccreditation_submitted:{reaccreditation.pk}:"
        f"{reaccreditation.submitted_at:%Y%m%d%H%M%S}",
    )


def _tell_returned(reaccreditation: Reaccreditation, actor: User, params: dict[str, Any]) -> None:
    _send(
        "reaccreditation_returned",
        setting_managers_of(reaccreditation.setting_id),
        _context(reaccreditation, note=params["note"].strip()),
        f"reaccreditation_returned:{reaccreditation.pk}:{timezone.now():%Y%m%d%H%M%S%f}",
    )


# Renewal and lapse are decided by the accreditation's pipeline (its RENEW_PAGE and
# LAPSE_PAGE rows, with their guards); these rows record the decision on the
# re-accreditation, as that move's effect.
REACCREDITATION_MOVES: tuple[Step, ...] = (
    Step(
        ReaccreditationStatus.OPEN,
        ReaccreditationStatus.SUBMITTED,
        "Submitted",
        guards=(_editor_may, _every_requirement_ready),
        effects=(_tell_submitted,),
    ),
    Step(
        ReaccreditationStatus.SUBMITTED,
        ReaccreditationStatus.OPEN,
        "Returned to the setting",  # the history keeps the judge's note instead
        guards=(_judge_may, _note_given),
        effects=(_tell_returned,),
    ),
    Step(ReaccreditationStatus.SUBMITTED, ReaccreditationStatus.REACCREDITED, "Award renewed"),
    *(Step(source, ReaccreditationStatus.LAPSED, "Lapsed") for source in LIVE),
)
REACCREDITATION_TABLE = StatusTable(
    "re-accreditation",
    ReaccreditationStatus,
    REACCREDITATION_MOVES,
    not_from={
        ReaccreditationStatus.OPEN: "This re-accreditation is “In progress”: only submitted "
        "evidence can be returned or renewed.",
        ReaccreditationStatus.SUBMITTED: "This re-accreditation is “Submitted”: it cannot be "
        "submitted again.",
        ReaccreditationStatus.REACCREDITED: "This re-accreditation is “Re-accredited”: it "
        "is decided.",
        ReaccreditationStatus.LAPSED: "This re-accreditation is “Lapsed”: it is decided.",
    },
)


def move_reaccreditation(
    reaccreditation: Reaccreditation,
    to: str,
    *,
    actor: User,
    seen: str | None = None,
    **params: Any,
) -> Reaccreditation:
    """The only way a re-accreditation's status changes. ``reaccreditation`` is locked by
    the caller; ``seen`` is the status the caller's page showed."""

    def write(record: Reaccreditation, rule: Step) -> None:
        reason = rule.reason
        if to == ReaccreditationStatus.SUBMITTED:
            record.submitted_at, record.submitted_by = timezone.now(), actor
        elif to == ReaccreditationStatus.OPEN:
            record.submitted_at = record.submitted_by = None
            reason = params["note"].strip()
        else:
            record.decided_at, record.decided_by = timezone.now(), actor
            record.decision_note = params.get("note", "")
        _save(record, actor, reason)

    REACCREDITATION_TABLE.move(
        reaccreditation, to, actor=actor, seen=seen, params=params, write=write
    )
    return reaccreditation


@transaction.atomic
def do_submit_reaccreditation(*, actor: User, reaccreditation: Reaccreditation) -> Reaccreditation:
    """The setting sends its evidence for the decision once every requirement has it."""
    locked = Reaccreditation.objects.select_for_update().get(pk=reaccreditation.pk)
    locked.setting = reaccreditation.setting
    return move_reaccreditation(
        locked, ReaccreditationStatus.SUBMITTED, actor=actor, seen=reaccreditation.status
    )


@transaction.atomic
def do_return_reaccreditation(
    *, actor: User, reaccreditation: Reaccreditation, note: str
) -> Reaccreditation:
    """Send submitted evidence back to the setting (for example a requirement not met)."""
    locked = Reaccreditation.objects.select_for_update().get(pk=reaccreditation.pk)
    locked.setting = reaccreditation.setting
    return move_reaccreditation(
        locked, ReaccreditationStatus.OPEN, actor=actor, seen=reaccreditation.status, note=note
    )


def renewal_problems(reaccreditation: Reaccreditation, today: datetime.date) -> list[str]:
    """Why the award cannot be renewed yet; empty when it can."""
    problems = []
    if reaccreditation.status != ReaccreditationStatus.SUBMITTED:
        problems.append("The setting has not submitted its evidence yet.")
    not_met = [
        r.get_kind_display()
        for r in in_order(list(Requirement.objects.filter(reaccreditation=reaccreditation)))
        if r.judgement != Judgement.MET
    ]
    if not_met:
        problems.append("Not every requirement is met yet: " + "; ".join(not_met) + ".")
    if reaccreditation.visit is None:
        problems.append("The re-accreditation visit has not been booked.")
    elif not visit_has_taken_place(reaccreditation, today):
        problems.append(
            f"The re-accreditation visit has not taken place yet (it is on "
            f"{_day(reaccreditation.visit.date)})."
        )
    return problems


def _locked_for_decision(reaccreditation: Reaccreditation) -> Reaccreditation:
    """The re-accreditation, locked; its accreditation is the one the caller's page saw, so
    a decision made meanwhile by someone else is a conflict (``MoveConflict``)."""
    locked = (
        Reaccreditation.objects.select_for_update(of=("self",))
        .select_related("visit", "award", "setting", "accreditation__evaluator")
        .get(pk=reaccreditation.pk)
    )
    seen = getattr(reaccreditation, "accreditation", None)
    if seen is not None:
        locked.accreditation.status = seen.status
    return locked


@transaction.atomic
def do_renew_award(*, actor: User, reaccreditation: Reaccreditation, note: str = "") -> Award:
    """Renew: only when all seven requirements are met and the visit has taken place.

    The move, its guards and its effects (the new award, whose certificate is rendered
    once this commits; the decision email) are a row of the pipeline (``RENEW_PAGE``).
    """
    locked = _locked_for_decision(reaccreditation)
    params: dict[str, object] = {"reaccreditation": locked, "note": note.strip()}
    try:
        move(
            locked.accreditation,
            Status.REACCREDITED,
            by=actor,
            via=RENEW_PAGE,
            reason=note or "Award renewed.",
            params=params,
        )
    except IllegalTransition as error:
        raise ValidationError(str(error)) from None
    award = params["award"]
    assert isinstance(award, Award)
    return award


@transaction.atomic
def do_lapse_award(
    *, actor: User, reaccreditation: Reaccreditation, reason: str
) -> Reaccreditation:
    """Let the award lapse: the accreditation ends; the award runs to its expiry date.

    A row of the pipeline (``LAPSE_PAGE``), with its guards and effects.
    """
    locked = _locked_for_decision(reaccreditation)
    try:
        move(
            locked.accreditation,
            Status.LAPSED,
            by=actor,
            via=LAPSE_PAGE,
            reason=reason,
            field_of={"Enter the reason": "note"},
            params={"reaccreditation": locked},
        )
    except IllegalTransition as error:
        raise ValidationError(str(error)) from None
    return locked


# --- The pipeline's effects of renewal and lapse (accreditation/pipeline.py) ---------------------


def record_renewal(*, reaccreditation: Reaccreditation, actor: User, note: str) -> Award:
    award = do_grant_award(
        accreditation=reaccreditation.accreditation,
        award_date=timezone.localdate(),
        granted_by=actor,
        previous_award=reaccreditation.award,
    )
    reaccreditation.new_award = award
    move_reaccreditation(
        reaccreditation, ReaccreditationStatus.REACCREDITED, actor=actor, note=note
    )
    return award


def record_lapse(*, reaccreditation: Reaccreditation, actor: User, reason: str) -> None:
    move_reaccreditation(reaccreditation, ReaccreditationStatus.LAPSED, actor=actor, note=reason)


def tell_decision(*, reaccreditation: Reaccreditation, award: Award | None) -> None:
    """The setting's managers, the evaluator and the KQM managers hear the decision."""
    if award is not None:
        extra: dict[str, object] = {
            "renewed": True,
            "new_number": award.number,
            "award_date": _day(award.award_date),
            "new_expiry_date": _day(award.expiry_date),
        }
    else:
        extra = {"renewed": False}
    _send(
        "reaccreditation_decision",
        [*setting_managers_of(reaccreditation.setting_id), *_judges(reaccreditation.accreditation)],
        _context(reaccreditation, note=reaccreditation.decision_note, **extra),
        f"reaccreditation_decision:{reaccreditation.pk}",
    )
