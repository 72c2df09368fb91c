"""The evaluator's time entry form."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.utils import timezone

from kqm.forms import GovForm

from .cohorts import DECIMAL_INPUT, GovDateField, MoneyField

DAY_CHOICES = [
    Choice("0.5", "Half a day", hint="For example a half-day mentoring visit."),
    Choice("1.0", "A full day", hint="For example an audit visit with its write-up."),
]


class TimeEntryForm(GovForm, forms.Form):
    date = GovDateField(what="date", label="Date", help_text="For example, 14 10 2026")
    days = forms.TypedChoiceField(
        label="Time spent",
        choices=DAY_CHOICES,
        coerce=Decimal,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a half day or a full day",
            "invalid_choice": "Choose a half day or a full day",
        },
    )
    expenses = MoneyField(
        widget=DECIMAL_INPUT,
        label="Expenses (£)",
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("9999.99"),
        max_digits=7,
        decimal_places=2,
        help_text="Travel and other costs, for example 12.60. Leave empty if none.",
        error_messages={
            "invalid": "Expenses must be an amount in pounds, like 12 or 12.60",
            "min_value": "Expenses cannot be negative",
            "max_value": "Expenses must be £9,999.99 or less",
            "max_digits": "Expenses must be £9,999.99 or less",
            "max_whole_digits": "Expenses must be £9,999.99 or less",
            "max_decimal_places": "Expenses must be in pounds and pence, like 12.60",
        },
    )
    description = forms.CharField(
        label="What the time was for",
        max_length=200,
        help_text="For example “Mentoring visit 2 and notes of visit”.",
        error_messages={
            "required": "Enter what the time was for",
            "max_length": "The description must be 200 characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(
            Field("date"),
            Field.radios("days", legend_size=Size.SMALL),
            Field.text("expenses", field_width=5),
            Field.text("description"),
        )

    def clean_date(self) -> datetime.date:
        date: datetime.date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("The date must be today or in the past")
        return date

    def clean_expenses(self) -> Decimal:
        value = self.cleaned_data.get("expenses")
        return value if value is not None else Decimal("0")
