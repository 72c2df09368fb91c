"""Writes for Unit A case studies: drafts (autosaved), evidence, submission and review.

Setting staff write the draft; only the setting manager submits it. Each submission
becomes a frozen :class:`CaseStudyVersion`; the evaluator reviews every section and
returns the case study or accepts it. Every save carries the revision the page was
loaded with, and an older revision is refused rather than allowed to overwrite.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from audits.models import Child, LeuvenScore
from kqm.models import SETTING_ROLES, Role, User
from kqm.selectors import setting_managers_of

from ..models import (
    SECTIONS,
    Accreditation,
    CaseStudy,
    CaseStudyEvidence,
    CaseStudyStatus,
    CaseStudyVersion,
    Decision,
    SectionReview,
    Verdict,
)
from ..models.case_studies import SECTION_BY_KEY, SECTION_KEYS
from ..richtext import sanitise
from ..status_table import StatusTable, Step
from ..uploads import MAX_EVIDENCE_FILES, CheckedFile
from .common import (
    check_open,
    check_revision,
    evaluator_or_managers,
    notify,
)


@dataclass(frozen=True)
class CaseStudyDraft:
    title: str
    focus_child: Child | None
    baseline_score: LeuvenScore | None
    follow_up_score: LeuvenScore | None
    sections: dict[str, str]  # key -> rich text as typed; sanitised here
    # Fields that could not be stored (field -> {"message", "value"}), kept with the draft.
    problems: dict[str, dict[str, str]] = field(default_factory=dict)


def score_label(score: LeuvenScore | None) -> str:
    if score is None:
        return ""
    screening = score.screening
    return (
        f"{screening.get_term_display()} {screening.date:%Y} ({screening.group.name}): "
        f"well-being {score.wellbeing or '–'}, involvement {score.involvement or '–'}"
    )


def _check_setting_staff(actor: User, accreditation: Accreditation) -> None:
    if (
        actor.role not in SETTING_ROLES
        or not actor.settings.filter(pk=accreditation.setting_id).exists()
    ):
        raise ValidationError("Only the setting's staff write its case studies.")


def _check_scores(draft: CaseStudyDraft, accreditation: Accreditation) -> None:
    child = draft.focus_child
    if child is not None and child.setting_id != accreditation.setting_id:
        raise ValidationError({"focus_child": "Choose a child from your setting"})
    for name, score in (
        ("baseline_score", draft.baseline_score),
        ("follow_up_score", draft.follow_up_score),
    ):
        if score is None:
            continue
        if child is None:
            raise ValidationError({name: "Choose the focus child before their scores"})
        if score.child_id != child.pk:
            raise ValidationError({name: f"Choose one of {child.code}’s own scores"})
    baseline, follow_up = draft.baseline_score, draft.follow_up_score
    if baseline and follow_up and follow_up.screening.date <= baseline.screening.date:
        raise ValidationError(
            {
                "follow_up_score": "The follow-up score must come from a later screening "
                "than the baseline"
            }
        )


def _locked(accreditation: Accreditation, number: int) -> CaseStudy | None:
    return (
        CaseStudy.objects.select_for_update()
        .filter(accreditation=accreditation, number=number)
        .first()
    )


def _new_case_study(actor: User, accreditation: Accreditation, number: int) -> CaseStudy:
    case_study = CaseStudy(
        accreditation=accreditation, number=number, saved_at=timezone.now(), saved_by=actor
    )
    case_study.full_clean()
    case_study._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            case_study.save()
    except IntegrityError:  # started in another tab at the same moment
        raise ValidationError(
            "This case study was started in another tab or window. Reload the page."
        ) from None
    return case_study


def _check_editable(case_study: CaseStudy) -> None:
    if not case_study.is_editable:
        raise ValidationError(
            "This case study has been submitted, so it cannot be changed now."
            if case_study.status == CaseStudyStatus.SUBMITTED
            else "This case study has been accepted and is locked."
        )


@transaction.atomic
def do_save_case_study(
    *,
    actor: User,
    accreditation: Accreditation,
    number: int,
    revision: int,
    draft: CaseStudyDraft,
) -> CaseStudy:
    """Save the draft (creating the case study on its first save). Rich text is sanitised."""
    _check_setting_staff(actor, accreditation)
    check_open(accreditation)
    _check_scores(draft, accreditation)
    case_study = _locked(accreditation, number)
    if case_study is None:
        check_revision(0, revision, saved_at=None, saved_by=None)
        case_study = _new_case_study(actor, accreditation, number)
    else:
        _check_editable(case_study)
        check_revision(
            case_study.revision,
            revision,
            saved_at=case_study.saved_at,
            saved_by=case_study.saved_by,
        )
    case_study.title = " ".join(draft.title.split())
    case_study.focus_child = draft.focus_child
    case_study.baseline_score = draft.baseline_score
    case_study.follow_up_score = draft.follow_up_score
    for key in SECTION_KEYS:
        setattr(case_study, key, sanitise(draft.sections.get(key, "")))
    case_study.draft_problems = draft.problems
    case_study.revision += 1
    case_study.saved_at = timezone.now()
    case_study.saved_by = actor
    case_study.full_clean()
    case_study._history_user = actor  # type: ignore[attr-defined]
    case_study.save()
    return case_study


def incomplete_parts(case_study: CaseStudy | None) -> list[str]:
    """What must still be written before the case study can be submitted."""
    if case_study is None:
        return ["Title", *(s.title for s in SECTIONS)]
    missing = [] if case_study.title.strip() else ["Title"]
    return missing + [s.title for s in SECTIONS if not getattr(case_study, s.key).strip()]


def _evidence_in_versions(case_study: CaseStudy) -> dict[int, int]:
    """Evidence id -> the first version that included it."""
    included: dict[int, int] = {}
    for number, content in case_study.versions.order_by("number").values_list("number", "content"):
        for item in content.get("evidence", []):
            included.setdefault(int(item["id"]), number)
    return included


@transaction.atomic
def do_add_case_study_evidence(
    *,
    actor: User,
    accreditation: Accreditation,
    number: int,
    checked: CheckedFile,
    title: str,
    effective_date: datetime.date,
) -> CaseStudyEvidence:
    _check_setting_staff(actor, accreditation)
    check_open(accreditation)
    case_study = _locked(accreditation, number) or _new_case_study(actor, accreditation, number)
    _check_editable(case_study)
    if case_study.evidence.count() >= MAX_EVIDENCE_FILES:
        raise ValidationError(f"A case study can have at most {MAX_EVIDENCE_FILES} evidence files.")
    if effective_date > timezone.localdate():
        raise ValidationError(
            {"effective_date": "The date of the evidence must be today or in the past"}
        )
    evidence = CaseStudyEvidence(
        case_study=case_study,
        title=" ".join(title.split()),
        effective_date=effective_date,
        original_name=checked.original_name,
        content_type=checked.kind.content_type,
        size=checked.size,
        uploaded_by=actor,
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
def do_delete_case_study_evidence(*, actor: User, evidence: CaseStudyEvidence) -> None:
    case_study = evidence.case_study
    _check_setting_staff(actor, case_study.accreditation)
    check_open(case_study.accreditation)
    _check_editable(case_study)
    version = _evidence_in_versions(case_study).get(evidence.pk)
    if version is not None:
        raise ValidationError(
            f"“{evidence.title}” was submitted with version {version}, which is kept as it "
            "was submitted, so the file cannot be deleted."
        )
    name = evidence.file.name
    storage = evidence.file.storage
    evidence._history_user = actor  # type: ignore[attr-defined]
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))


def _content(case_study: CaseStudy) -> dict[str, object]:
    return {
        "title": case_study.title,
        "focus_child": case_study.focus_child.code if case_study.focus_child else "",
        "baseline": score_label(case_study.baseline_score),
        "follow_up": score_label(case_study.follow_up_score),
        "sections": case_study.section_texts(),
        "evidence": [
            {
                "id": e.pk,
                "title": e.title,
                "effective_date": e.effective_date.isoformat(),
                "name": e.original_name,
            }
            for e in case_study.evidence.order_by("effective_date", "pk")
        ],
    }


# --- The case study's status: one table of moves, with their guards and effects --------------


def _submitter_may(case_study: CaseStudy, actor: User, params: dict[str, Any]) -> None:
    if actor.role != Role.SETTING_MANAGER:
        raise ValidationError("Only the setting manager submits a case study.")
    _check_setting_staff(actor, case_study.accreditation)
    check_open(case_study.accreditation)


def _not_stale(case_study: CaseStudy, actor: User, params: dict[str, Any]) -> None:
    check_revision(
        case_study.revision,
        params["revision"],
        saved_at=case_study.saved_at,
        saved_by=case_study.saved_by,
    )


def _every_part_complete(case_study: CaseStudy, actor: User, params: dict[str, Any]) -> None:
    missing = incomplete_parts(case_study)
    if missing:
        raise ValidationError("Complete every part before submitting: " + ", ".join(missing) + ".")


def _reviewer_may(case_study: CaseStudy, actor: User, params: dict[str, Any]) -> None:
    accreditation = case_study.accreditation
    if not (
        actor.role == Role.MANAGER
        or (actor.role == Role.EVALUATOR and accreditation.evaluator_id == actor.pk)
    ):
        raise ValidationError("Only the setting's evaluator reviews its case studies.")
    check_open(accreditation)


def _every_section_judged(case_study: CaseStudy, actor: User, params: dict[str, Any]) -> None:
    judgements: dict[str, SectionJudgement] = params["judgements"]
    decision = params["decision"]
    errors: dict[str, str] = {}
    for key in SECTION_KEYS:
        judgement = judgements.get(key)
        if judgement is None or judgement.verdict not in Verdict.values:
            errors[f"verdict_{key}"] = (
                f"Choose whether “{SECTION_BY_KEY[key].title}” meets the standard"
            )
        elif judgement.verdict == Verdict.NEEDS_MORE_WORK and not judgement.comment.strip():
            errors[f"comment_{key}"] = f"Say what more “{SECTION_BY_KEY[key].title}” needs"
    if errors:
        raise ValidationError(errors)
    needs_work = [k for k in SECTION_KEYS if judgements[k].verdict == Verdict.NEEDS_MORE_WORK]
    if decision == Decision.ACCEPTED and needs_work:
        raise ValidationError(
            {"decision": "To accept the case study, every section must meet the standard"}
        )
    if decision == Decision.RETURNED and not needs_work:
        raise ValidationError(
            {"decision": "To return the case study, mark the sections that need more work"}
        )
    if decision not in Decision.values:
        raise ValidationError({"decision": "Choose whether to return or accept the case study"})
    params["needs_work"] = needs_work


def _keep_version(case_study: CaseStudy, actor: User, params: dict[str, Any]) -> None:
    """Before the status is saved: the submitted content becomes the next version."""
    last = case_study.versions.aggregate(last=Max("number"))["last"] or 0
    version = CaseStudyVersion(
        case_study=case_study,
        number=last + 1,
        content=_content(case_study),
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    version.full_clean()
    version._history_user = actor  # type: ignore[attr-defined]
    version.save()
    params["version"] = version
    params["history"] = f"Version {version.number} submitted"


def _record_review(case_study: CaseStudy, actor: User, params: dict[str, Any]) -> None:
    """Before the status is saved: each section's judgement and the decision, on the version."""
    judgements: dict[str, SectionJudgement] = params["judgements"]
    decision = params["decision"]
    version = case_study.versions.order_by("-number").first()
    assert version is not None
    for key in SECTION_KEYS:
        review = SectionReview(
            version=version,
            section=key,
            verdict=judgements[key].verdict,
            comment=judgements[key].comment.strip(),
        )
        review.full_clean()
        review._history_user = actor  # type: ignore[attr-defined]
        review.save()
    version.decision = decision
    version.feedback = params["feedback"].strip()
    version.decided_by = actor
    version.decided_at = timezone.now()
    version._history_user = actor  # type: ignore[attr-defined]
    version.save()
    params["version"] = version
    params["history"] = f"Version {version.number} {Decision(decision).label.lower()}"


def _tell_submitted(case_study: CaseStudy, actor: User, params: dict[str, Any]) -> None:
    accreditation = case_study.accreditation
    version: CaseStudyVersion = params["version"]
    notify(
        evaluator_or_managers(accreditation),
        accreditation=accreditation,
        subject=f"Case study {case_study.number} submitted by {accreditation.setting.display_name}"
        + (f" (version {version.number})" if version.number > 1 else ""),
        lines=[
            f"{actor} has submitted case study {case_study.number}, “{case_study.title}”"
            + (f", version {version.number}" if version.number > 1 else "")
            + ".",
            "Review each section, then return it with feedback or accept it.",
        ],
        link=case_study.get_absolute_url(),
        link_text="Review the case study",
        key=f"case-study-submitted:{version.pk}",
    )


def _tell_reviewed(case_study: CaseStudy, actor: User, params: dict[str, Any]) -> None:
    accreditation = case_study.accreditation
    version: CaseStudyVersion = params["version"]
    accepted = case_study.status == CaseStudyStatus.ACCEPTED
    notify(
        setting_managers_of(accreditation.setting_id),
        accreditation=accreditation,
        subject=f"Case study {case_study.number} "
        + ("accepted" if accepted else "returned with feedback"),
        lines=[
            f"{actor} has {'accepted' if accepted else 'returned'} case study "
            f"{case_study.number}, “{case_study.title}”"
            + ("." if accepted else f": {len(params['needs_work'])} section(s) need more work."),
            *([f"Feedback: {version.feedback}"] if version.feedback else []),
        ],
        link=case_study.get_absolute_url(),
        link_text="See the case study" if accepted else "See the feedback",
        key=f"case-study-reviewed:{version.pk}",
    )


_SUBMIT = (_submitter_may, _not_stale, _every_part_complete)
_REVIEW = (_reviewer_may, _every_section_judged)

CASE_STUDY_MOVES: tuple[Step, ...] = (
    Step(
        CaseStudyStatus.DRAFT, CaseStudyStatus.SUBMITTED, "Submitted", _SUBMIT, (_tell_submitted,)
    ),
    Step(
        CaseStudyStatus.RETURNED,
        CaseStudyStatus.SUBMITTED,
        "Submitted again",
        _SUBMIT,
        (_tell_submitted,),
    ),
    Step(
        CaseStudyStatus.SUBMITTED, CaseStudyStatus.RETURNED, "Returned", _REVIEW, (_tell_reviewed,)
    ),
    Step(
        CaseStudyStatus.SUBMITTED, CaseStudyStatus.ACCEPTED, "Accepted", _REVIEW, (_tell_reviewed,)
    ),
)
_NOT_WAITING = "This case study is not waiting for a review."
CASE_STUDY_TABLE = StatusTable(
    "case study",
    CaseStudyStatus,
    CASE_STUDY_MOVES,
    not_from={
        CaseStudyStatus.DRAFT: _NOT_WAITING,
        CaseStudyStatus.RETURNED: _NOT_WAITING,
        CaseStudyStatus.SUBMITTED: "This case study has been submitted, so it cannot be "
        "changed now.",
        CaseStudyStatus.ACCEPTED: "This case study has been accepted and is locked.",
    },
)


def move_case_study(
    case_study: CaseStudy, to: str, *, actor: User, **params: Any
) -> CaseStudyVersion:
    """The only way a case study's status changes: lock it, check the move and its guards,
    keep the version (submitting) or the judgements (reviewing), save the status with its
    history, then run the move's effects. Returns the version submitted or decided."""
    locked = _locked(case_study.accreditation, case_study.number)
    assert locked is not None

    def write(record: CaseStudy, rule: Step) -> None:
        if record.status == CaseStudyStatus.SUBMITTED:
            _keep_version(record, actor, params)
        else:
            _record_review(record, actor, params)
        record.revision += 1
        record._history_user = actor  # type: ignore[attr-defined]
        record._change_reason = params.get("history", rule.reason)  # type: ignore[attr-defined]
        record.save(update_fields=["status", "revision"])

    CASE_STUDY_TABLE.move(
        locked, to, actor=actor, seen=case_study.status, params=params, write=write
    )
    return params["version"]


@transaction.atomic
def do_submit_case_study(*, actor: User, case_study: CaseStudy, revision: int) -> CaseStudyVersion:
    return move_case_study(case_study, CaseStudyStatus.SUBMITTED, actor=actor, revision=revision)


@dataclass(frozen=True)
class SectionJudgement:
    verdict: str
    comment: str


@transaction.atomic
def do_review_case_study(
    *,
    actor: User,
    case_study: CaseStudy,
    judgements: dict[str, SectionJudgement],
    decision: str,
    feedback: str,
) -> CaseStudyVersion:
    """Judge every section of the latest version, then return the case study or accept it."""
    to = CaseStudyStatus.ACCEPTED if decision == Decision.ACCEPTED else CaseStudyStatus.RETURNED
    return move_case_study(
        case_study, to, actor=actor, judgements=judgements, decision=decision, feedback=feedback
    )
