"""PDFs in tests: most tests read the text of the HTML that WeasyPrint would render.

Rendering a PDF takes from a tenth of a second to several seconds, and most tests only ask
what a PDF says. So, unless a test is marked ``real_pdf``, ``weasyprint.HTML.write_pdf``
returns a stand-in: ``%PDF-`` and a marker line, then the visible text of the HTML
(headings, tables, labels; no ``<head>``, styles or scripts). ``pdf_text`` reads either
kind. Tests that prove something about the PDF itself (page size, page count, the QR code,
fonts, what is fetched while rendering) are marked ``real_pdf`` and render for real.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

STAND_IN = b"%PDF-1.7\n%KQM test stand-in: the text of the HTML follows\n"
_SKIPPED = {"head", "style", "script", "title", "template"}


def _visible_text(root: Element) -> str:
    chunks: list[str] = []

    def walk(element: Element) -> None:
        tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if tag in _SKIPPED:
            return
        if element.text:
            chunks.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                chunks.append(child.tail)

    walk(root)
    return " ".join(" ".join(chunks).split())


def stand_in_write_pdf(self: Any, target: Any = None, **_: Any) -> bytes | None:
    """``HTML.write_pdf`` for tests not marked ``real_pdf``: the HTML's text, as bytes."""
    content = STAND_IN + _visible_text(self.etree_element).encode()
    if target is None:
        return content
    if hasattr(target, "write"):
        target.write(content)
    else:
        Path(target).write_bytes(content)
    return None


def pdf_text(source: Path | str | bytes) -> str:
    """The text of a PDF (real or stand-in), from its path or its bytes."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    if data.startswith(STAND_IN):
        return data[len(STAND_IN) :].decode()
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_page_count(source: Path | str | bytes) -> int:
    from pypdf import PdfReader

    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    assert not data.startswith(STAND_IN), "mark the test real_pdf to count pages"
    return len(PdfReader(io.BytesIO(data)).pages)
