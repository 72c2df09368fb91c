"""Every PDF KQM renders goes through here: one WeasyPrint URL fetcher that reads ``data:``
URLs and KQM's own static files, and refuses everything else (other hosts, ``file:``,
internal addresses). A name typed into a record therefore cannot make the renderer fetch
a URL, and a PDF never depends on the network. Every PDF is tagged (PDF/UA-1).

Every page is passed through ``printable_name`` first, which removes the bidirectional
control characters that would make a setting's name print reversed on its certificate.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

# U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069: marks, embeddings, overrides, isolates.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
STATIC_PREFIX = "/static/"
# Tagged PDF/UA: headings, paragraphs, tables and the reading order are marked, so a screen
# reader can read a certificate or a report (the page's lang and title go into the file).
PDF_VARIANT = "pdf/ua-1"


def printable_name(value: object) -> str:
    """``value`` as text without bidirectional control characters."""
    return BIDI_CONTROLS.sub("", str(value or ""))


def _static_file(url: str) -> str | None:
    """The file behind one of our static URLs, or None."""
    parts = urlsplit(url)
    site = urlsplit(settings.SITE_URL)
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        return None
    static_url = urlsplit(settings.STATIC_URL).path or STATIC_PREFIX
    path = unquote(parts.path)
    if not path.startswith(static_url):
        return None
    relative = posixpath.normpath(path[len(static_url) :])
    if relative.startswith("..") or relative.startswith("/") or "\x00" in relative:
        return None
    found = finders.find(relative)
    return found if isinstance(found, str) else None


def url_fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OwnFilesOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.lower().startswith("data:"):
                return super().fetch(url, headers)
            found = _static_file(url)
            if found is None:
                raise ValueError(f"PDFs may only use KQM's static files, not {url[:200]}")
            with open(found, "rb") as handle:
                body = handle.read()
            content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})

    return OwnFilesOnly(allowed_protocols={"data", "http", "https"})


def html_to_pdf(html: str) -> bytes:
    """The HTML page as PDF bytes; relative URLs resolve against ``SITE_URL``.

    Bidirectional control characters are removed from the whole page first, so that no
    name typed into KQM can reorder what a certificate or report prints.
    """
    from weasyprint import HTML

    pdf = HTML(
        string=printable_name(html), base_url=settings.SITE_URL + "/", url_fetcher=url_fetcher()
    )
    result = pdf.write_pdf(pdf_variant=PDF_VARIANT)
    assert result is not None
    return bytes(result)


def page_count(html: str) -> int:
    """How many pages ``html_to_pdf(html)`` has: the same page laid out, counted (the
    benchmarks use it, with no PDF reader installed)."""
    from weasyprint import HTML

    document = HTML(
        string=printable_name(html), base_url=settings.SITE_URL + "/", url_fetcher=url_fetcher()
    ).render()
    return len(document.pages)
