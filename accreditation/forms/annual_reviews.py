"""Forms for annual reviews: the setting's answers and the sign-off. Forms validate; services
write."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from kqm.forms import GovForm
from settings.models import Inspection

MAX_TEXT = 5000
NO_INSPECTION = "none"


def _inspection_label(inspection: Inspection) -> str:
    grade = inspection.get_overall_effectiveness_display()
    when = f"{inspection.inspection_date:%-d %B %Y}"
    kind = inspection.get_inspection_type_display()
    return f"{when}: {kind}{f', {grade}' if grade else ''}"


class AnnualReviewForm(GovForm, forms.Form):
    """The short review. Everything may be saved part-written; sending checks it is complete."""

    plan_progress = forms.CharField(
        label="Progress on the improvement plan",
        help_text="What the actions of your plan have achieved this year, and what is next.",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    manager_changed = forms.TypedChoiceField(
        label="Has the setting had a new manager since the award or the last review?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the setting has a new manager"},
    )
    staff_changes = forms.CharField(
        label="Changes of manager or staff",
        help_text="Who joined or left, and how the change was handed over.",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    latest_inspection = forms.ChoiceField(
        label="Latest Ofsted inspection",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select one of the setting's inspections"},
    )
    ofsted_comment = forms.CharField(
        label="What the latest inspection said (optional)",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    leuven_summary = forms.CharField(
        label="Well-being and involvement summary",
        help_text="What your Leuven screenings show this year, and what you are doing about it.",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, inspections: Sequence[Inspection], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inspections = {str(inspection.pk): inspection for inspection in inspections}
        field = self.fields["latest_inspection"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            *[(key, _inspection_label(inspection)) for key, inspection in self.inspections.items()],
            (NO_INSPECTION, "None of these (no inspection recorded yet)"),
        ]
        field.error_messages["required"] = "Select the latest Ofsted inspection"
        self._init_helper()
        self.helper.layout = Layout(
            Field.textarea("plan_progress"),
            Field.radios("manager_changed", legend_size=Size.SMALL, inline=True),
            Field.textarea("staff_changes"),
            Field.radios("latest_inspection", legend_size=Size.SMALL),
            Field.textarea("ofsted_comment"),
            Field.textarea("leuven_summary"),
        )

    def clean_latest_inspection(self) -> Inspection | None:
        value = self.cleaned_data["latest_inspection"]
        return self.inspections.get(value)


class DecideAnnualReviewForm(GovForm, forms.Form):
    SIGN_OFF = "sign_off"
    MORE = "more"

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            (SIGN_OFF, "Sign the review off"),
            (MORE, "Ask the setting for more information"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to sign the review off or ask for more"},
    )
    feedback = forms.CharField(
        label="Feedback for the setting",
        help_text="Needed when you ask for more: say what to add. Optional when signing off.",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(
            Field.radios("decision", legend_size=Size.MEDIUM, legend_tag="h2"),
            Field.textarea("feedback"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == self.MORE and not data.get("feedback", "").strip():
            self.add_error("feedback", "Enter what the setting needs to add")
        return data
