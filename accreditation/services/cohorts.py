"""Writes for cohorts and network meetings. Each is atomic and leaves history (who, when, what)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from kqm.models import User

from ..models import Attendance, Cohort, MeetingAttendance, NetworkMeeting
from ..selectors import NOT_HOLDING_A_PLACE, meeting_settings


def _places_used(cohort: Cohort) -> int:
    return cohort.accreditations.exclude(status__in=NOT_HOLDING_A_PLACE).count()


def _save_cohort(
    cohort: Cohort,
    *,
    actor: User,
    name: str,
    programme_year: int,
    start_date: datetime.date,
    end_date: datetime.date,
    capacity: int,
    days_per_setting: Decimal,
) -> Cohort:
    cohort.name = name
    cohort.programme_year = programme_year
    cohort.start_date = start_date
    cohort.end_date = end_date
    cohort.capacity = capacity
    cohort.days_per_setting = days_per_setting
    cohort.full_clean()
    cohort._history_user = actor  # type: ignore[attr-defined]
    cohort.save()
    return cohort


@transaction.atomic
def do_create_cohort(
    *,
    actor: User,
    name: str,
    programme_year: int,
    start_date: datetime.date,
    end_date: datetime.date,
    capacity: int,
    days_per_setting: Decimal,
) -> Cohort:
    """A new cohort, closed to applications until the KQM manager opens it."""
    return _save_cohort(
        Cohort(applications_open=False),
        actor=actor,
        name=name,
        programme_year=programme_year,
        start_date=start_date,
        end_date=end_date,
        capacity=capacity,
        days_per_setting=days_per_setting,
    )


@transaction.atomic
def do_update_cohort(
    *,
    actor: User,
    cohort: Cohort,
    name: str,
    programme_year: int,
    start_date: datetime.date,
    end_date: datetime.date,
    capacity: int,
    days_per_setting: Decimal,
) -> Cohort:
    """Change a cohort; its capacity cannot drop below the places already taken."""
    locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
    used = _places_used(locked)
    if capacity < used:
        raise ValidationError(
            {"capacity": f"Capacity cannot be less than the {used} places already taken"}
        )
    return _save_cohort(
        locked,
        actor=actor,
        name=name,
        programme_year=programme_year,
        start_date=start_date,
        end_date=end_date,
        capacity=capacity,
        days_per_setting=days_per_setting,
    )


@transaction.atomic
def do_set_applications_open(*, actor: User, cohort: Cohort, open: bool) -> Cohort:
    """Open or close the cohort to applications from setting managers."""
    locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if locked.applications_open == open:
        return locked
    locked.applications_open = open
    locked._history_user = actor  # type: ignore[attr-defined]
    locked.save(update_fields=["applications_open"])
    return locked


@transaction.atomic
def do_save_network_meeting(
    *,
    actor: User,
    cohort: Cohort,
    meeting: NetworkMeeting | None = None,
    date: datetime.date,
    topic: str,
    venue: str = "",
    notes: str = "",
) -> NetworkMeeting:
    """Create a network meeting for the cohort, or change one."""
    if meeting is None:
        meeting = NetworkMeeting(cohort=cohort)
    elif meeting.cohort_id != cohort.pk:
        raise ValidationError("This meeting belongs to another cohort.")
    meeting.date = date
    meeting.topic = topic.strip()
    meeting.venue = venue.strip()
    meeting.notes = notes.strip()
    meeting.full_clean()
    meeting._history_user = actor  # type: ignore[attr-defined]
    meeting.save()
    return meeting


@transaction.atomic
def do_record_attendance(
    *, actor: User, meeting: NetworkMeeting, statuses: Mapping[int, str]
) -> int:
    """Record the meeting's register: setting id -> attended / sent apologies / did not attend.

    All or nothing: a setting outside the cohort or an unknown status changes no row.
    Returns how many rows were created or changed.
    """
    allowed = {setting.pk for setting in meeting_settings(meeting)}
    strangers = set(statuses) - allowed
    if strangers:
        raise ValidationError("Attendance can only be recorded for settings in the cohort.")
    existing = {row.setting_id: row for row in MeetingAttendance.objects.filter(meeting=meeting)}
    changed = 0
    for setting_id, status in statuses.items():
        row = existing.get(setting_id)
        if row is None:
            row = MeetingAttendance(meeting=meeting, setting_id=setting_id)
        elif row.status == status:
            continue
        row.status = status
        if status not in Attendance.values:
            raise ValidationError(f"“{status}” is not an attendance status.")
        row.full_clean(validate_unique=False)
        row._history_user = actor  # type: ignore[attr-defined]
        row.save()
        changed += 1
    return changed
