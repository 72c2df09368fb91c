"""Unit A: two action-research case studies per accreditation, their evidence and review.

A case study is written in sections that follow an action-research cycle. Each
submission freezes the sections into a :class:`CaseStudyVersion`, which the
evaluator reviews section by section; a returned case study is edited and
submitted again as the next version, so every version is kept and can be compared.
Section text is rich text, sanitised before it is stored (see ``services.case_studies``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

CASE_STUDIES_PER_ACCREDITATION = 2


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    prompt: str


# The action-research cycle, in order. Each key is also a field of CaseStudy.
SECTIONS: tuple[Section, ...] = (
    Section(
        "context",
        "Context and focus",
        "Describe your setting and the child or group the study is about, and why you chose "
        "them: what did your ECERS/ITERS audit or Leuven screening show?",
    ),
    Section(
        "baseline",
        "Baseline well-being and involvement",
        "What were the focus child's or group's well-being and involvement at the start, and "
        "what did you observe that explains those scores?",
    ),
    Section(
        "change",
        "What was changed",
        "What did the team change in the environment, routines or interactions, who was "
        "involved, and when?",
    ),
    Section(
        "observations",
        "Observations over time",
        "What did you observe as the change took effect? Give dates and what the children "
        "did and said.",
    ),
    Section(
        "outcome",
        "Outcome",
        "What difference did the change make? Compare the follow-up well-being and "
        "involvement with the baseline.",
    ),
    Section(
        "reflection",
        "Reflection and next steps",
        "What have you and the team learned, and what will you do next?",
    ),
)
SECTION_KEYS = tuple(section.key for section in SECTIONS)
SECTION_BY_KEY = {section.key: section for section in SECTIONS}


class CaseStudyStatus(models.TextChoices):
    DRAFT = "draft", "In progress"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for more work"
    ACCEPTED = "accepted", "Accepted"


EDITABLE_STATUSES = frozenset({CaseStudyStatus.DRAFT, CaseStudyStatus.RETURNED})


class CaseStudy(models.Model):
    accreditation = models.ForeignKey(
        "accreditation.Accreditation", on_delete=models.CASCADE, related_name="case_studies"
    )
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(CASE_STUDIES_PER_ACCREDITATION)]
    )
    title = models.CharField(max_length=200, blank=True)
    focus_child = models.ForeignKey(
        "audits.Child", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    baseline_score = models.ForeignKey(
        "audits.LeuvenScore",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="baseline Leuven score",
    )
    follow_up_score = models.ForeignKey(
        "audits.LeuvenScore",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="follow-up Leuven score",
    )
    context = models.TextField("context and focus", blank=True)
    baseline = models.TextField("baseline well-being and involvement", blank=True)
    change = models.TextField("what was changed", blank=True)
    observations = models.TextField("observations over time", blank=True)
    outcome = models.TextField(blank=True)
    reflection = models.TextField("reflection and next steps", blank=True)
    status = models.CharField(
        max_length=20, choices=CaseStudyStatus.choices, default=CaseStudyStatus.DRAFT
    )
    revision = models.PositiveIntegerField(
        default=0, help_text="Increases with every saved change; stale writes are refused."
    )
    saved_at = models.DateTimeField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    draft_problems = models.JSONField(
        default=dict,
        blank=True,
        help_text="Fields the last autosave could not store: name -> what was typed or "
        "chosen and why it was refused, shown beside the field when the draft is reopened.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["accreditation", "number"]
        verbose_name_plural = "case studies"
        constraints = [
            models.UniqueConstraint(
                fields=["accreditation", "number"], name="one_case_study_per_number"
            )
        ]

    def __str__(self) -> str:
        return f"Case study {self.number}" + (f": {self.title}" if self.title else "")

    def get_absolute_url(self) -> str:
        return reverse("accreditation:case-study-detail", args=[self.accreditation_id, self.number])

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def section_texts(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in SECTION_KEYS}


def case_study_evidence_path(instance: CaseStudyEvidence, filename: str) -> str:
    return f"evidence/case-studies/{instance.case_study_id}/{filename}"


class CaseStudyEvidence(models.Model):
    """An evidence file of a case study; served only through a permission-checked view."""

    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=200)
    effective_date = models.DateField(help_text="When the evidence was produced or observed.")
    file = models.FileField(upload_to=case_study_evidence_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["effective_date", "uploaded_at", "pk"]
        verbose_name_plural = "case study evidence"

    def __str__(self) -> str:
        return self.title


class Decision(models.TextChoices):
    RETURNED = "returned", "Returned for more work"
    ACCEPTED = "accepted", "Accepted"


class CaseStudyVersion(models.Model):
    """What was submitted, frozen: title, focus, sections and the evidence listed then."""

    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    content = models.JSONField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    feedback = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["case_study", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case_study", "number"], name="unique_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.case_study}, version {self.number}"

    def get_absolute_url(self) -> str:
        return reverse(
            "accreditation:case-study-version",
            args=[self.case_study.accreditation_id, self.case_study.number, self.number],
        )


class Verdict(models.TextChoices):
    MEETS = "meets", "Meets the standard"
    NEEDS_MORE_WORK = "needs_more_work", "Needs more work"


class SectionReview(models.Model):
    version = models.ForeignKey(CaseStudyVersion, on_delete=models.CASCADE, related_name="reviews")
    section = models.CharField(max_length=20, choices=[(s.key, s.title) for s in SECTIONS])
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    comment = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "section"], name="one_review_per_section")
        ]

    def __str__(self) -> str:
        return f"{self.get_section_display()}: {self.get_verdict_display()}"
