"""Unit B: the setting's self-evaluation (SEF) and its SMART improvement plan.

The SEF's sections and its judgement scale are data (``accreditation/data/self_evaluation.json``);
each ``SelfEvaluationEntry`` is one section's current judgement and evidence, with every
earlier version kept by its history.

Each ``ImprovementAction`` is SMART: Specific (``description``), Measurable
(``success_measure``), Achievable (``owner`` and ``resources``), Relevant (a link to an
audit subscale, a Leuven finding or a SEF section) and Time-bound (``due_date``). Dated
``ActionReview`` notes record its monitoring, and ``ActionEvidence`` its impact.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

SEF_DATA = Path(__file__).resolve().parents[1] / "data" / "self_evaluation.json"


@dataclass(frozen=True)
class SefSection:
    code: str
    title: str
    prompt: str


@dataclass(frozen=True)
class SefJudgement:
    value: str
    label: str
    colour: str  # a GOV.UK tag colour


def _load_sef() -> tuple[tuple[SefSection, ...], tuple[SefJudgement, ...]]:
    data = json.loads(SEF_DATA.read_text(encoding="utf-8"))
    sections = tuple(SefSection(s["code"], s["title"], s["prompt"]) for s in data["sections"])
    judgements = tuple(
        SefJudgement(j["value"], j["label"], j.get("colour", "grey")) for j in data["judgements"]
    )
    return sections, judgements


SEF_SECTIONS, SEF_JUDGEMENTS = _load_sef()
SEF_SECTION_BY_CODE = {section.code: section for section in SEF_SECTIONS}
SEF_JUDGEMENT_BY_VALUE = {judgement.value: judgement for judgement in SEF_JUDGEMENTS}


def upload_path(instance: ActionEvidence, filename: str) -> str:
    return f"improvement-plans/{instance.action.accreditation_id}/{filename}"


class SelfEvaluationEntry(models.Model):
    """One SEF section of an accreditation: its judgement and the evidence behind it."""

    accreditation = models.ForeignKey(
        "accreditation.Accreditation",
        on_delete=models.CASCADE,
        related_name="self_evaluation_entries",
    )
    section = models.CharField(max_length=40)
    judgement = models.CharField(max_length=40)
    evidence = models.TextField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "self-evaluation entries"
        constraints = [
            models.UniqueConstraint(
                fields=["accreditation", "section"], name="one_entry_per_sef_section"
            )
        ]

    def __str__(self) -> str:
        return f"{self.section_title}: {self.judgement_label}"

    def clean(self) -> None:
        errors = {}
        if self.section not in SEF_SECTION_BY_CODE:
            errors["section"] = "Choose a section of the self-evaluation"
        if self.judgement not in SEF_JUDGEMENT_BY_VALUE:
            errors["judgement"] = "Select a judgement"
        if errors:
            raise ValidationError(errors)

    @property
    def section_title(self) -> str:
        section = SEF_SECTION_BY_CODE.get(self.section)
        return section.title if section else self.section

    @property
    def judgement_label(self) -> str:
        judgement = SEF_JUDGEMENT_BY_VALUE.get(self.judgement)
        return judgement.label if judgement else self.judgement

    @property
    def judgement_colour(self) -> str:
        judgement = SEF_JUDGEMENT_BY_VALUE.get(self.judgement)
        return judgement.colour if judgement else "grey"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


OPEN_ACTION_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)
ACTION_STATUS_COLOURS: dict[str, str] = {
    ActionStatus.NOT_STARTED: "grey",
    ActionStatus.IN_PROGRESS: "blue",
    ActionStatus.DONE: "green",
    ActionStatus.DROPPED: "orange",
}


class Relevance(models.TextChoices):
    """What the action answers: the R of SMART."""

    AUDIT_SUBSCALE = "audit_subscale", "An audit subscale"
    LEUVEN = "leuven", "A Leuven finding"
    SEF_SECTION = "sef_section", "A self-evaluation section"


class ImprovementAction(models.Model):
    accreditation = models.ForeignKey(
        "accreditation.Accreditation",
        on_delete=models.CASCADE,
        related_name="improvement_actions",
    )
    description = models.TextField("what will be done")
    success_measure = models.TextField("how success will be measured")
    owner = models.CharField("who leads it", max_length=150)
    resources = models.TextField("what makes it achievable", blank=True)
    relevance = models.CharField(max_length=20, choices=Relevance.choices)
    audit = models.ForeignKey(
        "audits.Audit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subscale = models.ForeignKey(
        "audits.Subscale", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    screening = models.ForeignKey(
        "audits.Screening", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    leuven_finding = models.TextField(blank=True)
    sef_section = models.CharField("self-evaluation section", max_length=40, blank=True)
    due_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["accreditation", "status", "due_date"])]

    def __str__(self) -> str:
        first_line = self.description.strip().splitlines()[0] if self.description.strip() else ""
        return first_line[:80] or f"Action {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("accreditation:plan-action", args=[self.pk])

    def clean(self) -> None:
        """The link that makes the action relevant must exist and belong to this setting."""
        errors: dict[str, str] = {}
        setting_id = self.accreditation.setting_id if self.accreditation_id else None
        if self.relevance == Relevance.AUDIT_SUBSCALE:
            if self.audit_id is None:
                errors["audit"] = "Select the audit"
            elif self.audit is not None and self.audit.setting_id != setting_id:
                errors["audit"] = "Select an audit of this setting"
            if self.subscale_id is None:
                errors["subscale"] = "Select the subscale"
            elif (
                self.audit is not None
                and self.subscale is not None
                and self.subscale.version_id != self.audit.version_id
            ):
                errors["subscale"] = "Select a subscale of the audit’s instrument"
        elif self.relevance == Relevance.LEUVEN:
            if not self.leuven_finding.strip() and self.screening_id is None:
                errors["leuven_finding"] = "Describe the Leuven finding or select the screening"
            if self.screening is not None and self.screening.group.setting_id != setting_id:
                errors["screening"] = "Select a screening of this setting"
        elif self.relevance == Relevance.SEF_SECTION:
            if self.sef_section not in SEF_SECTION_BY_CODE:
                errors["sef_section"] = "Select the self-evaluation section"
        if errors:
            raise ValidationError(errors)

    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_open() and self.due_date < (today or timezone.localdate())

    @property
    def status_colour(self) -> str:
        return ACTION_STATUS_COLOURS.get(self.status, "grey")

    @property
    def sef_section_title(self) -> str:
        section = SEF_SECTION_BY_CODE.get(self.sef_section)
        return section.title if section else ""


class ActionReview(models.Model):
    """A dated note from monitoring an action: progress, what changed, what next."""

    action = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    note = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"Review of {self.action} on {self.reviewed_on:%d/%m/%Y}"


class EvidenceKind(models.TextChoices):
    FILE = "file", "A file"
    AUDIT = "audit", "An audit"
    SCREENING = "screening", "A Leuven screening"


class ActionEvidence(models.Model):
    """Evidence of an action's impact: an uploaded file, or a link to an audit or screening.

    Files are served only through a permission-checked view.
    """

    action = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=10, choices=EvidenceKind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=upload_path, max_length=300, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    audit = models.ForeignKey(
        "audits.Audit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    screening = models.ForeignKey(
        "audits.Screening", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name_plural = "action evidence"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="file", audit__isnull=True, screening__isnull=True)
                    | models.Q(kind="audit", audit__isnull=False, screening__isnull=True)
                    | models.Q(kind="screening", audit__isnull=True, screening__isnull=False)
                ),
                name="action_evidence_matches_its_kind",
            )
        ]

    def __str__(self) -> str:
        return self.title
