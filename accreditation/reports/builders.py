"""The reports as data, charts, CSV and PDF: plain functions of the report's filters.

Pages, downloads and background exports call the same functions, so a report reads the
same everywhere:

* ``outcomes_report(sector=, start=, end=)``, ``build_outcomes_csv(...)`` and
  ``render_outcomes_pdf(...)``: outcomes against Ofsted.
* ``programme_report(cohort_id=, include_evaluators=)``, ``build_programme_csv(...)`` and
  ``render_programme_pdf(...)``: cohorts, cost, evaluators (the KQM manager only) and one
  cohort's sections. ``cohort_id=None`` means the current cohort.

CSV builders return UTF-8 bytes; PDF builders return the PDF's bytes.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from audits.charts import Chart, Series, bar_chart, grouped_bar_chart
from audits.ratings_reports import safe_cell
from settings.models import Sector

from ..models import Cohort
from .cohort import CohortReport, SubscaleChange, cohort_report, current_cohort
from .outcomes import BeforeAfter, OutcomeTable, Period, before_after, outcome_table
from .pdf import render_pdf
from .programme import (
    CohortSummary,
    EvaluatorSummary,
    ProgrammeCost,
    cohort_summaries,
    evaluator_summaries,
    programme_cost,
)

PERCENT_TICKS = [0, 25, 50, 75, 100]
# Every environment rating scale in KQM runs from 1 (inadequate) to 7 (excellent).
RATING_TICKS = [1, 2, 3, 4, 5, 6, 7]


def pct(value: float | int | None) -> str:
    return "" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value)


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


# --- Outcomes against Ofsted -------------------------------------------------------------------


@dataclass
class OutcomesReport:
    sector_label: str
    period: Period
    table: OutcomeTable
    change: BeforeAfter


def outcomes_report(
    *, sector: str = "", start: datetime.date | None = None, end: datetime.date | None = None
) -> OutcomesReport:
    """Two queries: the outcome table and the before-and-after pairs."""
    period = Period(start, end)
    return OutcomesReport(
        sector_label=Sector(sector).label if sector else "All sectors",
        period=period,
        table=outcome_table(sector=sector, period=period),
        change=before_after(sector=sector, period=period),
    )


def outcome_charts(report: OutcomesReport) -> list[Chart]:
    """Charts of the outcomes report; each carries its figures as a table."""
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
                places=1,
                chart_id="outcomes",
                category_header="Overall effectiveness",
                maximum=100,
                ticks=PERCENT_TICKS,
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
                places=1,
                chart_id="change",
                category_header="Overall effectiveness",
                value_header="Settings (%)",
                maximum=100,
                ticks=PERCENT_TICKS,
            )
        )
    return charts


def outcomes_csv_rows(report: OutcomesReport) -> list[list[Any]]:
    table, change = report.table, report.change
    rows: list[list[Any]] = [
        ["Sector", report.sector_label],
        ["Inspected from", report.period.start or "", "to", report.period.end or ""],
        [],
        ["Overall effectiveness", "Accredited settings", "Accredited %", "All settings", "All %"],
    ]
    rows += [
        [row.label, row.accredited, pct(row.accredited_percent), row.all, pct(row.all_percent)]
        for row in table.rows
    ]
    rows += [
        ["Settings with an overall grade", table.accredited_graded, "", table.all_graded],
        [],
        ["Overall effectiveness before and after the award", "Settings", "%"],
    ]
    for label, count, share in (
        ("Improved", change.improved, change.improved_percent),
        ("Same", change.same, change.same_percent),
        ("Declined", change.declined, change.declined_percent),
        *change.steps,
        ("Compared", change.compared, None),
        ("Not comparable (renewed framework)", change.not_comparable, None),
        ("No inspection before the award", change.no_earlier_inspection, None),
    ):
        rows.append([label, count, pct(share)])
    rows += [[], ["Framework", "Area judgement", "Improved", "Same", "Declined", "Improved %"]]
    rows += [
        [
            area.framework_label,
            area.label,
            area.improved,
            area.same,
            area.declined,
            pct(area.improved_percent),
        ]
        for area in change.areas
    ]
    return rows


def build_outcomes_csv(
    *, sector: str = "", start: datetime.date | None = None, end: datetime.date | None = None
) -> bytes:
    return csv_bytes(outcomes_csv_rows(outcomes_report(sector=sector, start=start, end=end)))


def render_outcomes_report_pdf(report: OutcomesReport) -> bytes:
    return render_pdf(
        "accreditation/reports/outcomes_pdf.html",
        {"report": report, "charts": outcome_charts(report)},
    )


def render_outcomes_pdf(
    *, sector: str = "", start: datetime.date | None = None, end: datetime.date | None = None
) -> bytes:
    return render_outcomes_report_pdf(outcomes_report(sector=sector, start=start, end=end))


# --- Programme ---------------------------------------------------------------------------------


@dataclass
class ProgrammeReport:
    cohorts: list[CohortSummary]
    cost: ProgrammeCost
    evaluators: list[EvaluatorSummary] | None  # None: not shown (viewers)
    cohort: CohortReport | None  # None: there is no cohort yet


def programme_report(
    *, cohort_id: int | None = None, include_evaluators: bool = False
) -> ProgrammeReport:
    """The programme's figures and one cohort's (the current one when ``cohort_id`` is None).

    Raises ``Cohort.DoesNotExist`` for an unknown ``cohort_id``.
    """
    cohort = Cohort.objects.get(pk=cohort_id) if cohort_id is not None else current_cohort()
    return programme_report_for(cohort, include_evaluators=include_evaluators)


def programme_report_for(cohort: Cohort | None, *, include_evaluators: bool) -> ProgrammeReport:
    return ProgrammeReport(
        cohorts=cohort_summaries(),
        cost=programme_cost(),
        evaluators=evaluator_summaries() if include_evaluators else None,
        cohort=cohort_report(cohort) if cohort is not None else None,
    )


def subscale_chart(instrument: str, rows: list[SubscaleChange], chart_id: str) -> Chart:
    return grouped_bar_chart(
        title=f"{instrument}: cohort mean of each subscale, initial and end of year",
        description=(
            "For each subscale, the first bar is the mean of the initial audits' subscale "
            "means and the second the mean at the end of the year, on the scale from 1 "
            "(inadequate) to 7 (excellent)."
        ),
        categories=[row.label for row in rows],
        series=[
            Series("Initial", [row.initial_mean for row in rows]),
            Series("End of year", [row.end_mean for row in rows]),
        ],
        chart_id=chart_id,
        category_header="Subscale",
        minimum=RATING_TICKS[0],
        maximum=RATING_TICKS[-1],
        ticks=RATING_TICKS,
    )


def cohort_charts(report: CohortReport) -> dict[str, list[Chart]]:
    """The cohort sections' charts by section: completion, subscales, leuven, ppel."""
    completion = report.completion
    charts: dict[str, list[Chart]] = {"completion": [], "subscales": [], "leuven": [], "ppel": []}
    if completion.settings:
        charts["completion"].append(
            bar_chart(
                title=f"Unit A and Unit B tasks done in {report.cohort.name} (%)",
                description=(
                    f"Percentage of the {completion.settings} settings taking part that have "
                    "done each task."
                ),
                bars=[(f"Unit A: {row.label}", row.done_percent) for row in completion.unit_a]
                + [(f"Unit B: {row.label}", row.done_percent) for row in completion.unit_b],
                places=1,
                chart_id="completion",
                category_header="Task",
                value_header="Settings done (%)",
                maximum=100,
                ticks=PERCENT_TICKS,
            )
        )
    for index, (instrument, rows) in enumerate(report.instruments, start=1):
        charts["subscales"].append(subscale_chart(instrument, rows, f"subscales-{index}"))
    if report.leuven:
        zones = [("Red zone", "red_percent"), ("Amber zone", "amber_percent")]
        zones.append(("Green zone", "green_percent"))
        charts["leuven"].append(
            grouped_bar_chart(
                title=f"Children in each Leuven zone by term, {report.cohort.name} (%)",
                description=(
                    "Percentage of the children with both scores who were in the red, amber "
                    "and green zones, one bar for each term."
                ),
                categories=[label for label, _ in zones],
                series=[
                    Series(t.term_label, [getattr(t.zones, attr) for _, attr in zones])
                    for t in report.leuven
                ],
                places=0,
                chart_id="leuven-zones",
                category_header="Zone",
                maximum=100,
                ticks=PERCENT_TICKS,
            )
        )
    ppel = report.ppel
    if ppel.compared:
        charts["ppel"].append(
            bar_chart(
                title="Parental involvement (PPEL) from the start to the end of the year",
                description=f"Percentage of the {ppel.compared} settings with both audits.",
                bars=[
                    ("Increased", ppel.increased_percent),
                    ("Stayed the same", ppel.same_percent),
                    ("Decreased", ppel.decreased_percent),
                ],
                places=1,
                chart_id="ppel",
                category_header="PPEL overall mean",
                value_header="Settings (%)",
                maximum=100,
                ticks=PERCENT_TICKS,
            )
        )
    return charts


def _mean(value: Any) -> str:
    return "" if value is None else f"{value:.2f}"


def programme_csv_rows(report: ProgrammeReport) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["Cohort", "Status", "Settings", "Awards", "Median days to award", "Mean days to award"]
    ]
    for c in report.cohorts:
        rows += [[c.cohort.name, label, count, "", "", ""] for label, count in c.by_status]
        rows.append(
            [
                c.cohort.name,
                "All",
                c.total,
                c.awarded,
                "" if c.median_days is None else c.median_days,
                "" if c.mean_days is None else c.mean_days,
            ]
        )
    cost = report.cost
    per = cost.per_accredited_setting
    rows += [
        [],
        ["Evaluator days", cost.totals.days],
        ["Days at the evaluators' day rates (£)", f"{cost.totals.day_cost:.2f}"],
        ["Expenses (£)", f"{cost.totals.expenses:.2f}"],
        ["Total (£)", f"{cost.totals.cost:.2f}"],
        ["Awards made", cost.awards],
        ["Cost per accredited setting (£)", "" if per is None else f"{per:.2f}"],
    ]
    if report.evaluators is not None:
        rows += [
            [],
            ["Evaluator", "Settings", "Days budgeted", "Days recorded", "Days left", "Cost (£)"],
        ]
        rows += [
            [
                e.evaluator.full_name or e.evaluator.email,
                e.caseload,
                e.budget_days,
                e.days,
                e.days_left,
                f"{e.cost:.2f}",
            ]
            for e in report.evaluators
        ]
    if report.cohort is not None:
        rows += cohort_csv_rows(report.cohort)
    return rows


def cohort_csv_rows(report: CohortReport) -> list[list[Any]]:
    completion, ppel = report.completion, report.ppel
    rows: list[list[Any]] = [
        [],
        ["Cohort report", report.cohort.name],
        ["Settings taking part", completion.settings],
        [],
        ["Unit", "Task", "Settings done", "Settings taking part", "%"],
    ]
    for unit, tasks in (("Unit A", completion.unit_a), ("Unit B", completion.unit_b)):
        rows += [[unit, t.label, t.done, t.of, pct(t.done_percent)] for t in tasks]
    rows += [
        [],
        [
            "Instrument",
            "Subscale",
            "Initial mean",
            "End-of-year mean",
            "Change",
            "Settings (initial)",
            "Settings (end of year)",
            "Audits (initial)",
            "Audits (end of year)",
        ],
    ]
    rows += [
        [
            s.instrument_label,
            s.label,
            _mean(s.initial_mean),
            _mean(s.end_mean),
            _mean(s.change),
            s.initial_settings,
            s.end_settings,
            s.initial_audits,
            s.end_audits,
        ]
        for s in report.subscales
    ]
    rows += [
        [],
        [
            "Leuven term",
            "Settings",
            "Children scored",
            "Children with both scores",
            "Red",
            "Red %",
            "Amber",
            "Amber %",
            "Green",
            "Green %",
            "Well-being scored",
            "Well-being low (1-2) %",
            "Well-being moderate (3) %",
            "Well-being high (4-5) %",
            "Involvement scored",
            "Involvement low (1-2) %",
            "Involvement moderate (3) %",
            "Involvement high (4-5) %",
        ],
    ]
    for t in report.leuven:
        z, w, i = t.zones, t.wellbeing, t.involvement
        rows.append(
            [
                t.term_label,
                t.settings,
                t.children,
                z.total,
                z.red,
                pct(z.red_percent),
                z.amber,
                pct(z.amber_percent),
                z.green,
                pct(z.green_percent),
                w.total,
                pct(w.red_percent),
                pct(w.amber_percent),
                pct(w.green_percent),
                i.total,
                pct(i.red_percent),
                pct(i.amber_percent),
                pct(i.green_percent),
            ]
        )
    rows += [
        [],
        ["PPEL change", "Settings", "%"],
        ["Settings with both audits", ppel.compared, ""],
        ["Increased", ppel.increased, pct(ppel.increased_percent)],
        ["Stayed the same", ppel.same, pct(ppel.same_percent)],
        ["Decreased", ppel.decreased, pct(ppel.decreased_percent)],
        ["Start-of-year audit only", ppel.initial_only, ""],
        ["Mean at the start of the year", _mean(ppel.initial_mean), ""],
        ["Mean at the end of the year", _mean(ppel.end_mean), ""],
        ["Mean change", _mean(ppel.mean_change), ""],
        ["Headline", ppel.headline, ""],
    ]
    return rows


def build_programme_csv(*, cohort_id: int | None = None, include_evaluators: bool = False) -> bytes:
    report = programme_report(cohort_id=cohort_id, include_evaluators=include_evaluators)
    return csv_bytes(programme_csv_rows(report))


def render_programme_report_pdf(report: ProgrammeReport) -> bytes:
    charts = cohort_charts(report.cohort) if report.cohort is not None else {}
    return render_pdf(
        "accreditation/reports/programme_pdf.html",
        {"report": report, "cohort": report.cohort, "charts": charts},
    )


def render_programme_pdf(
    *, cohort_id: int | None = None, include_evaluators: bool = False
) -> bytes:
    report = programme_report(cohort_id=cohort_id, include_evaluators=include_evaluators)
    return render_programme_report_pdf(report)
