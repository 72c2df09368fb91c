"""How long KQM keeps each kind of personal data: the schedule as data, applied nightly.

Each rule names the data, how long it is kept and from when, what happens then, and the
records due now. The KQM manager sees the schedule with today's counts (a dry run) on the
retention page; ``kqm.tasks.apply_retention`` applies it every night. Children's Leuven data
has its own nightly task (``audits.tasks.apply_child_retention``) and is listed here too.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import User

ANONYMISED_DOMAIN = "removed.invalid"


@dataclass(frozen=True)
class Rule:
    key: str
    kind: str
    kept: str  # how long, from when (with {years})
    then: str  # what happens
    setting: str  # the environment variable holding the years
    default_years: int
    due: Callable[[datetime.datetime], QuerySet]  # records past the cutoff
    apply: Callable[[QuerySet], int] | None  # None: another task applies it

    @property
    def years(self) -> int:
        return int(getattr(settings, self.setting, self.default_years))

    def cutoff(self, now: datetime.datetime) -> datetime.datetime:
        try:
            return now.replace(year=now.year - self.years)
        except ValueError:  # 29 February
            return now.replace(year=now.year - self.years, day=28)

    def due_now(self, now: datetime.datetime | None = None) -> QuerySet:
        return self.due(self.cutoff(now or timezone.now()))

    def description(self) -> str:
        return self.kept.format(years=self.years)


# --- What is due --------------------------------------------------------------------------------


def _staff_accounts(cutoff: datetime.datetime) -> QuerySet:
    return (
        User.objects.filter(is_active=False)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .exclude(email__endswith=f"@{ANONYMISED_DOMAIN}")
    )


def _questionnaire_answers(cutoff: datetime.datetime) -> QuerySet:
    from audits.models import QuestionnaireResponse

    return QuestionnaireResponse.objects.filter(
        Q(round__closed_at__lt=cutoff)
        | Q(round__closed_at__isnull=True, round__closes_on__lt=cutoff.date())
    )


def _messages(cutoff: datetime.datetime) -> QuerySet:
    from accreditation.models import Message

    return Message.objects.filter(created_at__lt=cutoff)


def _access_logs(cutoff: datetime.datetime) -> QuerySet:
    from audits.models import ChildDataAccess

    return ChildDataAccess.objects.filter(accessed_at__lt=cutoff)


def _evidence(cutoff: datetime.datetime) -> QuerySet:
    from accreditation.models import ApplicationEvidence

    return ApplicationEvidence.objects.filter(uploaded_at__lt=cutoff)


def _case_study_evidence(cutoff: datetime.datetime) -> QuerySet:
    from accreditation.models import CaseStudyEvidence

    return CaseStudyEvidence.objects.filter(uploaded_at__lt=cutoff)


def _action_evidence(cutoff: datetime.datetime) -> QuerySet:
    from accreditation.models import ActionEvidence

    return ActionEvidence.objects.filter(added_at__lt=cutoff).exclude(file="")


def _reaccreditation_evidence(cutoff: datetime.datetime) -> QuerySet:
    from accreditation.models import Requirement

    return Requirement.objects.filter(updated_at__lt=cutoff).exclude(evidence_file="")


def _ofsted_import_files(cutoff: datetime.datetime) -> QuerySet:
    from settings.models import ImportStatus, OfstedImport

    # Only finished imports: a preview or a stopped import still needs its file.
    return OfstedImport.objects.filter(status=ImportStatus.IMPORTED, created_at__lt=cutoff).exclude(
        file=""
    )


def _children(cutoff: datetime.datetime) -> QuerySet:
    from audits.models import Child

    return Child.objects.filter(left_on__lt=cutoff.date())


# --- What happens -------------------------------------------------------------------------------


@transaction.atomic
def _anonymise_accounts(users: QuerySet) -> int:
    count = 0
    for user in users.select_for_update():
        name, email = "Former user", f"removed-{user.pk}@{ANONYMISED_DOMAIN}"
        user.full_name, user.email = name, email
        user.set_unusable_password()
        user.save(update_fields=["full_name", "email", "password"])
        # The audit trail keeps who did what, under the anonymous name.
        User.history.filter(id=user.pk).update(full_name=name, email=email)
        count += 1
    return count


@transaction.atomic
def _delete_with_history(records: QuerySet) -> int:
    model = records.model
    ids = list(records.values_list("pk", flat=True))
    if not ids:
        return 0
    history = getattr(model, "history", None)
    model.objects.filter(pk__in=ids).delete()
    if history is not None:
        history.filter(id__in=ids).delete()
    return len(ids)


@transaction.atomic
def _delete_evidence(records: QuerySet) -> int:
    count = 0
    for evidence in records:
        stored, pk = evidence.file, evidence.pk  # delete() forgets the pk
        evidence.delete()
        if stored:
            stored.storage.delete(stored.name)
        type(evidence).history.filter(id=pk).delete()
        count += 1
    return count


# What a requirement's uploaded file leaves behind once it is removed.
_REQUIREMENT_FILE_FIELDS = {
    "evidence_file": "",
    "original_name": "",
    "content_type": "",
    "size": None,
}


@transaction.atomic
def _remove_requirement_files(records: QuerySet) -> int:
    """The re-accreditation keeps its requirement and judgement; only the file goes."""
    count = 0
    for requirement in records.select_for_update():
        stored = requirement.evidence_file
        name = stored.name
        type(requirement).objects.filter(pk=requirement.pk).update(**_REQUIREMENT_FILE_FIELDS)
        type(requirement).history.filter(id=requirement.pk).update(**_REQUIREMENT_FILE_FIELDS)
        if name:
            stored.storage.delete(name)
        count += 1
    return count


_IMPORT_FILES = ("file", "changes_file", "rejected_file", "warnings_file")


@transaction.atomic
def _remove_import_files(records: QuerySet) -> int:
    """The import's counts and summary stay; the uploaded file and its CSV reports go."""
    count = 0
    for record in records.select_for_update():
        stored = [getattr(record, name) for name in _IMPORT_FILES]
        type(record).objects.filter(pk=record.pk).update(**dict.fromkeys(_IMPORT_FILES, ""))
        for file in stored:
            if file:
                file.storage.delete(file.name)
        count += 1
    return count


SCHEDULE: tuple[Rule, ...] = (
    Rule(
        key="staff-accounts",
        kind="Staff accounts (name, email, password)",
        kept="{years} years after the account was deactivated and last used",
        then="Name and email replaced by “Former user”; they can no longer sign in",
        setting="STAFF_ACCOUNT_RETENTION_YEARS",
        default_years=2,
        due=_staff_accounts,
        apply=_anonymise_accounts,
    ),
    Rule(
        key="questionnaire-answers",
        kind="Staff and parent questionnaire answers",
        kept="{years} years after the questionnaire closed",
        then="Answers and comments deleted",
        setting="QUESTIONNAIRE_RETENTION_YEARS",
        default_years=3,
        due=_questionnaire_answers,
        apply=_delete_with_history,
    ),
    Rule(
        key="evidence-files",
        kind="Evidence files of applications",
        kept="{years} years after upload",
        then="File and its record deleted",
        setting="EVIDENCE_RETENTION_YEARS",
        default_years=6,
        due=_evidence,
        apply=_delete_evidence,
    ),
    Rule(
        key="case-study-evidence",
        kind="Evidence files of case studies",
        kept="{years} years after upload",
        then="File and its record deleted",
        setting="EVIDENCE_RETENTION_YEARS",
        default_years=6,
        due=_case_study_evidence,
        apply=_delete_evidence,
    ),
    Rule(
        key="improvement-plan-evidence",
        kind="Evidence files of improvement-plan actions",
        kept="{years} years after upload",
        then="File and its record deleted (evidence that links an audit or a screening stays)",
        setting="EVIDENCE_RETENTION_YEARS",
        default_years=6,
        due=_action_evidence,
        apply=_delete_evidence,
    ),
    Rule(
        key="reaccreditation-evidence",
        kind="Evidence files of re-accreditation requirements",
        kept="{years} years after the requirement was last changed",
        then="File deleted; the requirement and its judgement stay",
        setting="EVIDENCE_RETENTION_YEARS",
        default_years=6,
        due=_reaccreditation_evidence,
        apply=_remove_requirement_files,
    ),
    Rule(
        key="ofsted-import-files",
        kind="Uploaded Ofsted files and their change reports (childminders are named)",
        kept="{years} years after the upload, once imported",
        then="Files deleted; the import's counts stay",
        setting="OFSTED_FILE_RETENTION_YEARS",
        default_years=1,
        due=_ofsted_import_files,
        apply=_remove_import_files,
    ),
    Rule(
        key="messages",
        kind="Messages between settings and evaluators",
        kept="{years} years after they were sent",
        then="Message and its history deleted",
        setting="MESSAGE_RETENTION_YEARS",
        default_years=6,
        due=_messages,
        apply=_delete_with_history,
    ),
    Rule(
        key="access-logs",
        kind="Log of who viewed child-level data",
        kept="{years} years after the view",
        then="Log entry deleted",
        setting="ACCESS_LOG_RETENTION_YEARS",
        default_years=2,
        due=_access_logs,
        apply=_delete_with_history,
    ),
    Rule(
        key="children",
        kind="Children's codes, Leuven scores, action points and learning progress",
        kept="{years} years after the child left the setting",
        then=(
            "Child, scores, action points, progress judgements and their history deleted "
            "(its own nightly task)"
        ),
        setting="CHILD_RETENTION_YEARS",
        default_years=3,
        due=_children,
        apply=None,
    ),
)


def dry_run(now: datetime.datetime | None = None) -> list[tuple[Rule, int]]:
    """Each rule with the number of records it would act on now."""
    return [(rule, rule.due_now(now).count()) for rule in SCHEDULE]


def apply_schedule(now: datetime.datetime | None = None) -> dict[str, int]:
    """Apply every rule this module applies; returns records acted on per rule."""
    done: dict[str, int] = {}
    for rule in SCHEDULE:
        if rule.apply is not None:
            done[rule.key] = rule.apply(rule.due_now(now))
    return done
