"""Charts and report data for rating audits, shared by pages, PDF and CSV exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from kqm.pdf import html_to_pdf

from .charts import Chart, Series, bar_chart, grouped_bar_chart
from .models import Audit, ScaleValue
from .scoring import AuditResult
from .selectors.ratings import (
    CohortComparison,
    ScoringSheet,
    SettingComparison,
    audit_observers,
    scoring_sheet,
)


def _axis(scale: Sequence[ScaleValue]) -> dict[str, Any]:
    values = [p.value for p in scale] or [1, 7]
    return {"minimum": min(values), "maximum": max(values), "ticks": values}


def subscale_chart(audit: Audit, result: AuditResult, scale: Sequence[ScaleValue]) -> Chart:
    bars: list[tuple[str, Decimal | None]] = [
        (f"{r.subscale.number}. {r.subscale.name}", r.mean) for r in result.subscales
    ]
    bars.append(("All items", result.total_mean))
    total = "no score yet" if result.total_mean is None else f"{result.total_mean:.2f}"
    return bar_chart(
        title=f"Subscale means: {audit.version.instrument.name}, {audit.room}, "
        f"{audit.get_occasion_display().lower()} audit",
        description=f"Mean score of each subscale on the scale's range; the mean of all "
        f"scored items is {total}. N/A items are left out.",
        bars=bars,
        chart_id=f"audit-{audit.pk}-subscales",
        category_header="Subscale",
        value_header="Mean score",
        **_axis(scale),
    )


@dataclass
class AuditReport:
    audit: Audit
    sheet: ScoringSheet
    result: AuditResult
    chart: Chart
    observers: list[Any]

    @property
    def counts(self) -> list[tuple[ScaleValue, int]]:
        return [(p, self.result.counts.get(p.value, 0)) for p in self.sheet.scale]


def audit_report(audit: Audit) -> AuditReport:
    sheet = scoring_sheet(audit)
    result = sheet.result()
    return AuditReport(
        audit=audit,
        sheet=sheet,
        result=result,
        chart=subscale_chart(audit, result, sheet.scale),
        observers=audit_observers(audit),
    )


def audit_label(audit: Audit) -> str:
    return f"{audit.get_occasion_display()}, {audit.date:%-d %b %Y} ({audit.room})"


def comparison_chart(comparison: SettingComparison) -> Chart | None:
    before, after = comparison.before, comparison.after
    if before is None or after is None or not comparison.subscale_rows:
        return None
    scale_values = sorted(comparison.results[after.pk].counts) or [1, 7]
    return grouped_bar_chart(
        title=f"{comparison.instrument} subscale means: {audit_label(before)} and "
        f"{audit_label(after)}",
        description=f"For each subscale, the first bar is the {audit_label(before)} mean and "
        f"the second the {audit_label(after)} mean.",
        categories=[f"{row.number}. {row.name}" for row in comparison.subscale_rows],
        series=[
            Series(audit_label(before), [row.before for row in comparison.subscale_rows]),
            Series(audit_label(after), [row.after for row in comparison.subscale_rows]),
        ],
        minimum=min(scale_values),
        maximum=max(scale_values),
        ticks=scale_values,
        chart_id="setting-comparison",
        category_header="Subscale",
    )


def cohort_chart(comparison: CohortComparison, scale_values: Sequence[int]) -> Chart | None:
    if not comparison.rows:
        return None
    values = list(scale_values) or [1, 7]
    return grouped_bar_chart(
        title=f"{comparison.instrument} subscale means across {comparison.cohort}",
        description="For each subscale, the first bar is the mean of the initial audits and "
        "the second the mean of the end-of-year audits.",
        categories=[f"{row.number}. {row.name}" for row in comparison.rows],
        series=[
            Series("Initial", [row.initial.mean for row in comparison.rows]),
            Series("End of year", [row.end_of_year.mean for row in comparison.rows]),
        ],
        minimum=min(values),
        maximum=max(values),
        ticks=values,
        chart_id="cohort-comparison",
        category_header="Subscale",
    )


# --- Exports -----------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """Text a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _csv(rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def _mean_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def audit_csv(report: AuditReport) -> str:
    audit = report.audit
    means = {r.subscale.number: r.mean for r in report.result.subscales}
    header = [
        "Setting",
        "URN",
        "Instrument",
        "Version",
        "Room or group",
        "Occasion",
        "Date",
        "Status",
        "Subscale",
        "Subscale name",
        "Subscale mean",
        "Item",
        "Item title",
        "Score",
        "N/A",
        "Note",
    ]
    rows: list[list[Any]] = [header]
    for subscale in report.sheet.subscales:
        for row in subscale.items:
            rows.append(
                [
                    audit.setting.display_name,
                    audit.setting.urn,
                    audit.version.instrument.name,
                    audit.version.label,
                    audit.room,
                    audit.get_occasion_display(),
                    audit.date.isoformat(),
                    audit.get_status_display(),
                    subscale.number,
                    subscale.name,
                    _mean_text(means.get(subscale.number)),
                    row.item.number,
                    row.item.title,
                    "" if row.entry.score is None else row.entry.score,
                    "yes" if row.entry.not_applicable else "",
                    row.entry.note,
                ]
            )
    return _csv(rows)


def cohort_csv(audits: Sequence[Audit], results: dict[int, AuditResult]) -> str:
    numbers: dict[int, str] = {}
    for audit in audits:
        for sub in results[audit.pk].subscales:
            numbers[sub.subscale.number] = sub.subscale.name
    order = sorted(numbers)
    header = [
        "Setting",
        "URN",
        "Room or group",
        "Age group",
        "Occasion",
        "Date",
        "Instrument",
        "Version",
        "Kind",
        "Items scored",
        "Items N/A",
        "Mean of all items",
        *(f"{n}. {numbers[n]}" for n in order),
    ]
    rows: list[list[Any]] = [header]
    for audit in audits:
        result = results[audit.pk]
        rows.append(
            [
                audit.setting.display_name,
                audit.setting.urn,
                audit.room,
                audit.age_group,
                audit.get_occasion_display(),
                audit.date.isoformat(),
                audit.version.instrument.name,
                audit.version.label,
                audit.kind_label,
                result.scored,
                result.not_applicable,
                _mean_text(result.total_mean),
                *(_mean_text(result.subscale_mean(n)) for n in order),
            ]
        )
    return _csv(rows)


def audit_pdf(report: AuditReport) -> bytes:
    """The audit as a PDF: details, subscale means with the chart, counts, items and notes.

    Everything is inline (the chart is SVG in the page), so the renderer fetches nothing.
    """
    html = render_to_string(
        "audits/ratings/audit_pdf.html",
        {"report": report, "audit": report.audit, "generated_at": timezone.now()},
    )
    return html_to_pdf(html)
