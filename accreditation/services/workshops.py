"""Writes for half-day workshops: scheduling, changing and cancelling them, settings' bookings,
and the attendance the KQM manager records afterwards.

Places are taken under a row lock on the workshop (``select_for_update``), so two settings
booking the last place at once cannot both get it: the second waits, then finds the
workshop full. A setting holds at most one live booking per workshop (a database
constraint as well as a check here).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from kqm.emails import queue_email
from kqm.models import Role, User
from kqm.selectors import setting_managers_of
from settings.models import Setting

from ..models import Workshop, WorkshopBooking


@dataclass(frozen=True)
class WorkshopDetails:
    title: str
    date: datetime.date
    starts_at: datetime.time
    ends_at: datetime.time
    venue: str
    address: str
    capacity: int
    notes: str


DETAIL_FIELDS = ["title", "date", "starts_at", "ends_at", "venue", "address", "capacity", "notes"]
# A change to any of these is news for the settings booked on the workshop.
LOGISTICS = ("date", "starts_at", "ends_at", "venue", "address")


def live_bookings(workshop: Workshop) -> list[WorkshopBooking]:
    return list(
        WorkshopBooking.objects.filter(workshop=workshop, cancelled_at__isnull=True)
        .select_related("setting")
        .order_by("setting__name", "pk")
    )


def _context(workshop: Workshop, **extra: object) -> dict[str, object]:
    return {
        "title": workshop.title,
        "date": date_format(workshop.date, "l j F Y"),
        "times": f"{workshop.starts_at:%H:%M} to {workshop.ends_at:%H:%M}",
        "venue": workshop.venue,
        "address": workshop.address,
        "link": reverse("accreditation:workshop-detail", args=[workshop.pk]),
        **extra,
    }


def _tell(users: Iterable[User], *, template: str, context: dict[str, object], key: str) -> None:
    seen: set[int] = set()
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        queue_email(template=template, user_id=user.pk, context=context, key=f"{key}:{user.pk}")


def _stamp() -> str:
    return timezone.now().strftime("%Y%m%dT%H%M%S%f")


def _check_details(details: WorkshopDetails, *, today: datetime.date) -> None:
    """A workshop may be scheduled ahead or recorded after it took place (its attendance
    then recorded on its page), but not more than a year back."""
    if details.date < today - datetime.timedelta(days=366):
        raise ValidationError({"date": "The workshop date must be within the last year"})


@transaction.atomic
def do_schedule_workshop(*, details: WorkshopDetails, by: User) -> Workshop:
    _check_details(details, today=timezone.localdate())
    workshop = Workshop(created_by=by, **{name: getattr(details, name) for name in DETAIL_FIELDS})
    workshop.full_clean()
    workshop._history_user = by  # type: ignore[attr-defined]
    workshop.save()
    return workshop


@transaction.atomic
def do_update_workshop(*, workshop: Workshop, details: WorkshopDetails, by: User) -> Workshop:
    """Change a workshop; settings booked on it are emailed when the date, time or place
    changes. The places cannot drop below the places already booked."""
    locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if locked.is_cancelled:
        raise ValidationError("This workshop has been cancelled, so it cannot be changed.")
    if details.date != locked.date:
        _check_details(details, today=timezone.localdate())
    bookings = live_bookings(locked)
    if details.capacity < len(bookings):
        raise ValidationError(
            {
                "capacity": f"{len(bookings)} places are booked, so the workshop needs at "
                f"least {len(bookings)} places"
            }
        )
    changed = [name for name in LOGISTICS if getattr(details, name) != getattr(locked, name)]
    for name in DETAIL_FIELDS:
        setattr(locked, name, getattr(details, name))
    locked.full_clean()
    locked._history_user = by  # type: ignore[attr-defined]
    locked.save(update_fields=DETAIL_FIELDS)
    if changed and bookings:
        _tell(
            setting_managers_of(*(b.setting_id for b in bookings)),
            template="workshop_changed",
            context=_context(locked),
            key=f"workshop_changed:{locked.pk}:{_stamp()}",
        )
    return locked


@transaction.atomic
def do_cancel_workshop(*, workshop: Workshop, by: User) -> Workshop:
    """Cancel the workshop and its bookings; every booked setting's managers are emailed."""
    locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if locked.is_cancelled:
        raise ValidationError("This workshop was already cancelled.")
    if locked.date < timezone.localdate():
        raise ValidationError("This workshop has taken place, so it cannot be cancelled.")
    now = timezone.now()
    bookings = live_bookings(locked)
    locked.cancelled_at = now
    locked.cancelled_by = by
    locked._history_user = by  # type: ignore[attr-defined]
    locked.save(update_fields=["cancelled_at", "cancelled_by"])
    for booking in bookings:
        booking.cancelled_at = now
        booking.cancelled_by = by
        booking._history_user = by  # type: ignore[attr-defined]
        booking._change_reason = "Workshop cancelled"  # type: ignore[attr-defined]
        booking.save(update_fields=["cancelled_at", "cancelled_by"])
    _tell(
        setting_managers_of(*(b.setting_id for b in bookings)),
        template="workshop_cancelled",
        context=_context(locked, list_link=reverse("accreditation:workshop-list")),
        key=f"workshop_cancelled:{locked.pk}",
    )
    return locked


@transaction.atomic
def do_book_workshop(
    *, workshop: Workshop, setting: Setting, attendee_name: str, by: User
) -> WorkshopBooking:
    """Book a place for the setting, if one is left. The workshop row is locked while the
    places are counted, so concurrent bookings are served one at a time."""
    attendee_name = attendee_name.strip()
    if not attendee_name:
        raise ValidationError({"attendee_name": "Enter the name of the person who will attend"})
    locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if locked.is_cancelled:
        raise ValidationError("This workshop has been cancelled, so it cannot be booked.")
    if locked.date < timezone.localdate():
        raise ValidationError("This workshop has taken place, so it cannot be booked.")
    live = WorkshopBooking.objects.filter(workshop=locked, cancelled_at__isnull=True)
    if live.filter(setting=setting).exists():
        raise ValidationError(f"{setting.display_name} already has a place on this workshop.")
    if live.count() >= locked.capacity:
        raise ValidationError(
            "This workshop is full: all its places are booked. Choose another workshop."
        )
    booking = WorkshopBooking(
        workshop=locked, setting=setting, attendee_name=attendee_name, booked_by=by
    )
    booking.full_clean(validate_constraints=False)
    booking._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError:
        raise ValidationError(
            f"{setting.display_name} already has a place on this workshop."
        ) from None
    _tell(
        [by, *setting_managers_of(setting.pk)],
        template="workshop_booked",
        context=_context(locked, setting=setting.display_name, attendee=attendee_name),
        key=f"workshop_booked:{booking.pk}",
    )
    return booking


@transaction.atomic
def do_cancel_booking(*, booking: WorkshopBooking, by: User) -> WorkshopBooking:
    locked = (
        WorkshopBooking.objects.select_for_update()
        .select_related("workshop", "setting")
        .get(pk=booking.pk)
    )
    if locked.is_cancelled:
        raise ValidationError("This booking was already cancelled.")
    if locked.workshop.date < timezone.localdate():
        raise ValidationError("The workshop has taken place, so the booking cannot be cancelled.")
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = by
    locked._history_user = by  # type: ignore[attr-defined]
    locked.save(update_fields=["cancelled_at", "cancelled_by"])
    _tell(
        [by, *setting_managers_of(locked.setting_id)],
        template="workshop_booking_cancelled",
        context=_context(
            locked.workshop, setting=locked.setting.display_name, attendee=locked.attendee_name
        ),
        key=f"workshop_booking_cancelled:{locked.pk}",
    )
    return locked


@transaction.atomic
def do_add_attendee(
    *, workshop: Workshop, setting: Setting, attendee_name: str, by: User
) -> WorkshopBooking:
    """The KQM manager records a setting that came to a workshop that has taken place
    (one recorded afterwards, or someone who came without booking)."""
    attendee_name = attendee_name.strip()
    if by.role != Role.MANAGER:
        raise ValidationError("Only the KQM manager records attendance.")
    if not attendee_name:
        raise ValidationError({"attendee_name": "Enter the name of the person who attended"})
    locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if locked.is_cancelled:
        raise ValidationError("This workshop was cancelled, so there is no attendance to record.")
    if locked.date > timezone.localdate():
        raise ValidationError("Attendance can be recorded from the day of the workshop.")
    if WorkshopBooking.objects.filter(
        workshop=locked, setting=setting, cancelled_at__isnull=True
    ).exists():
        raise ValidationError({"setting": f"{setting.display_name} is already on this workshop"})
    now = timezone.now()
    booking = WorkshopBooking(
        workshop=locked,
        setting=setting,
        attendee_name=attendee_name,
        booked_by=by,
        attended=True,
        attendance_recorded_at=now,
        attendance_recorded_by=by,
    )
    booking.full_clean(validate_constraints=False)
    booking._history_user = by  # type: ignore[attr-defined]
    booking._change_reason = "Attendance recorded after the workshop"  # type: ignore[attr-defined]
    booking.save()
    return booking


@transaction.atomic
def do_record_attendance(
    *, workshop: Workshop, attended: Mapping[int, bool], by: User
) -> list[WorkshopBooking]:
    """Record, for each live booking, whether its person came. Only once the day has come."""
    locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if locked.is_cancelled:
        raise ValidationError("This workshop was cancelled, so there is no attendance to record.")
    if locked.date > timezone.localdate():
        raise ValidationError("Attendance can be recorded from the day of the workshop.")
    bookings = live_bookings(locked)
    missing = [b for b in bookings if b.pk not in attended]
    if missing:
        raise ValidationError(f"Record whether {missing[0].setting.display_name}'s place was used.")
    now = timezone.now()
    changed: list[WorkshopBooking] = []
    for booking in bookings:
        value = attended[booking.pk]
        if booking.attended is value:
            continue
        booking.attended = value
        booking.attendance_recorded_at = now
        booking.attendance_recorded_by = by
        booking._history_user = by  # type: ignore[attr-defined]
        booking.save(update_fields=["attended", "attendance_recorded_at", "attendance_recorded_by"])
        changed.append(booking)
    return changed
