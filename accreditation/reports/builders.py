"""The reports as data, charts, CSV and PDF: plain functions of the report's filters.

Pages, downloads and background exports call the same functions, so a report reads the
same everywhere:

* ``outcomes_report(filters)``, ``build_outcomes_csv(filters)`` and
  ``render_outcomes_pdf(filters)``: outcomes against Ofsted (``outcomes.Filters``).
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
from audits.progress_analysis import ProgressReport
from audits.ratings_reports import safe_cell

from ..models import Cohort
from . import cache
from .cohort import (
    CohortReport,
    SubscaleChange,
    cohort_progress,
    cohort_report,
    current_cohort,
)
from .outcomes import Filters, Outcomes, outcomes, p_text
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

OutcomesReport = Outcomes


def outcomes_report(filters: Filters | None = None) -> Outcomes:
    """Four queries: the snapshot, the renewed framework, compliance, before and after;
    none while the records it reads are unchanged (``cache``)."""
    filters = filters or Filters()
    parts = f"{filters!r} as at {filters.snapshot_date}"
    return cache.cached("outcomes", parts, lambda: outcomes(filters))


def outcome_charts(report: Outcomes) -> list[Chart]:
    """Charts of the outcomes report; each carries its figures as a table."""
    charts = []
    for table in report.snapshot:
        graded = [row for row in table.rows if row.benchmark_percent is not None]
        if not table.benchmark_graded:
            continue
        charts.append(
            grouped_bar_chart(
                title=f"{table.sector_label}: overall effectiveness, KQM settings against the "
                "benchmark",
                description=(
                    f"Percentage at each grade of the {table.kqm_graded} KQM settings and the "
                    f"{table.benchmark_graded} benchmark settings with an overall grade."
                ),
                categories=[row.label for row in graded],
                series=[
                    Series("KQM settings (%)", [row.kqm_percent for row in graded]),
                    Series("Benchmark (%)", [row.benchmark_percent for row in graded]),
                ],
                places=1,
                chart_id=f"outcomes-{table.sector}",
                category_header="Overall effectiveness",
                maximum=100,
                ticks=PERCENT_TICKS,
            )
        )
    change = report.change
    if change.compared:
        charts.append(
            bar_chart(
                title="Overall effectiveness of KQM settings against their previous inspection",
                description=f"Percentage of the {change.compared} KQM settings compared.",
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


def _date(value: datetime.date | None) -> str:
    return "" if value is None else value.isoformat()


def outcomes_csv_rows(report: Outcomes) -> list[list[Any]]:
    f = report.filters
    rows: list[list[Any]] = [
        ["Sector", f.sector_label],
        ["Local authority", f.local_authority or "All local authorities"],
        ["Snapshot date", _date(f.snapshot_date)],
        ["Inspected from", _date(f.period.start), "to", _date(f.period.end)],
        ["Cohort", f.cohort_name or "Every cohort"],
        ["KQM settings", f.membership_label],
        ["Benchmark", f.benchmark_label],
    ]
    for table in report.snapshot:
        rows += [
            [],
            [
                f"Snapshot: {table.sector_label}",
                "KQM settings",
                "KQM % of graded",
                "Benchmark settings",
                "Benchmark % of graded",
            ],
        ]
        rows += [
            [r.label, r.kqm, pct(r.kqm_percent), r.benchmark, pct(r.benchmark_percent)]
            for r in table.rows
        ]
        rows += [
            ["Settings", table.kqm_total, "", table.benchmark_total, ""],
            ["Settings with an overall grade", table.kqm_graded, "", table.benchmark_graded, ""],
            [
                "Outstanding",
                table.kqm_outstanding,
                pct(table.kqm_outstanding_percent),
                table.benchmark_outstanding,
                pct(table.benchmark_outstanding_percent),
            ],
            [
                "Good or outstanding",
                table.kqm_good_or_better,
                pct(table.kqm_good_or_better_percent),
                table.benchmark_good_or_better,
                pct(table.benchmark_good_or_better_percent),
            ],
        ]
    for section in report.renewed:
        rows += [
            [],
            [
                f"Renewed framework: {section.sector_label}",
                "KQM at strong standard or above",
                "KQM judged",
                "KQM %",
                "Benchmark at strong standard or above",
                "Benchmark judged",
                "Benchmark %",
            ],
        ]
        for share in [*section.areas, section.safeguarding]:
            rows.append(
                [
                    share.label,
                    share.kqm,
                    share.kqm_of,
                    pct(share.kqm_percent),
                    share.benchmark,
                    share.benchmark_of,
                    pct(share.benchmark_percent),
                ]
            )
    compliance = report.compliance
    rows += [
        [],
        ["Childcare Register compliance", "KQM settings", "KQM %", "Benchmark", "Benchmark %"],
    ]
    rows += [
        [r.label, r.kqm, pct(r.kqm_percent), r.benchmark, pct(r.benchmark_percent)]
        for r in compliance.rows
    ]
    rows.append(["Settings", compliance.kqm_total, "", compliance.benchmark_total, ""])
    for title, change in (
        ("KQM settings", report.change),
        ("Comparison group", report.comparison_change),
    ):
        rows += [
            [],
            [f"Overall effectiveness before and after: {title}", "Settings", "% of compared"],
        ]
        rows += [[label, count, pct(share)] for label, count, share in change.accounted]
        rows += [[label, count, pct(share)] for label, count, share in change.steps]
        rows += [
            ["Settings inspected", change.inspected, ""],
            ["Compared", change.compared, ""],
            [],
            [
                f"Area judgements: {title}",
                "Framework",
                "Improved",
                "Same",
                "Declined",
                "Not graded",
                "Improved % of compared",
            ],
        ]
        rows += [
            [
                a.label,
                a.framework_label,
                a.improved,
                a.same,
                a.declined,
                a.not_graded,
                pct(a.improved_percent),
            ]
            for a in change.areas
        ]
    comparison = report.comparison
    rows += [
        [],
        [
            "Improvement by previous grade",
            "KQM improved",
            "KQM compared",
            "KQM %",
            "KQM 95% low",
            "KQM 95% high",
            "Comparison improved",
            "Comparison compared",
            "Comparison %",
            "Comparison 95% low",
            "Comparison 95% high",
            "Difference (points)",
            "Difference 95% low",
            "Difference 95% high",
            "Fisher exact p",
        ],
    ]
    for s in comparison.strata:
        d = s.difference
        rows.append(
            [
                s.label,
                s.kqm.improved,
                s.kqm.of,
                pct(s.kqm.percent),
                pct(s.kqm.low_percent),
                pct(s.kqm.high_percent),
                s.comparison.improved,
                s.comparison.of,
                pct(s.comparison.percent),
                pct(s.comparison.low_percent),
                pct(s.comparison.high_percent),
                "" if d is None else pct(d.points),
                "" if d is None else pct(d.low),
                "" if d is None else pct(d.high),
                p_text(s.p_value),
            ]
        )
    d = comparison.difference
    rows += [
        [
            "All (comparison weighted to the KQM mix of previous grades)",
            comparison.kqm.improved,
            comparison.kqm.of,
            pct(comparison.kqm.percent),
            pct(comparison.kqm.low_percent),
            pct(comparison.kqm.high_percent),
            comparison.comparison_crude.improved,
            comparison.comparison_crude.of,
            pct(comparison.comparison_weighted_percent),
            pct(comparison.comparison_weighted_low),
            pct(comparison.comparison_weighted_high),
            "" if d is None else pct(d.points),
            "" if d is None else pct(d.low),
            "" if d is None else pct(d.high),
            comparison.p_text,
        ],
        ["In words", comparison.sentence],
    ]
    return rows


def build_outcomes_csv(filters: Filters | None = None) -> bytes:
    return csv_bytes(outcomes_csv_rows(outcomes_report(filters)))


def render_outcomes_report_pdf(report: Outcomes) -> bytes:
    return render_pdf(
        "accreditation/reports/outcomes_pdf.html",
        {"report": report, "charts": outcome_charts(report)},
    )


def render_outcomes_pdf(filters: Filters | None = None) -> bytes:
    return render_outcomes_report_pdf(outcomes_report(filters))


# --- Programme ---------------------------------------------------------------------------------


@dataclass
class ProgrammeReport:
    cohorts: list[CohortSummary]
    cost: ProgrammeCost
    evaluators: list[EvaluatorSummary] | None  # None: not shown (viewers)
    cohort: CohortReport | None  # None: there is no cohort yet
    progress: ProgressReport | None = None  # the cohort's learning progress, aggregates only


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
        progress=cohort_progress(cohort) if cohort is not None else None,
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
        ["Settings accredited", cost.accredited_settings],
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
    if report.progress is not None:
        rows += progress_csv_rows(report.progress)
    return rows


def _shown(percent: int | None) -> str:
    return "fewer than 5" if percent is None else f"{percent}"


def progress_csv_rows(report: ProgressReport) -> list[list[Any]]:
    """The cohort's learning progress: aggregates only, small numbers not shown."""
    rows: list[list[Any]] = [
        [],
        ["Learning progress", f"{report.children} children in {report.settings} settings"],
        ["Area of learning", *(f"{label}: % at or above expected" for label in report.term_labels)],
    ]
    rows += [[r.area.label, *(_shown(share.percent) for share in r.terms)] for r in report.areas]
    for row in report.link:
        rows += [
            [],
            [
                f"{row.label} ({row.children} children)",
                "At or above expected, first (%)",
                "Last (%)",
                "Moved up (%)",
            ],
        ]
        rows += [
            [
                area.label,
                _shown(change.before_percent),
                _shown(change.after_percent),
                _shown(change.moved_up_percent),
            ]
            for area, change in row.areas
        ]
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
            "Settings compared (both audits)",
            "Settings left out (one audit only)",
            "Audits compared (initial)",
            "Audits compared (end of year)",
        ],
    ]
    rows += [
        [
            s.instrument_label,
            s.label,
            _mean(s.initial_mean),
            _mean(s.end_mean),
            _mean(s.change),
            s.compared,
            s.left_out,
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
