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
    """The child's code, the term and the screening's date, then both scales."""
    screening = score.screening

    def scale(value: int | None) -> str:
        return f"{value} ({LEUVEN_LABELS[value].lower()})" if value else "not scored"

    return (
        f"{score.child.code}, {screening.get_term_display().lower()} term, "
        f"{screening.date:%-d %b %Y} ({screening.group.name}): "
        f"well-being {scale(score.wellbeing)}, involvement {scale(score.involvement)}"
    )


class ChildScoreSelect(forms.Select):
    """A select whose options say which child each score is of (``data-child``), so the
    page can offer only the focus child's scores as the focus child changes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.child_of: dict[str, str] = {}

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        child = self.child_of.get(str(value))
        if child:
            option["attrs"]["data-child"] = child
        return option


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
        widget=ChildScoreSelect,
        help_text="The focus child's score before the change.",
        error_messages={"invalid_choice": "Choose one of the scores listed"},
    )
    follow_up_score = forms.ChoiceField(
        label="Follow-up Leuven score (optional)",
        required=False,
        widget=ChildScoreSelect,
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
        # Each option names its child: the page offers only the focus child's scores as
        # the focus child changes, and a score of another child is refused (clean()).
        score_choices: list[Any] = [("", "No score chosen")] + [
            (key, _score_label(score)) for key, score in self.scores.items()
        ]
        for name in ("baseline_score", "follow_up_score"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = score_choices
            widget = field.widget
            assert isinstance(widget, ChildScoreSelect)
            widget.child_of = {key: str(score.child_id) for key, score in self.scores.items()}
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
    def reopened(cls, case_study: CaseStudy | None) -> dict[str, Any] | None:
        """The draft as the last autosave left it, with what it could not store put back,
        so that reopening the page shows each problem beside its field; None if none."""
        if case_study is None or not case_study.draft_problems:
            return None
        return {
            **cls.initial_for(case_study),
            **{name: p.get("value", "") for name, p in case_study.draft_problems.items()},
        }

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
        baseline = self.scores.get(data.get("baseline_score") or "")
        follow_up = self.scores.get(data.get("follow_up_score") or "")
        if (
            baseline is not None
            and follow_up is not None
            and follow_up.screening.date <= baseline.screening.date
        ):
            self.add_error(
                "follow_up_score",
                "The follow-up score must come from a later screening than the baseline",
            )
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

    def problems(self) -> dict[str, dict[str, str]]:
        """Each field that cannot be stored: what was typed or chosen, and why."""
        return {
            name: {"message": str(errors[0]), "value": str(self.data.get(name, ""))}
            for name, errors in self.errors.items()
            if name in self.fields and name != "revision"
        }

    def valid_draft(self, existing: CaseStudy | None) -> CaseStudyDraft:
        """What can be stored now: every valid field; an invalid one keeps its stored text
        (a choice is left unset), and the problem goes with the draft to be shown."""
        data = self.cleaned_data

        def text(name: str, stored: str) -> str:
            return str(data[name]) if name in data else stored

        sections = existing.section_texts() if existing is not None else {}
        return CaseStudyDraft(
            title=text("title", existing.title if existing else ""),
            focus_child=self.children.get(data.get("focus_child") or ""),
            baseline_score=self.scores.get(data.get("baseline_score") or ""),
            follow_up_score=self.scores.get(data.get("follow_up_score") or ""),
            sections={s.key: text(s.key, sections.get(s.key, "")) for s in SECTIONS},
            problems=self.problems(),
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
