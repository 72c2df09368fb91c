"""Cohorts and their network meetings: the KQM manager's pages."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest
from kqm.models import Role

from .. import selectors
from ..forms.cohorts import (
    ApplicationsOpenForm,
    AttendanceForm,
    CohortForm,
    NetworkMeetingForm,
)
from ..models import Status
from ..services import cohorts as services
from ..services.evaluators import NO_EVALUATOR_STATUSES

PAGE_SIZE = 25

COHORT_SORT_LABELS = [
    ("year", "Programme year (newest first)"),
    ("name", "Name"),
    ("start", "Start date (latest first)"),
]


def _cohort_fields(form: CohortForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in CohortForm.Meta.fields}


@require_GET
@role_required(Role.MANAGER)
def cohort_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    year = request.GET.get("year", "")
    sort = request.GET.get("sort", "")
    cohorts = selectors.cohort_list(search=search, year=year, sort=sort)
    page = Paginator(cohorts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accreditation/cohorts/list.html",
        {
            "page_obj": page,
            "q": search,
            "year": year,
            "sort": sort if sort in selectors.COHORT_SORTS else "year",
            "sorts": COHORT_SORT_LABELS,
            "years": selectors.programme_years(),
            "filtered": bool(search or year),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def cohort_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CohortForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.do_create_cohort(actor=request.user, **_cohort_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"{cohort.name} created. It is closed to applications until you open it."
            )
            return redirect("accreditation:cohort-detail", cohort_id=cohort.pk)
    return render(request, "accreditation/cohorts/form.html", {"form": form, "cohort": None})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def cohort_edit(request: AuthenticatedHttpRequest, cohort_id: int) -> HttpResponse:
    cohort = selectors.access_cohort_by_id(request.user, cohort_id)
    places_used: int = cohort.places_used  # type: ignore[attr-defined]
    # The form works on a copy so the page keeps the saved name while the user corrects errors.
    form = CohortForm(
        request.POST if request.method == "POST" else None,
        instance=copy.copy(cohort),
        places_used=places_used,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_cohort(actor=request.user, cohort=cohort, **_cohort_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Cohort details saved.")
            return redirect("accreditation:cohort-detail", cohort_id=cohort.pk)
    return render(request, "accreditation/cohorts/form.html", {"form": form, "cohort": cohort})


@require_GET
@role_required(Role.MANAGER)
def cohort_detail(request: AuthenticatedHttpRequest, cohort_id: int) -> HttpResponse:
    cohort = selectors.access_cohort_by_id(request.user, cohort_id)
    status = request.GET.get("status", "")
    evaluator = request.GET.get("evaluator", "")
    accreditations = selectors.cohort_accreditations(cohort, status=status, evaluator=evaluator)
    page = Paginator(accreditations, PAGE_SIZE).get_page(request.GET.get("page"))
    places_used: int = cohort.places_used  # type: ignore[attr-defined]
    return render(
        request,
        "accreditation/cohorts/detail.html",
        {
            "cohort": cohort,
            "page_obj": page,
            "status": status,
            "evaluator": evaluator,
            "statuses": Status.choices,
            "filtered": bool(status or evaluator),
            "places_left": max(cohort.capacity - places_used, 0),
            "over_capacity": places_used > cohort.capacity,
            "meetings": selectors.cohort_meetings(cohort),
            "closed_statuses": sorted(NO_EVALUATOR_STATUSES),
        },
    )


@require_POST
@role_required(Role.MANAGER)
def cohort_applications_open(request: AuthenticatedHttpRequest, cohort_id: int) -> HttpResponse:
    """The switch on the cohort page: open or close the cohort to applications."""
    cohort = selectors.access_cohort_by_id(request.user, cohort_id)
    form = ApplicationsOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether applications are open or closed.")
    else:
        open_ = form.cleaned_data["applications_open"]
        services.do_set_applications_open(actor=request.user, cohort=cohort, open=open_)
        if open_:
            messages.success(request, f"{cohort.name} is open: setting managers can apply.")
        else:
            messages.success(request, f"{cohort.name} is closed to applications.")
    return redirect("accreditation:cohort-detail", cohort_id=cohort.pk)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def meeting_new(request: AuthenticatedHttpRequest, cohort_id: int) -> HttpResponse:
    cohort = selectors.access_cohort_by_id(request.user, cohort_id)
    form = NetworkMeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_save_network_meeting(actor=request.user, cohort=cohort, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Network meeting added.")
            return redirect("accreditation:cohort-detail", cohort_id=cohort.pk)
    return render(
        request,
        "accreditation/cohorts/meeting_form.html",
        {"form": form, "cohort": cohort, "meeting": None},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def meeting_edit(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.access_meeting_by_id(request.user, meeting_id)
    # A copy, so the heading keeps the saved topic while the user corrects errors.
    form = NetworkMeetingForm(
        request.POST if request.method == "POST" else None, instance=copy.copy(meeting)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_save_network_meeting(
                actor=request.user, cohort=meeting.cohort, meeting=meeting, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Network meeting saved.")
            return redirect("accreditation:cohort-detail", cohort_id=meeting.cohort_id)
    return render(
        request,
        "accreditation/cohorts/meeting_form.html",
        {"form": form, "cohort": meeting.cohort, "meeting": meeting},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def meeting_attendance(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    """The meeting's register: one question per setting, saved all together or not at all."""
    meeting = selectors.access_meeting_by_id(request.user, meeting_id)
    settings = selectors.meeting_settings(meeting)
    form = AttendanceForm(
        request.POST if request.method == "POST" else None,
        settings=settings,
        current=selectors.meeting_attendance(meeting),
    )
    if request.method == "POST" and settings and form.is_valid():
        try:
            services.do_record_attendance(
                actor=request.user, meeting=meeting, statuses=form.statuses()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Attendance at “{meeting.topic}” saved.")
            return redirect("accreditation:cohort-detail", cohort_id=meeting.cohort_id)
    return render(
        request,
        "accreditation/cohorts/attendance.html",
        {"form": form, "meeting": meeting, "cohort": meeting.cohort, "settings": settings},
    )


urlpatterns = [
    path("cohorts/", cohort_list, name="cohort-list"),
    path("cohorts/new/", cohort_new, name="cohort-new"),
    path("cohorts/<int:cohort_id>/", cohort_detail, name="cohort-detail"),
    path("cohorts/<int:cohort_id>/edit/", cohort_edit, name="cohort-edit"),
    path(
        "cohorts/<int:cohort_id>/applications-open/",
        cohort_applications_open,
        name="cohort-applications-open",
    ),
    path("cohorts/<int:cohort_id>/meetings/new/", meeting_new, name="meeting-new"),
    path("meetings/<int:meeting_id>/edit/", meeting_edit, name="meeting-edit"),
    path("meetings/<int:meeting_id>/attendance/", meeting_attendance, name="meeting-attendance"),
]
