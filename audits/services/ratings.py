"""Writes for rating audits and the instrument library.

Each ``do_*`` function is atomic, validates before writing and leaves history (who,
when, old and new values). Every change to an audit's scores increases its
``revision``; a write that names the revision it started from is refused with
:class:`StaleAudit` if the audit changed meanwhile, so no one's scores are silently
overwritten. A completed audit is locked until the KQM manager reopens it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accreditation.models import Accreditation
from accreditation.reports import cache as reports_cache
from accreditation.status_table import StatusTable, Step
from kqm.models import Role, User
from settings.models import Setting

from .. import scoring
from ..definitions import DefinitionError, Models, create_version, definition_of
from ..models import (
    Audit,
    AuditStatus,
    AuditStatusChange,
    InstrumentVersion,
    Item,
    ItemScore,
    ScaleValue,
    Subscale,
)


class StaleAudit(Exception):
    """The audit changed since the writer loaded it (another observer or another tab)."""

    def __init__(self, current_revision: int) -> None:
        self.current_revision = current_revision
        super().__init__(
            "This audit was changed by someone else (or in another window) after you opened "
            "it, so your change was not saved. Reload the page to see the latest scores, "
            "then score the item again."
        )


class ItemConflict(Exception):
    """Someone else changed this item since the page showed it: their value is kept."""

    def __init__(self, *, item_id: int, current: ItemScore) -> None:
        self.item_id = item_id
        self.current = current
        who = current.updated_by.full_name if current.updated_by else "Someone"
        value = (
            "N/A" if current.not_applicable else str(current.score) if current.score else "no score"
        )
        self.value = value
        self.note = current.note
        self.who = who
        super().__init__(
            f"{who} scored this item {value} after you opened the page, so your answer was not "
            "saved. It is still on your page: choose it again to replace theirs."
        )


LOCKED_MESSAGE = "This audit is completed, so it is locked. The KQM manager can reopen it."


class AuditLocked(PermissionDenied):
    """The audit is completed; it must be reopened before any score changes."""


@dataclass(frozen=True)
class ScoreInput:
    """One item's answer as submitted: a scale value, or N/A, plus a note."""

    item_id: int
    score: int | None = None
    not_applicable: bool = False
    note: str = ""


# --- Audits -------------------------------------------------------------------------------------


@transaction.atomic
def do_create_audit(
    *,
    created_by: User,
    setting: Setting,
    version: InstrumentVersion,
    room: str,
    occasion: str,
    date: datetime.date,
    observers: Iterable[User] = (),
    age_group: str = "",
    accreditation: Accreditation | None = None,
    is_self_audit: bool | None = None,
) -> Audit:
    """Start an audit; the creator is always one of its observers."""
    if not version.is_current:
        raise ValidationError({"version": "New audits use the instrument's current version."})
    if accreditation is not None and accreditation.setting_id != setting.pk:
        raise ValidationError("The accreditation belongs to another setting.")
    if accreditation is not None and accreditation.is_closed:
        raise ValidationError({"accreditation": accreditation.closed_reason()})
    if is_self_audit is None:
        is_self_audit = created_by.role == Role.SETTING_MANAGER
    audit = Audit(
        setting=setting,
        accreditation=accreditation,
        version=version,
        room=room.strip(),
        age_group=age_group.strip(),
        occasion=occasion,
        date=date,
        is_self_audit=is_self_audit,
        created_by=created_by,
    )
    audit.full_clean()
    audit._history_user = created_by  # type: ignore[attr-defined]
    audit.save()
    audit.observers.set({created_by, *observers})
    return audit


def _lock(audit: Audit, expected_revision: int | None) -> Audit:
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    if locked.is_completed:
        raise AuditLocked(LOCKED_MESSAGE)
    if locked.accreditation is not None and locked.accreditation.is_closed:
        raise AuditLocked(locked.accreditation.closed_reason())
    if expected_revision is not None and expected_revision != locked.revision:
        raise StaleAudit(locked.revision)
    return locked


def _validate(entry: ScoreInput, item: Item, scale: set[int]) -> dict[str, str]:
    if entry.not_applicable and entry.score is not None:
        return {"score": "Choose a score or N/A, not both."}
    if entry.not_applicable and not item.na_allowed:
        return {"score": f"Item {item.number} cannot be marked N/A: choose a score."}
    if entry.score is not None and entry.score not in scale:
        low, high = min(scale), max(scale)
        return {"score": f"Choose a score from {low} to {high}."}
    return {}


class ScoreErrors(ValidationError):
    """Bad answers, keyed by item id; nothing was saved."""

    def __init__(self, errors: dict[int, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.by_item = errors


@transaction.atomic
def do_record_scores(
    *,
    audit: Audit,
    entries: Iterable[ScoreInput],
    by: User,
    expected_revision: int | None,
    bases: dict[int, ScoreInput] | None = None,
) -> tuple[Audit, list[ItemScore]]:
    """Record answers for some items of an audit, all or nothing.

    Unchanged answers are skipped (no history, no new revision). Raises ScoreErrors
    for bad answers, StaleAudit when ``expected_revision`` is out of date, AuditLocked
    when the audit is completed.

    ``bases`` (item id -> the answer the page showed) checks each item on its own
    instead of the whole audit's revision: two observers scoring different items both
    save; the same item changed by someone else raises ``ItemConflict`` with their value.
    A change the same person made (another tab, a save still in flight when the page was
    reloaded) is never a conflict.
    """
    locked = _lock(audit, None if bases is not None else expected_revision)
    entries = list(entries)
    wanted = [e.item_id for e in entries]
    items = {i.pk: i for i in Item.objects.filter(version_id=locked.version_id, pk__in=wanted)}
    scale = set(
        ScaleValue.objects.filter(version_id=locked.version_id).values_list("value", flat=True)
    )
    errors: dict[int, str] = {}
    for entry in entries:
        item = items.get(entry.item_id)
        if item is None:
            errors[entry.item_id] = "This item is not part of the audit's instrument."
            continue
        problem = _validate(entry, item, scale)
        if problem:
            errors[entry.item_id] = problem["score"]
    if errors:
        raise ScoreErrors(errors)
    existing = {
        s.item_id: s
        for s in ItemScore.objects.filter(audit=locked, item_id__in=items).select_related(
            "updated_by"
        )
    }
    for entry in entries if bases is not None else ():
        base = bases.get(entry.item_id) if bases else None
        current = existing.get(entry.item_id)
        if base is None or current is None or current.updated_by_id == by.pk:
            continue
        if (current.score, current.not_applicable, current.note) != (
            base.score,
            base.not_applicable,
            base.note.strip(),
        ):
            raise ItemConflict(item_id=entry.item_id, current=current)
    saved: list[ItemScore] = []
    for entry in entries:
        note = entry.note.strip()
        current = existing.get(entry.item_id)
        if current is None:
            if entry.score is None and not entry.not_applicable and not note:
                continue
            current = ItemScore(audit=locked, item_id=entry.item_id)
        elif (current.score, current.not_applicable, current.note) == (
            entry.score,
            entry.not_applicable,
            note,
        ):
            continue
        current.score = entry.score
        current.not_applicable = entry.not_applicable
        current.note = note
        current.updated_by = by
        current._history_user = by  # type: ignore[attr-defined]
        current.save()
        saved.append(current)
    if saved:
        Audit.objects.filter(pk=locked.pk).update(revision=F("revision") + 1)
        locked.refresh_from_db(fields=["revision"])
    audit.revision = locked.revision
    return locked, saved


def do_record_score(
    *,
    audit: Audit,
    entry: ScoreInput,
    by: User,
    expected_revision: int | None,
    base: ScoreInput | None = None,
) -> tuple[Audit, ItemScore | None]:
    """Record one item (the autosave); see :func:`do_record_scores`."""
    locked, saved = do_record_scores(
        audit=audit,
        entries=[entry],
        by=by,
        expected_revision=expected_revision,
        bases={entry.item_id: base} if base is not None else None,
    )
    return locked, (saved[0] if saved else None)


# --- The audit's status: one table of moves, with their guards and effects ---------------------


def _accreditation_open(audit: Audit, by: User, params: dict[str, Any]) -> None:
    if audit.accreditation is not None and audit.accreditation.is_closed:
        raise AuditLocked(audit.accreditation.closed_reason())


def _every_item_answered(audit: Audit, by: User, params: dict[str, Any]) -> None:
    scoring.check_complete(audit)


def _manager_reopens(audit: Audit, by: User, params: dict[str, Any]) -> None:
    if by.role != Role.MANAGER:
        raise PermissionDenied("Only the KQM manager can reopen a completed audit.")


def _reason_given(audit: Audit, by: User, params: dict[str, Any]) -> None:
    if not params.get("reason", "").strip():
        raise ValidationError({"reason": "Say why the audit is being reopened."})


AUDIT_MOVES: tuple[Step, ...] = (
    Step(
        AuditStatus.IN_PROGRESS,
        AuditStatus.COMPLETED,
        "",
        guards=(_accreditation_open, _every_item_answered),
    ),
    Step(
        AuditStatus.COMPLETED,
        AuditStatus.IN_PROGRESS,
        "Reopened",  # the history keeps the manager's reason instead
        guards=(_manager_reopens, _reason_given),
    ),
)
AUDIT_TABLE = StatusTable(
    "audit",
    AuditStatus,
    AUDIT_MOVES,
    not_from={
        AuditStatus.IN_PROGRESS: "This audit is not completed, so there is nothing to reopen.",
        AuditStatus.COMPLETED: LOCKED_MESSAGE,
    },
)


def move_audit(audit: Audit, to: str, *, by: User, **params: Any) -> Audit:
    """The only way an audit's status changes: lock it, check the move and its guards, stamp
    who completed it (or clear that on reopening), write history and the status change."""
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    reason = params.get("reason", "").strip()

    def write(record: Audit, rule: Step) -> None:
        completed = record.status == AuditStatus.COMPLETED
        record.completed_at = timezone.now() if completed else None
        record.completed_by = by if completed else None
        record.revision += 1
        record._history_user = by  # type: ignore[attr-defined]
        record._change_reason = reason  # type: ignore[attr-defined]
        record.save(update_fields=["status", "revision", "completed_at", "completed_by"])
        AuditStatusChange.objects.create(
            audit=record,
            from_status=rule.source,
            to_status=rule.target,
            changed_by=by,
            reason=reason,
        )

    AUDIT_TABLE.move(locked, to, actor=by, seen=audit.status, params=params, write=write)
    return locked


@transaction.atomic
def do_complete_audit(*, audit: Audit, by: User) -> Audit:
    """Complete (and lock) the audit once every item is scored or validly N/A."""
    return move_audit(audit, AuditStatus.COMPLETED, by=by)


@transaction.atomic
def do_reopen_audit(*, audit: Audit, by: User, reason: str) -> Audit:
    """The KQM manager unlocks a completed audit, saying why."""
    return move_audit(audit, AuditStatus.IN_PROGRESS, by=by, reason=reason)


@transaction.atomic
def do_start_second_observation(*, audit: Audit, by: User) -> Audit:
    """An independent, empty copy of a primary audit for a second observer to score."""
    if not audit.is_primary:
        raise ValidationError("A second observation is made of the original audit only.")
    if audit.observers.filter(pk=by.pk).exists():
        raise ValidationError(
            "You are an observer of this audit: the second observation must be someone else's."
        )
    if Audit.objects.filter(paired_with=audit, is_consensus=False).exists():
        raise ValidationError("This audit already has a second observation.")
    copy = Audit(
        setting_id=audit.setting_id,
        accreditation_id=audit.accreditation_id,
        version_id=audit.version_id,
        room=audit.room,
        age_group=audit.age_group,
        occasion=audit.occasion,
        date=audit.date,
        is_self_audit=audit.is_self_audit,
        paired_with=audit,
        created_by=by,
    )
    copy._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            copy.save()
    except IntegrityError:
        raise ValidationError("This audit already has a second observation.") from None
    copy.observers.set([by])
    return copy


@transaction.atomic
def do_agree_consensus(
    *, primary: Audit, second: Audit, by: User, entries: Mapping[int, ScoreInput]
) -> Audit:
    """Record the agreed scores of both observers as a completed consensus audit."""
    if not (primary.is_completed and second.is_completed):
        raise ValidationError("Both observers must complete their scoring first.")
    if second.paired_with_id != primary.pk or second.is_consensus:
        raise ValidationError("These two audits are not a pair.")
    if Audit.objects.filter(paired_with=primary, is_consensus=True).exists():
        raise ValidationError("The observers have already agreed a consensus for this audit.")
    items = list(Item.objects.filter(version_id=primary.version_id).order_by("number"))
    scale = set(
        ScaleValue.objects.filter(version_id=primary.version_id).values_list("value", flat=True)
    )
    errors: dict[int, str] = {}
    for item in items:
        entry = entries.get(item.pk)
        if entry is None or (entry.score is None and not entry.not_applicable):
            errors[item.pk] = f"Choose the agreed score for item {item.number}."
            continue
        problem = _validate(entry, item, scale)
        if problem:
            errors[item.pk] = problem["score"]
    if errors:
        raise ScoreErrors(errors)
    consensus = Audit(
        setting_id=primary.setting_id,
        accreditation_id=primary.accreditation_id,
        version_id=primary.version_id,
        room=primary.room,
        age_group=primary.age_group,
        occasion=primary.occasion,
        date=primary.date,
        is_self_audit=primary.is_self_audit,
        paired_with=primary,
        is_consensus=True,
        created_by=by,
        status=AuditStatus.COMPLETED,
        completed_at=timezone.now(),
        completed_by=by,
    )
    consensus._history_user = by  # type: ignore[attr-defined]
    consensus.save()
    consensus.observers.set({*primary.observers.all(), *second.observers.all()})
    ItemScore.objects.bulk_create(
        ItemScore(
            audit=consensus,
            item=item,
            score=entries[item.pk].score,
            not_applicable=entries[item.pk].not_applicable,
            note=entries[item.pk].note.strip(),
            updated_by=by,
        )
        for item in items
    )
    reports_cache.data_changed(reports_cache.PROGRAMME)  # bulk writes send no signal
    AuditStatusChange.objects.create(
        audit=consensus,
        from_status=AuditStatus.IN_PROGRESS,
        to_status=AuditStatus.COMPLETED,
        changed_by=by,
        reason="Consensus agreed by the two observers.",
    )
    return consensus


# --- Instrument versions --------------------------------------------------------------------------


@transaction.atomic
def do_copy_version(*, version: InstrumentVersion, label: str, by: User) -> InstrumentVersion:
    """A new, not yet current, version with the same scale, subscales and items."""
    data = {**definition_of(version), "version": label.strip()}
    try:
        return create_version(
            data, models=Models.current(), make_current=False, user=by, based_on=version
        )
    except DefinitionError as error:
        raise ValidationError({"label": error.errors}) from None


@transaction.atomic
def do_load_definition(*, data: dict[str, Any], by: User, make_current: bool) -> InstrumentVersion:
    """Load an uploaded definition (already checked) as a new version."""
    try:
        return create_version(data, models=Models.current(), make_current=make_current, user=by)
    except DefinitionError as error:
        raise ValidationError(error.errors) from None


@transaction.atomic
def do_edit_version(
    *,
    version: InstrumentVersion,
    by: User,
    subscale_names: Mapping[int, str],
    item_titles: Mapping[int, str],
    na_allowed: Mapping[int, bool],
) -> int:
    """Change subscale names, item titles and N/A flags of a version no audit uses yet.

    Returns how many records changed. A version in use is refused: its audits must keep
    the titles and rules they were scored with (make a new version instead).
    """
    locked = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
    if locked.audits.exists():
        raise ValidationError(
            "Audits already use this version, so its items cannot change. "
            "Make a new version from it instead."
        )
    changed = 0
    for subscale in Subscale.objects.filter(version=locked):
        name = subscale_names.get(subscale.pk, subscale.name).strip()
        if name and name != subscale.name:
            subscale.name = name
            subscale._history_user = by  # type: ignore[attr-defined]
            subscale.full_clean()
            subscale.save(update_fields=["name"])
            changed += 1
    for item in Item.objects.filter(version=locked):
        title = item_titles.get(item.pk, item.short_title).strip()
        na = na_allowed.get(item.pk, item.na_allowed)
        if (title and title != item.short_title) or na != item.na_allowed:
            item.short_title = title or item.short_title
            item.na_allowed = na
            item._history_user = by  # type: ignore[attr-defined]
            item.full_clean()
            item.save(update_fields=["short_title", "na_allowed"])
            changed += 1
    return changed


@transaction.atomic
def do_make_version_current(*, version: InstrumentVersion, by: User) -> InstrumentVersion:
    """New audits use this version from now on; audits already started keep theirs."""
    others = InstrumentVersion.objects.select_for_update().filter(
        instrument_id=version.instrument_id, is_current=True
    )
    for other in others.exclude(pk=version.pk):
        other.is_current = False
        other._history_user = by  # type: ignore[attr-defined]
        other.save(update_fields=["is_current"])
    if not version.is_current:
        version.is_current = True
        version._history_user = by  # type: ignore[attr-defined]
        version.save(update_fields=["is_current"])
    return version
