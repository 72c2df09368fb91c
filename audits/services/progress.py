"""Writes for learning progress checkpoints. Each is atomic, validates, and leaves history.

They follow the Leuven screenings' rules (``services.leuven``): a checkpoint carries a
``revision`` that every saved change increases; the autosave checks only the one child
and area it changes against what the page showed (``JudgementConflict``), and the whole
table or an upload is written in one transaction or not at all.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kqm.models import User

from ..models import AREA_FIELDS, AREAS, Child, DevelopmentBand, Group, Judgement
from ..models import ProgressCheckpoint as Checkpoint
from ..models import ProgressRecord as Record
from .leuven import StaleScreening

BAND = "band"
FIELDS = (BAND, *AREA_FIELDS)
FIELD_LABELS = {BAND: "age band", **{area.field: area.label.lower() for area in AREAS}}
JUDGEMENTS = {str(value) for value in Judgement.values}

RowValues = Mapping[str, str]  # field -> band code or judgement ("" for none)


class JudgementConflict(Exception):
    """Someone else changed this child's judgement in this area since the page showed it."""

    def __init__(self, *, child: Child, name: str, theirs: str, by: str) -> None:
        self.theirs = theirs
        self.by = by
        shown = theirs or "nothing"
        super().__init__(
            f"{by} changed {child.code}'s {FIELD_LABELS[name]} to {shown} after you opened the "
            "page, so your choice was not saved. It is still on your page: choose it again to "
            "replace theirs."
        )


def bands_by_code() -> dict[str, DevelopmentBand]:
    return {band.code: band for band in DevelopmentBand.objects.all()}


@transaction.atomic
def do_save_checkpoint(
    *,
    actor: User,
    group: Group,
    term: str,
    date: datetime.date,
    checkpoint: Checkpoint | None = None,
) -> Checkpoint:
    checkpoint = checkpoint or Checkpoint(group=group)
    if Checkpoint.objects.filter(group=group, term=term).exclude(pk=checkpoint.pk).exists():
        raise ValidationError({"term": f"{group.name} already has a checkpoint in that term"})
    checkpoint.term = term
    checkpoint.date = date
    checkpoint.full_clean()
    checkpoint._history_user = actor  # type: ignore[attr-defined]
    checkpoint.save()
    return checkpoint


def _lock(checkpoint: Checkpoint, revision: int | None) -> Checkpoint:
    locked = Checkpoint.objects.select_for_update().get(pk=checkpoint.pk)
    if revision is not None and locked.revision != revision:
        raise StaleScreening(page_revision=revision, current_revision=locked.revision)
    return locked


def _bump(checkpoint: Checkpoint) -> int:
    Checkpoint.objects.filter(pk=checkpoint.pk).update(revision=F("revision") + 1)
    checkpoint.refresh_from_db(fields=["revision"])
    return checkpoint.revision


def _check(name: str, value: str, bands: Mapping[str, DevelopmentBand]) -> None:
    if name not in FIELDS:
        raise ValidationError("Choose an age band or an area of learning")
    if not value:
        return
    if name == BAND and value not in bands:
        raise ValidationError("Choose one of the Development Matters age bands")
    if name != BAND and value not in JUDGEMENTS:
        raise ValidationError("Choose below, expected or above, or not judged")


def _current(record: Record | None, name: str) -> str:
    if record is None:
        return ""
    if name == BAND:
        return record.band.code if record.band is not None else ""
    return str(getattr(record, name))


def _write(
    *,
    actor: User,
    checkpoint: Checkpoint,
    child: Child,
    values: RowValues,
    existing: Record | None,
    bands: Mapping[str, DevelopmentBand],
) -> Record | None:
    """Create or change one child's record with ``values``; None when nothing changed."""
    if all(_current(existing, name) == value for name, value in values.items()):
        return None
    record = existing or Record(checkpoint=checkpoint, child=child)
    for name, value in values.items():
        if name == BAND:
            record.band = bands[value] if value else None
        else:
            setattr(record, name, value)
    record.updated_by = actor
    record.full_clean()
    record._history_user = actor  # type: ignore[attr-defined]
    record.save()
    return record


@dataclass
class SavedJudgement:
    record: Record | None
    revision: int
    saved_at: datetime.datetime


@transaction.atomic
def do_save_judgement(
    *,
    actor: User,
    checkpoint: Checkpoint,
    child: Child,
    name: str,
    value: str,
    revision: int,
    base: str | None = None,
    check_base: bool = False,
) -> SavedJudgement:
    """Save one child's age band or one area's judgement (the autosave).

    With ``check_base`` the conflict check is per child and field (``base`` is what the
    page showed); without it ``revision`` must be the checkpoint's current one.
    """
    bands = bands_by_code()
    _check(name, value, bands)
    locked = _lock(checkpoint, None if check_base else revision)
    existing = (
        Record.objects.filter(checkpoint=checkpoint, child=child)
        .select_related("updated_by", "band")
        .first()
    )
    if check_base and existing is not None and existing.updated_by_id != actor.pk:
        theirs = _current(existing, name)
        if theirs != (base or ""):
            who = existing.updated_by.full_name if existing.updated_by else "Someone"
            raise JudgementConflict(child=child, name=name, theirs=theirs, by=who)
    saved = _write(
        actor=actor,
        checkpoint=locked,
        child=child,
        values={name: value},
        existing=existing,
        bands=bands,
    )
    new_revision = _bump(locked) if saved is not None else locked.revision
    checkpoint.revision = new_revision
    return SavedJudgement(record=saved or existing, revision=new_revision, saved_at=timezone.now())


@transaction.atomic
def do_save_progress(
    *,
    actor: User,
    checkpoint: Checkpoint,
    children: Iterable[Child],
    rows: Mapping[int, RowValues],
    revision: int | None,
) -> int:
    """Save the whole table (the page without JavaScript, or an upload): all or nothing.

    ``revision`` None skips the staleness check (an upload replaces what it names). Only
    the fields given are written, only rows that changed; returns the children changed.
    """
    bands = bands_by_code()
    for values in rows.values():
        for name, value in values.items():
            _check(name, value, bands)
    locked = _lock(checkpoint, revision)
    by_id = {child.pk: child for child in children}
    if set(rows) - set(by_id):
        raise ValidationError("Some of these children are not on this checkpoint")
    existing = {
        r.child_id: r for r in Record.objects.filter(checkpoint=checkpoint).select_related("band")
    }
    changed = 0
    for child_id, values in rows.items():
        saved = _write(
            actor=actor,
            checkpoint=locked,
            child=by_id[child_id],
            values=values,
            existing=existing.get(child_id),
            bands=bands,
        )
        changed += saved is not None
    checkpoint.revision = _bump(locked) if changed else locked.revision
    return changed
