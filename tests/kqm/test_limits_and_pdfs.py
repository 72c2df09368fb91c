"""Honest limits (issue 19): production refuses DEBUG, every PDF uses one URL fetcher that
reads only data: URLs and our static files, and names print without bidi controls."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from kqm.pdf import _static_file, html_to_pdf, printable_name, url_fetcher

ROOT = Path(__file__).resolve().parents[2]
RLO, PDF_MARK, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"


def test_production_refuses_debug():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "KQM_ENV", "SECRET_KEY"}}
    env.update(KQM_ENV="production", DEBUG="true", SECRET_KEY="s" * 60)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DEBUG must be off when KQM_ENV=production" in result.stderr


def test_printable_name_removes_bidi_controls():
    assert printable_name(f"{RLO}seirresruN{PDF_MARK} {LRI}Acorns{PDI}") == "seirresruN Acorns"
    assert printable_name("حضانة الأمل") == "حضانة الأمل"  # right-to-left text itself stays


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/x.png",
        "https://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "http://127.0.0.1:8000/static/../../etc/passwd",
        "http://127.0.0.1:8000/users/",
        "ftp://example.org/x",
    ],
)
def test_the_fetcher_refuses_anything_but_our_files(settings, url):
    settings.SITE_URL = "http://127.0.0.1:8000"
    with pytest.raises(ValueError):
        url_fetcher()(url)


def test_the_fetcher_reads_data_urls_and_our_static_files(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    fetch = url_fetcher()
    assert fetch("data:text/plain,hello").read() == b"hello"
    assert _static_file("http://127.0.0.1:8000/static/css/kqm.css")
    response = fetch("http://127.0.0.1:8000/static/css/kqm.css")
    assert b"{" in response.read()


@pytest.mark.real_pdf
def test_a_pdf_fetches_nothing_from_elsewhere(settings, caplog):
    settings.SITE_URL = "http://127.0.0.1:8000"
    html = (
        '<p>Hello</p><img src="http://example.org/track.png">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
    )
    assert html_to_pdf(html).startswith(b"%PDF-")
    assert "example.org" in caplog.text  # WeasyPrint logged the refusal


def test_every_weasyprint_render_goes_through_the_one_fetcher():
    renders = []
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "node_modules" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"from weasyprint import|weasyprint\.HTML|\.write_pdf\(", text):
            renders.append(str(path.relative_to(ROOT)))
    assert renders == ["kqm/pdf.py"]


@pytest.mark.django_db
@pytest.mark.real_pdf
def test_a_reversed_name_prints_in_order_on_the_certificate(settings):
    from accreditation.certificates import certificate_html, render_certificate_pdf
    from tests.accreditation.award_factories import AwardFactory

    award = AwardFactory(accreditation__setting__name=f"{RLO}Little Acorns{PDF_MARK} Nursery")
    assert RLO not in certificate_html(award)
    text = "".join(
        page.extract_text() for page in PdfReader(BytesIO(render_certificate_pdf(award))).pages
    )
    assert "Little Acorns Nursery" in text
    assert RLO not in text
