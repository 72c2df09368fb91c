"""Accessible bar charts as server-side SVG, for pages and PDF exports alike.

Each function returns a :class:`Chart`: the SVG markup (``role="img"`` with a ``<title>``
and ``<desc>`` it is labelled by) and the same figures as a table, which templates
always show next to the chart (``templates/audits/ratings/_chart.html``). Bars are
horizontal so long category names stay readable; every bar carries its value as text,
and series differ by fill pattern as well as colour, so colour never carries meaning
alone. No JavaScript and no external resources: WeasyPrint draws the same SVG.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

Number = Decimal | int | float

# GOV.UK palette colours with at least 3:1 contrast against white.
SERIES_COLOURS = ("#1d70b8", "#f47738", "#00703c", "#912b88", "#505a5f")
# A pattern per series (drawn over the colour) so that series differ without colour.
SERIES_PATTERNS = ("solid", "stripes", "dots", "cross", "solid")

FONT = "font-family=\"'GDS Transport', arial, sans-serif\""
LABEL_WIDTH = 240
VALUE_WIDTH = 56
BAR_HEIGHT = 20
BAR_GAP = 4
GROUP_GAP = 14
AXIS_HEIGHT = 28
LEGEND_ROW = 24
CHAR_WIDTH = 7.2  # average width of a 14px character, for wrapping labels


@dataclass
class Series:
    name: str
    values: Sequence[Number | None]


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Chart:
    svg: SafeString
    table: Table
    title: str
    description: str
    notes: list[str] = field(default_factory=list)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def _fmt(value: Number | None, places: int) -> str:
    if value is None:
        return "–"
    return f"{Decimal(str(value)):.{places}f}"


def _wrap(text: str, width_px: int, max_lines: int = 2) -> list[str]:
    per_line = max(8, int(width_px / CHAR_WIDTH))
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if len(candidate) <= per_line or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: per_line - 1] + "…"]
    return lines


def _fill(chart_id: str, index: int) -> str:
    """A plain colour for solid series (crisper in print), else the series' pattern."""
    if SERIES_PATTERNS[index % len(SERIES_PATTERNS)] == "solid":
        return SERIES_COLOURS[index % len(SERIES_COLOURS)]
    return f"url(#{chart_id}-p{index})"


def _patterns(chart_id: str, count: int) -> str:
    defs = []
    for index in range(count):
        kind = SERIES_PATTERNS[index % len(SERIES_PATTERNS)]
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        pid = f"{chart_id}-p{index}"
        if kind == "stripes":
            shape = '<path d="M0,8 L8,0" stroke="#fff" stroke-width="2"/>'
        elif kind == "dots":
            shape = '<circle cx="4" cy="4" r="1.6" fill="#fff"/>'
        elif kind == "cross":
            shape = '<path d="M0,4 H8 M4,0 V8" stroke="#fff" stroke-width="1.5"/>'
        else:
            shape = ""
        defs.append(
            f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="{colour}"/>{shape}</pattern>'
        )
    return "<defs>" + "".join(defs) + "</defs>"


def grouped_bar_chart(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    minimum: Number = 0,
    maximum: Number,
    ticks: Sequence[Number] | None = None,
    places: int = 2,
    chart_id: str | None = None,
    width: int = 720,
    category_header: str = "Category",
    missing: str = "no score",
) -> Chart:
    """Horizontal bars: one group per category, one bar per series, value at each bar's end.

    ``minimum``/``maximum`` fix the value axis (e.g. 1 to 7 for a rating scale) so that
    charts of different audits compare at a glance. Missing values (None) draw no bar
    and read ``missing`` ("no score" unless told).
    """
    chart_id = chart_id or _slug(title)
    low, high = float(minimum), float(maximum)
    span = (high - low) or 1.0
    plot_x = LABEL_WIDTH
    plot_width = width - LABEL_WIDTH - VALUE_WIDTH
    group_height = len(series) * BAR_HEIGHT + (len(series) - 1) * BAR_GAP
    legend_height = LEGEND_ROW * len(series) + 8 if len(series) > 1 else 0
    top = legend_height + 4
    body_height = len(categories) * (group_height + GROUP_GAP)
    height = top + body_height + AXIS_HEIGHT

    def x_of(value: float) -> float:
        return plot_x + (min(max(value, low), high) - low) / span * plot_width

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kqm-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" {FONT} font-size="14">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        _patterns(chart_id, len(series)),
    ]
    if len(series) > 1:
        for index, one in enumerate(series):
            legend_y = 4 + index * LEGEND_ROW
            parts.append(
                f'<rect x="{plot_x}" y="{legend_y}" width="18" height="18" '
                f'fill="{_fill(chart_id, index)}" stroke="#0b0c0c" stroke-width="1"/>'
                f'<text x="{plot_x + 26}" y="{legend_y + 14}" fill="#0b0c0c">'
                f"{escape(one.name)}</text>"
            )
    tick_values = [float(t) for t in ticks] if ticks is not None else [low, high]
    for tick in tick_values:
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + body_height}" '
            f'stroke="#b1b4b6" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{top + body_height + 18}" text-anchor="middle" '
            f'fill="#0b0c0c">{_fmt(tick, 0 if float(tick).is_integer() else 1)}</text>'
        )
    for row, category in enumerate(categories):
        y0 = top + row * (group_height + GROUP_GAP) + GROUP_GAP / 2
        lines = _wrap(category, LABEL_WIDTH - 12)
        first_line_y = y0 + group_height / 2 - (len(lines) - 1) * 8 + 5
        # A space between the lines, so the label reads (and copies) as words: "case
        # study accepted", not "case studyaccepted".
        text = " ".join(
            f'<tspan x="{LABEL_WIDTH - 10}" y="{first_line_y + i * 16:.1f}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        parts.append(f'<text text-anchor="end" fill="#0b0c0c">{text}</text>')
        for index, one in enumerate(series):
            value = one.values[row] if row < len(one.values) else None
            y = y0 + index * (BAR_HEIGHT + BAR_GAP)
            if value is None:
                parts.append(
                    f'<text x="{plot_x + 4}" y="{y + 15:.1f}" fill="#505a5f">'
                    f"{escape(missing)}</text>"
                )
                continue
            end = x_of(float(value))
            parts.append(
                f'<rect x="{plot_x}" y="{y:.1f}" width="{max(end - plot_x, 1):.1f}" '
                f'height="{BAR_HEIGHT}" fill="{_fill(chart_id, index)}" '
                f'stroke="#0b0c0c" stroke-width="0.5"/>'
                f'<text x="{end + 6:.1f}" y="{y + 15:.1f}" fill="#0b0c0c">'
                f"{_fmt(value, places)}</text>"
            )
    parts.append(
        f'<line x1="{plot_x}" y1="{top}" x2="{plot_x}" y2="{top + body_height}" '
        f'stroke="#0b0c0c" stroke-width="1"/>'
    )
    parts.append("</svg>")
    table = Table(
        caption=title,
        headers=[category_header, *(s.name for s in series)],
        rows=[
            [
                category,
                *(_fmt(s.values[i] if i < len(s.values) else None, places) for s in series),
            ]
            for i, category in enumerate(categories)
        ],
    )
    return Chart(
        svg=mark_safe("".join(parts)),  # every text is escaped above
        table=table,
        title=title,
        description=description,
    )


def bar_chart(
    *,
    title: str,
    description: str,
    bars: Sequence[tuple[str, Number | None]],
    minimum: Number = 0,
    maximum: Number,
    ticks: Sequence[Number] | None = None,
    places: int = 2,
    chart_id: str | None = None,
    width: int = 720,
    category_header: str = "Category",
    value_header: str = "Value",
) -> Chart:
    """One bar per category (a single series)."""
    return grouped_bar_chart(
        title=title,
        description=description,
        categories=[label for label, _ in bars],
        series=[Series(value_header, [value for _, value in bars])],
        minimum=minimum,
        maximum=maximum,
        ticks=ticks,
        places=places,
        chart_id=chart_id,
        width=width,
        category_header=category_header,
    )
