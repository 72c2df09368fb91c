"""Forms for learning progress checkpoints. Forms validate and clean; services write."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from accreditation.forms.cohorts import GovDateField
from kqm.forms import GovForm

from .leuven_csv import RowError
from .leuven_forms import PastedOrUploaded
from .models import AREAS, Child, DevelopmentBand, Group, Judgement, Term
from .progress_csv import BAND, parse_progress
from .selectors.leuven import programme_year_bounds

JUDGEMENT_CHOICES: list[tuple[str, str, str]] = [
    ("", "Not judged", "–"),
    (Judgement.BELOW, "Below", "B"),
    (Judgement.EXPECTED, "Expected", "E"),
    (Judgement.ABOVE, "Above", "A"),
]


class CheckpointForm(GovForm, forms.Form):
    term = forms.ChoiceField(
        label="Term",
        choices=Term.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the term"},
    )
    date = GovDateField(
        what="date of the checkpoint",
        label="Date of the checkpoint",
        help_text="For example, 4 12 2026",
    )

    def __init__(self, *args: Any, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group = group
        self._init_helper()
        self.helper.layout = Layout(
            Field.radios("term", legend_size=Size.SMALL, inline=True), Field("date")
        )

    def clean_date(self) -> datetime.date:
        date: datetime.date = self.cleaned_data["date"]
        year = self.group.programme_year
        start, end = programme_year_bounds(year)
        if not start <= date <= end:
            raise forms.ValidationError(
                f"The date of the checkpoint must be in {year} to {year + 1}, between "
                f"{start:%-d %B %Y} and {end:%-d %B %Y}"
            )
        return date


class ProgressTableForm(forms.Form):
    """The whole checkpoint as one form: an age band and seven judgements per child.

    Rendered by hand as a table (``templates/audits/progress/entry.html``).
    """

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self,
        *args: Any,
        children: Iterable[Child],
        bands: Iterable[DevelopmentBand],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.children = list(children)
        band_choices = [("", "Not recorded"), *((b.code, b.label) for b in bands)]
        judgement_choices = [(value, label) for value, label, _ in JUDGEMENT_CHOICES]
        for child in self.children:
            self.fields[f"{BAND}-{child.pk}"] = forms.ChoiceField(
                label=f"Age band for {child.code}",
                choices=band_choices,
                required=False,
                error_messages={"invalid_choice": "Choose one of the age bands, or not recorded"},
            )
            for area in AREAS:
                self.fields[f"{area.field}-{child.pk}"] = forms.ChoiceField(
                    label=f"{area.label} for {child.code}",
                    choices=judgement_choices,
                    required=False,
                    error_messages={
                        "invalid_choice": "Choose below, expected or above, or not judged"
                    },
                )

    def rows(self) -> dict[int, dict[str, str]]:
        names = [BAND, *(area.field for area in AREAS)]
        return {
            child.pk: {name: self.cleaned_data.get(f"{name}-{child.pk}") or "" for name in names}
            for child in self.children
        }


class ProgressUploadForm(PastedOrUploaded):
    """A tracking system's export, pasted or uploaded; any error means nothing is saved."""

    text_field = "judgements"
    what = "judgements"

    judgements = forms.CharField(
        label="Paste the judgements",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text="Copy the columns from a spreadsheet with their header row.",
    )
    file = forms.FileField(
        label="Or upload a CSV file",
        required=False,
        help_text="A checkpoint’s CSV export can be uploaded as it is.",
    )

    def __init__(
        self,
        *args: Any,
        known_codes: Iterable[str],
        group_name: str,
        bands: Iterable[DevelopmentBand],
        **kwargs: Any,
    ) -> None:
        self.known_codes = set(known_codes)
        self.group_name = group_name
        self.bands = list(bands)
        super().__init__(*args, **kwargs)

    def parse(self, text: str) -> tuple[object, list[RowError]]:
        parsed = parse_progress(text, self.known_codes, self.group_name, self.bands)
        return parsed.rows, parsed.errors
