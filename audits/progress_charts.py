"""Charts of learning progress, drawn with the shared accessible SVG bar charts (``charts``).

Every chart carries its figures as a table; a figure about too few children is not drawn
and reads "fewer than 5".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .charts import Chart, Series, grouped_bar_chart
from .progress_analysis import MIN_CHILDREN, GroupGap, ProgressReport

PERCENT_TICKS = [0, 20, 40, 60, 80, 100]
HIDDEN = f"fewer than {MIN_CHILDREN} children"


def _percent_chart(
    *, title: str, description: str, categories: list[str], series: list[Series], chart_id: str
) -> Chart:
    return grouped_bar_chart(
        title=title,
        description=description,
        categories=categories,
        series=series,
        maximum=100,
        ticks=PERCENT_TICKS,
        places=0,
        chart_id=chart_id,
        category_header="Area of learning",
        missing=HIDDEN,
    )


@dataclass
class ProgressCharts:
    """The charts of each section; each group's gap beside its chart (None: too few)."""

    areas: list[Chart] = field(default_factory=list)
    gaps: list[tuple[GroupGap, Chart | None]] = field(default_factory=list)
    link: list[Chart] = field(default_factory=list)


def progress_charts(report: ProgressReport, prefix: str) -> ProgressCharts:
    """The charts of each section: areas per term, gaps by group, the Leuven link."""
    charts = ProgressCharts()
    if report.empty:
        return charts
    labels = [row.area.label for row in report.areas]
    charts.areas.append(
        _percent_chart(
            title="Children at or above expected, by area of learning and term (%)",
            description=(
                "For each of the seven areas of learning, the percentage of the children "
                "judged who were at or above expected for their age band, one bar per term."
            ),
            categories=labels,
            series=[
                Series(term_label, [row.terms[i].percent for row in report.areas])
                for i, term_label in enumerate(report.term_labels)
            ],
            chart_id=f"{prefix}-areas",
        )
    )
    for gap in report.gaps:
        if not gap.any_shown:
            charts.gaps.append((gap, None))
            continue
        chart = _percent_chart(
            title=f"{gap.spec.label}: at or above expected, {gap.term_label} (%)",
            description=(
                f"For each area, the percentage at or above expected of the children "
                f"{gap.spec.in_group.lower()} and {gap.spec.not_in_group.lower()}."
            ),
            categories=labels,
            series=[
                Series(gap.spec.in_group, [c.with_group.percent for c in gap.cells]),
                Series(gap.spec.not_in_group, [c.without.percent for c in gap.cells]),
            ],
            chart_id=f"{prefix}-gap-{gap.spec.name.replace('_', '-')}",
        )
        charts.gaps.append((gap, chart))
    if any(row.shown for row in report.link):
        charts.link.append(
            _percent_chart(
                title="Children who moved up a step, by well-being and involvement (%)",
                description=(
                    "For each area, the percentage of children who moved up at least one step "
                    "(below, expected, above) between their first and last checkpoint of the "
                    "year: children whose well-being and involvement rose out of the red or "
                    "amber zones, those who stayed there, and those green from the start."
                ),
                categories=labels,
                series=[
                    Series(row.label, [change.moved_up_percent for _, change in row.areas])
                    for row in report.link
                ],
                chart_id=f"{prefix}-link",
            )
        )
    return charts
