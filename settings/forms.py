"""Forms for the register: a setting's details, and an inspection in two steps.

Forms validate and clean; the services in ``settings/services.py`` write.
"""

from __future__ import annotations

import datetime
import re
from typing import Any, cast

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from kqm.forms import GovForm
from kqm.parsing import is_digits

from .models import (
    MET_ONLY_REGISTERS,
    InspectionType,
    ProviderType,
    Register,
    Sector,
    Setting,
    framework_errors,
)
from .ofsted import FRAMEWORKS, Framework, Grade, grade_label
from .selectors import inspection_on_day_exists

MET_QUESTIONS: dict[str, str] = {
    Register.CR: "Were the Childcare Register requirements met?",
    Register.NCOR: "Were the requirements met (no children on roll)?",
}

# Ofsted took over the registration and inspection of childcare in September 2001.
FIRST_OFSTED_DAY = datetime.date(2001, 9, 1)

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
URN = re.compile(r"^(EY|SC|CA)?\d{6,7}$")


def normalise_postcode(value: str) -> str:
    """``"ct11aa "`` -> ``"CT1 1AA"``; raises ValidationError when it is not a UK postcode."""
    squashed = "".join(value.split()).upper()
    if not squashed:
        return ""
    match = POSTCODE.match(squashed)
    if match is None:
        raise ValidationError("Enter a real postcode, like CT1 1AA.", code="invalid")
    return f"{match.group(1)} {match.group(2)}"


def normalise_urn(value: str) -> str:
    return "".join(value.split()).upper()


class DayMonthYearField(DateInputField):
    """The GOV.UK date input (day, month, year) with messages that say what to fix."""

    def __init__(self, *, subject: str, **kwargs: Any) -> None:
        self.subject = subject
        kwargs.setdefault("require_all_fields", False)
        super().__init__(**kwargs)
        self.error_messages["required"] = f"Enter the {subject}"
        self.error_messages["incomplete"] = f"The {subject} must include a day, month and year"
        for part, name in zip(self.fields, ("day", "month", "year"), strict=True):
            part.error_messages["incomplete"] = f"The {subject} must include a {name}"
            part.error_messages["required"] = f"The {subject} must include a {name}"
            part.validators = []

    def compress(self, data_list: list[str]) -> datetime.date | None:
        day, month, year = (str(v or "").strip() for v in data_list)
        if not (day or month or year):
            return None
        if (
            not (
                is_digits(day, max_length=2)
                and is_digits(month, max_length=2)
                and is_digits(year, max_length=4)
            )
            or len(year) != 4
        ):
            raise ValidationError(
                f"The {self.subject} must be a real date, like 27 3 2024", code="invalid"
            )
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(
                f"The {self.subject} must be a real date, like 27 3 2024", code="invalid"
            ) from None


# --- A setting's details -----------------------------------------------------------------


class SettingForm(GovForm, forms.ModelForm):
    registration_date = DayMonthYearField(
        subject="registration date",
        label="Registration date",
        required=False,
        help_text="When Ofsted registered the setting, for example 27 3 2015.",
    )

    class Meta:
        model = Setting
        fields = [
            "urn",
            "name",
            "sector",
            "provider_type",
            "provider_subtype",
            "provider_status",
            "address",
            "town",
            "postcode",
            "local_authority",
            "district",
            "region",
            "registration_date",
            "register_combination",
            "places",
            "registered_person_name",
            "registered_person_urn",
        ]
        labels = {
            "urn": "Ofsted URN",
            "name": "Name",
            "sector": "Sector",
            "provider_type": "Provider type",
            "provider_subtype": "Provider subtype (optional)",
            "provider_status": "Provider status (optional)",
            "address": "Address (optional)",
            "town": "Town (optional)",
            "postcode": "Postcode (optional)",
            "local_authority": "Local authority (optional)",
            "district": "District (optional)",
            "region": "Region (optional)",
            "register_combination": "Ofsted registers (optional)",
            "places": "Places (optional)",
            "registered_person_name": "Registered person (optional)",
            "registered_person_urn": "Registered person URN (optional)",
        }
        help_texts = {
            "urn": "The unique reference number Ofsted gives the setting, like EY412345.",
            "name": "Leave blank only for a childminder whose name Ofsted withholds.",
            "provider_subtype": "As Ofsted records it, for example “Childcare on non-domestic "
            "premises”.",
            "provider_status": "As Ofsted records it, for example “Active”.",
            "register_combination": "For example “EYR, VCR” (Early Years Register and the "
            "voluntary Childcare Register).",
            "places": "The number of places Ofsted registered.",
        }
        widgets = {
            "sector": forms.RadioSelect,
            "address": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "urn": {"unique": "A setting with this URN is already on the register."},
            "sector": {"required": "Choose the setting’s sector"},
            "provider_type": {"required": "Choose the provider type"},
            "places": {
                "invalid": "Places must be a whole number, like 40",
                "min_value": "Places must be 0 or more",
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider_type = cast(forms.ChoiceField, self.fields["provider_type"])
        provider_type.choices = [("", "Choose a provider type"), *ProviderType.choices]
        cast(forms.ChoiceField, self.fields["sector"]).choices = Sector.choices
        self._init_helper()
        self.helper.layout = Layout(
            Field.text("urn", field_width=10),
            Field.text("name"),
            Field.radios("sector", legend_size=Size.SMALL),
            Field.select("provider_type"),
            Field.text("provider_subtype"),
            Field.text("provider_status", field_width=20),
            Field.textarea("address", rows=3),
            Field.text("town", field_width=20),
            Field.text("postcode", field_width=10),
            Field.text("local_authority", field_width=20),
            Field.text("district", field_width=20),
            Field.text("region", field_width=20),
            Field("registration_date"),
            Field.text("register_combination", field_width=20),
            Field.text("places", field_width=5),
            Field.text("registered_person_name"),
            Field.text("registered_person_urn", field_width=10),
        )

    def clean_urn(self) -> str:
        urn = normalise_urn(self.cleaned_data["urn"])
        if not URN.match(urn):
            raise ValidationError("Enter an Ofsted URN such as EY412345 or 2512345.")
        return urn

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"]
        # A value kept from Ofsted's data (for example REDACTED) may stay as it was.
        if self.instance.pk and value.strip().upper() == self.instance.postcode:
            return self.instance.postcode
        return normalise_postcode(value)

    def clean_registration_date(self) -> datetime.date | None:
        day: datetime.date | None = self.cleaned_data["registration_date"]
        if day and day > timezone.localdate():
            raise ValidationError("The registration date must be today or in the past")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        withheld = data.get("provider_type") in (
            ProviderType.CHILDMINDER,
            ProviderType.HOME_CHILDCARER,
        )
        if not data.get("name", "").strip() and not withheld and "name" not in self.errors:
            self.add_error("name", "Enter the setting’s name")
        return data


# --- An inspection, step 1: which inspection ---------------------------------------------


class InspectionBasicsForm(GovForm, forms.Form):
    framework = forms.ChoiceField(
        label="Which inspection framework was it inspected under?",
        choices=Framework.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the inspection framework"},
    )
    register = forms.ChoiceField(
        label="Which register was inspected?",
        choices=Register.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the register"},
    )
    inspection_type = forms.ChoiceField(
        label="Type of inspection",
        choices=InspectionType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of inspection"},
    )
    inspection_date = DayMonthYearField(
        subject="inspection date",
        label="Inspection date",
        help_text="The last day of the inspection, for example 27 3 2024.",
    )

    def __init__(
        self, *args: Any, setting: Setting, inspection_pk: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.setting = setting
        self.inspection_pk = inspection_pk
        self._init_helper()
        self.helper.layout = Layout(
            Field.radios("framework", legend_size=Size.SMALL),
            Field.radios("register", legend_size=Size.SMALL, inline=True),
            Field.radios("inspection_type", legend_size=Size.SMALL),
            Field("inspection_date", context={"legend_size": Size.for_legend(Size.SMALL)}),
        )

    def clean_inspection_date(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["inspection_date"]
        if day > timezone.localdate():
            raise ValidationError("The inspection date must be today or in the past")
        if day < FIRST_OFSTED_DAY:
            raise ValidationError("The inspection date must be on or after 1 September 2001")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, register = data.get("inspection_date"), data.get("register")
        if (
            day
            and register
            and inspection_on_day_exists(
                setting=self.setting, register=register, day=day, exclude_pk=self.inspection_pk
            )
        ):
            self.add_error(
                "inspection_date",
                f"{self.setting.display_name} already has an {Register(register).label} "
                f"inspection on {day:%-d %B %Y}. Change that inspection instead.",
            )
        return data

    def draft(self) -> dict[str, str]:
        """The answers, as strings the session can hold until step 2."""
        return {
            "framework": self.cleaned_data["framework"],
            "register": self.cleaned_data["register"],
            "inspection_type": self.cleaned_data["inspection_type"],
            "inspection_date": self.cleaned_data["inspection_date"].isoformat(),
        }


# --- An inspection, step 2: its judgements -----------------------------------------------


GRADE_CHOICES = [("", "Not recorded"), *Grade.choices]
MET_CHOICES = [(Grade.MET.value, Grade.MET.label), (Grade.NOT_MET.value, Grade.NOT_MET.label)]


class InspectionJudgementsForm(GovForm, forms.Form):
    """The judgements one framework records, each on that framework's own scale.

    The fields accept any grade so that a grade from the wrong framework is
    refused by ``framework_errors`` with a message that says why; the selects
    offer only the framework's scale.
    """

    def __init__(self, *args: Any, framework: str, register: str, full: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.register = register
        self.spec = FRAMEWORKS[framework]
        self.area_fields: dict[str, str] = {}  # field name -> area key
        layout: list[Any] = []
        posted = self.data if self.is_bound else {}

        if register in MET_ONLY_REGISTERS:
            self._grade_field(
                "overall_effectiveness",
                MET_QUESTIONS[register],
                MET_CHOICES,
                required=full,
                required_message="Say whether the requirements were met",
            )
            layout.append(Field.select("overall_effectiveness"))
        else:
            if self.spec.has_overall or posted.get("overall_effectiveness"):
                self._grade_field(
                    "overall_effectiveness",
                    "Overall effectiveness",
                    self._scale(self.spec.overall_scale),
                    required=full and self.spec.has_overall,
                    required_message="Choose the overall effectiveness grade",
                )
                layout.append(Field.select("overall_effectiveness"))
            if (
                self.spec.safeguarding
                or self.spec.safeguarding_optional
                or posted.get("safeguarding")
            ):
                self.fields["safeguarding"] = forms.ChoiceField(
                    label="Safeguarding",
                    choices=[*MET_CHOICES, *self._extra_choice("safeguarding", MET_CHOICES)],
                    widget=forms.RadioSelect,
                    required=self.spec.safeguarding,
                    error_messages={
                        "required": "Say whether safeguarding was met or not met",
                        "invalid_choice": "Say whether safeguarding was met or not met",
                    },
                )
                layout.append(Field.radios("safeguarding", legend_size=Size.SMALL, inline=True))
            area_layout = []
            for key, label in self.spec.areas:
                name = f"judgement_{key}"
                self.area_fields[name] = key
                self._grade_field(name, label, self._scale(self.spec.area_scale), required=False)
                area_layout.append(Field.select(name))
            layout.append(Fieldset(*area_layout, legend="Judgements by area", legend_size="s"))
        self._init_helper()
        self.helper.layout = Layout(*layout)

    @staticmethod
    def _scale(values: tuple[str, ...]) -> list[tuple[str, str]]:
        return [(v, grade_label(v)) for v in values]

    def _extra_choice(self, name: str, offered: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """A posted value the select does not offer, so the page shows what was sent."""
        value = self.data.get(name, "") if self.is_bound else ""
        if value and value in Grade.values and value not in dict(offered):
            return [(value, grade_label(value))]
        return []

    def _grade_field(
        self,
        name: str,
        label: str,
        offered: list[tuple[str, str]],
        *,
        required: bool,
        required_message: str = "",
    ) -> None:
        field = forms.ChoiceField(
            label=label,
            choices=GRADE_CHOICES,
            required=required,
            error_messages={
                "required": required_message or f"Choose a grade for {label}",
                "invalid_choice": f"Choose a grade of this framework for {label}",
            },
        )
        field.widget.choices = [
            ("", "Choose a grade" if required else "Not recorded"),
            *offered,
            *self._extra_choice(name, offered),
        ]
        self.fields[name] = field

    def judgements(self) -> dict[str, str]:
        return {
            key: self.cleaned_data[name]
            for name, key in self.area_fields.items()
            if self.cleaned_data.get(name)
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors = framework_errors(
            self.framework,
            overall=data.get("overall_effectiveness", ""),
            safeguarding=data.get("safeguarding", ""),
            judgements=self.judgements(),
            register=self.register,
        )
        for name, message in errors.items():
            if name not in self.fields:
                self.add_error(None, message)
            elif name not in self.errors:  # one message per field is enough
                self.add_error(name, message)
        return data
