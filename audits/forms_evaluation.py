"""The form the KQM manager fills in to open an end-of-cohort evaluation. Services write."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.db.models import QuerySet

from accreditation.forms.cohorts import GovDateField
from accreditation.models import Cohort
from kqm.forms import GovForm

from .services.questionnaires import check_closing_date


class EvaluationRoundForm(GovForm, forms.Form):
    cohort = forms.ModelChoiceField(
        label="Which cohort?",
        queryset=Cohort.objects.none(),
        help_text="Its setting managers and evaluators will each get a link by email.",
        empty_label="Choose a cohort",
        error_messages={"required": "Select the cohort", "invalid_choice": "Select the cohort"},
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="Shown at the top of the questionnaire, for example "
        "“2026 cohort: end-of-year evaluation”.",
        error_messages={
            "required": "Enter a title",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    closes_on = GovDateField(
        what="closing date",
        label="Closing date",
        help_text="The last day answers are accepted, for example 27 3 2026. "
        "The results appear after this date.",
    )

    def __init__(self, *args: Any, cohorts: QuerySet[Cohort], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts  # type: ignore[attr-defined]
        self._init_helper()
        self.helper.layout = Layout(Field.select("cohort"), Field.text("title"), Field("closes_on"))

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean_closes_on(self) -> datetime.date:
        closes_on: datetime.date = self.cleaned_data["closes_on"]
        try:
            check_closing_date(closes_on)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["closes_on"]) from None
        return closes_on
