"""Writes for Unit B's self-evaluation (SEF) and SMART improvement plan.

Who may write: the SEF, the setting's managers; the plan's actions and evidence, the
setting's managers and the KQM manager; review notes, those and the setting's evaluator.
Each write is atomic, validated with ``full_clean()`` and recorded in the history.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.models import Audit, Screening, Subscale
from kqm.models import Role, User

from ..models import (
    CLOSED_STATUSES,
    Accreditation,
    ActionEvidence,
    ActionReview,
    EvidenceKind,
    ImprovementAction,
    Relevance,
    SelfEvaluationEntry,
)
from ..uploads import CheckedFile
from .common import check_open

# Once an accreditation has ended this way, its SEF and plan are a record, not a draft.
FINISHED = CLOSED_STATUSES
MAX_EVIDENCE_PER_ACTION = 20
LONGEST_PLAN_YEARS = 3


def _is_setting_manager(actor: User, accreditation: Accreditation) -> bool:
    return (
        actor.role == Role.SETTING_MANAGER
        and actor.settings.filter(pk=accreditation.setting_id).exists()
    )


def can_edit_sef(actor: User, accreditation: Accreditation) -> bool:
    return _is_setting_manager(actor, accreditation)


def can_edit_plan(actor: User, accreditation: Accreditation) -> bool:
    return actor.role == Role.MANAGER or _is_setting_manager(actor, accreditation)


def can_review_plan(actor: User, accreditation: Accreditation) -> bool:
    return can_edit_plan(actor, accreditation) or (
        actor.role == Role.EVALUATOR and accreditation.evaluator_id == actor.pk
    )


def is_finished(accreditation: Accreditation) -> bool:
    return accreditation.status in FINISHED


def _check_not_finished(accreditation: Accreditation) -> None:
    check_open(accreditation)


# --- Self-evaluation ----------------------------------------------------------------------------


@dataclass(eq=False)
class SectionChanged(Exception):
    """Someone else saved this section since the page showed it, and the writer's values
    differ from theirs: nothing is saved; theirs is shown beside the typed values."""

    judgement: str
    evidence: str
    by: str


def _normal(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


@transaction.atomic
def do_save_sef_section(
    *,
    actor: User,
    accreditation: Accreditation,
    section: str,
    judgement: str,
    evidence: str,
    seen: tuple[str, str] | None = None,
) -> SelfEvaluationEntry:
    """Record a section's judgement and evidence; the previous version stays in the history.

    ``seen`` is the (judgement, evidence) the page showed: if another person saved the
    section since, and differently, ``SectionChanged`` (one's own earlier save, in another
    tab, is never a conflict). The section is the unit: other sections never conflict.
    """
    if not can_edit_sef(actor, accreditation):
        raise ValidationError("Only the setting’s manager can change its self-evaluation.")
    _check_not_finished(accreditation)
    entry = (
        SelfEvaluationEntry.objects.select_for_update()
        .filter(accreditation=accreditation, section=section)
        .first()
    ) or SelfEvaluationEntry(accreditation=accreditation, section=section)
    evidence = evidence.strip()
    if entry.pk and entry.judgement == judgement and entry.evidence == evidence:
        return entry  # nothing changed: no new version
    stored = (entry.judgement, _normal(entry.evidence)) if entry.pk else ("", "")
    if (
        seen is not None
        and (seen[0], _normal(seen[1])) != stored
        and entry.updated_by_id != actor.pk
    ):
        raise SectionChanged(entry.judgement, entry.evidence, str(entry.updated_by or "Someone"))
    entry.judgement = judgement
    entry.evidence = evidence
    entry.updated_by = actor
    entry.updated_at = timezone.now()
    entry.full_clean()
    entry._history_user = actor  # type: ignore[attr-defined]
    entry.save()
    return entry


# --- The improvement plan -----------------------------------------------------------------------


@dataclass
class ActionDraft:
    """What the action form collects: the SMART parts and the status."""

    description: str
    success_measure: str
    owner: str
    due_date: datetime.date
    relevance: str
    status: str
    resources: str = ""
    audit: Audit | None = None
    subscale: Subscale | None = None
    screening: Screening | None = None
    leuven_finding: str = ""
    sef_section: str = ""


def check_due_date(due_date: datetime.date, *, previous: datetime.date | None = None) -> None:
    """A new or changed due date must be today or later, and within the plan's horizon."""
    today = timezone.localdate()
    if due_date == previous:
        return
    if due_date < today:
        raise ValidationError({"due_date": "The due date must be today or in the future"})
    if due_date > today + datetime.timedelta(days=365 * LONGEST_PLAN_YEARS + 1):
        raise ValidationError(
            {"due_date": f"The due date must be within {LONGEST_PLAN_YEARS} years"}
        )


def _apply(action: ImprovementAction, draft: ActionDraft) -> None:
    action.description = draft.description.strip()
    action.success_measure = draft.success_measure.strip()
    action.owner = " ".join(draft.owner.split())
    action.resources = draft.resources.strip()
    action.due_date = draft.due_date
    action.status = draft.status
    action.relevance = draft.relevance
    # Keep only the link the chosen relevance needs.
    action.audit = draft.audit if draft.relevance == Relevance.AUDIT_SUBSCALE else None
    action.subscale = draft.subscale if draft.relevance == Relevance.AUDIT_SUBSCALE else None
    action.screening = draft.screening if draft.relevance == Relevance.LEUVEN else None
    action.leuven_finding = (
        draft.leuven_finding.strip() if draft.relevance == Relevance.LEUVEN else ""
    )
    action.sef_section = draft.sef_section if draft.relevance == Relevance.SEF_SECTION else ""


@transaction.atomic
def do_add_action(
    *, actor: User, accreditation: Accreditation, draft: ActionDraft
) -> ImprovementAction:
    if not can_edit_plan(actor, accreditation):
        raise ValidationError("Only the setting’s manager or the KQM manager can change the plan.")
    _check_not_finished(accreditation)
    check_due_date(draft.due_date)
    action = ImprovementAction(accreditation=accreditation, created_by=actor)
    _apply(action, draft)
    action.full_clean()
    action._history_user = actor  # type: ignore[attr-defined]
    action.save()
    return action


# The parts of an action the form edits, compared when two people save the same action.
ACTION_FIELDS = (
    "description",
    "success_measure",
    "owner",
    "resources",
    "relevance",
    "due_date",
    "status",
    "leuven_finding",
    "sef_section",
)


def action_version(action: ImprovementAction) -> int:
    """The action's latest audit-trail entry: what a page showing it has seen."""
    latest = action.history.order_by("-history_id").values_list("history_id", flat=True).first()
    return int(latest or 0)


@dataclass(eq=False)
class ActionChanged(Exception):
    """Someone else saved this action since the page showed it, differently from what was
    typed: nothing is saved. ``theirs`` holds their value of each part that differs."""

    theirs: dict[str, str]
    by: str
    version: int


def _shown(action: ImprovementAction, name: str) -> str:
    display = getattr(action, f"get_{name}_display", None)
    value = display() if display is not None else getattr(action, name)
    return f"{value:%-d %B %Y}" if isinstance(value, datetime.date) else str(value)


def _check_not_changed_meanwhile(
    locked: ImprovementAction, actor: User, draft: ActionDraft, seen_version: int
) -> None:
    latest = locked.history.order_by("-history_id").first()
    if latest is None or latest.history_id == seen_version or latest.history_user_id == actor.pk:
        return
    typed = ImprovementAction(accreditation=locked.accreditation)
    _apply(typed, draft)
    theirs = {
        name: _shown(locked, name)
        for name in ACTION_FIELDS
        if getattr(locked, name) != getattr(typed, name)
    }
    if theirs:
        raise ActionChanged(theirs, str(latest.history_user or "Someone"), latest.history_id)


@transaction.atomic
def do_update_action(
    *,
    actor: User,
    action: ImprovementAction,
    draft: ActionDraft,
    seen_version: int | None = None,
) -> ImprovementAction:
    """Change an action. ``seen_version`` (``action_version`` when the page was loaded):
    if someone else saved it since, differently, ``ActionChanged`` (the action is the unit;
    one's own earlier save is never a conflict)."""
    locked = (
        ImprovementAction.objects.select_for_update()
        .select_related("accreditation")
        .get(pk=action.pk)
    )
    if not can_edit_plan(actor, locked.accreditation):
        raise ValidationError("Only the setting’s manager or the KQM manager can change the plan.")
    _check_not_finished(locked.accreditation)
    if seen_version is not None:
        _check_not_changed_meanwhile(locked, actor, draft, seen_version)
    check_due_date(draft.due_date, previous=locked.due_date)
    _apply(locked, draft)
    locked.full_clean()
    locked._history_user = actor  # type: ignore[attr-defined]
    locked.save()
    return locked


@transaction.atomic
def do_add_review(
    *, actor: User, action: ImprovementAction, reviewed_on: datetime.date, note: str
) -> ActionReview:
    """A dated monitoring note, by the setting, its evaluator or the KQM manager."""
    accreditation = action.accreditation
    if not can_review_plan(actor, accreditation):
        raise ValidationError("You cannot add review notes to this plan.")
    _check_not_finished(accreditation)
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": "The date of the review must be today or earlier"})
    review = ActionReview(action=action, reviewed_on=reviewed_on, note=note.strip(), author=actor)
    review.full_clean()
    review._history_user = actor  # type: ignore[attr-defined]
    review.save()
    return review


def _check_evidence_room(actor: User, action: ImprovementAction) -> None:
    if not can_edit_plan(actor, action.accreditation):
        raise ValidationError("Only the setting’s manager or the KQM manager can add evidence.")
    _check_not_finished(action.accreditation)
    if action.evidence.count() >= MAX_EVIDENCE_PER_ACTION:
        raise ValidationError(
            f"An action can have at most {MAX_EVIDENCE_PER_ACTION} pieces of evidence."
        )


@transaction.atomic
def do_add_evidence_file(
    *, actor: User, action: ImprovementAction, checked: CheckedFile, title: str
) -> ActionEvidence:
    """Store a checked upload (see ``accreditation.uploads``) as evidence of impact."""
    _check_evidence_room(actor, action)
    evidence = ActionEvidence(
        action=action,
        kind=EvidenceKind.FILE,
        title=" ".join(title.split()),
        original_name=checked.original_name,
        content_type=checked.kind.content_type,
        size=checked.size,
        added_by=actor,
    )
    # The person's file name is kept only as data, never as a path.
    evidence.file.save(f"{uuid.uuid4().hex}.{checked.extension}", checked.upload, save=False)
    try:
        evidence.full_clean()
        evidence._history_user = actor  # type: ignore[attr-defined]
        evidence.save()
    except Exception:
        evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


@transaction.atomic
def do_link_evidence(
    *,
    actor: User,
    action: ImprovementAction,
    title: str,
    audit: Audit | None = None,
    screening: Screening | None = None,
) -> ActionEvidence:
    """Link an audit or a Leuven screening of the same setting as evidence of impact."""
    _check_evidence_room(actor, action)
    setting_id = action.accreditation.setting_id
    if (audit is None) == (screening is None):
        raise ValidationError("Link either an audit or a screening.")
    if audit is not None and audit.setting_id != setting_id:
        raise ValidationError({"audit": "Select an audit of this setting"})
    if screening is not None and screening.group.setting_id != setting_id:
        raise ValidationError({"screening": "Select a screening of this setting"})
    evidence = ActionEvidence(
        action=action,
        kind=EvidenceKind.AUDIT if audit is not None else EvidenceKind.SCREENING,
        title=" ".join(title.split()) or str(audit or screening),
        audit=audit,
        screening=screening,
        added_by=actor,
    )
    evidence.full_clean()
    evidence._history_user = actor  # type: ignore[attr-defined]
    evidence.save()
    return evidence


@transaction.atomic
def do_remove_evidence(*, actor: User, evidence: ActionEvidence) -> None:
    action = evidence.action
    if not can_edit_plan(actor, action.accreditation):
        raise ValidationError("Only the setting’s manager or the KQM manager can remove evidence.")
    _check_not_finished(action.accreditation)
    stored = evidence.file.name if evidence.file else ""
    evidence._history_user = actor  # type: ignore[attr-defined]
    evidence.delete()
    if stored:
        storage = evidence.file.storage
        transaction.on_commit(lambda: storage.delete(stored))
