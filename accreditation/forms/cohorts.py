"""Forms for cohorts and their network meetings. Forms validate; services write."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.layout import Field, Layout
from django import forms

from kqm.forms import GovForm
from kqm.parsing import is_digits
from settings.models import Setting

from ..models import Attendance, Cohort, NetworkMeeting

PARTS = ("day", "month", "year")

# GOV.UK asks for text inputs with a numeric keyboard rather than type="number".
DECIMAL_INPUT = forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"})
WHOLE_NUMBER_INPUT = forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})


class MoneyField(forms.DecimalField):
    """An amount in pounds as people type it: "14.40", "£14.40", "1,234.50", "£ 1,234"."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().replace("£", "", 1).replace(",", "").strip()
        return super().to_python(value)


class GovDateField(DateInputField):
    """The GOV.UK date input (day, month, year) with messages that name the date and the part.

    ``what`` is the date's name in a sentence, for example “start date”.
    """

    def __init__(self, *, what: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.what = what

    def _fail(self, message: str, part: int, code: str = "invalid") -> forms.ValidationError:
        # The error summary links to the part in error (crispy-forms-gds reads widget.errors).
        self.fields[part].widget.errors = [message]
        return forms.ValidationError(message, code=code)

    def clean(self, value: Any) -> datetime.date | None:
        for subfield in self.fields:
            subfield.widget.errors = []
        values = list(value) if isinstance(value, list | tuple) else []
        parts = [str(v or "").strip() for v in [*values, None, None, None][:3]]
        if not any(parts):
            if self.required:
                raise self._fail(f"Enter the {self.what}", 0, "required")
            return None
        missing = [i for i, part in enumerate(parts) if not part]
        if missing:
            names = " and ".join(PARTS[i] for i in missing)
            raise self._fail(f"The {self.what} must include a {names}", missing[0], "incomplete")
        for i, part in enumerate(parts):
            if not is_digits(part, max_length=4):
                raise self._fail(f"The {self.what} must be a real date", i)
        if len(parts[2]) != 4:
            raise self._fail("The year must include 4 numbers", 2)
        day, month, year = (int(p) for p in parts)
        try:
            result = datetime.date(year, month, day)
        except ValueError:
            raise self._fail(f"The {self.what} must be a real date", 0) from None
        self.validate(result)
        self.run_validators(result)
        return result


def half_days(value: Decimal | None, message: str) -> None:
    if value is not None and (value * 2) % 1:
        raise forms.ValidationError(message)


class CohortForm(GovForm, forms.ModelForm):
    """Create or change a cohort; the model checks the dates' order and the name's uniqueness."""

    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="For example “2026 cohort”.",
        error_messages={"required": "Enter the cohort’s name"},
    )
    programme_year = forms.IntegerField(
        widget=WHOLE_NUMBER_INPUT,
        label="Programme year",
        min_value=2000,
        max_value=2100,
        help_text="The year the programme starts, for example 2026.",
        error_messages={
            "required": "Enter the programme year",
            "invalid": "The programme year must be a year, like 2026",
            "min_value": "The programme year must be between 2000 and 2100",
            "max_value": "The programme year must be between 2000 and 2100",
        },
    )
    start_date = GovDateField(
        what="start date", label="Start date", help_text="For example, 1 9 2026"
    )
    end_date = GovDateField(what="end date", label="End date", help_text="For example, 31 7 2027")
    capacity = forms.IntegerField(
        widget=WHOLE_NUMBER_INPUT,
        label="Capacity",
        min_value=1,
        max_value=10000,
        help_text="How many settings the cohort can take.",
        error_messages={
            "required": "Enter how many settings the cohort can take",
            "invalid": "Capacity must be a whole number, like 40",
            "min_value": "Capacity must be at least 1 setting",
            "max_value": "Capacity must be 10,000 settings or fewer",
        },
    )
    days_per_setting = forms.DecimalField(
        widget=DECIMAL_INPUT,
        initial=Cohort._meta.get_field("days_per_setting").default,
        label="Evaluator days per setting",
        min_value=Decimal("0"),
        max_value=Decimal("365"),
        max_digits=5,
        decimal_places=1,
        help_text="The evaluator-time budget given to each setting when it is accepted, "
        "in days or half days. Changing it does not change settings already accepted.",
        error_messages={
            "required": "Enter the evaluator days per setting",
            "invalid": "Evaluator days per setting must be a number, like 8 or 8.5",
            "min_value": "Evaluator days per setting cannot be negative",
            "max_value": "Evaluator days per setting must be 365 or fewer",
            "max_digits": "Evaluator days per setting must be 365 or fewer",
            "max_decimal_places": "Evaluator days per setting must be whole or half days",
            "max_whole_digits": "Evaluator days per setting must be 365 or fewer",
        },
    )

    class Meta:
        model = Cohort
        fields = [
            "name",
            "programme_year",
            "start_date",
            "end_date",
            "capacity",
            "days_per_setting",
        ]

    def __init__(self, *args: Any, places_used: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places_used = places_used
        self._init_helper()
        self.helper.layout = Layout(
            Field.text("name", field_width=20),
            Field.text("programme_year", field_width=4),
            Field("start_date"),
            Field("end_date"),
            Field.text("capacity", field_width=4),
            Field.text("days_per_setting", field_width=4),
        )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        same = Cohort.objects.filter(name__iexact=name)
        if self.instance.pk:
            same = same.exclude(pk=self.instance.pk)
        if same.exists():
            raise forms.ValidationError("A cohort with this name already exists")
        return name

    def clean_capacity(self) -> int:
        capacity: int = self.cleaned_data["capacity"]
        if capacity < self.places_used:
            raise forms.ValidationError(
                f"Capacity cannot be less than the {self.places_used} places already taken"
            )
        return capacity

    def clean_days_per_setting(self) -> Decimal:
        days: Decimal = self.cleaned_data["days_per_setting"]
        half_days(days, "Evaluator days per setting must be whole or half days")
        return days

    def validate_unique(self) -> None:
        # clean_name checks the name case-insensitively, with a clearer message.
        pass


class ApplicationsOpenForm(forms.Form):
    """The open/close switch on the cohort page."""

    applications_open = forms.TypedChoiceField(
        choices=[("yes", "Open"), ("no", "Closed")], coerce=lambda v: v == "yes"
    )


class NetworkMeetingForm(GovForm, forms.ModelForm):
    date = GovDateField(
        what="date of the meeting", label="Date", help_text="For example, 14 10 2026"
    )
    topic = forms.CharField(
        label="Topic",
        max_length=200,
        help_text="For example “Leuven screening: sharing action points”.",
        error_messages={"required": "Enter the meeting’s topic"},
    )
    venue = forms.CharField(label="Venue (optional)", max_length=200, required=False)
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )

    class Meta:
        model = NetworkMeeting
        fields = ["date", "topic", "venue", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(
            Field("date"), Field.text("topic"), Field.text("venue"), Field.textarea("notes")
        )


ATTENDANCE_FIELD_TEMPLATE = "accreditation/cohorts/_attendance_field.html"


def attendance_field_name(setting: Setting) -> str:
    return f"setting_{setting.pk}"


class AttendanceForm(GovForm, forms.Form):
    """One question per setting in the cohort: did it attend the network meeting?"""

    def __init__(
        self,
        *args: Any,
        settings: Iterable[Setting],
        current: dict[int, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.settings_by_field: dict[str, Setting] = {}
        for setting in settings:
            name = attendance_field_name(setting)
            self.settings_by_field[name] = setting
            self.fields[name] = forms.ChoiceField(
                label=f"{setting.display_name} ({setting.urn})",
                choices=Attendance.choices,
                widget=forms.RadioSelect,
                initial=current.get(setting.pk),
                error_messages={
                    "required": f"Choose whether {setting.display_name} attended",
                    "invalid_choice": "Choose attended, sent apologies or did not attend",
                },
            )
        self._init_helper()
        self.helper.layout = Layout(
            *(Field(name, template=ATTENDANCE_FIELD_TEMPLATE) for name in self.fields)
        )

    def statuses(self) -> dict[int, str]:
        """Setting id -> attendance, from the cleaned form."""
        return {
            setting.pk: self.cleaned_data[name] for name, setting in self.settings_by_field.items()
        }
