"""Forms for questionnaire rounds and the public answer page. Forms validate; services write."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from crispy_forms.layout import HTML
from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.db.models import QuerySet
from django.utils.html import conditional_escape, format_html

from accreditation.forms.cohorts import WHOLE_NUMBER_INPUT, GovDateField
from accreditation.models import Accreditation
from kqm.forms import GovForm
from kqm.layout import Markup
from settings.models import Setting

from .models import Questionnaire, QuestionnaireScalePoint, QuestionnaireStatement
from .models.questionnaires import MAX_COMMENT_LENGTH, MAX_LINKS_PER_ISSUE
from .services.questionnaires import check_closing_date

NOT_APPLICABLE = "na"


class SettingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} (URN {obj.urn})"


def _link_count_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        widget=WHOLE_NUMBER_INPUT,
        min_value=1,
        max_value=MAX_LINKS_PER_ISSUE,
        help_text=f"One for each person you will ask, from 1 to {MAX_LINKS_PER_ISSUE}. "
        "Each link can be used once.",
        error_messages={
            "required": "Enter how many links you need",
            "invalid": "The number of links must be a whole number, like 12",
            "min_value": f"Enter a number of links from 1 to {MAX_LINKS_PER_ISSUE}",
            "max_value": f"Enter a number of links from 1 to {MAX_LINKS_PER_ISSUE}",
        },
    )


NO_ACCREDITATION = "none"


class RoundForm(GovForm, forms.Form):
    setting = SettingChoiceField(
        label="Which setting is asking?",
        queryset=Setting.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the setting", "invalid_choice": "Select the setting"},
    )
    kind = forms.ChoiceField(
        label="Who will answer?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who will answer",
            "invalid_choice": "Select who will answer",
        },
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="Shown at the top of the questionnaire, for example "
        "“Staff questionnaire, spring term 2026”.",
        error_messages={
            "required": "Enter a title",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    closes_on = GovDateField(
        what="closing date",
        label="Closing date",
        help_text="The last day answers are accepted, for example 27 3 2026. "
        "The results appear after this date.",
    )
    link_count = _link_count_field("How many links do you need?")
    accreditation = forms.ChoiceField(
        label="Which accreditation year is this questionnaire part of?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the accreditation year this questionnaire is part of",
            "invalid_choice": "Choose one of the accreditation years listed",
        },
    )

    def __init__(
        self,
        *args: Any,
        settings: QuerySet[Setting],
        questionnaires: dict[str, Questionnaire],
        accreditations: Sequence[Accreditation] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["setting"].queryset = settings  # type: ignore[attr-defined]
        self.single_setting = settings.first() if settings.count() == 1 else None
        if self.single_setting is not None:
            del self.fields["setting"]
        self.accreditations = {str(a.pk): a for a in accreditations}
        many = self.single_setting is None
        if self.accreditations:
            field = self.fields["accreditation"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [
                *(
                    (pk, f"{a.setting.display_name}, {a.cohort}" if many else str(a.cohort))
                    for pk, a in self.accreditations.items()
                ),
                (NO_ACCREDITATION, "None: not part of an accreditation"),
            ]
        else:
            del self.fields["accreditation"]
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            Choice(kind, label, hint=questionnaires[kind].title)
            for kind, label in (("staff", "Staff"), ("parent", "Parents and carers"))
            if kind in questionnaires
        ]
        self._init_helper()
        fields: list[Any] = [] if self.single_setting else [Field.radios("setting")]
        if self.accreditations:
            fields.append(Field.radios("accreditation"))
        self.helper.layout = Layout(
            *fields,
            Field.radios("kind"),
            Field.text("title"),
            Field("closes_on"),
            Field.text("link_count", field_width=4),
        )

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean_closes_on(self) -> datetime.date:
        closes_on: datetime.date = self.cleaned_data["closes_on"]
        try:
            check_closing_date(closes_on)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["closes_on"]) from None
        return closes_on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = self.chosen_accreditation()
        setting = self.single_setting or data.get("setting")
        if chosen is not None and setting is not None and chosen.setting_id != setting.pk:
            self.add_error(
                "accreditation",
                f"That accreditation year belongs to {chosen.setting.display_name}: "
                "choose one of the setting that is asking",
            )
        return data

    def chosen_setting(self) -> Setting:
        return self.single_setting or self.cleaned_data["setting"]

    def chosen_accreditation(self) -> Accreditation | None:
        return self.accreditations.get(self.cleaned_data.get("accreditation") or "")


class NewLinksForm(GovForm, forms.Form):
    link_count = _link_count_field("How many new links do you need?")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(Field.text("link_count", field_width=4))


class AnswerForm(GovForm, forms.Form):
    """One radio group per statement, grouped under theme headings, then a comment."""

    def __init__(
        self,
        *args: Any,
        questionnaire: Questionnaire,
        scale: Sequence[QuestionnaireScalePoint],
        statements: Sequence[QuestionnaireStatement],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.statements = list(statements)
        layout: list[Any] = []
        theme = None
        for statement in self.statements:
            if statement.theme != theme:
                theme = statement.theme
                layout.append(Markup(format_html('<h2 class="govuk-heading-m">{}</h2>', theme)))
            choices: list[Any] = [Choice(str(p.value), p.label) for p in scale]
            if statement.na_allowed:
                choices[-1] = Choice(str(scale[-1].value), scale[-1].label, divider="or")
                choices.append(Choice(NOT_APPLICABLE, questionnaire.not_applicable_label))
            name = f"statement_{statement.number}"
            self.fields[name] = forms.ChoiceField(
                label=conditional_escape(f"{statement.number}. {statement.text}"),
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Select how much you agree with statement {statement.number}",
                    "invalid_choice": f"Select one of the answers given for statement "
                    f"{statement.number}",
                },
            )
            layout.append(Field.radios(name, legend_size=Size.SMALL, small=True))
        self.fields["comment"] = forms.CharField(
            label=conditional_escape(questionnaire.comment_prompt),
            required=False,
            max_length=MAX_COMMENT_LENGTH,
            widget=forms.Textarea(attrs={"rows": 5}),
            help_text="Optional. Please do not name yourself or anyone else.",
            error_messages={
                "max_length": f"Your comment must be {MAX_COMMENT_LENGTH} characters or fewer"
            },
        )
        # The character count tells people the limit; a maxlength would cut them off silently.
        self.fields["comment"].widget.attrs.pop("maxlength", None)
        layout.append(HTML('<h2 class="govuk-heading-m">Anything else</h2>'))
        layout.append(
            Field.textarea(
                "comment", label_size=Size.SMALL, rows=5, max_characters=MAX_COMMENT_LENGTH
            )
        )
        self._init_helper()
        self.helper.layout = Layout(*layout)

    def answers(self) -> dict[int, int | None]:
        result: dict[int, int | None] = {}
        for statement in self.statements:
            raw = self.cleaned_data[f"statement_{statement.number}"]
            result[statement.number] = None if raw == NOT_APPLICABLE else int(raw)
        return result
