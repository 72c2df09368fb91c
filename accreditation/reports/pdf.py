"""Reports as PDF: one WeasyPrint code path for every report.

The page is rendered from a Django template whose charts are inline SVG, so the renderer
fetches nothing (only ``data:`` URLs are allowed).
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from kqm.pdf import html_to_pdf


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """The template rendered to PDF bytes; ``generated_at`` is added to the context."""
    html = render_to_string(template, {"generated_at": timezone.now(), **context})
    return html_to_pdf(html)
