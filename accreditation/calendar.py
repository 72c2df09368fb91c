"""iCalendar (RFC 5545) for an evaluator's visits, written by hand: a handful of properties.

Each visit is one event whose UID never changes; rescheduling raises SEQUENCE so
calendar apps move the event instead of adding a second one. Times are sent in UTC.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from kqm.models import User

from .models import Visit


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = char
            limit = 74  # continuation lines start with a space
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(date: datetime.date, time: datetime.time) -> str:
    local = timezone.make_aware(datetime.datetime.combine(date, time))
    return local.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_for(evaluator: User, visits: Iterable[Visit], *, site_url: str) -> str:
    host = site_url.split("://", 1)[-1].split("/", 1)[0] or "kqm"
    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//KQM//Evaluator visits//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(f'KQM visits – {evaluator}')}",
    ]
    for visit in visits:
        setting = visit.accreditation.setting
        address = ", ".join(
            part.strip()
            for part in [*setting.address.splitlines(), setting.postcode]
            if part.strip()
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:visit-{visit.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(visit.date, visit.start_time)}",
            f"DTEND:{_utc(visit.date, visit.end_time)}",
            f"SEQUENCE:{visit.sequence}",
            "SUMMARY:" + escape_text(f"{visit.get_visit_type_display()}: {setting.display_name}"),
            f"LOCATION:{escape_text(address)}",
            "DESCRIPTION:"
            + escape_text(
                f"KQM {visit.get_visit_type_display().lower()} ({visit.accreditation.cohort})."
                f"\n{site_url}{visit.get_absolute_url()}"
            ),
            f"URL:{site_url}{visit.get_absolute_url()}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
