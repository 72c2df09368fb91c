"""Filing a record under one of its setting's accreditations."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Layout
from django import forms

from kqm.forms import GovForm

from ..models import Accreditation

NOT_FILED = "none"


class FileRecordForm(GovForm, forms.Form):
    accreditation = forms.ChoiceField(
        label="Which accreditation year does it belong to?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the accreditation year it belongs to",
            "invalid_choice": "Choose one of the accreditation years listed",
        },
    )

    def __init__(self, *args: Any, accreditations: list[Accreditation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accreditations = {str(a.pk): a for a in accreditations}
        field = self.fields["accreditation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            *(
                (pk, f"{a.cohort} ({a.get_status_display().lower()})")
                for pk, a in self.accreditations.items()
            ),
            (NOT_FILED, "None: not part of an accreditation"),
        ]
        self._init_helper()
        self.helper.layout = Layout(Field.radios("accreditation", legend_size="m"))

    def chosen(self) -> Accreditation | None:
        return self.accreditations.get(self.cleaned_data["accreditation"])
