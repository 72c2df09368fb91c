"""Writes for visits, notes of visit, agreed actions, the notes template and calendar feeds.

A note of visit moves draft -> shared -> agreed. The setting manager either agrees
it (it is then locked, and its actions join the setting's action list) or comments,
which sends it back to the evaluator as a draft. Saves carry the revision the page
was loaded with; an older revision is refused (:class:`StaleWrite`), never merged.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from kqm.models import Role, User
from kqm.selectors import setting_managers_of

from ..models import (
    Accreditation,
    AgreedAction,
    CalendarFeed,
    NoteComment,
    NoteOfVisit,
    NoteSection,
    NoteStatus,
    NoteTemplate,
    NoteTemplateSection,
    Visit,
    VisitType,
)
from ..models.visits import new_calendar_token
from ..status_table import Check, StatusTable, Step
from .common import (
    check_open,
    check_revision,
    evaluator_or_managers,
    notify,
)

# The guided notes of visit the service starts with; the KQM manager can change them.
DEFAULT_TEMPLATE_NAME = "Notes of visit"
DEFAULT_SECTIONS: tuple[tuple[str, str], ...] = (
    (
        "Progress since the last visit",
        "What has the setting done since the last visit? Which agreed actions are complete?",
    ),
    (
        "Unit A progress",
        "How are the two action-research case studies going? What do the Leuven screenings "
        "show, and which children are in the red or amber zone?",
    ),
    (
        "Unit B progress",
        "Leadership and management: the leadership audit, staff questionnaires, the "
        "self-evaluation and the improvement plan.",
    ),
    (
        "Evidence seen",
        "What did you see, read or hear during the visit that shows this progress?",
    ),
    (
        "Focus of the next visit",
        "What will the next visit look at, and what should the setting prepare?",
    ),
)


def _save(obj: object, actor: User, reason: str = "", **kwargs: object) -> None:
    obj.full_clean()  # type: ignore[attr-defined]
    obj._history_user = actor  # type: ignore[attr-defined]
    if reason:
        obj._change_reason = reason  # type: ignore[attr-defined]
    obj.save(**kwargs)  # type: ignore[attr-defined]


def _when(visit: Visit) -> str:
    return f"{visit.date:%A %-d %B %Y}, {visit.start_time:%H:%M} to {visit.end_time:%H:%M}"


def _check_times(start: datetime.time, end: datetime.time) -> None:
    if end <= start:
        raise ValidationError({"end_time": "The end time must be after the start time"})


def _check_can_visit(actor: User, accreditation: Accreditation) -> None:
    check_open(accreditation)
    if actor.role == Role.EVALUATOR and accreditation.evaluator_id != actor.pk:
        raise ValidationError("Only the setting's evaluator can book its visits.")
    if actor.role not in (Role.MANAGER, Role.EVALUATOR):
        raise ValidationError("Only the evaluator or the KQM manager books visits.")


@transaction.atomic
def do_schedule_visit(
    *,
    actor: User,
    accreditation: Accreditation,
    visit_type: str,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
) -> Visit:
    _check_can_visit(actor, accreditation)
    _check_times(start_time, end_time)
    if Visit.objects.filter(accreditation=accreditation, visit_type=visit_type).exists():
        raise ValidationError(
            {"visit_type": f"The {VisitType(visit_type).label.lower()} is already booked"}
        )
    visit = Visit(
        accreditation=accreditation,
        visit_type=visit_type,
        date=date,
        start_time=start_time,
        end_time=end_time,
        scheduled_by=actor,
    )
    try:
        with transaction.atomic():
            _save(visit, actor, "Visit booked")
    except IntegrityError:
        raise ValidationError(
            {"visit_type": f"The {VisitType(visit_type).label.lower()} is already booked"}
        ) from None
    notify(
        setting_managers_of(accreditation.setting_id),
        accreditation=accreditation,
        subject=f"{visit.get_visit_type_display()} booked for {visit.date:%-d %B %Y}",
        lines=[f"Your {visit.get_visit_type_display().lower()} is booked for {_when(visit)}."],
        link=visit.get_absolute_url(),
        link_text="See the visit",
        key=f"visit-booked:{visit.pk}",
    )
    return visit


@transaction.atomic
def do_reschedule_visit(
    *,
    actor: User,
    visit: Visit,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    reason: str,
) -> Visit:
    """Move the visit; the earlier date stays in its history with who moved it and why."""
    locked = Visit.objects.select_for_update().select_related("accreditation").get(pk=visit.pk)
    _check_can_visit(actor, locked.accreditation)
    _check_times(start_time, end_time)
    if (locked.date, locked.start_time, locked.end_time) == (date, start_time, end_time):
        raise ValidationError("The new date and times are the same as the ones booked.")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the visit is moving"})
    locked.date, locked.start_time, locked.end_time = date, start_time, end_time
    locked.sequence += 1
    _save(locked, actor, reason.strip())
    notify(
        setting_managers_of(locked.accreditation.setting_id),
        accreditation=locked.accreditation,
        subject=f"{locked.get_visit_type_display()} moved to {locked.date:%-d %B %Y}",
        lines=[
            f"Your {locked.get_visit_type_display().lower()} has moved to {_when(locked)}.",
            f"Reason: {reason.strip()}",
        ],
        link=locked.get_absolute_url(),
        link_text="See the visit",
        key=f"visit-moved:{locked.pk}:{locked.sequence}",
    )
    return locked


# --- Notes of visit -----------------------------------------------------------------------------


def _template() -> NoteTemplate:
    """The notes template, created with the default sections if it has gone missing."""
    template = NoteTemplate.objects.order_by("pk").first()
    if template is None:
        template = NoteTemplate.objects.create(name=DEFAULT_TEMPLATE_NAME)
        for order, (title, prompt) in enumerate(DEFAULT_SECTIONS, start=1):
            NoteTemplateSection.objects.create(
                template=template, order=order, title=title, prompt=prompt
            )
    return template


def _check_visit_happened(visit: Visit, what: str) -> None:
    """A note of visit records a visit that has taken place: not before its date."""
    if visit.date > timezone.localdate():
        raise ValidationError(
            f"The visit is on {visit.date:%-d %B %Y}: its note of visit can be {what} "
            "from that day."
        )


def _check_can_write_note(actor: User, visit: Visit) -> None:
    check_open(visit.accreditation)
    if actor.role == Role.MANAGER:
        return
    if actor.role != Role.EVALUATOR or visit.accreditation.evaluator_id != actor.pk:
        raise ValidationError("Only the setting's evaluator writes its notes of visit.")


@transaction.atomic
def do_start_note(*, actor: User, visit: Visit) -> NoteOfVisit:
    """The visit's note, started from the current template's sections if it has none yet."""
    _check_can_write_note(actor, visit)
    existing = NoteOfVisit.objects.filter(visit=visit).first()
    if existing is not None:
        return existing
    note = NoteOfVisit(visit=visit, written_by=actor, saved_at=timezone.now())
    try:
        with transaction.atomic():
            _save(note, actor, "Note started")
    except IntegrityError:  # started in another tab at the same moment
        return NoteOfVisit.objects.get(visit=visit)
    for section in _template().sections.order_by("order", "pk"):
        _save(
            NoteSection(note=note, order=section.order, title=section.title, prompt=section.prompt),
            actor,
        )
    return note


@dataclass(frozen=True)
class ActionRow:
    action: str
    owner: str
    due_on: datetime.date


def actions_fingerprint(rows: Sequence[ActionRow] | Sequence[AgreedAction]) -> str:
    """A short stand-in for the agreed actions as a page showed them (a hidden field)."""
    values = [[r.action.strip(), r.owner.strip(), r.due_on.isoformat()] for r in rows]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Seen:
    """What the writer's page showed, unit by unit: each section's text, and the agreed
    actions (as ``actions_fingerprint``). Conflicts are then found per unit."""

    sections: Mapping[int, str]
    actions: str | None = None


@dataclass(frozen=True)
class Theirs:
    """A unit someone else changed since the page was loaded: their value, and who."""

    value: str
    by: str


@dataclass(eq=False)
class NoteConflict(Exception):
    """Someone else changed the same section (or the actions) meanwhile: nothing is saved.

    ``sections`` maps a section id to theirs; ``actions`` is theirs for the agreed actions.
    """

    sections: dict[int, Theirs]
    actions: Theirs | None
    actions_seen: str  # the fingerprint of the actions as they are now

    def __str__(self) -> str:
        people = sorted({t.by for t in [*self.sections.values(), self.actions] if t})
        return (
            f"Not saved: {' and '.join(people)} changed the same part meanwhile. Their text is "
            "shown beside it; yours is still on the page. Save again to replace theirs."
        )


def _same(one: str, other: str) -> bool:
    return one.replace("\r\n", "\n").strip() == other.replace("\r\n", "\n").strip()


def _last_editor(record: object) -> User | None:
    entry = record.history.order_by("-history_date", "-history_id").first()  # type: ignore[attr-defined]
    return entry.history_user if entry is not None else None


def _actions_text(actions: Sequence[AgreedAction]) -> str:
    return "; ".join(f"{a.action} ({a.owner}, by {a.due_on:%d/%m/%Y})" for a in actions) or (
        "no actions"
    )


def _merge_units(
    locked: NoteOfVisit,
    actor: User,
    sections: Mapping[int, str],
    actions: Sequence[ActionRow] | None,
    seen: Seen,
) -> tuple[dict[int, str], bool]:
    """Which section texts to write, and whether to write the actions.

    Per unit: nobody else changed it since the page showed it, so the typed value is
    written; only someone else changed it, so theirs stays; both changed it, a conflict
    (``NoteConflict``, nothing saved). One's own earlier save (another tab, a reload while
    a save was in flight) is never a conflict.
    """
    writes: dict[int, str] = {}
    conflicts: dict[int, Theirs] = {}
    for section in locked.sections.all():
        mine = sections.get(section.pk)
        if mine is None or _same(mine, section.text):
            continue
        base = seen.sections.get(section.pk)
        if base is None or _same(base, section.text):
            writes[section.pk] = mine
            continue
        editor = _last_editor(section)
        if editor is not None and editor.pk == actor.pk:
            writes[section.pk] = mine
        elif not _same(mine, base):
            conflicts[section.pk] = Theirs(section.text, str(editor or "Someone"))
    stored = list(locked.actions.order_by("order", "pk"))
    now = actions_fingerprint(stored)
    mine_fp = actions_fingerprint(actions) if actions is not None else now
    write_actions = mine_fp != now
    theirs_actions = None
    if write_actions and seen.actions is not None and seen.actions != now:
        editor = _last_saver(locked)
        if editor is not None and editor.pk == actor.pk:
            pass
        elif mine_fp == seen.actions:
            write_actions = False  # only they changed the actions: keep theirs
        else:
            theirs_actions = Theirs(_actions_text(stored), str(editor or "Someone"))
    if conflicts or theirs_actions:
        raise NoteConflict(sections=conflicts, actions=theirs_actions, actions_seen=now)
    return writes, write_actions


def _locked_note(note: NoteOfVisit) -> NoteOfVisit:
    return (
        NoteOfVisit.objects.select_for_update()
        .select_related("visit__accreditation__setting", "visit__accreditation__cohort")
        .get(pk=note.pk)
    )


@transaction.atomic
def do_save_note(
    *,
    actor: User,
    note: NoteOfVisit,
    revision: int,
    sections: Mapping[int, str],
    actions: Sequence[ActionRow] | None,
    seen: Seen | None = None,
) -> NoteOfVisit:
    """Save the draft (section texts by section id, and the agreed actions in order;
    ``actions`` None leaves the stored ones, as when a typed row is still incomplete).

    With ``seen`` (what the page showed), conflicts are per section and for the actions
    (``NoteConflict``); without it, any save since ``revision`` refuses the whole note
    (``StaleWrite``).
    """
    locked = _locked_note(note)
    _check_can_write_note(actor, locked.visit)
    if locked.status != NoteStatus.DRAFT:
        raise ValidationError(
            "This note has been shared with the setting and can no longer be changed."
            if locked.status == NoteStatus.SHARED
            else "This note has been agreed and is locked."
        )
    if seen is None:
        check_revision(
            locked.revision, revision, saved_at=locked.saved_at, saved_by=_last_saver(locked)
        )
        writes = dict(sections)
        write_actions = actions is not None
    else:
        writes, write_actions = _merge_units(locked, actor, sections, actions, seen)
    for section in locked.sections.all():
        text = writes.get(section.pk)
        if text is not None and text.strip() != section.text:
            section.text = text.strip()
            _save(section, actor)
    if write_actions and actions is not None:
        _write_actions(locked, actor, actions)
    locked.revision += 1
    locked.saved_at = timezone.now()
    locked.written_by = actor if actor.role == Role.EVALUATOR else locked.written_by
    _save(locked, actor, update_fields=["revision", "saved_at", "written_by"])
    return locked


def _write_actions(locked: NoteOfVisit, actor: User, actions: Sequence[ActionRow]) -> None:
    existing = list(locked.actions.order_by("order", "pk"))
    for order, row in enumerate(actions, start=1):
        item = existing[order - 1] if order <= len(existing) else None
        if item is None:
            item = AgreedAction(note=locked, accreditation=locked.visit.accreditation)
        values = (row.action.strip(), row.owner.strip(), row.due_on, order)
        if item.pk and (item.action, item.owner, item.due_on, item.order) == values:
            continue
        item.action, item.owner, item.due_on, item.order = values
        _save(item, actor)
    for item in existing[len(actions) :]:
        item._history_user = actor  # type: ignore[attr-defined]
        item.delete()


def _last_saver(note: NoteOfVisit) -> User | None:
    record = note.history.order_by("-history_date", "-history_id").first()
    return record.history_user if record is not None else None


# --- The note's status: one table of moves, with their guards and effects ------------------

NoteCheck = Check


def _writer_may(note: NoteOfVisit, actor: User, params: dict[str, Any]) -> None:
    _check_can_write_note(actor, note.visit)


def _setting_manager_may(note: NoteOfVisit, actor: User, params: dict[str, Any]) -> None:
    accreditation = note.visit.accreditation
    check_open(accreditation)
    if (
        actor.role != Role.SETTING_MANAGER
        or not actor.settings.filter(pk=accreditation.setting_id).exists()
    ):
        raise ValidationError("Only the setting's manager agrees its notes of visit.")


def _visit_happened(what: str) -> NoteCheck:
    def check(note: NoteOfVisit, actor: User, params: dict[str, Any]) -> None:
        _check_visit_happened(note.visit, what)

    return check


def _not_stale(note: NoteOfVisit, actor: User, params: dict[str, Any]) -> None:
    check_revision(
        note.revision, params["revision"], saved_at=note.saved_at, saved_by=_last_saver(note)
    )


def _every_section_written(note: NoteOfVisit, actor: User, params: dict[str, Any]) -> None:
    empty = [s.title for s in note.sections.all() if not s.text.strip()]
    if empty:
        raise ValidationError(
            "Write something in every section before sharing (even “not covered at this "
            "visit”): " + ", ".join(empty) + "."
        )


def _comment_given(note: NoteOfVisit, actor: User, params: dict[str, Any]) -> None:
    if not params.get("comment", "").strip():
        raise ValidationError({"comment": "Enter your comment for the evaluator"})


def _keep_comment(note: NoteOfVisit, actor: User, params: dict[str, Any]) -> None:
    comment = params.get("comment", "").strip()
    if comment:
        agreed = note.status == NoteStatus.AGREED
        _save(NoteComment(note=note, author=actor, text=comment, agreed=agreed), actor)


def _tell_setting_shared(note: NoteOfVisit, actor: User, params: dict[str, Any]) -> None:
    accreditation = note.visit.accreditation
    kind = note.visit.get_visit_type_display().lower()
    notify(
        setting_managers_of(accreditation.setting_id),
        accreditation=accreditation,
        subject=f"Note of your {kind} to read and agree",
        lines=[
            f"{actor} has shared the note of the {kind} on {note.visit.date:%-d %B %Y}.",
            "Read it, then agree it or add a comment.",
        ],
        link=note.get_absolute_url(),
        link_text="Read the note of visit",
        key=f"note-shared:{note.pk}:{note.revision}",
    )


def _tell_evaluator(note: NoteOfVisit, actor: User, params: dict[str, Any]) -> None:
    accreditation = note.visit.accreditation
    agree = note.status == NoteStatus.AGREED
    comment = params.get("comment", "").strip()
    visit = note.visit
    notify(
        evaluator_or_managers(accreditation),
        accreditation=accreditation,
        subject=(
            f"{accreditation.setting.display_name} agreed the note of visit"
            if agree
            else f"{accreditation.setting.display_name} commented on the note of visit"
        ),
        lines=[
            f"{actor} has {'agreed' if agree else 'commented on'} the note of the "
            f"{visit.get_visit_type_display().lower()} on {visit.date:%-d %B %Y}.",
            *([f"Comment: {comment}"] if comment else []),
        ],
        link=note.get_absolute_url(),
        link_text="See the note of visit",
        key=f"note-response:{note.pk}:{note.revision}",
    )


NOTE_MOVES: tuple[Step, ...] = (
    Step(
        NoteStatus.DRAFT,
        NoteStatus.SHARED,
        "Shared with the setting",
        guards=(_writer_may, _visit_happened("shared"), _not_stale, _every_section_written),
        effects=(_tell_setting_shared,),
    ),
    Step(
        NoteStatus.SHARED,
        NoteStatus.AGREED,
        "Agreed by the setting",
        guards=(_setting_manager_may, _visit_happened("agreed")),
        effects=(_keep_comment, _tell_evaluator),
    ),
    Step(
        NoteStatus.SHARED,
        NoteStatus.DRAFT,
        "Returned to the evaluator with a comment",
        guards=(_setting_manager_may, _comment_given),
        effects=(_keep_comment, _tell_evaluator),
    ),
)
NOTE_TABLE = StatusTable(
    "note of visit",
    NoteStatus,
    NOTE_MOVES,
    # Why a move from a status is refused when the table has no such move.
    not_from={
        NoteStatus.DRAFT: "This note is a draft: it has not been shared with the setting yet.",
        NoteStatus.SHARED: "This note has already been shared with the setting.",
        NoteStatus.AGREED: "This note has been agreed and is locked.",
    },
)
NOTE_PIPELINE = NOTE_TABLE.pipeline


def _write_note(note: NoteOfVisit, rule: Step, actor: User) -> None:
    now = timezone.now()
    note.revision += 1
    if note.status == NoteStatus.SHARED:
        note.shared_at = now
    elif note.status == NoteStatus.AGREED:
        note.agreed_at, note.agreed_by = now, actor
    else:
        note.shared_at = None
    _save(note, actor, rule.reason)


def move_note(note: NoteOfVisit, to: str, *, actor: User, **params: Any) -> NoteOfVisit:
    """The only way a note's status changes: lock it, check the move and its guards, move,
    stamp the dates, write history, then run the move's effects."""
    locked = _locked_note(note)
    NOTE_TABLE.move(
        locked,
        to,
        actor=actor,
        seen=note.status,
        params=params,
        write=lambda n, rule: _write_note(n, rule, actor),
    )
    return locked


@transaction.atomic
def do_share_note(*, actor: User, note: NoteOfVisit, revision: int) -> NoteOfVisit:
    return move_note(note, NoteStatus.SHARED, actor=actor, revision=revision)


@transaction.atomic
def do_respond_to_note(*, actor: User, note: NoteOfVisit, agree: bool, comment: str) -> NoteOfVisit:
    """The setting manager agrees the shared note (locking it) or comments (back to draft)."""
    to = NoteStatus.AGREED if agree else NoteStatus.DRAFT
    return move_note(note, to, actor=actor, comment=comment)


@transaction.atomic
def do_set_action_closed(*, actor: User, action: AgreedAction, closed: bool) -> AgreedAction:
    locked = AgreedAction.objects.select_for_update().get(pk=action.pk)
    check_open(locked.accreditation)
    if closed == (locked.closed_on is not None):
        return locked
    locked.closed_on = timezone.localdate() if closed else None
    locked.closed_by = actor if closed else None
    _save(locked, actor, "Done" if closed else "Reopened")
    return locked


# --- The notes template ---------------------------------------------------------------------------


@transaction.atomic
def do_save_template_section(
    *, actor: User, section: NoteTemplateSection | None, title: str, prompt: str
) -> NoteTemplateSection:
    """Change a section, or add one at the end. Notes already started keep their sections."""
    if section is None:
        template = _template()
        last = template.sections.aggregate(last=Max("order"))["last"] or 0
        section = NoteTemplateSection(template=template, order=last + 1)
    section.title = title.strip()
    section.prompt = prompt.strip()
    _save(section, actor)
    return section


@transaction.atomic
def do_delete_template_section(*, actor: User, section: NoteTemplateSection) -> None:
    if section.template.sections.count() <= 1:
        raise ValidationError("The notes of visit need at least one section.")
    section._history_user = actor  # type: ignore[attr-defined]
    section.delete()


@transaction.atomic
def do_move_template_section(*, actor: User, section: NoteTemplateSection, up: bool) -> None:
    sections = list(section.template.sections.select_for_update().order_by("order", "pk"))
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(sections):
        return
    sections[index], sections[other] = sections[other], sections[index]
    for order, item in enumerate(sections, start=1):
        if item.order != order:
            item.order = order
            _save(item, actor, update_fields=["order"])


# --- Calendar feeds ----------------------------------------------------------------------------


@transaction.atomic
def do_regenerate_calendar_feed(*, actor: User) -> CalendarFeed:
    """A new private address for the evaluator's feed; the old one stops working at once."""
    if actor.role != Role.EVALUATOR:
        raise ValidationError("Only evaluators have a calendar feed.")
    feed = CalendarFeed.objects.select_for_update().filter(user=actor).first()
    if feed is None:
        feed = CalendarFeed(user=actor)
    else:
        feed.token = new_calendar_token()
    _save(feed, actor, "New address")
    return feed
