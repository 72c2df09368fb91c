"""Writes for applications: submitting one, judging it against the entry criteria, deciding it.

Each is atomic and leaves history. Accepting an application opens the setting's
accreditation in the cohort (see ``do_open_accreditation``) in the same transaction.
The applicant hears about the outcome by email, sent once per decision.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone

from kqm.emails import queue_email
from kqm.models import Role, User
from settings.models import Setting

from ..models import (
    Accreditation,
    Application,
    ApplicationEvidence,
    ApplicationStatus,
    Cohort,
    ConcurrentApplicationAllowance,
    CriterionJudgement,
    EntryCriterion,
)
from ..models.accreditation import OPEN_STATUSES
from ..selectors import NOT_HOLDING_A_PLACE, cohorts_open_for_applications
from ..uploads import MAX_EVIDENCE_FILES, CheckedFile
from .accreditations import do_open_accreditation

# An application's own small pipeline: the decisions open to it from each status.
APPLICATION_MOVES: dict[str, frozenset[str]] = {
    ApplicationStatus.SUBMITTED: frozenset(
        {ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED, ApplicationStatus.WAITLISTED}
    ),
    ApplicationStatus.WAITLISTED: frozenset(
        {ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED}
    ),
    ApplicationStatus.ACCEPTED: frozenset(),
    ApplicationStatus.DECLINED: frozenset(),
}
DECISION_WORDS: dict[str, str] = {
    ApplicationStatus.ACCEPTED: "accepted",
    ApplicationStatus.DECLINED: "declined",
    ApplicationStatus.WAITLISTED: "put on the waiting list",
}


@dataclass(frozen=True)
class EvidenceUpload:
    checked: CheckedFile
    title: str


def application_reference(application: Application) -> str:
    return f"KQM-A{application.pk:05d}"


def _email_context(application: Application) -> dict[str, str]:
    return {
        "setting": application.setting.display_name,
        "urn": application.setting.urn,
        "cohort": str(application.cohort),
        "reference": application_reference(application),
        "link": reverse("accreditation:application-detail", args=[application.pk]),
        "reason": application.decision_reason,
    }


def _store_evidence(
    *, application: Application, uploads: Sequence[EvidenceUpload], uploaded_by: User
) -> list[ApplicationEvidence]:
    """Save each file under a name of ours; if any fails, remove the files already written."""
    written: list[FieldFile] = []
    created: list[ApplicationEvidence] = []
    try:
        for item in uploads:
            evidence = ApplicationEvidence(
                application=application,
                title=item.title.strip(),
                original_name=item.checked.original_name,
                content_type=item.checked.kind.content_type,
                size=item.checked.size,
                uploaded_by=uploaded_by,
            )
            # The person's file name is kept only as data, never as a path.
            evidence.file.save(
                f"{uuid.uuid4().hex}.{item.checked.extension}", item.checked.upload, save=False
            )
            written.append(evidence.file)
            evidence.full_clean()
            evidence._history_user = uploaded_by  # type: ignore[attr-defined]
            evidence.save()
            created.append(evidence)
    except Exception:
        for file in written:
            if file.name:
                file.storage.delete(file.name)
        raise
    return created


@transaction.atomic
def do_submit_application(
    *,
    submitted_by: User,
    setting: Setting,
    cohort: Cohort,
    answers: Mapping[int, str],
    evidence: Sequence[EvidenceUpload] = (),
) -> Application:
    """A setting manager applies for one of their settings to join an open cohort.

    ``answers`` maps each active entry criterion's id to the answer given.
    """
    if (
        submitted_by.role != Role.SETTING_MANAGER
        or not submitted_by.settings.filter(pk=setting.pk).exists()
    ):
        raise ValidationError({"setting": "You can apply only for a setting you manage."})
    if not cohorts_open_for_applications().filter(pk=cohort.pk).exists():
        raise ValidationError(f"The {cohort} is not taking applications.")
    if Application.objects.filter(setting=setting, cohort=cohort).exists():
        raise ValidationError(
            {"setting": f"{setting.display_name} has already applied to the {cohort}."}
        )
    live = live_accreditation_elsewhere(setting, cohort)
    if live is not None:
        raise ValidationError({"setting": one_live_accreditation_message(setting, live)})
    criteria = list(EntryCriterion.objects.filter(active=True))
    missing = [c.title for c in criteria if not answers.get(c.pk, "").strip()]
    if missing:
        raise ValidationError(f"Answer every entry criterion: {_listed(missing)}.")
    if len(evidence) > MAX_EVIDENCE_FILES:
        raise ValidationError(f"Attach at most {MAX_EVIDENCE_FILES} evidence files.")

    application = Application(setting=setting, cohort=cohort, submitted_by=submitted_by)
    application.full_clean(exclude=["setting", "cohort"])
    application._history_user = submitted_by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:  # another submission for the same setting won the race
        raise ValidationError(
            {"setting": f"{setting.display_name} has already applied to the {cohort}."}
        ) from None
    for criterion in criteria:
        answer = application.answers.model(
            application=application, criterion=criterion, answer=answers[criterion.pk].strip()
        )
        answer.full_clean()
        answer._history_user = submitted_by  # type: ignore[attr-defined]
        answer.save()
    _store_evidence(application=application, uploads=evidence, uploaded_by=submitted_by)

    context = _email_context(application)
    queue_email(
        template="application_received",
        user_id=submitted_by.pk,
        context=context,
        key=f"application-received:{application.pk}",
    )
    for manager in User.objects.filter(role=Role.MANAGER, is_active=True):
        queue_email(
            template="application_submitted",
            user_id=manager.pk,
            context=context,
            key=f"application-submitted:{application.pk}:{manager.pk}",
        )
    return application


@transaction.atomic
def do_add_evidence(
    *, added_by: User, application: Application, evidence: Sequence[EvidenceUpload]
) -> list[ApplicationEvidence]:
    """More evidence for an application still waiting for its decision."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not application.is_open:
        raise ValidationError(
            f"This application has been {application.get_status_display().lower()}; "
            "evidence can no longer be added."
        )
    if not added_by.settings.filter(pk=application.setting_id).exists():
        raise ValidationError("Only the setting's own managers can add evidence.")
    held = application.evidence.count()
    if held + len(evidence) > MAX_EVIDENCE_FILES:
        raise ValidationError(
            f"An application can have at most {MAX_EVIDENCE_FILES} evidence files; "
            f"this one already has {held}."
        )
    return _store_evidence(application=application, uploads=evidence, uploaded_by=added_by)


@transaction.atomic
def do_remove_evidence(*, removed_by: User, evidence: ApplicationEvidence) -> None:
    """Take an evidence file off an application still waiting for its decision.

    The history keeps who removed which file and when; the stored file is deleted once
    the removal is committed.
    """
    application = Application.objects.select_for_update().get(pk=evidence.application_id)
    if not application.is_open:
        raise ValidationError(
            f"This application has been {application.get_status_display().lower()}; "
            "its evidence can no longer be changed."
        )
    if not removed_by.settings.filter(pk=application.setting_id).exists():
        raise ValidationError("Only the setting's own managers can remove evidence.")
    storage, name = evidence.file.storage, evidence.file.name
    evidence._history_user = removed_by  # type: ignore[attr-defined]
    evidence.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def do_judge_application(
    *, judged_by: User, application: Application, judgements: Mapping[int, tuple[str, str]]
) -> Application:
    """Record met / not met, with a note, for each answer (``answer id -> (judgement, note)``)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not application.is_open:
        raise ValidationError(
            f"This application has been {application.get_status_display().lower()}; "
            "its judgements can no longer change."
        )
    for answer in application.answers.select_related("criterion"):
        if answer.pk not in judgements:
            continue
        judgement, note = judgements[answer.pk]
        if judgement not in CriterionJudgement.values:
            raise ValidationError(f"Choose met or not met for {answer.criterion.title}.")
        note = note.strip()
        if answer.judgement == judgement and answer.judgement_note == note:
            continue
        answer.judgement = judgement
        answer.judgement_note = note
        answer.full_clean()
        answer._history_user = judged_by  # type: ignore[attr-defined]
        answer.save(update_fields=["judgement", "judgement_note"])
    return application


def live_accreditation_elsewhere(setting: Setting, cohort: Cohort) -> Accreditation | None:
    """The setting's accreditation still in progress in another cohort, unless the KQM
    manager has allowed this cohort anyway (with a reason)."""
    if ConcurrentApplicationAllowance.objects.filter(setting=setting, cohort=cohort).exists():
        return None
    return (
        Accreditation.objects.filter(setting=setting, status__in=OPEN_STATUSES)
        .exclude(cohort=cohort)
        .select_related("cohort")
        .order_by("-cohort__start_date")
        .first()
    )


def one_live_accreditation_message(setting: Setting, live: Accreditation) -> str:
    return (
        f"{setting.display_name} already has an accreditation in progress: the "
        f"{live.cohort} (“{live.get_status_display()}”). A setting works on one "
        "accreditation at a time; the KQM manager can allow an exception, with a reason."
    )


@transaction.atomic
def do_allow_concurrent_application(
    *, setting: Setting, cohort: Cohort, reason: str, allowed_by: User
) -> ConcurrentApplicationAllowance:
    """The KQM manager lets the setting apply to ``cohort`` despite its live accreditation."""
    if allowed_by.role != Role.MANAGER:
        raise ValidationError("Only the KQM manager can allow this.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for allowing a second accreditation"})
    if ConcurrentApplicationAllowance.objects.filter(setting=setting, cohort=cohort).exists():
        raise ValidationError({"cohort": f"{setting.display_name} may already apply to it"})
    allowance = ConcurrentApplicationAllowance(
        setting=setting, cohort=cohort, reason=reason, allowed_by=allowed_by
    )
    allowance._history_user = allowed_by  # type: ignore[attr-defined]
    allowance.save()
    return allowance


def _listed(names: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def acceptance_problems(application: Application) -> list[str]:
    """Why the application cannot be accepted yet, in words; empty when it can."""
    answers = list(application.answers.select_related("criterion"))
    unjudged = [a.criterion.title for a in answers if not a.judgement]
    not_met = [a.criterion.title for a in answers if a.judgement == CriterionJudgement.NOT_MET]
    problems = []
    if unjudged:
        problems.append(
            "Judge every entry criterion before accepting: "
            f"{_listed(unjudged)} {'is' if len(unjudged) == 1 else 'are'} not judged yet."
        )
    if not_met:
        problems.append(
            "An application is accepted only when every entry criterion is met: "
            f"{_listed(not_met)} {'is' if len(not_met) == 1 else 'are'} judged not met."
        )
    return problems


def places_taken(cohort: Cohort) -> int:
    return (
        Accreditation.objects.filter(cohort=cohort).exclude(status__in=NOT_HOLDING_A_PLACE).count()
    )


@transaction.atomic
def do_decide_application(
    *, decided_by: User, application: Application, decision: str, reason: str = ""
) -> Application:
    """Accept (opening the accreditation), decline (with a reason) or waitlist the application."""
    application = (
        Application.objects.select_for_update()
        .select_related("setting", "cohort")
        .get(pk=application.pk)
    )
    reason = reason.strip()
    allowed = APPLICATION_MOVES.get(application.status, frozenset())
    if decision not in allowed:
        if not allowed:
            message = (
                f"This application has already been {application.get_status_display().lower()}; "
                "its decision cannot change."
            )
        else:
            labels = " or ".join(DECISION_WORDS[d] for d in sorted(allowed))
            message = f"This application can only be {labels} now."
        raise ValidationError({"decision": message})
    if decision == ApplicationStatus.DECLINED and not reason:
        raise ValidationError({"reason": "Enter the reason for declining the application."})
    if decision == ApplicationStatus.ACCEPTED:
        problems = acceptance_problems(application)
        live = live_accreditation_elsewhere(application.setting, application.cohort)
        if live is not None:
            problems.append(one_live_accreditation_message(application.setting, live))
        if problems:
            raise ValidationError({"decision": problems})
        cohort = Cohort.objects.select_for_update().get(pk=application.cohort_id)
        if places_taken(cohort) >= cohort.capacity:
            raise ValidationError(
                {
                    "decision": f"The {cohort} is full: all {cohort.capacity} places are "
                    "taken. Put the application on the waiting list, or raise the cohort’s "
                    "capacity first."
                }
            )

    application.status = decision
    application.decided_by = decided_by
    application.decided_at = timezone.now()
    application.decision_reason = reason
    application._history_user = decided_by  # type: ignore[attr-defined]
    application.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    if decision == ApplicationStatus.ACCEPTED:
        do_open_accreditation(
            application=application,
            accepted_by=decided_by,
            reason=reason or "Application accepted: every entry criterion met.",
        )
    queue_email(
        template=f"application_{decision}",
        user_id=application.submitted_by_id,
        context=_email_context(application),
        key=f"application-{decision}:{application.pk}",
    )
    return application
