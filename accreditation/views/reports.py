"""Reports: does the mark work? Accredited settings' Ofsted outcomes against the register.

The outcomes report holds aggregates only (no setting is named), so the KQM
manager and viewers see the same page.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from audits.charts import Chart, Series, bar_chart, grouped_bar_chart
from kqm.access import role_required
from kqm.models import Role
from settings.models import Sector

from ..forms.reports import OutcomesFilterForm
from ..reports.outcomes import BeforeAfter, OutcomeTable, Period, before_after, outcome_table
from ..reports.programme import cohort_summaries, evaluator_summaries, programme_cost

REPORT_ROLES = (Role.MANAGER, Role.VIEWER)


@dataclass
class OutcomesReport:
    sector_label: str
    period: Period
    table: OutcomeTable
    change: BeforeAfter


def _outcomes(request: HttpRequest) -> tuple[OutcomesFilterForm, OutcomesReport | None]:
    form = OutcomesFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None
    sector, period = form.chosen_sector(), form.period()
    return form, OutcomesReport(
        sector_label=Sector(sector).label if sector else "All sectors",
        period=period,
        table=outcome_table(sector=sector, period=period),
        change=before_after(sector=sector, period=period),
    )


@require_GET
@role_required(*REPORT_ROLES)
def outcomes_report(request: HttpRequest) -> HttpResponse:
    form, report = _outcomes(request)
    return render(
        request,
        "accreditation/reports/outcomes.html",
        {"form": form, "report": report, "query": request.GET.urlencode()},
    )


@require_GET
@role_required(*REPORT_ROLES)
def outcomes_report_csv(request: HttpRequest) -> HttpResponse:
    form, report = _outcomes(request)
    if report is None:
        return render(
            request,
            "accreditation/reports/outcomes.html",
            {"form": form, "report": None, "query": ""},
            status=400,
        )
    table, change = report.table, report.change
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="outcomes-against-ofsted.csv"'
    writer = csv.writer(response)
    writer.writerow(["Sector", report.sector_label])
    writer.writerow(["Inspected from", report.period.start or "", "to", report.period.end or ""])
    writer.writerow([])
    writer.writerow(
        ["Overall effectiveness", "Accredited settings", "Accredited %", "All settings", "All %"]
    )
    for row in table.rows:
        writer.writerow(
            [
                row.label,
                row.accredited,
                _pct(row.accredited_percent),
                row.all,
                _pct(row.all_percent),
            ]
        )
    writer.writerow(
        ["Settings with an overall grade", table.accredited_graded, "", table.all_graded]
    )
    writer.writerow([])
    writer.writerow(["Overall effectiveness before and after the award", "Settings", "%"])
    for label, count, pct in (
        ("Improved", change.improved, change.improved_percent),
        ("Same", change.same, change.same_percent),
        ("Declined", change.declined, change.declined_percent),
        *change.steps,
        ("Compared", change.compared, None),
        ("Not comparable (renewed framework)", change.not_comparable, None),
        ("No inspection before the award", change.no_earlier_inspection, None),
    ):
        writer.writerow([label, count, _pct(pct)])
    writer.writerow([])
    writer.writerow(["Framework", "Area judgement", "Improved", "Same", "Declined", "Improved %"])
    for area in change.areas:
        writer.writerow(
            [
                area.framework_label,
                area.label,
                area.improved,
                area.same,
                area.declined,
                _pct(area.improved_percent),
            ]
        )
    return response


def outcome_charts(report: OutcomesReport) -> list[Chart]:
    """The PDF's charts; each carries its figures as a table, printed beside it."""
    table, change = report.table, report.change
    graded = [row for row in table.rows if row.all_percent is not None]
    charts = []
    if table.all_graded:
        charts.append(
            grouped_bar_chart(
                title="Overall effectiveness: accredited settings against all settings",
                description=(
                    f"Percentage at each grade of the {table.accredited_graded} accredited "
                    f"and {table.all_graded} settings in the register with an overall grade."
                ),
                categories=[row.label for row in graded],
                series=[
                    Series("Accredited settings (%)", [row.accredited_percent for row in graded]),
                    Series("All settings (%)", [row.all_percent for row in graded]),
                ],
                maximum=100,
                ticks=[0, 25, 50, 75, 100],
                places=1,
                chart_id="outcomes",
                category_header="Overall effectiveness",
            )
        )
    if change.compared:
        charts.append(
            bar_chart(
                title="Overall effectiveness before and after the award",
                description=f"Percentage of the {change.compared} settings compared.",
                bars=[
                    ("Improved", change.improved_percent),
                    ("Stayed the same", change.same_percent),
                    ("Declined", change.declined_percent),
                ],
                maximum=100,
                ticks=[0, 25, 50, 75, 100],
                places=1,
                chart_id="change",
                category_header="Overall effectiveness",
                value_header="Settings (%)",
            )
        )
    return charts


@require_GET
@role_required(*REPORT_ROLES)
def outcomes_report_pdf(request: HttpRequest) -> HttpResponse:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    form, report = _outcomes(request)
    if report is None:
        return render(
            request,
            "accreditation/reports/outcomes.html",
            {"form": form, "report": None, "query": ""},
            status=400,
        )
    html = render_to_string(
        "accreditation/reports/outcomes_pdf.html",
        {"report": report, "charts": outcome_charts(report), "generated_at": timezone.now()},
    )
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="outcomes-against-ofsted.pdf"'
    return response


@require_GET
@role_required(*REPORT_ROLES)
def programme_report(request: HttpRequest) -> HttpResponse:
    """Cohorts and the programme's cost for both roles; evaluators by name for the manager only."""
    is_manager = request.user.role == Role.MANAGER  # type: ignore[union-attr]
    return render(
        request,
        "accreditation/reports/programme.html",
        {
            "cohorts": cohort_summaries(),
            "evaluators": evaluator_summaries() if is_manager else None,
            "cost": programme_cost(),
        },
    )


@require_GET
@role_required(*REPORT_ROLES)
def programme_report_csv(request: HttpRequest) -> HttpResponse:
    """The same figures as the page: evaluators by name for the KQM manager only."""
    is_manager = request.user.role == Role.MANAGER  # type: ignore[union-attr]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="programme-report.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["Cohort", "Status", "Settings", "Awards", "Median days to award", "Mean days to award"]
    )
    for c in cohort_summaries():
        for label, count in c.by_status:
            writer.writerow([c.cohort.name, label, count, "", "", ""])
        writer.writerow(
            [
                c.cohort.name,
                "All",
                c.total,
                c.awarded,
                "" if c.median_days is None else c.median_days,
                "" if c.mean_days is None else c.mean_days,
            ]
        )
    cost = programme_cost()
    writer.writerow([])
    writer.writerow(["Evaluator days", cost.totals.days])
    writer.writerow(["Days at the evaluators' day rates (£)", f"{cost.totals.day_cost:.2f}"])
    writer.writerow(["Expenses (£)", f"{cost.totals.expenses:.2f}"])
    writer.writerow(["Total (£)", f"{cost.totals.cost:.2f}"])
    writer.writerow(["Awards made", cost.awards])
    per = cost.per_accredited_setting
    writer.writerow(["Cost per accredited setting (£)", "" if per is None else f"{per:.2f}"])
    if is_manager:
        writer.writerow([])
        writer.writerow(
            ["Evaluator", "Settings", "Days budgeted", "Days recorded", "Days left", "Cost (£)"]
        )
        for e in evaluator_summaries():
            writer.writerow(
                [
                    e.evaluator.full_name or e.evaluator.email,
                    e.caseload,
                    e.budget_days,
                    e.days,
                    e.days_left,
                    f"{e.cost:.2f}",
                ]
            )
    return response


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


urlpatterns = [
    path("reports/outcomes/", outcomes_report, name="report-outcomes"),
    path("reports/outcomes.csv", outcomes_report_csv, name="report-outcomes-csv"),
    path("reports/programme/", programme_report, name="report-programme"),
    path("reports/programme.csv", programme_report_csv, name="report-programme-csv"),
    path("reports/outcomes.pdf", outcomes_report_pdf, name="report-outcomes-pdf"),
]
