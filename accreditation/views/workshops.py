"""Half-day workshops: the list, a workshop, scheduling and cancelling (KQM manager),
booking and cancelling a place (setting managers), and recording attendance."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest, add_service_errors
from kqm.models import Role
from kqm.parsing import parse_id
from settings.models import Setting

from .. import policy
from .. import selectors_workshops as workshop_selectors
from ..forms.workshops import AttendanceForm, AttendeeForm, BookingForm, WorkshopForm
from ..models import Workshop, WorkshopBooking
from ..services import workshops as services


def _details(form: WorkshopForm) -> services.WorkshopDetails:
    data = form.cleaned_data
    return services.WorkshopDetails(
        title=data["title"],
        date=data["date"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        venue=data["venue"],
        address=data["address"],
        capacity=data["capacity"],
        notes=data["notes"],
    )


@require_GET
@role_required(*policy.WORKSHOP_USERS)
def workshop_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    setting: Setting | None = None
    setting_id = parse_id(request.GET.get("setting", ""))
    if user.role == Role.MANAGER and setting_id is not None:
        setting = get_object_or_404(Setting, pk=setting_id)
    bookings = workshop_selectors.setting_bookings(user, setting_id=setting.pk if setting else None)
    booked_ids = {b.workshop_id for b in bookings if not b.is_cancelled}
    return render(
        request,
        "accreditation/workshops/list.html",
        {
            "upcoming": list(workshop_selectors.upcoming_workshops(today)),
            "past": list(workshop_selectors.past_workshops(today)[:20]),
            "bookings": bookings,
            "booked_ids": booked_ids,
            "setting": setting,
            "today": today,
        },
    )


@require_GET
@role_required(*policy.WORKSHOP_USERS)
def workshop_detail(request: AuthenticatedHttpRequest, workshop_id: int) -> HttpResponse:
    user = request.user
    workshop = workshop_selectors.access_workshop_by_id(user, workshop_id)
    today = timezone.localdate()
    if user.role == Role.MANAGER:
        bookings = workshop_selectors.workshop_bookings(workshop)
    else:
        bookings = [
            b for b in workshop_selectors.setting_bookings(user) if b.workshop_id == workshop.pk
        ]
    open_for_booking = not workshop.is_cancelled and workshop.date >= today
    return render(
        request,
        "accreditation/workshops/detail.html",
        {
            "workshop": workshop,
            "bookings": bookings,
            "today": today,
            "open_for_booking": open_for_booking,
            "can_book": open_for_booking
            and workshop.places_left > 0  # type: ignore[attr-defined]
            and bool(workshop_selectors.bookable_settings(user, workshop)),
            "can_record": user.role == Role.MANAGER
            and not workshop.is_cancelled
            and workshop.date <= today
            and workshop.booked > 0,  # type: ignore[attr-defined]
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def workshop_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = WorkshopForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            workshop = services.do_schedule_workshop(details=_details(form), by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Workshop scheduled for {workshop.date:%-d %B %Y}")
            return redirect(workshop)
    return render(request, "accreditation/workshops/form.html", {"form": form, "workshop": None})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def workshop_edit(request: AuthenticatedHttpRequest, workshop_id: int) -> HttpResponse:
    user = request.user
    workshop = workshop_selectors.access_workshop_by_id(user, workshop_id)
    if workshop.is_cancelled:
        messages.info(request, "This workshop has been cancelled, so it cannot be changed.")
        return redirect(workshop)
    initial = {name: getattr(workshop, name) for name in services.DETAIL_FIELDS}
    form = WorkshopForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            workshop = services.do_update_workshop(
                workshop=workshop, details=_details(form), by=user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Workshop changed")
            return redirect(workshop)
    return render(
        request, "accreditation/workshops/form.html", {"form": form, "workshop": workshop}
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def workshop_cancel(request: AuthenticatedHttpRequest, workshop_id: int) -> HttpResponse:
    """Confirm, then cancel: every booked setting is emailed."""
    user = request.user
    workshop = workshop_selectors.access_workshop_by_id(user, workshop_id)
    error = ""
    if request.method == "POST":
        try:
            services.do_cancel_workshop(workshop=workshop, by=user)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(
                request, "Workshop cancelled. The settings with places have been emailed."
            )
            return redirect("accreditation:workshop-list")
    return render(
        request,
        "accreditation/workshops/cancel.html",
        {"workshop": workshop, "error": error},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SETTING_MANAGER)
def workshop_book(request: AuthenticatedHttpRequest, workshop_id: int) -> HttpResponse:
    user = request.user
    workshop = workshop_selectors.access_workshop_by_id(user, workshop_id)
    settings = workshop_selectors.bookable_settings(user, workshop)
    if not settings:
        messages.info(request, "Your setting already has a place on this workshop.")
        return redirect(workshop)
    form = BookingForm(request.POST if request.method == "POST" else None, settings=settings)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_book_workshop(
                workshop=workshop,
                setting=form.chosen_setting,
                attendee_name=form.cleaned_data["attendee_name"],
                by=user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Place booked for {form.cleaned_data['attendee_name']}. "
                "We have emailed you the details.",
            )
            return redirect(workshop)
    return render(
        request, "accreditation/workshops/book.html", {"form": form, "workshop": workshop}
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.WORKSHOP_USERS)
def booking_cancel(request: AuthenticatedHttpRequest, booking_id: int) -> HttpResponse:
    user = request.user
    booking = workshop_selectors.access_booking_by_id(user, booking_id)
    error = ""
    if request.method == "POST":
        try:
            services.do_cancel_booking(booking=booking, by=user)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, "Booking cancelled. The place is free for another setting.")
            return redirect(booking.workshop)
    return render(
        request,
        "accreditation/workshops/booking_cancel.html",
        {"booking": booking, "workshop": booking.workshop, "error": error},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def workshop_attendance(request: AuthenticatedHttpRequest, workshop_id: int) -> HttpResponse:
    """One form for every booking: attended or did not attend."""
    user = request.user
    workshop: Workshop = workshop_selectors.access_workshop_by_id(user, workshop_id)
    if workshop.is_cancelled or workshop.date > timezone.localdate():
        messages.info(request, "Attendance can be recorded from the day of the workshop.")
        return redirect(workshop)
    bookings = services.live_bookings(workshop)
    form = AttendanceForm(request.POST if request.method == "POST" else None, bookings=bookings)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_record_attendance(workshop=workshop, attended=form.attendance, by=user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Attendance recorded")
            return redirect(workshop)
    return render(
        request,
        "accreditation/workshops/attendance.html",
        {"form": form, "workshop": workshop, "bookings": bookings},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def workshop_add_attendee(request: AuthenticatedHttpRequest, workshop_id: int) -> HttpResponse:
    """Record a setting that came: for a workshop recorded after it took place."""
    user = request.user
    workshop: Workshop = workshop_selectors.access_workshop_by_id(user, workshop_id)
    if workshop.is_cancelled or workshop.date > timezone.localdate():
        messages.info(request, "Attendance can be recorded from the day of the workshop.")
        return redirect(workshop)
    on_it = WorkshopBooking.objects.filter(workshop=workshop, cancelled_at__isnull=True)
    settings = list(
        Setting.objects.filter(awards__isnull=False)
        .exclude(pk__in=on_it.values("setting_id"))
        .distinct()
        .order_by("name", "urn")
    )
    form = AttendeeForm(request.POST if request.method == "POST" else None, settings=settings)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_attendee(
                workshop=workshop,
                setting=form.chosen_setting,
                attendee_name=form.cleaned_data["attendee_name"],
                by=user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{form.chosen_setting.display_name} is recorded as having attended.",
            )
            return redirect("accreditation:workshop-attendance", workshop_id=workshop.pk)
    return render(
        request,
        "accreditation/workshops/add_attendee.html",
        {"form": form, "workshop": workshop},
    )


urlpatterns = [
    path(
        "workshops/<int:workshop_id>/attendance/add/",
        workshop_add_attendee,
        name="workshop-add-attendee",
    ),
    path("workshops/", workshop_list, name="workshop-list"),
    path("workshops/new/", workshop_new, name="workshop-new"),
    path("workshops/<int:workshop_id>/", workshop_detail, name="workshop-detail"),
    path("workshops/<int:workshop_id>/edit/", workshop_edit, name="workshop-edit"),
    path("workshops/<int:workshop_id>/cancel/", workshop_cancel, name="workshop-cancel"),
    path("workshops/<int:workshop_id>/book/", workshop_book, name="workshop-book"),
    path(
        "workshops/<int:workshop_id>/attendance/",
        workshop_attendance,
        name="workshop-attendance",
    ),
    path(
        "workshop-bookings/<int:booking_id>/cancel/",
        booking_cancel,
        name="workshop-booking-cancel",
    ),
]
