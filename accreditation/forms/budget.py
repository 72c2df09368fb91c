"""Forms for the programme budget. Forms validate; services write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crispy_forms_gds.layout import Field, Layout
from django import forms

from kqm.forms import GovForm
from kqm.money import format_pounds

from ..models.budget import RECORDED_KINDS, CostKind
from .cohorts import DECIMAL_INPUT, GovDateField, MoneyField

BUDGETED_KINDS = (
    CostKind.MATERIALS,
    CostKind.TRAINING,
    CostKind.VENUE,
    CostKind.EVALUATOR_EXPENSES,
    CostKind.OTHER,
)


def pounds_field(
    what: str, *, label: str, required: bool = True, most: str = "9999999.99", **kwargs: Any
) -> MoneyField:
    """An amount in pounds with messages that name it (``what``, e.g. "the venue budget")."""
    limit = format_pounds(most)
    return MoneyField(
        widget=DECIMAL_INPUT,
        label=label,
        required=required,
        min_value=Decimal("0"),
        max_value=Decimal(most),
        max_digits=len(most.replace(".", "")),
        decimal_places=2,
        error_messages={
            "required": f"Enter {what}",
            "invalid": f"Enter {what} as an amount in pounds, like 1,250 or 1,250.50",
            "min_value": f"{what.capitalize()} cannot be negative",
            "max_value": f"{what.capitalize()} must be {limit} or less",
            "max_digits": f"{what.capitalize()} must be {limit} or less",
            "max_whole_digits": f"{what.capitalize()} must be {limit} or less",
            "max_decimal_places": f"Enter {what} in pounds and pence, like 1,250.50",
        },
        **kwargs,
    )


class DayRateForm(GovForm, forms.Form):
    effective_from = GovDateField(what="date the rate starts", label="In force from")
    rate = pounds_field("the day rate", label="Day rate (£)", most="9999.99")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(Field("effective_from"), Field.text("rate", field_width=10))


class BudgetLinesForm(GovForm, forms.Form):
    """One amount per kind of cost; a blank amount means nothing is budgeted for it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in BUDGETED_KINDS:
            self.fields[kind.value] = pounds_field(
                f"the {kind.label.lower()} budget",
                label=f"{kind.label} (£)",
                required=False,
                help_text="Leave blank if nothing is budgeted for it.",
            )
        self._init_helper()
        self.helper.layout = Layout(
            *(Field.text(kind.value, field_width=10) for kind in BUDGETED_KINDS)
        )


class ExpenseForm(GovForm, forms.Form):
    kind = forms.ChoiceField(
        label="What was it for?",
        choices=[(kind.value, kind.label) for kind in RECORDED_KINDS],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the money was spent on",
            "invalid_choice": "Choose what the money was spent on",
        },
    )
    description = forms.CharField(
        label="Description",
        max_length=200,
        help_text="For example “Evidence folders for 24 settings”.",
        error_messages={
            "required": "Describe what was bought",
            "max_length": "The description must be 200 characters or fewer",
        },
    )
    date = GovDateField(what="date of the spending", label="Date")
    amount = pounds_field("the amount", label="Amount (£)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(
            Field.radios("kind", legend_size="m"),
            Field.text("description"),
            Field("date"),
            Field.text("amount", field_width=10),
        )

    def clean_amount(self) -> Decimal:
        amount: Decimal = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError("The amount must be more than £0")
        return amount
