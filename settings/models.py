"""The register of early-years settings, kept by Ofsted URN, with their inspections."""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .ofsted import FRAMEWORKS, Framework, FrameworkSpec, Grade


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
    HOME_CHILDCARER = "home_childcarer", "Home childcarer"
    NON_DOMESTIC = "non_domestic", "Childcare on non-domestic premises"
    DOMESTIC = "domestic", "Childcare on domestic premises"
    OTHER = "other", "Other"


urn_validator = RegexValidator(
    r"^(EY|SC|CA)?\d{6,7}$",
    "Enter an Ofsted URN such as EY123456 or 2512345.",
)


class Setting(models.Model):
    """An Ofsted-registered early-years provider."""

    urn = models.CharField("Ofsted URN", max_length=10, unique=True, validators=[urn_validator])
    name = models.CharField(
        max_length=200, blank=True, help_text="Blank when Ofsted withholds it (childminders)."
    )
    address = models.TextField(blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    provider_type = models.CharField(max_length=40, choices=ProviderType.choices)
    provider_subtype = models.CharField(max_length=100, blank=True)
    provider_status = models.CharField(max_length=50, blank=True)
    local_authority = models.CharField(max_length=100, blank=True)
    district = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    registration_date = models.DateField(null=True, blank=True)
    register_combination = models.CharField(
        "registers", max_length=100, blank=True, help_text="Ofsted's register combination."
    )
    places = models.PositiveIntegerField(null=True, blank=True)
    registered_person_name = models.CharField(max_length=200, blank=True)
    registered_person_urn = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "urn"]
        indexes = [
            models.Index(fields=["postcode"]),
            models.Index(fields=["sector", "provider_type"]),
            models.Index(fields=["local_authority"]),
            models.Index(fields=["district"]),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.urn})"

    @property
    def display_name(self) -> str:
        return self.name or f"{self.get_provider_type_display()} (name withheld)"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.urn = self.urn.strip().upper()
        self.postcode = self.postcode.strip().upper()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("settings:detail", args=[self.pk])


class Register(models.TextChoices):
    EYR = "eyr", "Early Years Register"
    CR = "cr", "Childcare Register"
    # Early Years Register inspections with no children on roll: met or not met.
    NCOR = "ncor", "Early Years Register, no children on roll"
    # Out-of-school care registered on the Early Years Register.
    OOSC = "oosc", "Early Years Register, out-of-school care"


# Registers whose inspections record only whether requirements were met.
MET_ONLY_REGISTERS = frozenset({Register.CR, Register.NCOR})


class InspectionType(models.TextChoices):
    FULL = "full", "Full inspection"
    MONITORING = "monitoring", "Monitoring visit"
    OTHER = "other", "Other"


class Source(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    IMPORT = "import", "Ofsted data import"


class Inspection(models.Model):
    """One Ofsted inspection of a setting, stored on its own framework's terms."""

    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="inspections")
    framework = models.CharField(max_length=20, choices=Framework.choices)
    register = models.CharField(max_length=4, choices=Register.choices, default=Register.EYR)
    inspection_number = models.CharField(
        max_length=20, blank=True, help_text="Ofsted's number for the inspection, when known."
    )
    inspection_type = models.CharField(
        max_length=20, choices=InspectionType.choices, default=InspectionType.FULL
    )
    inspection_date = models.DateField()
    overall_effectiveness = models.CharField(
        max_length=30,
        choices=Grade.choices,
        blank=True,
        help_text="Blank under the renewed framework.",
    )
    safeguarding = models.CharField(
        max_length=10,
        choices=[(Grade.MET, "Met"), (Grade.NOT_MET, "Not met")],
        blank=True,
    )
    judgements = models.JSONField(
        default=dict, blank=True, help_text="Area judgements: area key -> grade."
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-inspection_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["setting", "register", "inspection_date"], name="one_inspection_per_day"
            )
        ]
        indexes = [models.Index(fields=["setting", "-inspection_date"])]

    def __str__(self) -> str:
        return f"{self.get_framework_display()} inspection on {self.inspection_date:%d/%m/%Y}"

    @property
    def spec(self) -> FrameworkSpec:
        return FRAMEWORKS[self.framework]

    def clean(self) -> None:
        errors = framework_errors(
            self.framework,
            overall=self.overall_effectiveness,
            safeguarding=self.safeguarding,
            judgements=self.judgements or {},
            register=self.register,
        )
        if errors:
            raise ValidationError(errors)

    def judgement_rows(self) -> list[tuple[str, str]]:
        """(area label, grade label) in the framework's order."""
        spec = FRAMEWORKS.get(self.framework)
        if spec is None:
            return []
        return [
            (label, Grade(self.judgements[key]).label)
            for key, label in spec.areas
            if self.judgements.get(key) in Grade.values
        ]


def framework_errors(
    framework: str,
    *,
    overall: str,
    safeguarding: str,
    judgements: dict[str, str],
    register: str = Register.EYR,
) -> dict[str, str]:
    """Which judgements belong to which framework, as field -> message."""
    spec = FRAMEWORKS.get(framework)
    if spec is None:
        return {"framework": "Choose an inspection framework."}
    errors: dict[str, str] = {}
    if register in MET_ONLY_REGISTERS:
        # Childcare Register and no-children-on-roll inspections record only whether
        # requirements were met.
        if overall not in ("", Grade.MET, Grade.NOT_MET):
            errors["overall_effectiveness"] = (
                f"{Register(register).label} inspections are met or not met."
            )
        return errors
    if spec.has_overall:
        if overall and overall not in spec.overall_scale:
            errors["overall_effectiveness"] = (
                f"{Grade(overall).label if overall in Grade.values else overall} is not a grade "
                f"of the {Framework(framework).label}."
            )
    elif overall:
        errors["overall_effectiveness"] = (
            "The renewed framework gives no overall effectiveness grade: leave it blank."
        )
    if spec.safeguarding:
        if safeguarding not in (Grade.MET, Grade.NOT_MET):
            errors["safeguarding"] = "Say whether safeguarding was met or not met."
    elif spec.safeguarding_optional:
        if safeguarding not in ("", Grade.MET, Grade.NOT_MET):
            errors["safeguarding"] = "Safeguarding is effective (met) or not (not met)."
    elif safeguarding:
        errors["safeguarding"] = (
            "Only the 2019 and renewed frameworks record safeguarding separately."
        )
    area_keys = dict(spec.areas)
    for key, grade in judgements.items():
        if key not in area_keys:
            errors[f"judgement_{key}"] = f"{key} is not an area of this framework."
        elif grade not in spec.area_scale:
            errors[f"judgement_{key}"] = f"Choose a grade of this framework for {area_keys[key]}."
    return errors


# --- Ofsted data import ------------------------------------------------------------------


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    PREVIEWING = "previewing", "Checking the file"
    PREVIEWED = "previewed", "Ready to import"
    IMPORTING = "importing", "Importing"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed"


# Which status may follow which. Previewing may restart (a task that runs twice).
IMPORT_MOVES: dict[str, frozenset[str]] = {
    ImportStatus.UPLOADED: frozenset({ImportStatus.PREVIEWING, ImportStatus.FAILED}),
    ImportStatus.PREVIEWING: frozenset(
        {ImportStatus.PREVIEWING, ImportStatus.PREVIEWED, ImportStatus.FAILED}
    ),
    ImportStatus.PREVIEWED: frozenset({ImportStatus.IMPORTING}),
    ImportStatus.IMPORTING: frozenset({ImportStatus.IMPORTED, ImportStatus.FAILED}),
    ImportStatus.IMPORTED: frozenset(),
    # A confirmed import that stopped part-way is applied again: it resumes where it stopped.
    ImportStatus.FAILED: frozenset({ImportStatus.IMPORTING}),
}


class IllegalImportMove(Exception):
    """The import is not in a status from which this step may be taken."""


class OfstedImport(models.Model):
    """One upload of Ofsted's childcare providers file: checked first, applied on confirmation."""

    # Under MEDIA_ROOT/imports, never served at a public URL; stored under a name of our own.
    file = models.FileField(upload_to="imports/", max_length=200)
    original_name = models.CharField("file name", max_length=255)
    # How the file is read: a text encoding for CSV, or "xlsx" / "ods" for a spreadsheet.
    encoding = models.CharField(max_length=20, default="utf-8-sig")
    uploaded_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    # What the preview found; after the import, what was written.
    to_create = models.PositiveIntegerField("settings to add", default=0)
    to_update = models.PositiveIntegerField("settings to change", default=0)
    unchanged = models.PositiveIntegerField("settings unchanged", default=0)
    rejected = models.PositiveIntegerField("rows rejected", default=0)
    inspections_to_create = models.PositiveIntegerField("inspections to add", default=0)
    inspections_to_update = models.PositiveIntegerField("inspections to change", default=0)
    rejected_rows = models.JSONField(
        default=list,
        blank=True,
        help_text="The first rejected rows: line, URN and reasons (the total is in rejected).",
    )
    out_of_scope = models.PositiveIntegerField("rows outside the local authorities", default=0)
    warnings_count = models.PositiveIntegerField("warnings", default=0)
    as_at = models.DateField("data as at", null=True, blank=True)
    column_map = models.JSONField(
        default=list, blank=True, help_text="Each column of the file and what it maps to."
    )
    changes = models.JSONField(
        default=list, blank=True, help_text="The first settings to change, field by field."
    )
    warnings = models.JSONField(default=list, blank=True, help_text="The first warnings.")
    # Every change, rejected row and warning, as CSV files for download.
    changes_file = models.FileField(upload_to="imports/", max_length=200, blank=True)
    rejected_file = models.FileField(upload_to="imports/", max_length=200, blank=True)
    warnings_file = models.FileField(upload_to="imports/", max_length=200, blank=True)
    # Every row as the preview parsed it, for the set-based apply (``importer_sql``).
    staged_file = models.FileField(upload_to="imports/", max_length=200, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_processed = models.PositiveIntegerField(default=0)
    # Rows of the file already written to the register: an interrupted import resumes here.
    applied_through = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True)
    previewed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # The rejected rows and the running progress are working data, not an audit trail.
    history = HistoricalRecords(
        excluded_fields=[
            "rejected_rows",
            "rows_processed",
            "column_map",
            "changes",
            "warnings",
            "applied_through",
            "changes_file",
            "rejected_file",
            "warnings_file",
            "staged_file",
        ]
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "Ofsted data import"

    def __str__(self) -> str:
        return f"Ofsted data import {self.pk} ({self.original_name})"

    def get_absolute_url(self) -> str:
        return reverse("settings:import-detail", args=[self.pk])

    @property
    def in_progress(self) -> bool:
        return self.status in (
            ImportStatus.UPLOADED,
            ImportStatus.PREVIEWING,
            ImportStatus.IMPORTING,
        )

    @property
    def is_schools_file(self) -> bool:
        """Ofsted's state-funded schools file: it grades maintained settings only."""
        return any(meaning.startswith("School inspection") for _name, meaning in self.column_map)

    @property
    def rejected_rows_not_shown(self) -> int:
        return max(self.rejected - len(self.rejected_rows), 0)

    def transition(
        self, to: str, *, by: Any = None, reason: str = "", **fields: Any
    ) -> OfstedImport:
        """Move to ``to`` if allowed, saving ``fields`` with it; history records who and why."""
        with transaction.atomic():
            locked = OfstedImport.objects.select_for_update().only("status").get(pk=self.pk)
            if to not in IMPORT_MOVES[locked.status]:
                raise IllegalImportMove(
                    f"An import that is “{ImportStatus(locked.status).label}” cannot become "
                    f"“{ImportStatus(to).label}”."
                )
            self.status = to
            for name, value in fields.items():
                setattr(self, name, value)
            self._history_user = by
            self._change_reason = reason
            self.save(update_fields=["status", *fields])
        return self
