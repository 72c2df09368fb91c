"""Labels for the register's annotated values (grades, frameworks, KQM statuses)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe

from accreditation.models import ApplicationStatus, Status
from accreditation.models.accreditation import STATUS_COLOURS
from settings.models import ProviderType, Sector, Setting
from settings.ofsted import Framework, grade_label

register = template.Library()

# The accreditation pages' tag colours; an application just submitted is "applied".
COLOURS: dict[str, str] = {str(status): colour for status, colour in STATUS_COLOURS.items()}
COLOURS[ApplicationStatus.SUBMITTED.value] = COLOURS[Status.APPLIED.value]
STATUS_LABELS = {str(value): str(label) for value, label in Status.choices}
SECTOR_LABELS = {str(value): str(label) for value, label in Sector.choices}
FRAMEWORK_LABELS = {str(value): str(label) for value, label in Framework.choices}


@register.filter
def grade(value: str | None) -> str:
    return grade_label(value) if value else ""


@register.filter
def framework(value: str | None) -> str:
    return FRAMEWORK_LABELS.get(value or "", value or "")


@register.filter
def kqm_status(value: str | None) -> str:
    if not value:
        return "Never applied"
    return STATUS_LABELS.get(value, value)


@register.filter
def kqm_status_colour(value: str | None) -> str:
    """The GOV.UK tag colour of an accreditation (or application) status."""
    return COLOURS.get(value or "", "grey")


@register.filter
def sector_short(value: str | None) -> str:
    """The sector as a table has room for it (PVI rather than its full name)."""
    if value == Sector.PVI:
        return "PVI"
    return SECTOR_LABELS.get(value or "", value or "")


def _options(field: Any) -> list[tuple[str, str]]:
    return [(str(key), str(label)) for key, label in field.field.choices]


def _select(field: Any, options: list[tuple[str, str]]) -> str:
    """A filter's labelled ``<select>``, its chosen option selected."""
    value = field.value()
    chosen = "" if value is None else str(value)
    html = [
        '<div class="govuk-form-group kqm-filter__item">\n'
        f'  <label class="govuk-label" for="{escape(field.id_for_label)}">'
        f"{escape(str(field.label))}</label>\n"
        f'  <select class="govuk-select govuk-!-width-full" id="{escape(field.id_for_label)}"'
        f' name="{escape(field.html_name)}">'
    ]
    for key, label in options:
        selected = " selected" if key == chosen and key != "" else ""
        html.append(f'<option value="{escape(key)}"{selected}>{escape(label)}</option>')
    html.append("</select>\n</div>")
    return "".join(html)


# The register's filters in the order the page shows them; an area filter only when the
# register has areas to choose from.
REGISTER_FILTERS = (
    "sector",
    "provider_type",
    "local_authority",
    "district",
    "kqm_status",
    "ofsted",
)
AREA_FILTERS = ("local_authority", "district")


@register.simple_tag
def register_filters(form: Any) -> SafeString:
    """The register's filter selects. Built here rather than with a template for each: the
    local authority filter alone has about 150 options."""
    selects = []
    for name in REGISTER_FILTERS:
        field = form[name]
        options = _options(field)
        if name in AREA_FILTERS and len(options) <= 1:
            continue
        selects.append(_select(field, options))
    return mark_safe("\n".join(selects))  # every value escaped above


PROVIDER_TYPES = {str(key): str(label) for key, label in ProviderType.choices}


def _day(value: Any) -> str:
    """As the ``date:"j M Y"`` filter writes it: 7 Dec 2026."""
    return f"{value.day} {str(MONTHS_3[value.month]).title()} {value.year}"


def _latest_inspection(row: Setting) -> str:
    day = getattr(row, "latest_inspection_date", None)
    if not day:
        return "Not inspected"
    outcome = getattr(row, "latest_outcome", None)
    if outcome:
        said = grade(outcome)
    elif getattr(row, "latest_framework", None) == Framework.RENEWED_2025:
        said = "No overall grade (renewed framework)"
    else:
        said = "No grade recorded"
    return f'{_day(day)}<br><span class="govuk-body-s">{escape(said)}</span>'


@register.simple_tag
def register_table_rows(rows: Iterable[Setting]) -> SafeString:
    """The register table's rows (``settings.selectors.add_register_columns`` gives each
    its computed columns). Built here rather than in a template loop: twenty-five rows of
    seven cells with links, dates and tags cost a register page more than its queries."""
    cell = '<td class="govuk-table__cell">'
    # The setting page's address, with each row's id put in place of a stand-in one.
    before, _, after = reverse("settings:detail", args=[0]).rpartition("/0/")
    lines = []
    for row in rows:
        status = getattr(row, "kqm_status", None)
        area = row.district or row.local_authority or "–"
        provider_type = PROVIDER_TYPES.get(row.provider_type, row.provider_type)
        link = escape(f"{before}/{row.pk}/{after}")
        lines.append(
            '<tr class="govuk-table__row">'
            f'{cell}<a class="govuk-link" href="{link}">'
            f"{escape(row.display_name)}</a></td>"
            f"{cell}{escape(row.urn)}</td>"
            f"{cell}{escape(row.postcode or '–')}</td>"
            f'{cell}{escape(sector_short(row.sector))}<br><span class="govuk-body-s">'
            f"{escape(provider_type)}</span></td>"
            f"{cell}{escape(area)}</td>"
            f"{cell}{_latest_inspection(row)}</td>"
            f'{cell}<strong class="govuk-tag govuk-tag--{escape(kqm_status_colour(status))}">'
            f"{escape(kqm_status(status))}</strong></td></tr>"
        )
    return mark_safe("\n".join(lines))  # every value escaped above
