"""Labels for the register's annotated values (grades, frameworks, KQM statuses)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from accreditation.models import ApplicationStatus, Status
from accreditation.models.accreditation import STATUS_COLOURS
from settings.models import Sector
from settings.ofsted import Framework, grade_label

register = template.Library()

# The accreditation pages' tag colours; an application just submitted is "applied".
COLOURS: dict[str, str] = {str(status): colour for status, colour in STATUS_COLOURS.items()}
COLOURS[ApplicationStatus.SUBMITTED.value] = COLOURS[Status.APPLIED.value]


@register.filter
def grade(value: str | None) -> str:
    return grade_label(value) if value else ""


@register.filter
def framework(value: str | None) -> str:
    return Framework(value).label if value in Framework.values else (value or "")


@register.filter
def kqm_status(value: str | None) -> str:
    if not value:
        return "Never applied"
    return Status(value).label if value in Status.values else value


@register.filter
def kqm_status_colour(value: str | None) -> str:
    """The GOV.UK tag colour of an accreditation (or application) status."""
    return COLOURS.get(value or "", "grey")


@register.filter
def sector_short(value: str | None) -> str:
    """The sector as a table has room for it (PVI rather than its full name)."""
    if value == Sector.PVI:
        return "PVI"
    return Sector(value).label if value in Sector.values else (value or "")


@register.simple_tag
def filter_options(field: Any) -> str:
    """A filter's ``<option>`` elements, the chosen one selected. Built here rather than in
    a template loop: the local authority filter alone has about 150 of them."""
    value = field.value()
    chosen = "" if value is None else str(value)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (key, mark_safe(" selected") if str(key) == chosen and key != "" else "", label)
            for key, label in field.field.choices
        ),
    )
