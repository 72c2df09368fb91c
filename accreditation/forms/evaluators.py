"""Forms for evaluators: profile, training, and assigning one to an accreditation."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.utils import timezone

from kqm.forms import GovForm
from kqm.models import User

from ..models import EvaluatorProfile, TrainingSession
from .cohorts import DECIMAL_INPUT, GovDateField, MoneyField, half_days


class EvaluatorProfileForm(GovForm, forms.ModelForm):
    day_rate = MoneyField(
        widget=DECIMAL_INPUT,
        initial=EvaluatorProfile._meta.get_field("day_rate").default,
        label="Day rate (£)",
        min_value=Decimal("0"),
        max_value=Decimal("9999.99"),
        max_digits=7,
        decimal_places=2,
        help_text="What a day of this evaluator’s time costs, for example 105.00.",
        error_messages={
            "required": "Enter the day rate",
            "invalid": "The day rate must be an amount in pounds, like 105 or 105.50",
            "min_value": "The day rate cannot be negative",
            "max_value": "The day rate must be £9,999.99 or less",
            "max_digits": "The day rate must be £9,999.99 or less",
            "max_whole_digits": "The day rate must be £9,999.99 or less",
            "max_decimal_places": "The day rate must be in pounds and pence, like 105.50",
        },
    )
    capacity_days = forms.DecimalField(
        widget=DECIMAL_INPUT,
        initial=EvaluatorProfile._meta.get_field("capacity_days").default,
        label="Capacity (days a year)",
        min_value=Decimal("0"),
        max_value=Decimal("365"),
        max_digits=5,
        decimal_places=1,
        help_text="How many days a programme year this evaluator can give, in days or half days.",
        error_messages={
            "required": "Enter the evaluator’s capacity in days a year",
            "invalid": "Capacity must be a number of days, like 40 or 40.5",
            "min_value": "Capacity cannot be negative",
            "max_value": "Capacity must be 365 days or fewer",
            "max_digits": "Capacity must be 365 days or fewer",
            "max_whole_digits": "Capacity must be 365 days or fewer",
            "max_decimal_places": "Capacity must be whole or half days",
        },
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example the areas they cover or the days they are available.",
    )

    class Meta:
        model = EvaluatorProfile
        fields = ["day_rate", "capacity_days", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(
            Field.text("day_rate", field_width=5),
            Field.text("capacity_days", field_width=4),
            Field.textarea("notes"),
        )

    def clean_capacity_days(self) -> Decimal:
        days: Decimal = self.cleaned_data["capacity_days"]
        half_days(days, "Capacity must be whole or half days")
        return days

    def validate_unique(self) -> None:
        # The profile's user is set by the service, not the form.
        pass


class TrainingSessionForm(GovForm, forms.ModelForm):
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="For example “KQM processes, session 1 of 2 (half day)”.",
        error_messages={"required": "Enter the title of the training session"},
    )
    date = GovDateField(
        what="date of the session", label="Date", help_text="For example, 17 6 2026"
    )

    class Meta:
        model = TrainingSession
        fields = ["title", "date"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(Field.text("title"), Field("date"))

    def clean_date(self) -> datetime.date:
        date: datetime.date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(
                "The date of the session must be today or in the past: "
                "record training once it has happened"
            )
        return date


def _days(value: Decimal) -> str:
    return f"{value.normalize():f}"


class AssignEvaluatorForm(GovForm, forms.Form):
    """Choose the evaluator; each choice shows their days already budgeted in that year."""

    evaluator = forms.ChoiceField(
        label="Evaluator",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose an evaluator",
            "invalid_choice": "Choose one of the active evaluators listed",
        },
    )
    allow_over_capacity = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, candidates: Iterable[User], programme_year: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(user.pk): user for user in candidates}
        choices = []
        for value, user in self.candidates.items():
            profile = getattr(user, "evaluator_profile", None)
            budgeted = _days(user.days_budgeted)  # type: ignore[attr-defined]
            if profile is None:
                hint = f"{budgeted} days budgeted in {programme_year}; no capacity recorded yet"
            else:
                hint = (
                    f"{budgeted} of {_days(profile.capacity_days)} days budgeted "
                    f"in {programme_year}"
                )
            choices.append(Choice(value, user.full_name or user.email, hint=hint))
        field = self.fields["evaluator"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        self._init_helper()
        self.helper.layout = Layout(
            Field.radios("evaluator", legend_size=Size.MEDIUM, legend_tag="h2"),
            "allow_over_capacity",
        )

    def clean_evaluator(self) -> User:
        return self.candidates[self.cleaned_data["evaluator"]]
