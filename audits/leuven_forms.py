"""Forms for Leuven screenings. Forms validate and clean; services write."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.utils import timezone

from accreditation.forms.cohorts import WHOLE_NUMBER_INPUT, GovDateField
from kqm.forms import GovForm
from kqm.models import User

from .leuven_csv import MAX_UPLOAD_BYTES, RowError, decode_upload, parse_scores
from .models import LEUVEN_LABELS, AgeBand, Child, Gender, Group, Term
from .selectors.leuven import programme_year_bounds
from .services.leuven import MAX_CHILDREN_AT_ONCE

SCORE_CHOICES: list[tuple[str, str]] = [("", "Not scored")] + [
    (str(value), f"{value} {label.lower()}") for value, label in LEUVEN_LABELS.items()
]


class GroupForm(GovForm, forms.Form):
    name = forms.CharField(
        label="Name of the room or group",
        max_length=100,
        help_text="As your team calls it, for example “Rabbits” or “Pre-school room”.",
        error_messages={"required": "Enter the name of the room or group"},
    )
    programme_year = forms.IntegerField(
        label="Programme year",
        widget=WHOLE_NUMBER_INPUT,
        min_value=2000,
        max_value=2100,
        help_text="The year its autumn term starts, for example 2026 for 2026 to 2027.",
        error_messages={
            "required": "Enter the programme year",
            "invalid": "The programme year must be a year like 2026",
            "min_value": "The programme year must be a year like 2026",
            "max_value": "The programme year must be a year like 2026",
        },
    )
    age_range = forms.CharField(
        label="Ages (optional)",
        max_length=100,
        required=False,
        help_text="For example “2 to 3 years”.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(
            Field.text("name", field_width=20),
            Field.text("programme_year", field_width=4),
            Field.text("age_range", field_width=20),
        )


class ChildFlagsMixin(forms.Form):
    age_band = forms.ChoiceField(
        label="Age band (optional)",
        required=False,
        choices=[("", "Not recorded"), *AgeBand.choices],
        help_text="Age in months: no dates of birth are kept.",
    )
    gender = forms.ChoiceField(
        label="Gender (optional)",
        required=False,
        choices=[("", "Not recorded"), *Gender.choices],
        widget=forms.RadioSelect,
    )
    eal = forms.BooleanField(label="English as an additional language (EAL)", required=False)
    send = forms.BooleanField(
        label="Special educational needs or disabilities (SEND)", required=False
    )
    funded_two = forms.BooleanField(label="Funded two-year-old", required=False)
    looked_after = forms.BooleanField(label="Looked-after child", required=False)

    def flag_layout(self, legend: str) -> Fieldset:
        return Fieldset(
            Field.checkbox("eal", small=True),
            Field.checkbox("send", small=True),
            Field.checkbox("funded_two", small=True),
            Field.checkbox("looked_after", small=True),
            legend=legend,
            legend_size=Size.SMALL,
        )


class AddChildrenForm(GovForm, ChildFlagsMixin):
    number = forms.IntegerField(
        label="How many children?",
        widget=WHOLE_NUMBER_INPUT,
        initial=1,
        min_value=1,
        max_value=MAX_CHILDREN_AT_ONCE,
        help_text="Each child gets a new code. What you choose below applies to all of them; "
        "you can change each child afterwards.",
        error_messages={
            "required": "Enter how many children to add",
            "invalid": "Enter how many children to add as a number, like 12",
            "min_value": "Add at least 1 child",
            "max_value": f"Add at most {MAX_CHILDREN_AT_ONCE} children at a time",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(
            Field.text("number", field_width=3),
            Field.select("age_band"),
            Field.radios("gender", legend_size=Size.SMALL, small=True),
            self.flag_layout("Flags that apply (optional)"),
        )


class ChildForm(GovForm, ChildFlagsMixin):
    group = forms.ModelChoiceField(
        label="Room or group",
        queryset=Group.objects.none(),
        required=False,
        empty_label="No group",
        error_messages={"invalid_choice": "Choose one of your setting’s groups"},
    )

    def __init__(self, *args: Any, groups: Iterable[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["group"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = groups  # type: ignore[assignment]
        self._init_helper()
        self.helper.layout = Layout(
            Field.select("group"),
            Field.select("age_band"),
            Field.radios("gender", legend_size=Size.SMALL, small=True),
            self.flag_layout("Flags (optional)"),
        )

    @classmethod
    def initial_for(cls, child: Child) -> dict[str, Any]:
        return {
            "group": child.group_id,
            "age_band": child.age_band,
            "gender": child.gender,
            "eal": child.eal,
            "send": child.send,
            "funded_two": child.funded_two,
            "looked_after": child.looked_after,
        }


class LeaveForm(GovForm, forms.Form):
    left_on = GovDateField(
        what="date they left", label="Date they left", help_text="For example, 18 7 2027"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(Field("left_on"))

    def clean_left_on(self) -> datetime.date:
        left_on: datetime.date = self.cleaned_data["left_on"]
        if left_on > timezone.localdate():
            raise forms.ValidationError("The date they left must be today or in the past")
        return left_on


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.email)


class ScreeningForm(GovForm, forms.Form):
    term = forms.ChoiceField(
        label="Term",
        choices=Term.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the term"},
    )
    date = GovDateField(
        what="date of the screening",
        label="Date of the screening",
        help_text="For example, 6 10 2026",
    )
    practitioners = StaffChoiceField(
        label="Practitioners who scored (optional)",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, group: Group, staff: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group = group
        field = self.fields["practitioners"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = staff  # type: ignore[assignment]
        self._init_helper()
        self.helper.layout = Layout(
            Field.radios("term", legend_size=Size.SMALL, inline=True),
            Field("date"),
            Field.checkboxes("practitioners", legend_size=Size.SMALL, small=True),
        )

    def clean_date(self) -> datetime.date:
        date: datetime.date = self.cleaned_data["date"]
        start, end = programme_year_bounds(self.group.programme_year)
        if not start <= date <= end:
            raise forms.ValidationError(
                f"The date of the screening must be in {self.group.programme_year} to "
                f"{self.group.programme_year + 1}, between {start:%-d %B %Y} and {end:%-d %B %Y}"
            )
        return date


def score_field(child: Child, scale: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=f"{scale} for {child.code}",
        choices=SCORE_CHOICES,
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a score from 1 to 5, or not scored"},
    )


class ScoresForm(forms.Form):
    """The whole screening as one form: two fields per child and the page's revision.

    Rendered by hand as a table (``templates/audits/leuven/scores.html``).
    """

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, children: Iterable[Child], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.children = list(children)
        for child in self.children:
            self.fields[f"wellbeing-{child.pk}"] = score_field(child, "Well-being")
            self.fields[f"involvement-{child.pk}"] = score_field(child, "Involvement")

    def scores(self) -> dict[int, tuple[int | None, int | None]]:
        return {
            child.pk: (
                self.cleaned_data.get(f"wellbeing-{child.pk}"),
                self.cleaned_data.get(f"involvement-{child.pk}"),
            )
            for child in self.children
        }


class PastedOrUploaded(GovForm, forms.Form):
    """Rows pasted from a spreadsheet or a CSV file, parsed by ``parse``; any row error
    means nothing is saved. Subclasses name the text field (``text_field``) and define it
    and a ``file`` field."""

    text_field = "scores"
    what = "scores"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.row_errors: list[RowError] = []
        self._init_helper()
        self.helper.layout = Layout(Field.textarea(self.text_field, rows=8), Field("file"))

    def parse(self, text: str) -> tuple[object, list[RowError]]:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = data.get(self.text_field) or ""
        upload = data.get("file")
        if text.strip() and upload:
            self.add_error(self.text_field, f"Paste the {self.what} or upload a file, not both")
            return data
        if upload:
            if upload.size > MAX_UPLOAD_BYTES:
                self.add_error("file", "The file must be smaller than 1 MB")
                return data
            text, where = decode_upload(upload.read()), "file"
        elif text.strip():
            where = self.text_field
        else:
            self.add_error(self.text_field, f"Paste the {self.what} or choose a CSV file")
            return data
        parsed, errors = self.parse(text)
        if errors:
            self.row_errors = errors
            for error in errors:
                self.add_error(where, error.message)
        data["parsed"] = parsed
        return data


class UploadForm(PastedOrUploaded):
    """Scores pasted from a spreadsheet or a CSV file; any error means nothing is saved."""

    scores = forms.CharField(
        label="Paste the scores",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text="Copy the columns Child code, Well-being and Involvement from a "
        "spreadsheet, with or without their header row. Leave a score blank if it "
        "was not scored.",
    )
    file = forms.FileField(
        label="Or upload a CSV file",
        required=False,
        help_text="The same three columns. A screening’s CSV export can be uploaded as it is.",
    )

    def __init__(
        self, *args: Any, known_codes: Iterable[str], group_name: str, **kwargs: Any
    ) -> None:
        self.known_codes = set(known_codes)
        self.group_name = group_name
        super().__init__(*args, **kwargs)

    def parse(self, text: str) -> tuple[object, list[RowError]]:
        parsed = parse_scores(text, self.known_codes, self.group_name)
        return parsed.scores, parsed.errors


class ActionPointForm(GovForm, forms.Form):
    action = forms.CharField(
        label="What will be done",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what will be done"},
    )
    owner = forms.CharField(
        label="Who will do it",
        max_length=100,
        help_text="A name or a role, for example “Key person” or “SENCo”.",
        error_messages={"required": "Enter who will do it"},
    )
    due_on = GovDateField(
        what="date it is due", label="By when", help_text="For example, 30 11 2026"
    )

    layout_fields: tuple[Any, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(
            Field.textarea("action", rows=3),
            Field.text("owner", field_width=20),
            Field("due_on"),
            *self.layout_fields,
        )


class ActionPointUpdateForm(ActionPointForm):
    follow_up = forms.CharField(
        label="Follow-up outcome",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What happened: for example the child’s scores when you looked again.",
    )
    closed = forms.BooleanField(
        label="Close this action point",
        required=False,
        help_text="Closed action points no longer show on the dashboard.",
    )

    layout_fields = (Field.textarea("follow_up", rows=4), Field.checkbox("closed"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("closed") and not (data.get("follow_up") or "").strip():
            self.add_error(
                "follow_up", "Enter the follow-up outcome before closing the action point"
            )
        return data


class ModerationDateForm(GovForm, forms.Form):
    moderated_on = GovDateField(
        what="date of moderation", label="Date of moderation", help_text="For example, 12 3 2027"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(Field("moderated_on"))

    def clean_moderated_on(self) -> datetime.date:
        date: datetime.date = self.cleaned_data["moderated_on"]
        if date > timezone.localdate():
            raise forms.ValidationError("The date of moderation must be today or in the past")
        return date


class ModerationForm(forms.Form):
    """The evaluator's re-scores of a sample: both scales for each sampled child, or neither.

    Rendered by hand as a table (``templates/audits/leuven/moderation_form.html``).
    """

    def __init__(self, *args: Any, children: Iterable[Child], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.children = list(children)
        for child in self.children:
            for scale, label in (("wellbeing", "Well-being"), ("involvement", "Involvement")):
                self.fields[f"{scale}-{child.pk}"] = forms.TypedChoiceField(
                    label=f"{label} for {child.code}",
                    choices=SCORE_CHOICES,
                    required=False,
                    coerce=int,
                    empty_value=None,
                    error_messages={"invalid_choice": "Choose a score from 1 to 5"},
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        sampled = 0
        for child in self.children:
            wellbeing = data.get(f"wellbeing-{child.pk}")
            involvement = data.get(f"involvement-{child.pk}")
            if (wellbeing is None) != (involvement is None):
                missing = "involvement" if involvement is None else "wellbeing"
                scale = "involvement" if missing == "involvement" else "well-being"
                self.add_error(
                    f"{missing}-{child.pk}",
                    f"Choose {child.code}’s {scale} score too, or neither",
                )
            elif wellbeing is not None:
                sampled += 1
        if not sampled and not self.errors:
            self.add_error(None, "Re-score at least one child")
        return data

    def rescores(self) -> dict[int, tuple[int, int]]:
        result = {}
        for child in self.children:
            wellbeing = self.cleaned_data.get(f"wellbeing-{child.pk}")
            involvement = self.cleaned_data.get(f"involvement-{child.pk}")
            if wellbeing is not None and involvement is not None:
                result[child.pk] = (wellbeing, involvement)
        return result
