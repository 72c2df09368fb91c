"""Chart labels wrap between words and still read as words."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from audits.charts import Series, grouped_bar_chart


def test_a_wrapped_label_keeps_the_space_between_its_lines():
    label = "Settings with a second case study accepted by the evaluator"
    chart = grouped_bar_chart(
        title="Unit A",
        description="Progress",
        categories=[label],
        series=[Series("Settings", [3])],
        maximum=10,
    )
    svg = ElementTree.fromstring(str(chart.svg))
    labels = [
        "".join(text.itertext())
        for text in svg.iter("{http://www.w3.org/2000/svg}text")
        if len(list(text)) > 1
    ]
    assert len(labels) == 1
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", str(chart.svg))
    assert len(lines) == 2  # wrapped, each line ends at a word
    assert all(part in label.split() for line in lines for part in line.rstrip("…").split())
    assert labels[0].startswith(lines[0] + " " + lines[1].split()[0])
