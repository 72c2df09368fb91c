"""Forms for visits, notes of visit and the notes template. Forms validate; services write."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size
from django import forms
from django.utils.html import format_html

from kqm.forms import GovForm
from kqm.parsing import parse_int

from ..models import AgreedAction, NoteSection, VisitType
from ..services.visits import ActionRow, NoteConflict, Seen, actions_fingerprint
from .cohorts import GovDateField

MAX_ACTIONS = 20
BLANK_ACTION_ROWS = 2
_TIME = re.compile(r"^(?P<h>\d{1,2})[:.](?P<m>\d{2})$")


class GovTimeField(forms.CharField):
    """A time typed as hours and minutes on the 24-hour clock, like 09:30 or 13.45."""

    def __init__(self, *, what: str, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 5)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        )
        kwargs.setdefault("error_messages", {"required": f"Enter the {what}"})
        super().__init__(**kwargs)
        self.what = what

    def to_python(self, value: Any) -> datetime.time | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        match = _TIME.match(text)
        message = f"Enter the {self.what} as hours and minutes on the 24-hour clock, like 09:30"
        if not match:
            raise forms.ValidationError(message)
        try:
            return datetime.time(int(match["h"]), int(match["m"]))
        except ValueError:
            raise forms.ValidationError(message) from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.time):
            return value.strftime("%H:%M")
        return value

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value: Any) -> None:
        pass


class _VisitTimesForm(GovForm, forms.Form):
    date = GovDateField(what="date of the visit", label="Date", help_text="For example, 14 10 2026")
    start_time = GovTimeField(
        what="start time", label="Start time", help_text="On the 24-hour clock, like 09:30"
    )
    end_time = GovTimeField(
        what="end time", label="End time", help_text="On the 24-hour clock, like 12:30"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The end time must be after the start time")
        return data


class VisitForm(_VisitTimesForm):
    visit_type = forms.ChoiceField(
        label="Type of visit",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the type of visit",
            "invalid_choice": "Choose one of the visits not booked yet",
        },
    )

    def __init__(self, *args: Any, available: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["visit_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(value, VisitType(value).label) for value in available]
        self._init_helper()
        self.helper.layout = Layout(
            Field.radios("visit_type", legend_size=Size.MEDIUM, legend_tag="h2"),
            Field("date"),
            Field.text("start_time", field_width=5),
            Field.text("end_time", field_width=5),
        )


class RescheduleVisitForm(_VisitTimesForm):
    reason = forms.CharField(
        label="Why is the visit moving?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The setting is told, and the earlier date stays in the visit's history.",
        error_messages={"required": "Enter why the visit is moving"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(
            Field("date"),
            Field.text("start_time", field_width=5),
            Field.text("end_time", field_width=5),
            Field.textarea("reason"),
        )


class NoteForm(GovForm, forms.Form):
    """The guided note: one box per section (with its prompt), then the agreed actions.

    The actions are rows of “what, who, by when”: the saved ones plus two empty rows.
    A row with anything in it must be complete; clearing a row removes the action.
    """

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self,
        *args: Any,
        sections: Sequence[NoteSection],
        actions: Sequence[AgreedAction],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sections = list(sections)
        # What the page shows, unit by unit, so that a save conflicts only where someone
        # else changed the same section (or the actions) meanwhile.
        self.fields["seen_actions"] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=actions_fingerprint(actions)
        )
        layout: list[Any] = ["revision", "seen_actions"]
        for section in self.sections:
            self.fields[f"seen_section_{section.pk}"] = forms.CharField(
                widget=forms.HiddenInput, required=False, strip=False, initial=section.text
            )
            layout.append(f"seen_section_{section.pk}")
            name = f"section_{section.pk}"
            self.fields[name] = forms.CharField(
                label=section.title,
                help_text=section.prompt,
                required=False,
                max_length=20000,
                initial=section.text,
                widget=forms.Textarea(attrs={"rows": 6}),
            )
            layout.append(Field.textarea(name, label_size=Size.SMALL, label_tag="h2"))
        rows = len(actions) + BLANK_ACTION_ROWS
        if self.is_bound:
            posted = [k for k in self.data if k.startswith("action_")]
            parsed = (parse_int(k.split("_")[1], minimum=1, maximum=MAX_ACTIONS) for k in posted)
            numbers = [n for n in parsed if n is not None]
            rows = max([rows, *numbers]) if numbers else rows
        self.row_count = min(rows, MAX_ACTIONS)
        action_layout: list[Any] = [
            HTML(
                '<p class="govuk-body">Record each action agreed at the visit: what will be '
                "done, who will do it and by when. Leave a row empty if you do not need it; "
                "empty a row to remove that action. Save the draft to get more empty rows.</p>"
            )
        ]
        for i in range(1, self.row_count + 1):
            saved = actions[i - 1] if i <= len(actions) else None
            self.fields[f"action_{i}"] = forms.CharField(
                label="What will be done",
                required=False,
                max_length=2000,
                initial=saved.action if saved else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"owner_{i}"] = forms.CharField(
                label="Who",
                required=False,
                max_length=100,
                initial=saved.owner if saved else "",
                help_text="A name or role, for example “Deputy manager”.",
            )
            self.fields[f"due_{i}"] = GovDateField(
                what=f"date action {i} is due",
                label="By when",
                required=False,
                initial=saved.due_on if saved else None,
                help_text="For example, 30 11 2026",
            )
            action_layout.append(
                Fieldset(
                    Field.textarea(f"action_{i}"),
                    Field.text(f"owner_{i}", field_width=20),
                    Field(f"due_{i}"),
                    legend=f"Action {i}",
                    legend_size=Size.SMALL,
                )
            )
        layout.append(
            Fieldset(
                *action_layout, legend="Agreed actions", legend_size=Size.MEDIUM, legend_tag="h2"
            )
        )
        self._init_helper()
        self.helper.layout = Layout(*layout)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(1, self.row_count + 1):
            action = (data.get(f"action_{i}") or "").strip()
            owner = (data.get(f"owner_{i}") or "").strip()
            due = data.get(f"due_{i}")
            due_failed = f"due_{i}" in self.errors
            if not (action or owner or due or due_failed):
                continue
            if not action:
                self.add_error(f"action_{i}", f"Enter what will be done for action {i}")
            if not owner:
                self.add_error(f"owner_{i}", f"Enter who will do action {i}")
            if not due and not due_failed:
                self.add_error(f"due_{i}", f"Enter the date action {i} is due")
        return data

    def seen(self, bases: dict[str, str]) -> Seen:
        """What the page showed: the autosave's per-field ``bases`` (``base:<name>``, kept
        up to date by the script) over the hidden fields the page was loaded with."""
        return Seen(
            sections={
                s.pk: bases.get(f"section_{s.pk}", self.cleaned_data.get(f"seen_section_{s.pk}"))
                or ""
                for s in self.sections
            },
            actions=self.cleaned_data.get("seen_actions") or None,
        )

    def show_conflict(self, conflict: NoteConflict) -> None:
        """Theirs beside each unit both changed; the typed text stays, and saving again
        replaces theirs (the page now counts as having seen it)."""
        data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
        for section in self.sections:
            theirs = conflict.sections.get(section.pk)
            if theirs is None:
                continue
            data[f"seen_section_{section.pk}"] = theirs.value
            self.add_error(
                f"section_{section.pk}",
                f"{theirs.by} changed this meanwhile to: “{theirs.value}”. Your text is kept "
                "here; save again to replace theirs.",
            )
        if conflict.actions is not None:
            data["seen_actions"] = conflict.actions_seen
            self.add_error(
                "action_1",
                f"{conflict.actions.by} changed the agreed actions meanwhile to: "
                f"{conflict.actions.value}. Yours are kept here; save again to replace theirs.",
            )
        self.data = data

    @property
    def section_texts(self) -> dict[int, str]:
        return {s.pk: self.cleaned_data.get(f"section_{s.pk}", "") for s in self.sections}

    @property
    def action_rows(self) -> list[ActionRow]:
        rows = []
        for i in range(1, self.row_count + 1):
            action = (self.cleaned_data.get(f"action_{i}") or "").strip()
            if action:
                rows.append(
                    ActionRow(
                        action=action,
                        owner=self.cleaned_data[f"owner_{i}"],
                        due_on=self.cleaned_data[f"due_{i}"],
                    )
                )
        return rows

    def first_error(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return ""

    def problems(self) -> dict[str, str]:
        """Each field that cannot be stored, and why (shown beside it)."""
        return {
            name: str(errors[0])
            for name, errors in self.errors.items()
            if name in self.fields and name != "revision"
        }

    @property
    def valid_section_texts(self) -> dict[int, str]:
        """The sections that can be stored now (an invalid one keeps its stored text)."""
        return {
            s.pk: self.cleaned_data[f"section_{s.pk}"]
            for s in self.sections
            if f"section_{s.pk}" in self.cleaned_data
        }

    @property
    def valid_action_rows(self) -> list[ActionRow] | None:
        """The agreed actions, or None while a row is incomplete (the stored ones stay)."""
        if any(name.startswith(("action_", "owner_", "due_")) for name in self.errors):
            return None
        return self.action_rows


class RespondToNoteForm(GovForm, forms.Form):
    decision = forms.ChoiceField(
        label="Do you agree this note of visit?",
        widget=forms.RadioSelect,
        choices=[
            Choice("agree", "Yes, I agree it", hint="The note is then locked."),
            Choice(
                "comment",
                "No, I want to comment",
                hint="The note goes back to the evaluator with your comment.",
            ),
        ],
        error_messages={"required": "Choose whether you agree the note of visit"},
    )
    comment = forms.CharField(
        label="Your comment (optional when you agree)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(
            Field.radios("decision", legend_size=Size.MEDIUM, legend_tag="h2"),
            Field.textarea("comment"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "comment" and not (data.get("comment") or "").strip():
            self.add_error("comment", "Enter your comment for the evaluator")
        return data


class TemplateSectionForm(GovForm, forms.Form):
    title = forms.CharField(
        label="Section title",
        max_length=100,
        help_text="For example “Unit A progress”.",
        error_messages={
            "required": "Enter the section’s title",
            "max_length": "The title must be 100 characters or fewer",
        },
    )
    prompt = forms.CharField(
        label="Prompt",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the evaluator is asked to record in this section.",
        error_messages={"required": "Enter the prompt for evaluators"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(Field.text("title"), Field.textarea("prompt"))


def empty_state(text: str) -> str:
    return format_html('<p class="govuk-body">{}</p>', text)
