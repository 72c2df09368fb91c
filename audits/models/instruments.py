"""Rating instruments as data: instrument -> version -> subscales -> items, with a scale.

One engine serves ECERS/ITERS, ECERS-E, SSTEW, the KQM leadership audit tool, the PPEL
parent partnership audit and Likert questionnaires. Only item numbers and short titles
are stored: the full indicator text is the publishers' copyright.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords


class InstrumentKind(models.TextChoices):
    RATING_SCALE = "rating_scale", "Environment rating scale"
    LEADERSHIP = "leadership", "Leadership audit"
    PARTNERSHIP = "partnership", "Parent partnership audit"
    QUESTIONNAIRE = "questionnaire", "Questionnaire"


class Instrument(models.Model):
    code = models.SlugField(max_length=40, unique=True, help_text="For example ecers-3.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=InstrumentKind.choices)
    publisher = models.CharField(max_length=200, blank=True)
    licence_note = models.TextField(
        blank=True, help_text="Copyright and licence: why only item numbers and titles are held."
    )
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InstrumentVersion(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="versions")
    label = models.CharField(max_length=50, help_text="For example “2015” or “Revised edition”.")
    is_current = models.BooleanField(
        default=True, help_text="New audits use the current version; old audits keep theirs."
    )
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The version this one was copied from.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument__name", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "label"], name="unique_version_label"),
            models.UniqueConstraint(
                fields=["instrument"],
                condition=models.Q(is_current=True),
                name="one_current_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.name} ({self.label})"

    def get_absolute_url(self) -> str:
        return reverse("audits:instrument-version", args=[self.pk])


class ScaleValue(models.Model):
    """One point of a version's scale, e.g. ECERS 1 Inadequate ... 7 Excellent."""

    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="scale")
    value = models.SmallIntegerField()
    label = models.CharField(max_length=100, blank=True, help_text="Blank between anchors.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["value"]
        constraints = [
            models.UniqueConstraint(fields=["version", "value"], name="unique_scale_value")
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.label}".strip()


class Subscale(models.Model):
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.CASCADE, related_name="subscales"
    )
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="unique_subscale_number")
        ]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="items")
    subscale = models.ForeignKey(Subscale, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField()
    short_title = models.CharField(max_length=200)
    na_allowed = models.BooleanField("N/A allowed", default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="unique_item_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.short_title}"
