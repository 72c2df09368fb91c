"""Every data table on a web page scrolls inside its own labelled, focusable wrapper, so a
phone (320 px) never scrolls the page sideways (WCAG 1.4.10); the wrapper's style lives in
the shared stylesheet. The browser suite checks the pages it visits at 320 px; this checks
every template, visited or not."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = settings.BASE_DIR / "templates"
STATIC_CSS = settings.BASE_DIR / "static" / "css"
OPENING_DIV = re.compile(r"<div\b([^>]*)>\s*$")
WRAPPER_ATTRIBUTES = [
    re.compile(r'class="(?:[\w-]+ )*kqm-table-wrapper[" ]'),
    re.compile(r'tabindex="0"'),
    re.compile(r'role="region"'),
    re.compile(r'aria-(?:label|labelledby)="[^"]+"'),
]
# Printed documents and emails do not scroll; the bench's anchors are Django's plain pages.
NOT_SCREENS = ("pdf", "emails", "bench")


def _screen_templates() -> list[Path]:
    return [
        path
        for path in sorted(TEMPLATES.rglob("*.html"))
        if not any(part in str(path.relative_to(TEMPLATES)) for part in NOT_SCREENS)
    ]


def test_every_table_is_in_a_labelled_focusable_scrolling_wrapper():
    unwrapped = []
    for path in _screen_templates():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<table\b", text):
            opening = OPENING_DIV.search(text[: match.start()])
            attributes = opening.group(1) if opening else ""
            if not all(pattern.search(attributes) for pattern in WRAPPER_ATTRIBUTES):
                line = text.count("\n", 0, match.start()) + 1
                unwrapped.append(f"{path.relative_to(TEMPLATES)}:{line}")
    assert unwrapped == []


def test_the_wrapper_style_is_in_the_shared_stylesheet_only():
    shared = (STATIC_CSS / "kqm.css").read_text(encoding="utf-8")
    assert re.search(r"\.kqm-table-wrapper \{ position: relative; overflow-x: auto;", shared)
    for sheet in STATIC_CSS.glob("*.css"):
        if sheet.name != "kqm.css":
            assert ".kqm-table-wrapper" not in sheet.read_text(encoding="utf-8"), sheet.name


def test_tables_filled_in_row_by_row_keep_headings_and_first_column_in_view():
    """Leuven scores, moderation and learning progress: the child's code and the column
    headings stay in view on a phone (the shared modifier of the wrapper)."""
    shared = (STATIC_CSS / "kqm.css").read_text(encoding="utf-8")
    assert re.search(r"\.kqm-table-wrapper--sticky \{ overflow: auto; max-height:", shared)
    assert re.search(r"\.kqm-table-wrapper--sticky thead th \{ position: sticky; top: 0;", shared)
    assert re.search(
        r"\.kqm-table-wrapper--sticky tr > :first-child \{ position: sticky; left: 0;", shared
    )
    entry_tables = []
    for path in _screen_templates():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'<table class="[^"]*\bkqm-scores\b', text):
            opening = OPENING_DIV.search(text[: match.start()])
            assert opening and "kqm-table-wrapper--sticky" in opening.group(1), path.name
            entry_tables.append(path.relative_to(TEMPLATES).as_posix())
    assert sorted(entry_tables) == [
        "audits/leuven/moderation_form.html",
        "audits/leuven/scores.html",
        "audits/progress/entry.html",
    ]
