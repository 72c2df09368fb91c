"""The KQM manager's form for moving an accreditation's status."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from kqm.forms import GovForm

from ..models import Accreditation, Status
from ..pipeline import GENERIC, PAGE_NAMES, PIPELINE, generic_moves

REASON_MAX_LENGTH = 2000


class AccreditationTransitionForm(GovForm, forms.Form):
    """Offers only the pipeline's moves from the current status that have no page of their
    own (accrediting, "not yet met", renewal and lapse each have theirs).

    Any status value is accepted by the field so that a crafted target gets a
    message naming the move, not a generic "select a valid choice".
    """

    to = forms.ChoiceField(
        label="New status",
        choices=Status.choices,
        error_messages={"required": "Choose the new status"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Required when declining or withdrawing. It is shown in the status history.",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": f"The reason must be {REASON_MAX_LENGTH} characters or fewer"
        },
    )

    def __init__(self, *args: Any, accreditation: Accreditation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accreditation = accreditation
        self.moves = {m.target: m for m in generic_moves(accreditation.status)}
        self.allowed = [(s, label) for s, label in Status.choices if s in self.moves]
        to = self.fields["to"]
        assert isinstance(to, forms.ChoiceField)
        to.error_messages["invalid_choice"] = "Choose one of the statuses listed"
        to.widget.choices = [("", "Choose a status"), *self.allowed]
        self._init_helper()
        self.helper.layout = Layout(
            Field.select("to", legend_size=Size.SMALL), Field.textarea("reason")
        )

    def clean_to(self) -> str:
        to: str = self.cleaned_data["to"]
        rule = PIPELINE.get((self.accreditation.status, to))
        if rule is not None and rule.page != GENERIC:
            raise forms.ValidationError(
                "Moving to “%(target)s” is done on %(page)s, not here.",
                code="own_page",
                params={"target": Status(to).label, "page": PAGE_NAMES[rule.page]},
            )
        if to not in self.moves:
            raise forms.ValidationError(
                "An accreditation that is “%(current)s” cannot move to “%(target)s”. "
                "Choose one of the statuses listed.",
                code="illegal",
                params={
                    "current": self.accreditation.get_status_display(),
                    "target": Status(to).label,
                },
            )
        return to

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        to = data.get("to")
        rule = self.moves.get(to or "")
        if rule is not None and rule.reason_required and not (data.get("reason") or "").strip():
            self.add_error(
                "reason", f"Enter the reason for moving to “{Status(rule.target).label}”"
            )
        return data
