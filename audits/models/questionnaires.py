"""Staff and parent questionnaires answered anonymously through single-use links.

A ``Questionnaire`` is one version of a definition shipped as data
(``audits/questionnaires/*.json``): statements rated on a Likert scale and an optional
comment. A setting manager opens a ``QuestionnaireRound`` for their setting and hands
out single-use links.

Anonymity is built into the tables, not left to the pages:

* ``QuestionnaireLink`` keeps only the SHA-256 of each token, and its status. It has
  no history and no timestamps, so nothing records *when* a link was used.
* ``QuestionnaireResponse`` has no foreign key to the link, no person and no time: the
  link is marked used in the same transaction that stores the answers, and nothing
  joins the two afterwards.
* Results are computed per statement and shown only when the round has closed with at
  least ``MIN_RESPONSES_SHOWN`` responses (see ``audits.selectors.questionnaires``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

# Figures from fewer people than this could identify someone, so they are never shown.
MIN_RESPONSES_SHOWN = 5
MAX_LINKS_PER_ISSUE = 100
MAX_LINKS_PER_ROUND = 300
MAX_COMMENT_LENGTH = 2000


class RespondentGroup(models.TextChoices):
    """Who an end-of-cohort evaluation link was sent to: the results can be split by it
    once each group has enough answers to stay anonymous."""

    SETTING = "setting", "Settings (setting managers)"
    EVALUATOR = "evaluator", "Evaluators"


class QuestionnaireKind(models.TextChoices):
    STAFF = "staff", "Staff questionnaire"
    PARENT = "parent", "Parent questionnaire"
    EVALUATION = "evaluation", "End-of-cohort evaluation"


class Questionnaire(models.Model):
    """One version of a questionnaire definition; rounds keep the version they started with."""

    code = models.SlugField(max_length=40, help_text="For example kqm-staff.")
    kind = models.CharField(max_length=10, choices=QuestionnaireKind.choices)
    title = models.CharField(max_length=200)
    version = models.CharField(max_length=50)
    introduction = models.TextField(blank=True, help_text="Shown to people answering.")
    comment_prompt = models.CharField(max_length=200)
    not_applicable_label = models.CharField(max_length=100, default="Does not apply to me")
    is_current = models.BooleanField(default=True, help_text="New rounds use the current version.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "code", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], name="unique_questionnaire_version"
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(is_current=True),
                name="one_current_questionnaire_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"


class QuestionnaireScalePoint(models.Model):
    """One point of the Likert scale, e.g. 1 Strongly disagree ... 5 Strongly agree."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="scale")
    value = models.SmallIntegerField()
    label = models.CharField(max_length=100)

    history = HistoricalRecords()

    class Meta:
        ordering = ["value"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "value"], name="unique_questionnaire_scale_value"
            )
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.label}"


class QuestionnaireStatement(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="statements"
    )
    number = models.PositiveSmallIntegerField()
    theme = models.CharField(max_length=100)
    text = models.CharField(max_length=300)
    na_allowed = models.BooleanField(
        "“does not apply” allowed", default=False, help_text="Offer “Does not apply to me”."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="unique_questionnaire_statement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"


class QuestionnaireRound(models.Model):
    """One setting asking its staff (or parents) to answer, until a closing date.

    An end-of-cohort evaluation round belongs to a cohort instead of a setting: the
    KQM manager sends its links to the cohort's setting managers and evaluators.
    """

    setting = models.ForeignKey(
        "settings.Setting",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="questionnaire_rounds",
    )
    cohort = models.ForeignKey(
        "accreditation.Cohort",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evaluation_rounds",
    )
    accreditation = models.ForeignKey(
        "accreditation.Accreditation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questionnaire_rounds",
        help_text="The accreditation year the round was started for, chosen on the page "
        "that started it; empty for a round outside any accreditation year.",
    )
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="rounds"
    )
    title = models.CharField(max_length=200)
    closes_on = models.DateField(help_text="The last day answers are accepted.")
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the setting manager closed it early."
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["setting", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(setting__isnull=True, cohort__isnull=False)
                | models.Q(setting__isnull=False, cohort__isnull=True),
                name="round_for_a_setting_or_a_cohort",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("audits:questionnaire-detail", args=[self.pk])

    @property
    def kind(self) -> str:
        return self.questionnaire.kind

    def is_open(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.closed_at is None and today <= self.closes_on

    def closed_on(self) -> datetime.date:
        """The day the round closed (or will close)."""
        if self.closed_at is not None:
            return timezone.localdate(self.closed_at)
        return self.closes_on


class LinkStatus(models.TextChoices):
    UNUSED = "unused", "Not used yet"
    USED = "used", "Used"
    WITHDRAWN = "withdrawn", "Withdrawn"


class QuestionnaireLink(models.Model):
    """A single-use answer link. Only the token's SHA-256 is kept.

    Deliberately without history or timestamps: a record of when a link was used could
    be matched with the answers stored at the same moment.
    """

    round = models.ForeignKey(QuestionnaireRound, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=LinkStatus.choices, default=LinkStatus.UNUSED)
    group = models.CharField(
        "respondent group", max_length=10, choices=RespondentGroup.choices, blank=True
    )

    class Meta:
        indexes = [models.Index(fields=["round", "status"])]

    def __str__(self) -> str:
        return f"Link for {self.round}: {self.get_status_display()}"


class QuestionnaireResponse(models.Model):
    """One person's answers: no link, no person, no time (see the module docstring)."""

    round = models.ForeignKey(
        QuestionnaireRound, on_delete=models.CASCADE, related_name="responses"
    )
    comment = models.TextField(blank=True)
    group = models.CharField(
        "respondent group", max_length=10, choices=RespondentGroup.choices, blank=True
    )

    def __str__(self) -> str:
        return f"A response to {self.round}"


class QuestionnaireAnswer(models.Model):
    response = models.ForeignKey(
        QuestionnaireResponse, on_delete=models.CASCADE, related_name="answers"
    )
    statement = models.ForeignKey(
        QuestionnaireStatement, on_delete=models.PROTECT, related_name="answers"
    )
    value = models.SmallIntegerField(null=True, blank=True, help_text="Blank: does not apply.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "statement"], name="one_answer_per_statement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.statement.number}: {self.value if self.value is not None else 'N/A'}"
