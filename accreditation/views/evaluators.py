"""Evaluators: the KQM manager's list and profiles, assignment, and every evaluator's workload."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest
from kqm.models import Role, User
from kqm.parsing import parse_int

from .. import selectors
from ..forms.evaluators import AssignEvaluatorForm, EvaluatorProfileForm, TrainingSessionForm
from ..services import evaluators as services

PAGE_SIZE = 25
ALL_YEARS = "all"

EVALUATOR_SORT_LABELS = [
    ("name", "Name"),
    ("budgeted", "Days budgeted (most first)"),
    ("logged", "Days logged (most first)"),
]


def _current_year(years: list[int]) -> int | None:
    """The programme year under way: the newest that has started, else the earliest planned."""
    this_year = timezone.localdate().year
    started = [y for y in years if y <= this_year]
    if started:
        return max(started)
    return min(years) if years else None


@require_GET
@role_required(Role.MANAGER)
def evaluator_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "active")
    sort = request.GET.get("sort", "")
    years = selectors.programme_years()
    raw_year = request.GET.get("year", "")
    if raw_year == ALL_YEARS:
        year = None
    elif (chosen := parse_int(raw_year, minimum=1900, maximum=2200)) is not None:
        year = chosen
    else:
        year = _current_year(years)
    evaluators = selectors.evaluator_list(search=search, status=status, year=year, sort=sort)
    page = Paginator(evaluators, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accreditation/evaluators/list.html",
        {
            "page_obj": page,
            "q": search,
            "status": status,
            "year": year,
            "years": years,
            "all_years": ALL_YEARS,
            "sort": sort if sort in selectors.EVALUATOR_SORTS else "name",
            "sorts": EVALUATOR_SORT_LABELS,
            "filtered": bool(search or status != "active"),
        },
    )


@require_GET
@role_required(Role.MANAGER)
def evaluator_detail(request: AuthenticatedHttpRequest, evaluator_id: int) -> HttpResponse:
    evaluator = selectors.access_evaluator_by_id(request.user, evaluator_id)
    profile = selectors.evaluator_profile(evaluator)
    return render(
        request,
        "accreditation/evaluators/detail.html",
        {
            "evaluator": evaluator,
            "profile": profile,
            "training": selectors.evaluator_training(evaluator),
            "summary": selectors.workload(evaluator),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def evaluator_edit(request: AuthenticatedHttpRequest, evaluator_id: int) -> HttpResponse:
    """The evaluator's profile (day rate, capacity, notes); saving creates it if missing."""
    evaluator = selectors.access_evaluator_by_id(request.user, evaluator_id)
    profile = selectors.evaluator_profile(evaluator)
    form = EvaluatorProfileForm(
        request.POST if request.method == "POST" else None, instance=profile
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_save_evaluator_profile(
                actor=request.user,
                evaluator=evaluator,
                day_rate=form.cleaned_data["day_rate"],
                capacity_days=form.cleaned_data["capacity_days"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Profile of {evaluator} saved.")
            return redirect("accreditation:evaluator-detail", evaluator_id=evaluator.pk)
    return render(
        request,
        "accreditation/evaluators/profile_form.html",
        {"form": form, "evaluator": evaluator, "profile": profile},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def evaluator_training_new(request: AuthenticatedHttpRequest, evaluator_id: int) -> HttpResponse:
    evaluator = selectors.access_evaluator_by_id(request.user, evaluator_id)
    form = TrainingSessionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_training_session(
                actor=request.user,
                evaluator=evaluator,
                title=form.cleaned_data["title"],
                date=form.cleaned_data["date"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Training session recorded.")
            return redirect("accreditation:evaluator-detail", evaluator_id=evaluator.pk)
    return render(
        request,
        "accreditation/evaluators/training_form.html",
        {"form": form, "evaluator": evaluator},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def evaluator_training_delete(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the training session."""
    session = selectors.access_training_session_by_id(request.user, session_id)
    evaluator = session.evaluator.user
    if request.method == "POST":
        services.do_delete_training_session(actor=request.user, session=session)
        messages.success(request, f"Training session “{session.title}” deleted.")
        return redirect("accreditation:evaluator-detail", evaluator_id=evaluator.pk)
    return render(
        request,
        "accreditation/evaluators/training_confirm_delete.html",
        {"session": session, "evaluator": evaluator},
    )


def _cohort_url(cohort_id: int) -> str:
    return reverse("accreditation:cohort-detail", args=[cohort_id])


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def accreditation_assign_evaluator(
    request: AuthenticatedHttpRequest, accreditation_id: int
) -> HttpResponse:
    """Choose the evaluator; past their capacity for the year, ask for “assign anyway”."""
    accreditation = selectors.access_accreditation_by_id(request.user, accreditation_id)
    next_url = _safe_next(request)
    can_assign = accreditation.status not in services.NO_EVALUATOR_STATUSES
    candidates = selectors.evaluator_candidates(accreditation) if can_assign else []
    initial = {"evaluator": str(accreditation.evaluator_id)} if accreditation.evaluator_id else {}
    form = AssignEvaluatorForm(
        request.POST if request.method == "POST" else None,
        candidates=candidates,
        programme_year=accreditation.cohort.programme_year,
        initial=initial,
    )
    over_capacity: services.OverCapacity | None = None
    if request.method == "POST" and can_assign and form.is_valid():
        evaluator: User = form.cleaned_data["evaluator"]
        try:
            services.do_assign_evaluator(
                actor=request.user,
                accreditation=accreditation,
                evaluator=evaluator,
                allow_over_capacity=form.cleaned_data["allow_over_capacity"],
            )
        except services.OverCapacity as warning:
            over_capacity = warning
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{evaluator} is now the evaluator for {accreditation.setting.display_name}. "
                "We have emailed them.",
            )
            return redirect(next_url or _cohort_url(accreditation.cohort_id))
    return render(
        request,
        "accreditation/evaluators/assign.html",
        {
            "form": form,
            "accreditation": accreditation,
            "candidates": candidates,
            "can_assign": can_assign,
            "over_capacity": over_capacity,
            "next": next_url,
            "back_url": next_url or _cohort_url(accreditation.cohort_id),
        },
    )


def _workload_page(request: HttpRequest, evaluator: User, *, own: bool) -> HttpResponse:
    raw_year = request.GET.get("year", "")
    year = parse_int(raw_year, minimum=1900, maximum=2200)
    summary = selectors.workload(evaluator, year=year)
    rows = selectors.workload_accreditations(evaluator, year=year, day_rate=summary.totals.day_rate)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accreditation/evaluators/workload.html",
        {
            "evaluator": evaluator,
            "summary": summary,
            "page_obj": page,
            "year": year,
            "own": own,
        },
    )


@require_GET
@role_required(Role.EVALUATOR)
def my_workload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in evaluator's own assigned settings, days and cost."""
    return _workload_page(request, request.user, own=True)


@require_GET
@role_required(Role.MANAGER)
def evaluator_workload(request: AuthenticatedHttpRequest, evaluator_id: int) -> HttpResponse:
    evaluator = selectors.access_evaluator_by_id(request.user, evaluator_id)
    return _workload_page(request, evaluator, own=False)


urlpatterns = [
    path("evaluators/", evaluator_list, name="evaluator-list"),
    path("evaluators/<int:evaluator_id>/", evaluator_detail, name="evaluator-detail"),
    path("evaluators/<int:evaluator_id>/edit/", evaluator_edit, name="evaluator-edit"),
    path(
        "evaluators/<int:evaluator_id>/training/new/",
        evaluator_training_new,
        name="evaluator-training-new",
    ),
    path(
        "evaluators/training/<int:session_id>/delete/",
        evaluator_training_delete,
        name="evaluator-training-delete",
    ),
    path(
        "evaluators/<int:evaluator_id>/workload/",
        evaluator_workload,
        name="evaluator-workload",
    ),
    path("workload/", my_workload, name="my-workload"),
    path(
        "accreditations/<int:accreditation_id>/evaluator/",
        accreditation_assign_evaluator,
        name="accreditation-assign-evaluator",
    ),
]
