"""The award: the quality mark itself, and the certificate that proves it.

An award is granted to one accreditation (one first award each; a re-accreditation
grants a new award for the same accreditation, linked to the earlier one). It is valid
from its award date until its expiry date, ``AWARD_VALIDITY_YEARS`` later; it
is *expired* from the expiry date on (derived from the date, never stored), and
*revoked* when the KQM manager withdraws it (stored with who, when and why).

Anyone holding the certificate can check it on the public verification page
with its verification code: ten characters from Crockford's base-32 alphabet
(no I, L, O or U, so nothing is misread), drawn with :mod:`secrets` so codes
cannot be guessed, and printed in groups as ``7KQ3-M9XP-2T``.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
CODE_LENGTH = 10
CODE_GROUPS = (4, 4, 2)
# What people mistype for the characters the alphabet leaves out.
CODE_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
NUMBER_PREFIX = "KQM"


class AwardStatus(models.TextChoices):
    VALID = "valid", "Valid"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


STATUS_COLOURS = {
    AwardStatus.VALID: "green",
    AwardStatus.EXPIRED: "grey",
    AwardStatus.REVOKED: "red",
}


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_verification_code(code: str) -> str:
    """``7KQ3M9XP2T`` -> ``7KQ3-M9XP-2T``."""
    parts, start = [], 0
    for size in CODE_GROUPS:
        parts.append(code[start : start + size])
        start += size
    return "-".join(part for part in parts if part)


def normalise_verification_code(text: str) -> str | None:
    """The stored form of a code as someone typed it, or None if it cannot be one.

    Case, spaces and hyphens do not matter, and O, I and L are read as 0, 1 and 1.
    """
    code = "".join(ch for ch in text.upper() if ch.isalnum()).translate(CODE_LOOKALIKES)
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` later; 29 February becomes 28 February in other years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def format_award_number(year: int, sequence: int) -> str:
    return f"{NUMBER_PREFIX}-{year}-{sequence:04d}"


class AwardQuerySet(models.QuerySet["Award"]):
    def valid(self, today: datetime.date | None = None) -> AwardQuerySet:
        today = today or timezone.localdate()
        return self.filter(revoked_at__isnull=True, expiry_date__gt=today)

    def expired(self, today: datetime.date | None = None) -> AwardQuerySet:
        today = today or timezone.localdate()
        return self.filter(revoked_at__isnull=True, expiry_date__lte=today)

    def revoked(self) -> AwardQuerySet:
        return self.filter(revoked_at__isnull=False)

    def with_status(self, status: str, today: datetime.date | None = None) -> AwardQuerySet:
        """Filter on a status value; anything else leaves the queryset as it is."""
        if status == AwardStatus.VALID:
            return self.valid(today)
        if status == AwardStatus.EXPIRED:
            return self.expired(today)
        if status == AwardStatus.REVOKED:
            return self.revoked()
        return self


class Award(models.Model):
    setting = models.ForeignKey("settings.Setting", on_delete=models.PROTECT, related_name="awards")
    # A foreign key with a unique constraint (not a one-to-one field), so that the
    # rule "one award per accreditation" lives in one constraint that can change.
    accreditation = models.ForeignKey(
        "accreditation.Accreditation", on_delete=models.PROTECT, related_name="awards"
    )
    previous_award = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="later_awards",
        help_text="The setting's award before this one (re-accreditation).",
    )
    number = models.CharField("award number", max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(
        help_text="The award date's year; numbers run per year."
    )
    sequence = models.PositiveIntegerField()
    award_date = models.DateField()
    expiry_date = models.DateField()
    verification_code = models.CharField(max_length=CODE_LENGTH, unique=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revocation_reason = models.TextField(blank=True)
    # Under MEDIA_ROOT/certificates/, which is never served: downloads go through a view.
    certificate = models.FileField(upload_to="certificates/", max_length=200, blank=True)
    certificate_rendered_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["-award_date", "-sequence"]
        constraints = [
            # One first award per accreditation; each renewal follows one earlier award.
            models.UniqueConstraint(
                fields=["accreditation"],
                condition=models.Q(previous_award__isnull=True),
                name="one_first_award_per_accreditation",
            ),
            models.UniqueConstraint(
                fields=["previous_award"],
                condition=models.Q(previous_award__isnull=False),
                name="one_renewal_per_award",
            ),
            models.UniqueConstraint(fields=["year", "sequence"], name="award_number_per_year"),
            models.CheckConstraint(
                condition=models.Q(expiry_date__gt=models.F("award_date")),
                name="award_expires_after_award_date",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revocation_reason=""),
                name="revoked_award_has_a_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["setting", "-award_date"]),
            models.Index(fields=["expiry_date"]),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("accreditation:award-detail", args=[self.pk])

    def clean(self) -> None:
        if (
            self.accreditation_id is not None
            and self.setting_id is not None
            and self.accreditation.setting_id != self.setting_id
        ):
            raise ValidationError({"setting": "An award goes to its accreditation's setting."})

    def status_on(self, day: datetime.date) -> AwardStatus:
        if self.revoked_at is not None:
            return AwardStatus.REVOKED
        if day >= self.expiry_date:
            return AwardStatus.EXPIRED
        return AwardStatus.VALID

    @property
    def status(self) -> AwardStatus:
        return self.status_on(timezone.localdate())

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[self.status]

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def verification_code_display(self) -> str:
        return format_verification_code(self.verification_code)

    def verification_path(self) -> str:
        return reverse("verify-award", args=[self.verification_code_display])

    def verification_url(self) -> str:
        return f"{settings.SITE_URL}{self.verification_path()}"

    @property
    def has_certificate(self) -> bool:
        return bool(self.certificate.name)

    def certificate_filename(self) -> str:
        """The name a download is saved under: ``KQM-2026-0042-certificate.pdf``."""
        return f"{self.number}-certificate.pdf"

    @classmethod
    def next_sequence(cls, year: int) -> int:
        last = cls.objects.filter(year=year).aggregate(last=models.Max("sequence"))["last"]
        return (last or 0) + 1

    @classmethod
    def latest_for_setting(cls, setting_id: int) -> Award | None:
        return cls.objects.filter(setting_id=setting_id).order_by("-award_date", "-pk").first()
