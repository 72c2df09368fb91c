"""Evaluators' time and cost: logging days and expenses, and the KQM manager's budget pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest, add_service_errors
from kqm.models import Role

from .. import selectors, selectors_budget
from .. import selectors_time as time_selectors
from ..forms.time import TimeEntryForm
from ..services import time as services

PAGE_SIZE = 25
EXPENSES_SHOWN = 50


@require_GET
@role_required(Role.MANAGER, Role.EVALUATOR)
def time_list(request: AuthenticatedHttpRequest, accreditation_id: int) -> HttpResponse:
    user = request.user
    accreditation = selectors.access_accreditation_by_id(user, accreditation_id)
    entries = time_selectors.time_entries_of(accreditation, user)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = time_selectors.time_totals(entries)
    return render(
        request,
        "accreditation/time/list.html",
        {
            "accreditation": accreditation,
            "page_obj": page,
            "totals": totals,
            "remaining": accreditation.days_budget - totals.days,
            "can_log": user.role == Role.EVALUATOR and accreditation.evaluator_id == user.pk,
            "own": user.role == Role.EVALUATOR,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.EVALUATOR)
def time_new(request: AuthenticatedHttpRequest, accreditation_id: int) -> HttpResponse:
    user = request.user
    accreditation = selectors.access_accreditation_by_id(user, accreditation_id)
    form = TimeEntryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.do_log_time(
                evaluator=user, accreditation=accreditation, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{entry.days.normalize():f} days on {entry.date:%-d %B %Y} logged."
            )
            return redirect("accreditation:time-list", accreditation_id=accreditation.pk)
    return render(
        request,
        "accreditation/time/form.html",
        {"form": form, "accreditation": accreditation, "entry": None},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.EVALUATOR)
def time_edit(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    user = request.user
    entry = time_selectors.access_time_entry_by_id(user, entry_id)
    initial = {
        "date": entry.date,
        "days": f"{entry.days:.1f}",
        "expenses": entry.expenses,
        "description": entry.description,
    }
    form = TimeEntryForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_change_time_entry(evaluator=user, entry=entry, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Time entry changed.")
            return redirect("accreditation:time-list", accreditation_id=entry.accreditation_id)
    return render(
        request,
        "accreditation/time/form.html",
        {"form": form, "accreditation": entry.accreditation, "entry": entry},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.EVALUATOR)
def time_delete(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the entry (the audit trail keeps it)."""
    user = request.user
    entry = time_selectors.access_time_entry_by_id(user, entry_id)
    if request.method == "POST":
        services.do_delete_time_entry(evaluator=user, entry=entry)
        messages.success(request, "Time entry deleted.")
        return redirect("accreditation:time-list", accreditation_id=entry.accreditation_id)
    return render(
        request,
        "accreditation/time/confirm_delete.html",
        {"entry": entry, "accreditation": entry.accreditation},
    )


@require_GET
@role_required(Role.MANAGER)
def budget(request: HttpRequest) -> HttpResponse:
    """Every cohort: evaluator days budgeted and used, and what they cost."""
    page = Paginator(time_selectors.budget_by_cohort(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accreditation/time/budget.html", {"page_obj": page})


@require_GET
@role_required(Role.MANAGER)
def cohort_budget(request: AuthenticatedHttpRequest, cohort_id: int) -> HttpResponse:
    cohort = time_selectors.access_cohort_for_budget(request.user, cohort_id)
    page = Paginator(time_selectors.cohort_evaluators(cohort), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    days = time_selectors.cohort_budget(cohort)
    return render(
        request,
        "accreditation/time/cohort_budget.html",
        {
            "cohort": cohort,
            "page_obj": page,
            "budget": days,
            "money": selectors_budget.cohort_money(cohort, days),
            "expenses": list(selectors_budget.cohort_expenses(cohort)[:EXPENSES_SHOWN]),
        },
    )


urlpatterns = [
    path("accreditations/<int:accreditation_id>/time/", time_list, name="time-list"),
    path("accreditations/<int:accreditation_id>/time/new/", time_new, name="time-new"),
    path("time/<int:entry_id>/edit/", time_edit, name="time-edit"),
    path("time/<int:entry_id>/delete/", time_delete, name="time-delete"),
    path("budget/", budget, name="budget"),
    path("budget/<int:cohort_id>/", cohort_budget, name="cohort-budget"),
]
