"""Reads of half-day workshops and settings' bookings, scoped to the user asking."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from kqm.models import Role, User
from settings.models import Setting

from . import policy
from .models import Workshop, WorkshopBooking


def workshop_attended(setting_id: int) -> WorkshopBooking | None:
    """The setting's latest booking whose attendance was recorded as attended, or None.

    Re-accreditation's workshop requirement links this booking as its evidence.
    """
    return (
        WorkshopBooking.objects.select_related("workshop")
        .filter(setting_id=setting_id, attended=True, cancelled_at__isnull=True)
        .order_by("-workshop__date", "-workshop__starts_at", "-pk")
        .first()
    )


LIVE = Q(bookings__cancelled_at__isnull=True)


def workshops_with_places() -> QuerySet[Workshop]:
    """Workshops with their live bookings counted and the places left, in one query."""
    return Workshop.objects.annotate(
        booked=Count("bookings", filter=LIVE),
        attended_count=Count("bookings", filter=LIVE & Q(bookings__attended=True)),
    ).annotate(places_left=F("capacity") - F("booked"))


def upcoming_workshops(today: datetime.date) -> QuerySet[Workshop]:
    return workshops_with_places().filter(date__gte=today).order_by("date", "starts_at", "pk")


def past_workshops(today: datetime.date) -> QuerySet[Workshop]:
    return workshops_with_places().filter(date__lt=today).order_by("-date", "-starts_at", "-pk")


def access_workshop_by_id(user: User, workshop_id: int) -> Workshop:
    """Workshops are open to every setting: any KQM manager or setting manager may see one."""
    if user.role not in policy.WORKSHOP_USERS:
        raise PermissionDenied("Only the KQM manager and setting managers see workshops.")
    try:
        return workshops_with_places().select_related("cancelled_by").get(pk=workshop_id)
    except Workshop.DoesNotExist:
        raise Http404("No such workshop.") from None


def bookings_visible_to(user: User) -> QuerySet[WorkshopBooking]:
    bookings = WorkshopBooking.objects.select_related("workshop", "setting", "booked_by")
    if user.role == Role.MANAGER:
        return bookings
    if user.role == Role.SETTING_MANAGER:
        return bookings.filter(setting__in=user.settings.all())
    return bookings.none()


def access_booking_by_id(user: User, booking_id: int) -> WorkshopBooking:
    """A booking of the user's own setting (any for the KQM manager); 404 otherwise."""
    if user.role not in policy.WORKSHOP_USERS:
        raise PermissionDenied("Only the KQM manager and setting managers see bookings.")
    try:
        return bookings_visible_to(user).get(pk=booking_id)
    except WorkshopBooking.DoesNotExist:
        raise Http404("No such booking.") from None


def workshop_bookings(workshop: Workshop) -> list[WorkshopBooking]:
    """Every booking of a workshop, live ones first, by setting name."""
    return sorted(
        WorkshopBooking.objects.filter(workshop=workshop).select_related(
            "setting", "booked_by", "attendance_recorded_by"
        ),
        key=lambda b: (b.is_cancelled, b.setting.name.lower(), b.pk),
    )


def setting_bookings(user: User, *, setting_id: int | None = None) -> list[WorkshopBooking]:
    """The bookings of the user's settings (or of one setting, for the KQM manager)."""
    bookings = bookings_visible_to(user)
    if setting_id is not None:
        bookings = bookings.filter(setting_id=setting_id)
    elif user.role == Role.MANAGER:
        return []
    return list(bookings.order_by("-workshop__date", "-pk"))


def bookable_settings(user: User, workshop: Workshop) -> list[Setting]:
    """The user's settings without a live booking on the workshop."""
    if user.role != Role.SETTING_MANAGER:
        return []
    booked = WorkshopBooking.objects.filter(workshop=workshop, cancelled_at__isnull=True).values(
        "setting_id"
    )
    return list(user.settings.exclude(pk__in=booked).order_by("name", "pk"))
