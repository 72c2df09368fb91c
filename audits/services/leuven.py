"""Writes for Leuven screenings. Each is atomic, validates, and leaves history (who, when).

Scores carry the screening's ``revision``: every saved change increases it, and a
write made from a page showing an older revision is refused (``StaleScreening``),
so two people scoring the same room cannot silently overwrite each other.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kqm.models import User
from settings.models import Setting

from ..models import (
    ActionPoint,
    Child,
    ChildDataAccess,
    Group,
    LeuvenScore,
    ModerationScore,
    ProgressRecord,
    Screening,
    Zone,
)
from ..models.leuven import new_child_code

SCALES = ("wellbeing", "involvement")
MAX_CHILDREN_AT_ONCE = 60


class StaleScreening(Exception):
    """The scores changed since the page was loaded; the message says what to do."""

    def __init__(self, *, page_revision: int, current_revision: int) -> None:
        self.page_revision = page_revision
        self.current_revision = current_revision
        super().__init__(
            "These scores were changed by someone else after you opened this page "
            f"(the screening is now at revision {current_revision}; your page shows revision "
            f"{page_revision}). Your change was not saved. Reload the page to see the latest "
            "scores, then make your change again."
        )


# --- The access log ----------------------------------------------------------------------


def do_log_child_data_access(*, user: User, setting_id: int, page: str, path: str) -> None:
    """Record that ``user`` viewed child-level data of the setting ``setting_id`` on ``page``:
    the one place every page showing a child's own rows (Leuven, progress, a case study's
    focus child) writes the access log."""
    ChildDataAccess.objects.create(
        user=user, setting_id=setting_id, page=page[:100], path=path[:300]
    )


# --- Groups and children -----------------------------------------------------------------


@transaction.atomic
def do_save_group(
    *,
    actor: User,
    setting: Setting,
    name: str,
    programme_year: int,
    age_range: str = "",
    group: Group | None = None,
) -> Group:
    name = name.strip()
    clash = Group.objects.filter(setting=setting, programme_year=programme_year, name__iexact=name)
    if group is not None:
        clash = clash.exclude(pk=group.pk)
    if clash.exists():
        raise ValidationError({"name": "You already have a group with this name in that year"})
    group = group or Group(setting=setting)
    group.name = name
    group.programme_year = programme_year
    group.age_range = age_range.strip()
    group.full_clean()
    group._history_user = actor  # type: ignore[attr-defined]
    group.save()
    return group


def _unused_codes(setting: Setting, count: int) -> list[str]:
    """``count`` new codes not yet used in the setting (codes are random, so check)."""
    codes: set[str] = set()
    while len(codes) < count:
        candidates = {new_child_code() for _ in range(count - len(codes))}
        taken = set(
            Child.objects.filter(setting=setting, code__in=candidates).values_list(
                "code", flat=True
            )
        )
        codes |= candidates - taken
    return sorted(codes)


@transaction.atomic
def do_add_children(
    *,
    actor: User,
    group: Group,
    number: int,
    age_band: str = "",
    gender: str = "",
    eal: bool = False,
    send: bool = False,
    funded_two: bool = False,
    looked_after: bool = False,
) -> list[Child]:
    """Add ``number`` children to a group, each with a new pseudonymous code."""
    if not 1 <= number <= MAX_CHILDREN_AT_ONCE:
        raise ValidationError(
            {"number": f"Add between 1 and {MAX_CHILDREN_AT_ONCE} children at a time"}
        )
    children = []
    for code in _unused_codes(group.setting, number):
        child = Child(
            setting=group.setting,
            group=group,
            code=code,
            age_band=age_band,
            gender=gender,
            eal=eal,
            send=send,
            funded_two=funded_two,
            looked_after=looked_after,
        )
        child.full_clean()
        child._history_user = actor  # type: ignore[attr-defined]
        child.save()
        children.append(child)
    return children


@transaction.atomic
def do_update_child(
    *,
    actor: User,
    child: Child,
    group: Group | None,
    age_band: str,
    gender: str,
    eal: bool,
    send: bool,
    funded_two: bool,
    looked_after: bool,
) -> Child:
    """Change a child's flags or move them to another of the setting's groups."""
    if group is not None and group.setting_id != child.setting_id:
        raise ValidationError({"group": "Choose one of your setting's groups"})
    child.group = group
    child.age_band = age_band
    child.gender = gender
    child.eal = eal
    child.send = send
    child.funded_two = funded_two
    child.looked_after = looked_after
    child.full_clean()
    child._history_user = actor  # type: ignore[attr-defined]
    child.save()
    return child


@transaction.atomic
def do_archive_child(*, actor: User, child: Child, left_on: datetime.date) -> Child:
    """The child has left: keep their record (archived) until the retention rule removes it."""
    if left_on > timezone.localdate():
        raise ValidationError({"left_on": "The date they left must be today or in the past"})
    child.left_on = left_on
    child._history_user = actor  # type: ignore[attr-defined]
    child.save(update_fields=["left_on"])
    return child


def retention_cutoff(today: datetime.date, years: int) -> datetime.date:
    """The date ``years`` years before ``today`` (29 February becomes 28 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


@transaction.atomic
def do_apply_child_retention(
    *, today: datetime.date | None = None, years: int | None = None
) -> int:
    """Delete children who left more than ``years`` years ago, with everything about them.

    Their scores, action points, moderation scores and learning progress records go
    with them, and so do their history rows (the audit trail would otherwise keep a
    copy). Running it twice deletes nothing the second time. Returns the number of children deleted.
    """
    today = today or timezone.localdate()
    if years is None:
        years = int(getattr(django_settings, "CHILD_RETENTION_YEARS", 3))
    cutoff = retention_cutoff(today, years)
    expired = list(Child.objects.filter(left_on__lt=cutoff).values_list("pk", flat=True))
    if not expired:
        return 0
    score_ids = list(LeuvenScore.objects.filter(child_id__in=expired).values_list("pk", flat=True))
    action_ids = list(
        ActionPoint.objects.filter(score_id__in=score_ids).values_list("pk", flat=True)
    )
    ModerationScore.objects.filter(child_id__in=expired).delete()
    Child.objects.filter(pk__in=expired).delete()  # cascades to scores and action points
    Child.history.filter(id__in=expired).delete()
    LeuvenScore.history.filter(id__in=score_ids).delete()
    LeuvenScore.history.filter(child_id__in=expired).delete()
    ActionPoint.history.filter(id__in=action_ids).delete()
    ModerationScore.history.filter(child_id__in=expired).delete()
    ProgressRecord.history.filter(child_id__in=expired).delete()
    return len(expired)


# --- Screenings --------------------------------------------------------------------------


@transaction.atomic
def do_save_screening(
    *,
    actor: User,
    group: Group,
    term: str,
    date: datetime.date,
    practitioners: Iterable[User],
    screening: Screening | None = None,
) -> Screening:
    screening = screening or Screening(group=group)
    if Screening.objects.filter(group=group, term=term).exclude(pk=screening.pk).exists():
        raise ValidationError({"term": f"{group.name} already has a screening in that term"})
    screening.term = term
    screening.date = date
    screening.full_clean()
    screening._history_user = actor  # type: ignore[attr-defined]
    screening.save()
    screening.practitioners.set(list(practitioners))
    return screening


def _bump(screening: Screening) -> int:
    Screening.objects.filter(pk=screening.pk).update(revision=F("revision") + 1)
    screening.refresh_from_db(fields=["revision"])
    return screening.revision


def _lock(screening: Screening, revision: int | None) -> Screening:
    locked = Screening.objects.select_for_update().get(pk=screening.pk)
    if revision is not None and locked.revision != revision:
        raise StaleScreening(page_revision=revision, current_revision=locked.revision)
    return locked


def _check_value(value: int | None) -> None:
    if value is not None and value not in (1, 2, 3, 4, 5):
        raise ValidationError("A score must be a whole number from 1 to 5")


def _write_score(
    *,
    actor: User,
    screening: Screening,
    child: Child,
    wellbeing: int | None,
    involvement: int | None,
    existing: LeuvenScore | None,
) -> LeuvenScore | None:
    """Create or change one child's score; returns None when nothing changed."""
    if existing is None:
        if wellbeing is None and involvement is None:
            return None
        existing = LeuvenScore(screening=screening, child=child)
    elif existing.wellbeing == wellbeing and existing.involvement == involvement:
        return None
    existing.wellbeing = wellbeing
    existing.involvement = involvement
    existing.updated_by = actor
    existing.full_clean()
    existing._history_user = actor  # type: ignore[attr-defined]
    existing.save()
    return existing


class ScoreConflict(Exception):
    """Someone else changed this child's score on this scale since the page showed it."""

    def __init__(self, *, child: Child, scale: str, theirs: int | None, by: str) -> None:
        self.theirs = theirs
        self.by = by
        label = "well-being" if scale == "wellbeing" else "involvement"
        shown = theirs if theirs is not None else "nothing"
        super().__init__(
            f"{by} changed {child.code}'s {label} score to {shown} after you opened the page, "
            "so your score was not saved. It is still on your page: choose it again to "
            "replace theirs."
        )


@dataclass
class SavedScore:
    score: LeuvenScore | None
    revision: int
    zone: str | None
    saved_at: datetime.datetime


@transaction.atomic
def do_save_score(
    *,
    actor: User,
    screening: Screening,
    child: Child,
    scale: str,
    value: int | None,
    revision: int,
    base: int | None = None,
    check_base: bool = False,
) -> SavedScore:
    """Save one scale of one child's score (the autosave).

    With ``check_base`` the conflict check is per child and scale: ``base`` is what the
    page showed, and a different value saved by someone else raises ``ScoreConflict``
    (two people scoring different children both save; one's own earlier save is never a
    conflict). Without it, ``revision`` must be the screening's current one.
    """
    if scale not in SCALES:
        raise ValidationError("Choose well-being or involvement")
    _check_value(value)
    locked = _lock(screening, None if check_base else revision)
    existing = (
        LeuvenScore.objects.filter(screening=screening, child=child)
        .select_related("updated_by")
        .first()
    )
    if check_base and existing is not None and existing.updated_by_id != actor.pk:
        theirs = getattr(existing, scale)
        if theirs != base:
            who = existing.updated_by.full_name if existing.updated_by else "Someone"
            raise ScoreConflict(child=child, scale=scale, theirs=theirs, by=who)
    scores = {
        "wellbeing": existing.wellbeing if existing else None,
        "involvement": existing.involvement if existing else None,
        scale: value,
    }
    saved = _write_score(
        actor=actor,
        screening=locked,
        child=child,
        wellbeing=scores["wellbeing"],
        involvement=scores["involvement"],
        existing=existing,
    )
    new_revision = _bump(locked) if saved is not None else locked.revision
    screening.revision = new_revision
    score = saved or existing
    return SavedScore(
        score=score,
        revision=new_revision,
        zone=score.zone if score else None,
        saved_at=timezone.now(),
    )


ScoreMap = Mapping[int, tuple[int | None, int | None]]  # child id -> (well-being, involvement)


@transaction.atomic
def do_save_scores(
    *,
    actor: User,
    screening: Screening,
    children: Iterable[Child],
    scores: ScoreMap,
    revision: int | None,
) -> int:
    """Save the whole table (the page without JavaScript, or an upload).

    ``revision`` None skips the staleness check (an upload replaces what it names).
    Only rows that changed are written; returns the number of children changed.
    """
    for wellbeing, involvement in scores.values():
        _check_value(wellbeing)
        _check_value(involvement)
    locked = _lock(screening, revision)
    by_id = {child.pk: child for child in children}
    unknown = set(scores) - set(by_id)
    if unknown:
        raise ValidationError("Some of these children are not on this screening")
    existing = {s.child_id: s for s in LeuvenScore.objects.filter(screening=screening)}
    changed = 0
    for child_id, (wellbeing, involvement) in scores.items():
        saved = _write_score(
            actor=actor,
            screening=locked,
            child=by_id[child_id],
            wellbeing=wellbeing,
            involvement=involvement,
            existing=existing.get(child_id),
        )
        changed += saved is not None
    screening.revision = _bump(locked) if changed else locked.revision
    return changed


# --- Action points -----------------------------------------------------------------------


@transaction.atomic
def do_add_action_point(
    *, actor: User, score: LeuvenScore, action: str, owner: str, due_on: datetime.date
) -> ActionPoint:
    if score.zone not in (Zone.RED, Zone.AMBER):
        raise ValidationError(
            "Action points are for children in the red or amber zone on this screening"
        )
    point = ActionPoint(
        score=score, action=action.strip(), owner=owner.strip(), due_on=due_on, created_by=actor
    )
    point.full_clean()
    point._history_user = actor  # type: ignore[attr-defined]
    point.save()
    return point


@transaction.atomic
def do_update_action_point(
    *,
    actor: User,
    point: ActionPoint,
    action: str,
    owner: str,
    due_on: datetime.date,
    follow_up: str,
    closed: bool,
) -> ActionPoint:
    """Change an action point; closing it needs the follow-up outcome."""
    if closed and not follow_up.strip():
        raise ValidationError(
            {"follow_up": "Enter the follow-up outcome before closing the action point"}
        )
    point.action = action.strip()
    point.owner = owner.strip()
    point.due_on = due_on
    point.follow_up = follow_up.strip()
    if closed and point.closed_on is None:
        point.closed_on = timezone.localdate()
    elif not closed:
        point.closed_on = None
    point.full_clean(exclude=["created_by"])  # kept as it was, even if they have left
    point._history_user = actor  # type: ignore[attr-defined]
    point.save()
    return point


# --- Moderation --------------------------------------------------------------------------


@transaction.atomic
def do_save_moderation(
    *,
    actor: User,
    screening: Screening,
    children: Iterable[Child],
    moderated_on: datetime.date,
    rescores: Mapping[int, tuple[int, int]],
) -> int:
    """Replace the evaluator's sample on a screening with ``rescores`` (child id -> scores).

    Children left out of ``rescores`` are taken out of the sample. Returns the sample size.
    """
    by_id = {child.pk: child for child in children}
    if set(rescores) - set(by_id):
        raise ValidationError("Some of these children are not on this screening")
    if moderated_on > timezone.localdate():
        raise ValidationError({"moderated_on": "The date of moderation must not be in the future"})
    Screening.objects.select_for_update().get(pk=screening.pk)  # one moderator at a time
    existing = {m.child_id: m for m in ModerationScore.objects.filter(screening=screening)}
    for child_id, item in existing.items():
        if child_id not in rescores:
            item._history_user = actor  # type: ignore[attr-defined]
            item.delete()
    for child_id, (wellbeing, involvement) in rescores.items():
        item = existing.get(child_id) or ModerationScore(
            screening=screening, child=by_id[child_id], evaluator=actor
        )
        item.evaluator = actor
        item.wellbeing = wellbeing
        item.involvement = involvement
        item.moderated_on = moderated_on
        item.full_clean()
        item._history_user = actor  # type: ignore[attr-defined]
        item.save()
    return len(rescores)
