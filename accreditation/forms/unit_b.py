"""Forms for the self-evaluation (SEF) and the SMART improvement plan. Forms validate; services
write."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from crispy_forms_gds.layout import (
    ConditionalQuestion,
    ConditionalRadios,
    Field,
    Layout,
    Size,
)
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from audits.models import Audit, Screening, Subscale
from kqm.forms import GovForm

from ..models import ActionStatus, ImprovementAction, Relevance
from ..models.unit_b import SEF_JUDGEMENTS, SEF_SECTIONS, SefSection
from ..services.unit_b import (
    ActionChanged,
    ActionDraft,
    SectionChanged,
    action_version,
    check_due_date,
)
from ..uploads import (
    ACCEPT_ATTRIBUTE,
    ALLOWED_DESCRIPTION,
    check_evidence_file,
    describe_size,
    max_evidence_bytes,
)
from .cohorts import GovDateField

MAX_TEXT = 10_000


class RevealingRadios(ConditionalRadios):
    """Radios whose follow-up questions appear when chosen, in a form group that carries the
    field's id like every other field. CSS does the revealing: GOV.UK's script would set
    aria-expanded on the radios, which accessibility checkers refuse."""

    template = "accreditation/unit_b/_conditional_radios.html"


class Reveals(ConditionalQuestion):
    template = "accreditation/unit_b/_reveal_question.html"


def _text_field(label: str, *, what: str, required: bool = True, **kwargs: Any) -> forms.CharField:
    """A textarea; ``what`` names it in messages, e.g. “the evidence”."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"{what[0].upper()}{what[1:]} must be {MAX_TEXT:,} characters or fewer",
        },
        **kwargs,
    )


def _date_problem(error: ValidationError) -> list[str]:
    return error.message_dict.get("due_date", error.messages)


# --- Self-evaluation ----------------------------------------------------------------------------


class SefSectionForm(GovForm, forms.Form):
    judgement = forms.ChoiceField(
        label="Your judgement",
        widget=forms.RadioSelect,
        choices=[(j.value, j.label) for j in SEF_JUDGEMENTS],
        error_messages={
            "required": "Select your judgement",
            "invalid_choice": "Select one of the judgements listed",
        },
    )
    evidence = _text_field(
        "Evidence",
        what="the evidence for your judgement",
        help_text="What you know and how you know it: what you have seen, measured or been "
        "told, and what has changed as a result.",
    )

    # What the page showed, so that a save made meanwhile by someone else is not overwritten.
    seen_judgement = forms.CharField(widget=forms.HiddenInput, required=False)
    seen_evidence = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)

    def __init__(self, *args: Any, section: SefSection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        initial = self.initial or {}
        self.fields["seen_judgement"].initial = initial.get("judgement", "")
        self.fields["seen_evidence"].initial = initial.get("evidence", "")
        self.fields["evidence"].widget.attrs.update(rows=10)
        self._init_helper()
        self.helper.layout = Layout(
            "seen_judgement",
            "seen_evidence",
            Field.radios("judgement", legend_size=Size.MEDIUM),
            Field.textarea("evidence", label_size=Size.MEDIUM, rows=10),
        )

    @property
    def seen(self) -> tuple[str, str] | None:
        """What the page showed; None from a client that does not say (no check then)."""
        if "seen_evidence" not in self.data:
            return None
        return self.cleaned_data["seen_judgement"], self.cleaned_data["seen_evidence"]

    def show_changed(self, changed: SectionChanged) -> None:
        """Theirs beside each field; the typed values stay, and saving again replaces theirs."""
        labels = {j.value: j.label for j in SEF_JUDGEMENTS}
        data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
        data["seen_judgement"], data["seen_evidence"] = changed.judgement, changed.evidence
        self.data = data
        if changed.judgement != self.cleaned_data.get("judgement"):
            self.add_error(
                "judgement",
                f"{changed.by} chose “{labels.get(changed.judgement, changed.judgement)}” "
                "meanwhile. Your choice is kept here; save again to replace theirs.",
            )
        self.add_error(
            "evidence",
            f"{changed.by} changed this meanwhile to: “{changed.evidence}”. Your text is kept "
            "here; save again to replace theirs.",
        )


# --- The improvement plan -----------------------------------------------------------------------


def _audit_label(audit: Audit) -> str:
    return (
        f"{audit.version.instrument.name}, {audit.room}, {audit.get_occasion_display().lower()} "
        f"audit of {audit.date:%d/%m/%Y}"
    )


def _screening_label(screening: Screening) -> str:
    term = screening.get_term_display().lower()
    return f"{screening.group.name}: {term} screening, {screening.date:%d/%m/%Y}"


class ActionForm(GovForm, forms.Form):
    """One SMART action: what, how measured, who, why (relevance) and by when."""

    description = _text_field(
        "What will be done? (specific)",
        what="what will be done",
        help_text="One clear change, for example “Add a mark-making area to the garden with "
        "clipboards and chalk, used daily by the two-year-olds”.",
    )
    success_measure = _text_field(
        "How will you know it worked? (measurable)",
        what="how success will be measured",
        help_text="A measure you can check, for example “ECERS-3 item 15 scores 5 or more at "
        "the end-of-year audit” or “8 of 10 boys at level 4 involvement in the garden”.",
    )
    owner = forms.CharField(
        label="Who leads it? (achievable)",
        max_length=150,
        help_text="A name or a role, for example “Room leader, Acorns room”.",
        error_messages={
            "required": "Enter who leads the action",
            "max_length": "Who leads it must be 150 characters or fewer",
        },
    )
    resources = _text_field(
        "What will make it achievable? (optional)",
        what="what will make it achievable",
        required=False,
        help_text="Time, money, training or support it needs.",
    )
    relevance = forms.ChoiceField(
        label="What does it respond to? (relevant)",
        widget=forms.RadioSelect,
        choices=Relevance.choices,
        error_messages={
            "required": "Select what the action responds to",
            "invalid_choice": "Select what the action responds to",
        },
    )
    audit_subscale = forms.ChoiceField(
        label="Audit subscale",
        required=False,
        error_messages={"invalid_choice": "Select one of the audit subscales listed"},
    )
    screening = forms.ChoiceField(
        label="Leuven screening (optional)",
        required=False,
        error_messages={"invalid_choice": "Select one of the screenings listed"},
    )
    leuven_finding = _text_field(
        "Leuven finding",
        what="the Leuven finding",
        required=False,
        help_text="What the screening showed, for example “Low involvement at group times "
        "for the toddlers”.",
    )
    sef_section = forms.ChoiceField(
        label="Self-evaluation section",
        required=False,
        choices=[("", "Select a section"), *((s.code, s.title) for s in SEF_SECTIONS)],
        error_messages={"invalid_choice": "Select one of the sections listed"},
    )
    due_date = GovDateField(
        what="due date",
        label="When will it be done by? (time-bound)",
        help_text="For example 31 3 2027",
    )
    status = forms.ChoiceField(
        label="Status",
        widget=forms.RadioSelect,
        choices=ActionStatus.choices,
        initial=ActionStatus.NOT_STARTED,
        error_messages={
            "required": "Select the status",
            "invalid_choice": "Select one of the statuses listed",
        },
    )

    def __init__(
        self,
        *args: Any,
        audits: Sequence[Audit],
        subscales: dict[int, list[Subscale]],
        screenings: Sequence[Screening],
        action: ImprovementAction | None = None,
        **kwargs: Any,
    ) -> None:
        if action is not None and "initial" not in kwargs:
            kwargs["initial"] = _initial(action)
        super().__init__(*args, **kwargs)
        self.action = action
        if action is not None:
            # What the page showed, so that someone else's save meanwhile is not overwritten.
            self.fields["seen_version"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=action_version(action)
            )
        self._audits = {audit.pk: audit for audit in audits}
        self._subscales = {s.pk: s for group in subscales.values() for s in group}
        self._screenings = {screening.pk: screening for screening in screenings}
        grouped: list[Any] = [("", "Select an audit subscale")]
        for audit in audits:
            options = [
                (f"{audit.pk}-{s.pk}", f"{s.number}. {s.name}")
                for s in subscales.get(audit.version_id, [])
            ]
            if options:
                grouped.append((_audit_label(audit), options))
        self.fields["audit_subscale"].choices = grouped  # type: ignore[attr-defined]
        self.fields["screening"].choices = [  # type: ignore[attr-defined]
            ("", "No screening"),
            *((str(s.pk), _screening_label(s)) for s in screenings),
        ]
        if not audits:
            self.fields[
                "audit_subscale"
            ].help_text = "The setting has no audits yet: choose another kind of link for now."
        self._init_helper()
        self.helper.layout = Layout(
            *(["seen_version"] if action is not None else []),
            Field.textarea("description", label_size=Size.SMALL, rows=4),
            Field.textarea("success_measure", label_size=Size.SMALL, rows=4),
            Field.text("owner", label_size=Size.SMALL),
            Field.textarea("resources", label_size=Size.SMALL, rows=3),
            RevealingRadios(
                "relevance",
                Reveals(str(Relevance.AUDIT_SUBSCALE.label), "audit_subscale"),
                Reveals(str(Relevance.LEUVEN.label), "leuven_finding", "screening"),
                Reveals(str(Relevance.SEF_SECTION.label), "sef_section"),
            ),
            Field("due_date"),
            Field.radios("status", legend_size=Size.SMALL, small=True),
        )
        self.fields["relevance"].help_text = (
            "Each action should answer something the setting found: in an audit, in a Leuven "
            "screening or in its self-evaluation."
        )

    def clean_owner(self) -> str:
        return " ".join(self.cleaned_data["owner"].split())

    @property
    def seen_version(self) -> int | None:
        """None from a client that does not say what it showed (no check then)."""
        value = self.cleaned_data.get("seen_version")
        return int(value) if value is not None else None

    def show_changed(self, changed: ActionChanged) -> None:
        """Theirs beside each part that differs; the typed values stay, and saving again
        replaces theirs."""
        data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
        data["seen_version"] = str(changed.version)
        self.data = data
        for name, theirs in changed.theirs.items():
            field = name if name in self.fields else None
            self.add_error(
                field,
                f"{changed.by} changed this meanwhile to: “{theirs}”. Yours is kept here; "
                "save again to replace theirs.",
            )

    def clean_due_date(self) -> datetime.date:
        due_date: datetime.date = self.cleaned_data["due_date"]
        try:
            check_due_date(due_date, previous=self.action.due_date if self.action else None)
        except ValidationError as error:
            raise forms.ValidationError(_date_problem(error)) from None
        return due_date

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        relevance = data.get("relevance")
        if relevance == Relevance.AUDIT_SUBSCALE and not data.get("audit_subscale"):
            self.add_error("audit_subscale", "Select the audit subscale the action responds to")
        if (
            relevance == Relevance.LEUVEN
            and not (data.get("leuven_finding") or "").strip()
            and not data.get("screening")
        ):
            self.add_error("leuven_finding", "Describe the Leuven finding the action responds to")
        if relevance == Relevance.SEF_SECTION and not data.get("sef_section"):
            self.add_error("sef_section", "Select the self-evaluation section")
        return data

    def draft(self) -> ActionDraft:
        data = self.cleaned_data
        audit = subscale = screening = None
        if data.get("audit_subscale"):
            audit_id, subscale_id = (int(part) for part in data["audit_subscale"].split("-"))
            audit, subscale = self._audits[audit_id], self._subscales[subscale_id]
        if data.get("screening"):
            screening = self._screenings[int(data["screening"])]
        return ActionDraft(
            description=data["description"],
            success_measure=data["success_measure"],
            owner=data["owner"],
            resources=data.get("resources", ""),
            due_date=data["due_date"],
            relevance=data["relevance"],
            status=data["status"],
            audit=audit,
            subscale=subscale,
            screening=screening,
            leuven_finding=data.get("leuven_finding", ""),
            sef_section=data.get("sef_section", ""),
        )


def _initial(action: ImprovementAction) -> dict[str, Any]:
    return {
        "description": action.description,
        "success_measure": action.success_measure,
        "owner": action.owner,
        "resources": action.resources,
        "relevance": action.relevance,
        "audit_subscale": (
            f"{action.audit_id}-{action.subscale_id}"
            if action.audit_id and action.subscale_id
            else ""
        ),
        "screening": str(action.screening_id or ""),
        "leuven_finding": action.leuven_finding,
        "sef_section": action.sef_section,
        "due_date": action.due_date,
        "status": action.status,
    }


class ReviewForm(GovForm, forms.Form):
    reviewed_on = GovDateField(
        what="date of the review",
        label="Date of the review",
        help_text="For example 14 10 2026",
    )
    note = _text_field(
        "Review note",
        what="the review note",
        help_text="Progress so far, what the evidence shows, and what happens next.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"reviewed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(
            Field("reviewed_on"), Field.textarea("note", label_size=Size.SMALL, rows=6)
        )

    def clean_reviewed_on(self) -> datetime.date:
        reviewed_on: datetime.date = self.cleaned_data["reviewed_on"]
        if reviewed_on > timezone.localdate():
            raise forms.ValidationError("The date of the review must be today or earlier")
        return reviewed_on


class EvidenceFileForm(GovForm, forms.Form):
    file = forms.FileField(
        label="File",
        error_messages={"required": "Select a file", "empty": "The selected file is empty."},
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    title = forms.CharField(
        label="What does it show?",
        max_length=200,
        help_text="For example “Photos of the new mark-making area in use, May”.",
        error_messages={
            "required": "Enter what the file shows",
            "max_length": "What it shows must be 200 characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"{ALLOWED_DESCRIPTION[0].upper()}{ALLOWED_DESCRIPTION[1:]}, smaller than "
            f"{describe_size(max_evidence_bytes())}."
        )
        self._init_helper()
        self.helper.layout = Layout(
            Field("file", css_class="govuk-file-upload"), Field.text("title")
        )

    def clean_file(self) -> Any:
        return check_evidence_file(self.cleaned_data["file"])


class EvidenceLinkForm(GovForm, forms.Form):
    """Link an audit or a Leuven screening of the setting as evidence of impact."""

    kind = forms.ChoiceField(
        label="What are you linking?",
        widget=forms.RadioSelect,
        choices=[("audit", "An audit"), ("screening", "A Leuven screening")],
        error_messages={
            "required": "Select an audit or a screening",
            "invalid_choice": "Select an audit or a screening",
        },
    )
    audit = forms.ChoiceField(
        label="Audit",
        required=False,
        error_messages={"invalid_choice": "Select one of the audits listed"},
    )
    screening = forms.ChoiceField(
        label="Leuven screening",
        required=False,
        error_messages={"invalid_choice": "Select one of the screenings listed"},
    )
    title = forms.CharField(
        label="What does it show? (optional)",
        required=False,
        max_length=200,
        help_text="For example “End-of-year audit: language subscale up from 4.2 to 5.6”.",
        error_messages={"max_length": "What it shows must be 200 characters or fewer"},
    )

    def __init__(
        self,
        *args: Any,
        audits: Sequence[Audit],
        screenings: Sequence[Screening],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._audits = {audit.pk: audit for audit in audits}
        self._screenings = {screening.pk: screening for screening in screenings}
        self.fields["audit"].choices = [  # type: ignore[attr-defined]
            ("", "Select an audit"),
            *((str(a.pk), _audit_label(a)) for a in audits),
        ]
        self.fields["screening"].choices = [  # type: ignore[attr-defined]
            ("", "Select a screening"),
            *((str(s.pk), _screening_label(s)) for s in screenings),
        ]
        self._init_helper()
        self.helper.layout = Layout(
            RevealingRadios(
                "kind",
                Reveals("An audit", "audit"),
                Reveals("A Leuven screening", "screening"),
            ),
            Field.text("title"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == "audit" and not data.get("audit"):
            self.add_error("audit", "Select the audit")
        if kind == "screening" and not data.get("screening"):
            self.add_error("screening", "Select the screening")
        return data

    def chosen(self) -> tuple[Audit | None, Screening | None]:
        data = self.cleaned_data
        if data["kind"] == "audit":
            return self._audits[int(data["audit"])], None
        return None, self._screenings[int(data["screening"])]
