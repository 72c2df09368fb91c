"""Charts of Leuven figures, drawn with the shared accessible SVG bar charts (``charts``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .charts import Chart, Series, grouped_bar_chart
from .leuven_analysis import SCORES, TermFigures
from .models import LEUVEN_LABELS

SCALE_NAMES = {"wellbeing": "Well-being", "involvement": "Involvement"}


def _ticks(maximum: int) -> tuple[int, list[int]]:
    """A rounded axis maximum and its ticks, for counts of children."""
    maximum = max(maximum, 1)
    step = 5 * math.ceil(maximum / 50)
    if maximum <= 10:
        step = 1 if maximum <= 5 else 2
    top = step * math.ceil(maximum / step)
    return top, list(range(0, top + 1, step))


def distribution_chart(terms: Sequence[TermFigures], scale: str, chart_id: str) -> Chart:
    """How many children got each score on ``scale``, one bar per term."""
    name = SCALE_NAMES[scale]
    counts = {t.term: getattr(t.distribution, scale) for t in terms}
    top, ticks = _ticks(max((n for c in counts.values() for n in c.values()), default=0))
    return grouped_bar_chart(
        title=f"{name} scores by term",
        description=(
            f"Number of children at each {name.lower()} score, from 1 (extremely low) to 5 "
            f"(extremely high), for each term's screening. The table below gives the figures."
        ),
        categories=[f"{score} {LEUVEN_LABELS[score].lower()}" for score in SCORES],
        series=[Series(t.term_label, [counts[t.term][score] for score in SCORES]) for t in terms],
        maximum=top,
        ticks=ticks,
        places=0,
        chart_id=chart_id,
        category_header="Score",
    )


def zone_chart(terms: Sequence[TermFigures], chart_id: str) -> Chart:
    """The percentage of children in each zone, one bar per term."""
    zones = [
        ("Red zone", "red_percent"),
        ("Amber zone", "amber_percent"),
        ("Green zone", "green_percent"),
    ]
    return grouped_bar_chart(
        title="Children in each zone by term (%)",
        description=(
            "Percentage of the children with both scores who were in the red, amber and green "
            "zones, for each term's screening. The table below gives the figures."
        ),
        categories=[label for label, _ in zones],
        series=[Series(t.term_label, [getattr(t.zones, attr) for _, attr in zones]) for t in terms],
        maximum=100,
        ticks=[0, 25, 50, 75, 100],
        places=0,
        chart_id=chart_id,
        category_header="Zone",
    )


def year_charts(terms: Sequence[TermFigures], prefix: str) -> list[Chart]:
    if not terms:
        return []
    return [
        zone_chart(terms, f"{prefix}-zones"),
        distribution_chart(terms, "wellbeing", f"{prefix}-wellbeing"),
        distribution_chart(terms, "involvement", f"{prefix}-involvement"),
    ]
