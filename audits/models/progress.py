"""Children's learning progress: EYFS checkpoints beside the Leuven screenings.

Three times a year (one checkpoint per group and term, like a screening) each child of
the group, known only by their pseudonymous code, is judged in the seven areas of
learning of the early years foundation stage against typical development for their age
band: below, expected or above. The age bands are Development Matters' (data, loaded by
a migration from ``audits/data/development-matters-bands.json``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .leuven import Child, Group, Term


class Judgement(models.TextChoices):
    BELOW = "below", "Below"
    EXPECTED = "expected", "Expected"
    ABOVE = "above", "Above"


JUDGEMENT_RANK = {Judgement.BELOW: 0, Judgement.EXPECTED: 1, Judgement.ABOVE: 2}


@dataclass(frozen=True)
class Area:
    """An area of learning: the field holding its judgement, its names and whether prime."""

    field: str
    label: str
    short: str
    prime: bool


AREAS: tuple[Area, ...] = (
    Area("cl", "Communication and language", "CL", True),
    Area("psed", "Personal, social and emotional development", "PSED", True),
    Area("pd", "Physical development", "PD", True),
    Area("lit", "Literacy", "L", False),
    Area("maths", "Mathematics", "M", False),
    Area("utw", "Understanding the world", "UW", False),
    Area("ead", "Expressive arts and design", "EAD", False),
)
AREA_FIELDS: tuple[str, ...] = tuple(area.field for area in AREAS)


class DevelopmentBand(models.Model):
    """An age band of Development Matters, the benchmark of "typical for their age"."""

    code = models.SlugField(max_length=30, unique=True)
    edition = models.CharField(max_length=60)
    label = models.CharField(max_length=60)
    short = models.CharField(max_length=10)
    from_months = models.PositiveSmallIntegerField()
    to_months = models.PositiveSmallIntegerField()
    is_current = models.BooleanField(default=True, help_text="Offered when entering judgements.")
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_current", "edition", "order"]

    def __str__(self) -> str:
        return self.label


def _judgement_field(area: Area) -> models.CharField[str, str]:
    return models.CharField(area.label, max_length=10, choices=Judgement.choices, blank=True)


class ProgressCheckpoint(models.Model):
    """One term's progress checkpoint of a group."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="checkpoints")
    term = models.CharField(max_length=10, choices=Term.choices)
    date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    revision = models.PositiveIntegerField(
        default=0, help_text="Increases with every saved change; stale writes are refused."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "date"]
        constraints = [
            models.UniqueConstraint(fields=["group", "term"], name="one_checkpoint_per_term")
        ]

    def __str__(self) -> str:
        return f"{self.group.name}, {self.get_term_display()} {self.date:%Y}"

    def get_absolute_url(self) -> str:
        return reverse("audits:checkpoint-detail", args=[self.pk])


class ProgressRecord(models.Model):
    """One child's judgements at one checkpoint: a blank area is not judged yet."""

    checkpoint = models.ForeignKey(
        ProgressCheckpoint, on_delete=models.CASCADE, related_name="records"
    )
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="progress")
    band = models.ForeignKey(
        DevelopmentBand,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="Development Matters age band",
    )
    cl = _judgement_field(AREAS[0])
    psed = _judgement_field(AREAS[1])
    pd = _judgement_field(AREAS[2])
    lit = _judgement_field(AREAS[3])
    maths = _judgement_field(AREAS[4])
    utw = _judgement_field(AREAS[5])
    ead = _judgement_field(AREAS[6])
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "child"], name="one_record_per_child")
        ]

    def __str__(self) -> str:
        return f"{self.child}: progress at {self.checkpoint_id}"

    def judgements(self) -> dict[str, str]:
        return {field: getattr(self, field) for field in AREA_FIELDS}

    @property
    def is_empty(self) -> bool:
        return self.band_id is None and not any(self.judgements().values())
