"""The KQM manager's exception to "one live accreditation per setting"."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.db.models import QuerySet

from kqm.forms import GovForm

from ..models import Cohort


class AllowApplicationForm(GovForm, forms.Form):
    cohort = forms.ModelChoiceField(
        label="Which cohort may it apply to?",
        queryset=Cohort.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose the cohort",
            "invalid_choice": "Choose one of the cohorts listed",
        },
    )
    reason = forms.CharField(
        label="Why may it run two accreditations at once?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Kept in the record's history.",
        error_messages={
            "required": "Enter the reason for allowing a second accreditation",
            "max_length": "The reason must be 2000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, cohorts: QuerySet[Cohort], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts  # type: ignore[attr-defined]
        self._init_helper()
        self.helper.layout = Layout(Field.radios("cohort"), Field.textarea("reason"))
