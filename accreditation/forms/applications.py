"""Forms for applying to a cohort, judging an application and deciding it.

They validate and clean only; the services in ``accreditation.services.applications``
do the writing. Text that comes from data (criterion titles, setting names) is
escaped here because the GOV.UK templates print labels and hints as HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape

from kqm.forms import GovForm
from settings.models import Setting

from ..models import ApplicationAnswer, ApplicationStatus, CriterionJudgement, EntryCriterion
from ..services.applications import APPLICATION_MOVES, EvidenceUpload
from ..uploads import (
    ACCEPT_ATTRIBUTE,
    ALLOWED_DESCRIPTION,
    MAX_EVIDENCE_FILES,
    check_evidence_file,
    describe_size,
    max_evidence_bytes,
)

ANSWER_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 2000
# File and title rows on the application form (plain HTML, no JavaScript needed).
EVIDENCE_ROWS = min(5, MAX_EVIDENCE_FILES)


def answer_field_name(criterion: EntryCriterion) -> str:
    return "answer_" + criterion.code.replace("-", "_")


class ApplicationForm(GovForm, forms.Form):
    """One answer per active entry criterion, and up to ``EVIDENCE_ROWS`` titled files."""

    def __init__(
        self,
        *args: Any,
        settings: Sequence[Setting],
        criteria: Sequence[EntryCriterion],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.setting_options = list(settings)
        layout: list[Any] = []
        if len(self.setting_options) > 1:
            self.fields["setting"] = forms.TypedChoiceField(
                label="Which setting is applying?",
                choices=[(s.pk, f"{s.display_name} ({s.urn})") for s in self.setting_options],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose which setting is applying",
                    "invalid_choice": "Choose one of your settings",
                },
            )
            layout.append(Field.radios("setting", legend_size=Size.MEDIUM))
        answers = []
        for criterion in self.criteria:
            name = answer_field_name(criterion)
            title = conditional_escape(criterion.title)
            self.fields[name] = forms.CharField(
                label=title,
                help_text=conditional_escape(criterion.question),
                max_length=ANSWER_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 8}),
                error_messages={
                    "required": f"Enter your answer for {title}",
                    "max_length": f"Your answer for {title} must be {ANSWER_MAX_LENGTH} "
                    "characters or fewer",
                },
            )
            answers.append(
                Field.textarea(name, label_size=Size.SMALL, max_characters=ANSWER_MAX_LENGTH)
            )
        layout.append(Fieldset(*answers, legend="Entry criteria", legend_size=Size.MEDIUM))

        rows = [
            HTML(
                '<p class="govuk-body">Attach documents that support your answers, for example '
                "your latest Ofsted report, an ECERS or ITERS audit summary or your "
                f"self-evaluation. Each file must be {ALLOWED_DESCRIPTION}, smaller than "
                f"{describe_size(max_evidence_bytes())}, and needs a title.</p>"
                '{% if form.errors %}<div class="govuk-inset-text">Files are not kept when '
                "the form has a problem: choose them again.</div>{% endif %}"
            )
        ]
        for n in range(1, EVIDENCE_ROWS + 1):
            self.fields[f"evidence_{n}_file"] = forms.FileField(
                label=f"File {n}",
                required=False,
                widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
                error_messages={"invalid": "The selected file could not be read; try again"},
            )
            self.fields[f"evidence_{n}_title"] = forms.CharField(
                label=f"Title of file {n}",
                required=False,
                max_length=200,
                error_messages={"max_length": "The title must be 200 characters or fewer"},
            )
            rows.append(
                Fieldset(
                    Field(f"evidence_{n}_file", css_class="govuk-file-upload"),
                    Field.text(f"evidence_{n}_title"),
                    legend=f"Evidence file {n}",
                    legend_size=Size.SMALL,
                )
            )
        layout.append(Fieldset(*rows, legend="Evidence (optional)", legend_size=Size.MEDIUM))
        self._init_helper()
        self.helper.layout = Layout(*layout)

    def _clean_file(self, n: int) -> Any:
        name = f"evidence_{n}_file"
        upload = self.cleaned_data.get(name)
        if not upload:
            return None
        try:
            return check_evidence_file(upload)
        except ValidationError as error:
            # The browser forgets the file, so say which one it was.
            self.add_error(name, f"File {n} ({upload.name}): {' '.join(error.messages)}")
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.evidence: list[EvidenceUpload] = []
        for n in range(1, EVIDENCE_ROWS + 1):
            file_name, title_name = f"evidence_{n}_file", f"evidence_{n}_title"
            checked = None if file_name in self.errors else self._clean_file(n)
            title = (data.get(title_name) or "").strip()
            if checked is not None and not title:
                self.add_error(title_name, f"Enter a title for file {n}")
            elif checked is None and title and file_name not in self.errors:
                self.add_error(file_name, f"Select the file for “{title}”")
            elif checked is not None:
                self.evidence.append(EvidenceUpload(checked=checked, title=title))
        return data

    @property
    def chosen_setting(self) -> Setting:
        if len(self.setting_options) == 1:
            return self.setting_options[0]
        chosen = self.cleaned_data["setting"]
        return next(s for s in self.setting_options if s.pk == chosen)

    @property
    def answers(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data[answer_field_name(c)] for c in self.criteria}


@dataclass
class JudgementRow:
    answer: ApplicationAnswer
    judgement: forms.BoundField
    note: forms.BoundField


class JudgeApplicationForm(GovForm, forms.Form):
    """Met / not met with a note for each answer. Not met needs a note saying why."""

    def __init__(self, *args: Any, answers: Sequence[ApplicationAnswer], **kwargs: Any) -> None:
        initial = kwargs.pop("initial", None) or {}
        for answer in answers:
            initial.setdefault(f"judgement_{answer.pk}", answer.judgement)
            initial.setdefault(f"note_{answer.pk}", answer.judgement_note)
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.answers = list(answers)
        for answer in self.answers:
            title = conditional_escape(answer.criterion.title)
            self.fields[f"judgement_{answer.pk}"] = forms.ChoiceField(
                label=f"Is {title} met?",
                choices=CriterionJudgement.choices,
                widget=forms.RadioSelect,
                required=False,
                error_messages={"invalid_choice": f"Choose met or not met for {title}"},
            )
            self.fields[f"note_{answer.pk}"] = forms.CharField(
                label=f"Note on {title}",
                help_text="Required when the criterion is not met: the setting is told why.",
                required=False,
                max_length=NOTE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={
                    "max_length": f"The note must be {NOTE_MAX_LENGTH} characters or fewer"
                },
            )
        self._init_helper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for answer in self.answers:
            judgement = data.get(f"judgement_{answer.pk}")
            note = (data.get(f"note_{answer.pk}") or "").strip()
            title = answer.criterion.title
            if judgement == CriterionJudgement.NOT_MET and not note:
                self.add_error(f"note_{answer.pk}", f"Enter why {title} is not met")
            elif not judgement and note and f"judgement_{answer.pk}" not in self.errors:
                self.add_error(f"judgement_{answer.pk}", f"Choose met or not met for {title}")
        return data

    @property
    def rows(self) -> list[JudgementRow]:
        return [
            JudgementRow(a, self[f"judgement_{a.pk}"], self[f"note_{a.pk}"]) for a in self.answers
        ]

    @property
    def judgements(self) -> dict[int, tuple[str, str]]:
        """Only the answers given a judgement; the others stay as they were."""
        result = {}
        for answer in self.answers:
            judgement = self.cleaned_data.get(f"judgement_{answer.pk}")
            if judgement:
                result[answer.pk] = (judgement, self.cleaned_data.get(f"note_{answer.pk}", ""))
        return result


DECISION_LABELS = {
    ApplicationStatus.ACCEPTED: "Accept into the cohort",
    ApplicationStatus.WAITLISTED: "Put on the waiting list",
    ApplicationStatus.DECLINED: "Decline",
}


class DecideApplicationForm(GovForm, forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Required when declining. It is included in the email to the setting manager.",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": f"The reason must be {REASON_MAX_LENGTH} characters or fewer"
        },
    )

    def __init__(self, *args: Any, current_status: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = APPLICATION_MOVES.get(current_status, frozenset())
        decision = self.fields["decision"]
        assert isinstance(decision, forms.ChoiceField)
        decision.choices = [(s, label) for s, label in DECISION_LABELS.items() if s in allowed]
        decision.error_messages["invalid_choice"] = (
            "Choose one of the decisions listed: "
            + ", ".join(str(label).lower() for s, label in DECISION_LABELS.items() if s in allowed)
        )
        self._init_helper()
        self.helper.layout = Layout(
            Field.radios("decision", legend_size=Size.MEDIUM), Field.textarea("reason")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("decision") == ApplicationStatus.DECLINED
            and not data.get("reason", "").strip()
        ):
            self.add_error("reason", "Enter the reason for declining the application")
        return data


class AddEvidenceForm(GovForm, forms.Form):
    """One more titled file for an application waiting for its decision."""

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
        help_text="What the file shows, for example “Ofsted report, March 2025”.",
        max_length=200,
        error_messages={
            "required": "Enter a title for the file",
            "max_length": "The title must be 200 characters or fewer",
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

    @property
    def evidence(self) -> list[EvidenceUpload]:
        return [EvidenceUpload(checked=self.cleaned_data["file"], title=self.cleaned_data["title"])]
