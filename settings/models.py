"""The register of early-years settings, kept by Ofsted URN."""

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords


class Sector(models.TextChoices):
    PVI = "pvi", "Private, voluntary or independent (PVI)"
    MAINTAINED = "maintained", "Maintained"
    CHILDMINDER = "childminder", "Childminder"


class ProviderType(models.TextChoices):
    NURSERY = "nursery", "Day nursery"
    PRE_SCHOOL = "pre_school", "Pre-school"
    CHILDRENS_CENTRE = "childrens_centre", "Children's centre"
    MAINTAINED_NURSERY_CLASS = "maintained_nursery_class", "Maintained nursery class"
    MAINTAINED_NURSERY_SCHOOL = "maintained_nursery_school", "Maintained nursery school"
    CHILDMINDER = "childminder", "Childminder"
    OTHER = "other", "Other childcare on non-domestic premises"


urn_validator = RegexValidator(
    r"^(EY|SC|CA)?\d{6,7}$",
    "Enter an Ofsted URN such as EY123456 or 123456.",
)


class Setting(models.Model):
    """An Ofsted-registered early-years provider."""

    urn = models.CharField("Ofsted URN", max_length=10, unique=True, validators=[urn_validator])
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    provider_type = models.CharField(max_length=40, choices=ProviderType.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["postcode"]), models.Index(fields=["sector"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"

    def save(self, *args, **kwargs):
        self.urn = self.urn.strip().upper()
        self.postcode = self.postcode.strip().upper()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("settings:detail", args=[self.pk])
