"""The reports' filter forms (read only: they choose what a report covers)."""

from __future__ import annotations

from typing import Any

from django import forms

from kqm.forms import GovForm
from settings.models import Sector

from ..reports.outcomes import Period
from .cohorts import GovDateField


class OutcomesFilterForm(GovForm, forms.Form):
    sector = forms.ChoiceField(
        label="Sector",
        choices=[("", "All sectors"), *Sector.choices],
        required=False,
    )
    start = GovDateField(
        what="start of the period",
        label="Inspected from",
        help_text="For example 1 9 2009. Leave blank for no start.",
        required=False,
    )
    end = GovDateField(
        what="end of the period",
        label="Inspected to",
        help_text="For example 31 8 2010. Leave blank for no end.",
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end of the period must be on or after its start")
        return data

    def period(self) -> Period:
        data = self.cleaned_data if self.is_valid() else {}
        return Period(data.get("start"), data.get("end"))

    def chosen_sector(self) -> str:
        return self.cleaned_data.get("sector", "") if self.is_valid() else ""
