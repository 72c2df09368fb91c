"""The KQM manager's reminder rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from kqm.forms import GovForm

from ..models import ReminderSettings


class ReminderSettingsForm(GovForm, forms.ModelForm):
    class Meta:
        model = ReminderSettings
        fields = [
            "review_weeks_before",
            "review_overdue_weeks",
            "alert_month",
            "visit_month",
            "summer_term_end_month",
            "summer_term_end_day",
            "requirements_weeks_before",
            "expiry_weeks_before",
            "catch_up_days",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.error_messages["required"] = f"Enter the {str(field.label).lower()}"
            field.error_messages["invalid"] = "Enter a whole number"
            if isinstance(field, forms.IntegerField):
                self._range(name, field)
        self._init_helper()

    @staticmethod
    def _range(name: str, field: forms.IntegerField) -> None:
        """One plain message for a number out of range: "Enter a number from 1 to 12"."""
        model_field = ReminderSettings._meta.get_field(name)
        assert isinstance(model_field, models.Field)
        low = next(
            v.limit_value for v in model_field.validators if isinstance(v, MinValueValidator)
        )
        high = next(
            v.limit_value for v in model_field.validators if isinstance(v, MaxValueValidator)
        )
        message = f"Enter a number from {low} to {high}"
        field.validators = [
            v for v in field.validators if not isinstance(v, MinValueValidator | MaxValueValidator)
        ] + [MinValueValidator(low, message), MaxValueValidator(high, message)]
        field.widget.attrs.pop("min", None)
        field.widget.attrs.pop("max", None)
