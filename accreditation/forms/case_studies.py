"""Forms for Unit A case studies: the draft, evidence files, and the evaluator's review."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.utils import timezone

from audits.models import LEUVEN_LABELS, Child, LeuvenScore
from kqm.forms import GovForm

from ..models import SECTIONS, CaseStudy, CaseStudyVersion, Decision, Verdict
from ..services.case_studies import CaseStudyDraft, SectionJudgement
from ..uploads import (
    ACCEPT_ATTRIBUTE,
    ALLOWED_DESCRIPTION,
    check_evidence_file,
    describe_size,
    max_evidence_bytes,
)
from .cohorts import GovDateField

RICH_TEXT_HELP = (
    " You can use bold, italics and lists; with JavaScript off, leave a blank line "
    "between paragraphs."
)


def _score_label(score: LeuvenScore) -> str:
    screening = score.screening

    def scale(value: int | None) -> str:
        return f"{value} ({LEUVEN_LABELS[value].lower()})" if value else "not scored"

    return (
        f"{screening.get_term_display()} {screening.date:%Y}, {screening.group.name}: "
        f"well-being {scale(score.wellbeing)}, involvement {scale(score.involvement)}"
    )


class CaseStudyForm(GovForm, forms.Form):
    """The whole draft on one page; nothing is required until the case study is submitted."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    title = forms.CharField(
        label="Title",
        required=False,
        max_length=200,
        help_text="What the study is about, for example “Outdoor play for our two-year-old boys”.",
        error_messages={"max_length": "The title must be 200 characters or fewer"},
    )
    focus_child = forms.ChoiceField(
        label="Focus child (optional)",
        required=False,
        help_text="If the study follows one child, choose their code from your Leuven "
        "screenings. Children are known by code only.",
        error_messages={"invalid_choice": "Choose one of the children listed"},
    )
    baseline_score = forms.ChoiceField(
        label="Baseline Leuven score (optional)",
        required=False,
        help_text="The focus child's score before the change.",
        error_messages={"invalid_choice": "Choose one of the scores listed"},
    )
    follow_up_score = forms.ChoiceField(
        label="Follow-up Leuven score (optional)",
        required=False,
        help_text="The focus child's score after the change.",
        error_messages={"invalid_choice": "Choose one of the scores listed"},
    )

    def __init__(
        self,
        *args: Any,
        children: Sequence[Child],
        scores: Sequence[LeuvenScore],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.children = {str(c.pk): c for c in children}
        self.scores = {str(s.pk): s for s in scores}
        child_field = self.fields["focus_child"]
        assert isinstance(child_field, forms.ChoiceField)
        child_field.choices = [("", "No focus child (the study follows a group)")] + [
            (key, child.code + (f" ({child.group.name})" if child.group else ""))
            for key, child in self.children.items()
        ]
        grouped: dict[str, list[tuple[str, str]]] = {}
        for key, score in self.scores.items():
            grouped.setdefault(score.child.code, []).append((key, _score_label(score)))
        score_choices: list[Any] = [("", "No score chosen"), *grouped.items()]
        for name in ("baseline_score", "follow_up_score"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = score_choices
        layout: list[Any] = [
            "revision",
            Field.text("title"),
            Field.select("focus_child"),
            Field.select("baseline_score"),
            Field.select("follow_up_score"),
        ]
        for section in SECTIONS:
            self.fields[section.key] = forms.CharField(
                label=section.title,
                required=False,
                max_length=50000,
                help_text=section.prompt + RICH_TEXT_HELP,
                widget=forms.Textarea(attrs={"rows": 8, "data-rich-text": "true"}),
                error_messages={"max_length": f"“{section.title}” is too long"},
            )
            layout.append(Field.textarea(section.key, label_size=Size.MEDIUM, label_tag="h2"))
        self._init_helper()
        self.helper.layout = Layout(*layout)

    @classmethod
    def initial_for(cls, case_study: CaseStudy | None) -> dict[str, Any]:
        if case_study is None:
            return {"revision": 0}
        return {
            "revision": case_study.revision,
            "title": case_study.title,
            "focus_child": str(case_study.focus_child_id or ""),
            "baseline_score": str(case_study.baseline_score_id or ""),
            "follow_up_score": str(case_study.follow_up_score_id or ""),
            **case_study.section_texts(),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        child = self.children.get(data.get("focus_child") or "")
        for name in ("baseline_score", "follow_up_score"):
            score = self.scores.get(data.get(name) or "")
            if score is None:
                continue
            if child is None:
                self.add_error(name, "Choose the focus child before their scores")
            elif score.child_id != child.pk:
                self.add_error(name, f"Choose one of {child.code}’s own scores")
        return data

    @property
    def draft(self) -> CaseStudyDraft:
        data = self.cleaned_data
        return CaseStudyDraft(
            title=data.get("title", ""),
            focus_child=self.children.get(data.get("focus_child") or ""),
            baseline_score=self.scores.get(data.get("baseline_score") or ""),
            follow_up_score=self.scores.get(data.get("follow_up_score") or ""),
            sections={s.key: data.get(s.key, "") for s in SECTIONS},
        )

    def first_error(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return ""


class CaseStudyEvidenceForm(GovForm, forms.Form):
    file = forms.FileField(
        label="File",
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        error_messages={
            "required": "Select a file",
            "invalid": "The selected file could not be read; try again",
        },
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="What the file shows, for example “Observation notes, garden, week 3”.",
        error_messages={
            "required": "Enter a title for the file",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    effective_date = GovDateField(
        what="date of the evidence",
        label="Date of the evidence",
        help_text="When it was produced or observed, for example 14 10 2026",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"{ALLOWED_DESCRIPTION[0].upper()}{ALLOWED_DESCRIPTION[1:]}, smaller than "
            f"{describe_size(max_evidence_bytes())}."
        )
        self._init_helper()
        self.helper.layout = Layout(
            Field("file", css_class="govuk-file-upload"),
            Field.text("title"),
            Field("effective_date"),
        )

    def clean_file(self) -> Any:
        return check_evidence_file(self.cleaned_data["file"])

    def clean_effective_date(self) -> datetime.date:
        date: datetime.date = self.cleaned_data["effective_date"]
        if date > timezone.localdate():
            raise forms.ValidationError("The date of the evidence must be today or in the past")
        return date


class ReviewForm(GovForm, forms.Form):
    """A verdict and comment per section, then the decision."""

    decision = forms.ChoiceField(
        label="Your decision",
        widget=forms.RadioSelect,
        choices=[
            Choice(
                Decision.RETURNED,
                "Return it with feedback",
                hint="The setting improves the sections that need more work and submits again.",
            ),
            Choice(Decision.ACCEPTED, "Accept it", hint="Every section meets the standard."),
        ],
        error_messages={"required": "Choose whether to return or accept the case study"},
    )
    feedback = forms.CharField(
        label="Overall feedback (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, previous: CaseStudyVersion | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section_fields: list[tuple[Any, str, str]] = []
        for section in SECTIONS:
            verdict, comment = f"verdict_{section.key}", f"comment_{section.key}"
            self.fields[verdict] = forms.ChoiceField(
                label=f"Does “{section.title}” meet the standard?",
                widget=forms.RadioSelect,
                choices=Verdict.choices,
                error_messages={"required": f"Choose whether “{section.title}” meets the standard"},
            )
            self.fields[comment] = forms.CharField(
                label=f"Comment on “{section.title}”",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="Required when the section needs more work.",
            )
            self.section_fields.append((section, verdict, comment))
        self._init_helper()
        self.helper.layout = Layout(
            Field.radios("decision", legend_size=Size.MEDIUM, legend_tag="h2"),
            Field.textarea("feedback"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for section, verdict, comment in self.section_fields:
            if (
                data.get(verdict) == Verdict.NEEDS_MORE_WORK
                and not (data.get(comment) or "").strip()
            ):
                self.add_error(comment, f"Say what more “{section.title}” needs")
        return data

    @property
    def judgements(self) -> dict[str, SectionJudgement]:
        return {
            section.key: SectionJudgement(
                verdict=self.cleaned_data.get(verdict, ""),
                comment=self.cleaned_data.get(comment, ""),
            )
            for section, verdict, comment in self.section_fields
        }
