"""The programme budget in pounds: day rates, a cohort's budget lines, spending.

Only the KQM manager sees or changes the budget; the cohort's page
(``accreditation:cohort-budget``) shows budget, actual and variance per line.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest, add_service_errors
from kqm.models import Role

from .. import selectors_budget
from .. import selectors_time as time_selectors
from ..forms.budget import BUDGETED_KINDS, BudgetLinesForm, DayRateForm, ExpenseForm
from ..services import budget as services


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def day_rates(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The programme day rate over time, and a form to set it from a date."""
    form = DayRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rate = services.do_set_day_rate(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The day rate is {rate}.")
            return redirect("accreditation:day-rates")
    return render(
        request,
        "accreditation/time/day_rates.html",
        {"form": form, "rates": list(selectors_budget.day_rates())},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def budget_lines(request: AuthenticatedHttpRequest, cohort_id: int) -> HttpResponse:
    cohort = time_selectors.access_cohort_for_budget(request.user, cohort_id)
    form = BudgetLinesForm(request.POST or None, initial=selectors_budget.budget_amounts(cohort))
    if request.method == "POST" and form.is_valid():
        amounts = {kind.value: form.cleaned_data[kind.value] for kind in BUDGETED_KINDS}
        try:
            services.do_set_budget_lines(by=request.user, cohort=cohort, amounts=amounts)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The {cohort.name} budget is saved.")
            return redirect("accreditation:cohort-budget", cohort_id=cohort.pk)
    return render(request, "accreditation/time/budget_lines.html", {"form": form, "cohort": cohort})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def expense_new(request: AuthenticatedHttpRequest, cohort_id: int) -> HttpResponse:
    cohort = time_selectors.access_cohort_for_budget(request.user, cohort_id)
    form = ExpenseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_record_expense(by=request.user, cohort=cohort, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The spending is recorded.")
            return redirect("accreditation:cohort-budget", cohort_id=cohort.pk)
    return render(request, "accreditation/time/expense_form.html", {"form": form, "cohort": cohort})


urlpatterns = [
    path("budget/day-rates/", day_rates, name="day-rates"),
    path("budget/<int:cohort_id>/lines/", budget_lines, name="budget-lines"),
    path("budget/<int:cohort_id>/spending/new/", expense_new, name="expense-new"),
]
