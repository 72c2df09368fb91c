"""Forms for re-accreditation: a requirement's evidence, a judgement, the visit and the decision.

Forms validate; the services in ``accreditation.services.reaccreditation`` write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from audits.models import Audit
from kqm.forms import GovForm

from ..models import Judgement
from ..uploads import (
    ACCEPT_ATTRIBUTE,
    ALLOWED_DESCRIPTION,
    CheckedFile,
    check_evidence_file,
    describe_size,
    max_evidence_bytes,
)
from .visits import _VisitTimesForm

MAX_TEXT = 10_000


def _textarea(label: str, *, what: str, required: bool, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"{what[0].upper()}{what[1:]} must be {MAX_TEXT:,} characters or fewer",
        },
    )


def audit_label(audit: Audit) -> str:
    return (
        f"{audit.version.instrument.name}, {audit.room}: {audit.get_occasion_display()} "
        f"audit of {audit.date:%-d %B %Y}"
    )


class RequirementEvidenceForm(GovForm, forms.Form):
    evidence = _textarea(
        "Your evidence",
        what="the evidence",
        required=True,
        help_text="What shows that the setting meets this requirement.",
    )
    audit = forms.ChoiceField(
        label="The audit",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select one of the audits listed"},
    )
    file = forms.FileField(
        label="A supporting file (optional)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        error_messages={"empty": "The selected file is empty."},
    )
    remove_file = forms.BooleanField(label="Remove the current file", required=False)

    def __init__(
        self,
        *args: Any,
        audits: Sequence[Audit] | None = None,
        has_file: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._audits = {audit.pk: audit for audit in audits or []}
        fields: list[Any] = [Field.textarea("evidence")]
        if not audits:
            del self.fields["audit"]
        else:
            self.fields["audit"].choices = [  # type: ignore[attr-defined]
                (str(audit.pk), audit_label(audit)) for audit in audits
            ]
            fields.append(Field.radios("audit", legend_size=Size.SMALL))
        self.fields["file"].help_text = (
            f"{ALLOWED_DESCRIPTION[0].upper()}{ALLOWED_DESCRIPTION[1:]}, smaller than "
            f"{describe_size(max_evidence_bytes())}."
            + (" A new file replaces the current one." if has_file else "")
        )
        fields.append(Field("file", css_class="govuk-file-upload"))
        if has_file:
            fields.append(Field.checkbox("remove_file"))
        else:
            del self.fields["remove_file"]
        self._init_helper()
        self.helper.layout = Layout(*fields)

    def clean_evidence(self) -> str:
        evidence: str = self.cleaned_data["evidence"].strip()
        if not evidence:
            raise forms.ValidationError("Enter the evidence")
        return evidence

    def clean_file(self) -> CheckedFile | None:
        upload = self.cleaned_data.get("file")
        return check_evidence_file(upload) if upload else None

    def chosen_audit(self) -> Audit | None:
        value = self.cleaned_data.get("audit")
        return self._audits.get(int(value)) if value else None


class JudgementForm(GovForm, forms.Form):
    judgement = forms.ChoiceField(
        label="Is the requirement met?",
        choices=Judgement.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select met or not met",
            "invalid_choice": "Select met or not met",
        },
    )
    judgement_note = _textarea(
        "Note for the setting",
        what="a note",
        required=False,
        help_text="Required if not met: what the setting still has to show.",
    )
    previous_note = forms.ChoiceField(
        label="If you change the judgement, does the note above still stand?",
        choices=[("keep", "Keep the note"), ("clear", "Clear the note")],
        widget=forms.RadioSelect,
        required=False,
        help_text="The note was written for the earlier judgement. Leave it as it is and "
        "say here whether it stands, or edit it.",
    )

    def __init__(self, *args: Any, has_previous_note: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        layout: list[Any] = [
            Field.radios("judgement", legend_size=Size.MEDIUM, inline=True),
            Field.textarea("judgement_note"),
        ]
        if has_previous_note:
            layout.append(Field.radios("previous_note", legend_size=Size.SMALL, inline=True))
        else:
            del self.fields["previous_note"]
        self.helper.layout = Layout(*layout)

    @property
    def keep_previous_note(self) -> bool | None:
        choice = self.cleaned_data.get("previous_note") or ""
        return {"keep": True, "clear": False}.get(choice)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["judgement_note"] = (data.get("judgement_note") or "").strip()
        if (
            data.get("judgement") == Judgement.NOT_MET
            and not data["judgement_note"]
            and data.get("previous_note") != "keep"
        ):
            self.add_error("judgement_note", "Enter why the requirement is not met")
        return data


class ReaccreditationVisitForm(_VisitTimesForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(
            Field("date"),
            Field.text("start_time", field_width=5),
            Field.text("end_time", field_width=5),
        )


RENEW = "renew"
LAPSE = "lapse"


class ReaccreditationDecisionForm(GovForm, forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            (RENEW, "Renew the award: every requirement is met"),
            (LAPSE, "Let the award lapse"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select your decision",
            "invalid_choice": "Select your decision",
        },
    )
    note = _textarea(
        "Note for the setting",
        what="the reason",
        required=False,
        help_text="Required if the award lapses: why it is not renewed.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(
            Field.radios("decision", legend_size=Size.MEDIUM), Field.textarea("note")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["note"] = (data.get("note") or "").strip()
        if data.get("decision") == LAPSE and not data["note"]:
            self.add_error("note", "Enter why the award is lapsing")
        return data


class ReturnForm(GovForm, forms.Form):
    note = _textarea(
        "What does the setting still have to show?",
        what="what the setting still has to show",
        required=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(Field.textarea("note"))

    def clean_note(self) -> str:
        note: str = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError("Enter what the setting still has to show")
        return note
