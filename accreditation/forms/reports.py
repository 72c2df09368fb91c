"""The reports' filter forms (read only: they choose what a report covers)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from kqm.forms import GovForm
from settings.models import Sector

from ..models import Cohort
from ..reports.cohort import current_of
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


class ProgrammeFilterForm(GovForm, forms.Form):
    """Which cohort the programme report's cohort sections cover; the current one by default.

    The cohorts are read once (one query), for the choices and for the current cohort.
    """

    cohort = forms.TypedChoiceField(
        label="Cohort",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Select a cohort from the list"},
        help_text="The sections after the programme's cost are for this cohort.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cohorts = {c.pk: c for c in Cohort.objects.order_by("-programme_year", "name")}
        self.current = current_of(self.cohorts.values(), timezone.localdate())
        field = self.fields["cohort"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(pk, c.name) for pk, c in self.cohorts.items()]
        if self.current is not None:
            field.initial = self.current.pk
        self._init_helper()

    def chosen_cohort(self) -> Cohort | None:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("cohort"):
            return self.cohorts[self.cleaned_data["cohort"]]
        return self.current
