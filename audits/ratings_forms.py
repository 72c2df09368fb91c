"""Forms for rating audits and the instrument library. Forms validate; services write."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.utils import timezone

from accreditation.forms.cohorts import GovDateField
from accreditation.models import Accreditation
from kqm.forms import GovForm
from kqm.models import User
from settings.models import Setting

from . import definitions
from .models import Instrument, InstrumentVersion, Occasion, ScaleValue
from .scoring import ItemDef
from .services.ratings import ScoreInput

NOT_APPLICABLE = "na"
MAX_UPLOAD_BYTES = 1024 * 1024
NOTE_MAX = 2000


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name or obj.email} ({obj.get_role_display()})"


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.instrument.name} ({obj.label})"


class ChooseSettingForm(GovForm, forms.Form):
    setting = forms.ModelChoiceField(
        label="Which setting are you auditing?",
        queryset=Setting.objects.none(),
        empty_label="Choose a setting",
        error_messages={"required": "Choose the setting", "invalid_choice": "Choose the setting"},
    )

    def __init__(self, *args: Any, settings: Iterable[Setting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["setting"].queryset = settings  # type: ignore[attr-defined]
        self._init_helper()
        self.helper.layout = Layout(
            Field("setting", context={"label_size": Size.for_label("l"), "label_tag": "h1"})
        )


NO_ACCREDITATION = "none"
# What a whole-setting tool (the leadership and PPEL self-audits) is filed as: it audits
# the setting, not one room.
WHOLE_SETTING = "Whole setting"


class AuditForm(GovForm, forms.Form):
    version = VersionChoiceField(
        label="Instrument",
        queryset=InstrumentVersion.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose the instrument",
            "invalid_choice": "Choose the instrument",
        },
    )
    room = forms.CharField(
        label="Room or group",
        max_length=100,
        help_text="For example “Pre-school room” or “Babies”.",
        error_messages={"required": "Enter the room or group you are auditing"},
    )
    age_group = forms.CharField(
        label="Age group (optional)",
        max_length=100,
        required=False,
        help_text="For example “3 to 5 years”.",
    )
    occasion = forms.ChoiceField(
        label="Which audit is this?",
        choices=Occasion.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which audit this is"},
    )
    date = GovDateField(what="date of the audit", label="Date of the audit")
    observers = UserChoiceField(
        label="Other observers (optional)",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="You are an observer of the audits you start.",
    )

    accreditation = forms.ChoiceField(
        label="Which accreditation year is this audit part of?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the accreditation year this audit is part of",
            "invalid_choice": "Choose one of the accreditation years listed",
        },
    )

    def __init__(
        self,
        *args: Any,
        versions: Iterable[InstrumentVersion],
        observers: Iterable[User],
        accreditations: Iterable[Accreditation] = (),
        fixed_version: InstrumentVersion | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = versions  # type: ignore[attr-defined]
        # Started from its task: the instrument is chosen, and a whole-setting tool has no
        # room to name, so neither question is asked.
        self.fixed_version = fixed_version
        if fixed_version is not None:
            self.fields["version"].widget = forms.HiddenInput()
            self.initial["version"] = fixed_version.pk
            for name in ("room", "age_group"):
                self.fields[name].required = False
        self.fields["observers"].queryset = observers  # type: ignore[attr-defined]
        self.accreditations = {str(a.pk): a for a in accreditations}
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())
        self._init_helper()
        layout: list[Any] = []
        if self.accreditations:
            field = self.fields["accreditation"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [
                *(
                    (pk, f"{a.cohort} ({a.get_status_display().lower()})")
                    for pk, a in self.accreditations.items()
                ),
                (NO_ACCREDITATION, "None: not part of an accreditation"),
            ]
            layout.append(Field.radios("accreditation", legend_size="m"))
        else:
            del self.fields["accreditation"]
        layout += (
            [Field("version")]
            if fixed_version is not None
            else [
                Field.radios("version", legend_size="m"),
                Field.text("room", field_width=20),
                Field.text("age_group", field_width=20),
            ]
        )
        layout += [
            Field.radios("occasion", legend_size="m", inline=False),
            Field("date"),
        ]
        if self.fields["observers"].queryset.exists():  # type: ignore[attr-defined]
            layout.append(Field.checkboxes("observers", legend_size="m"))
        else:
            del self.fields["observers"]
        self.helper.layout = Layout(*layout)

    def clean_room(self) -> str:
        room: str = self.cleaned_data.get("room", "")
        return WHOLE_SETTING if self.fixed_version is not None else room

    def chosen_accreditation(self) -> Accreditation | None:
        """The accreditation the audit is filed under, as chosen on the page (or none)."""
        return self.accreditations.get(self.cleaned_data.get("accreditation") or "")


class ReopenForm(GovForm, forms.Form):
    reason = forms.CharField(
        label="Why are you reopening this audit?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="The observers see this reason in the audit's history.",
        error_messages={"required": "Say why the audit is being reopened"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()


def score_field_name(item_id: int) -> str:
    return f"item-{item_id}-score"


def note_field_name(item_id: int) -> str:
    return f"item-{item_id}-note"


def _score_choices(scale: Sequence[ScaleValue], na_allowed: bool) -> list[tuple[str, str]]:
    choices = [(str(p.value), str(p)) for p in scale]
    if na_allowed:
        choices.append((NOT_APPLICABLE, "N/A"))
    return choices


def parse_answer(value: str, *, item_id: int, note: str = "") -> ScoreInput:
    if value == NOT_APPLICABLE:
        return ScoreInput(item_id=item_id, not_applicable=True, note=note)
    return ScoreInput(item_id=item_id, score=int(value) if value else None, note=note)


class ScoresForm(forms.Form):
    """The answers on one subscale page: a score (or N/A) and a note per item.

    Rendered by hand (a row of large radio buttons per item, for tablets); the service
    checks N/A rules and the scale again.
    """

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self, *args: Any, items: Sequence[ItemDef], scale: Sequence[ScaleValue], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[score_field_name(item.id)] = forms.ChoiceField(
                label=f"{item.number}. {item.title}",
                choices=_score_choices(scale, item.na_allowed),
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": (
                        f"Item {item.number} cannot be marked N/A: choose a score"
                        if not item.na_allowed
                        else f"Choose a score for item {item.number}"
                    )
                },
            )
            self.fields[note_field_name(item.id)] = forms.CharField(
                label=f"Note on item {item.number}",
                required=False,
                max_length=NOTE_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={
                    "max_length": f"The note on item {item.number} must be "
                    f"{NOTE_MAX} characters or fewer"
                },
            )

    def answers(self) -> list[ScoreInput]:
        data = self.cleaned_data
        return [
            parse_answer(
                data.get(score_field_name(item.id)) or "",
                item_id=item.id,
                note=data.get(note_field_name(item.id)) or "",
            )
            for item in self.items
        ]


class ConsensusForm(forms.Form):
    """The agreed answer for every item, with a note."""

    def __init__(
        self,
        *args: Any,
        items: Sequence[ItemDef],
        scale: Sequence[ScaleValue],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[score_field_name(item.id)] = forms.ChoiceField(
                label=f"{item.number}. {item.title}",
                choices=_score_choices(scale, item.na_allowed),
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose the agreed score for item {item.number}",
                    "invalid_choice": f"Choose the agreed score for item {item.number}",
                },
            )
            self.fields[note_field_name(item.id)] = forms.CharField(
                label=f"Agreed note on item {item.number}",
                required=False,
                max_length=NOTE_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def answers(self) -> dict[int, ScoreInput]:
        data = self.cleaned_data
        return {
            item.id: parse_answer(
                data[score_field_name(item.id)],
                item_id=item.id,
                note=data.get(note_field_name(item.id)) or "",
            )
            for item in self.items
        }


# --- Instrument library -------------------------------------------------------------------------


class CopyVersionForm(GovForm, forms.Form):
    label = forms.CharField(
        label="Label of the new version",
        max_length=definitions.MAX_LABEL,
        help_text="For example “2026 local edition”. "
        "It must differ from the instrument's other versions.",
        error_messages={"required": "Enter a label for the new version"},
    )

    def __init__(self, *args: Any, version: InstrumentVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self._init_helper()
        self.helper.layout = Layout(Field.text("label", field_width=20))

    def clean_label(self) -> str:
        label = " ".join(self.cleaned_data["label"].split())
        if InstrumentVersion.objects.filter(
            instrument_id=self.version.instrument_id, label__iexact=label
        ).exists():
            raise forms.ValidationError(
                f"{self.version.instrument.name} already has a version labelled “{label}”"
            )
        return label


class EditVersionForm(forms.Form):
    """Subscale names, item titles and N/A flags of a version no audit uses yet."""

    def __init__(self, *args: Any, version: InstrumentVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.subscales = list(version.subscales.order_by("number"))
        self.items = list(version.items.order_by("number"))
        for subscale in self.subscales:
            self.fields[f"subscale-{subscale.pk}"] = forms.CharField(
                label=f"Name of subscale {subscale.number}",
                max_length=definitions.MAX_NAME,
                initial=subscale.name,
                error_messages={"required": f"Enter a name for subscale {subscale.number}"},
            )
        for item in self.items:
            self.fields[f"item-{item.pk}-title"] = forms.CharField(
                label=f"Short title of item {item.number}",
                max_length=definitions.MAX_TITLE,
                initial=item.short_title,
                error_messages={"required": f"Enter a short title for item {item.number}"},
            )
            self.fields[f"item-{item.pk}-na"] = forms.BooleanField(
                label=f"Item {item.number} may be marked N/A",
                required=False,
                initial=item.na_allowed,
            )

    def rows(self) -> list[dict[str, Any]]:
        """Bound fields per subscale, for the template."""
        return [
            {
                "subscale": subscale,
                "name": self[f"subscale-{subscale.pk}"],
                "items": [
                    {
                        "item": item,
                        "title": self[f"item-{item.pk}-title"],
                        "na": self[f"item-{item.pk}-na"],
                    }
                    for item in self.items
                    if item.subscale_id == subscale.pk
                ],
            }
            for subscale in self.subscales
        ]

    def changes(self) -> tuple[dict[int, str], dict[int, str], dict[int, bool]]:
        data = self.cleaned_data
        return (
            {s.pk: data[f"subscale-{s.pk}"] for s in self.subscales},
            {i.pk: data[f"item-{i.pk}-title"] for i in self.items},
            {i.pk: data[f"item-{i.pk}-na"] for i in self.items},
        )


class InstrumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class UploadDefinitionForm(GovForm, forms.Form):
    """A JSON definition (any instrument) or a CSV list of items (a new version of one)."""

    file = forms.FileField(
        label="Definition file",
        help_text="A JSON file in the format of “Download the definition”, or a CSV file with "
        "the columns subscale_number, subscale_name, item_number, short_title, na_allowed.",
        error_messages={"required": "Choose a JSON or CSV file", "empty": "The file is empty"},
    )
    instrument = InstrumentChoiceField(
        label="Instrument (for a CSV file)",
        queryset=Instrument.objects.order_by("name"),
        required=False,
        empty_label="Choose an instrument",
        help_text="A CSV file becomes a new version of this instrument, with its current scale.",
    )
    label = forms.CharField(
        label="Label of the new version (for a CSV file)",
        max_length=definitions.MAX_LABEL,
        required=False,
    )
    make_current = forms.BooleanField(
        label="Make it the current version: new audits will use it",
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition: dict[str, Any] | None = None
        self._init_helper()
        self.helper.layout = Layout(
            Field("file"),
            Field.select("instrument"),
            Field.text("label", field_width=20),
            Field.checkbox("make_current"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is None:
            return data
        if upload.size > MAX_UPLOAD_BYTES:
            self.add_error("file", "The file must be smaller than 1 MB")
            return data
        name = upload.name.lower()
        raw = upload.read()
        try:
            if name.endswith(".json"):
                self.definition = definitions.parse_json(raw)
            elif name.endswith(".csv"):
                self.definition = self._from_csv(raw, data)
            else:
                self.add_error("file", "The file must be a JSON or CSV file")
                return data
        except definitions.DefinitionError as error:
            for message in error.errors:
                self.add_error("file", message)
            return data
        if self.definition is not None:
            existing = InstrumentVersion.objects.filter(
                instrument__code=self.definition["code"], label=self.definition["version"]
            )
            if existing.exists():
                self.add_error(
                    "file",
                    f"{self.definition['name']} already has a version labelled "
                    f"“{self.definition['version']}”",
                )
        return data

    def _from_csv(self, raw: bytes, data: dict[str, Any]) -> dict[str, Any] | None:
        instrument = data.get("instrument")
        label = (data.get("label") or "").strip()
        if instrument is None:
            self.add_error("instrument", "Choose the instrument this CSV file is a version of")
        if not label:
            self.add_error("label", "Enter a label for the new version")
        if instrument is None or not label:
            return None
        base = instrument.versions.filter(is_current=True).first() or instrument.versions.first()
        if base is None:
            self.add_error("instrument", "This instrument has no version to take the scale from")
            return None
        return definitions.parse_items_csv(raw, base=definitions.definition_of(base), label=label)
