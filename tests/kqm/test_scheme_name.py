"""The mark has one name, from configuration, on pages, in emails and in PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from kqm.emails import render_email
from kqm.models import Role
from tests.accreditation.year_factories import VisitFactory, start_note
from tests.factories import AccreditationFactory
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

NAMES = ("Kent Quality Mark", "Quality Mark for Early Years", "Quality Mark for early years")
ROOT = Path(django_settings.BASE_DIR)


def test_no_template_or_module_hard_codes_the_name():
    """Only the settings module holds the default; everything else reads it."""
    found = []
    for folder in ("templates", "kqm", "accreditation", "audits", "settings"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".html", ".txt", ".py") or "migrations" in path.parts:
                continue
            if path == ROOT / "kqm" / "settings.py":
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(ROOT)}: {name}" for name in NAMES if name in text]
    assert found == []


def test_pages_emails_and_pdfs_use_the_configured_name(client, users, settings, setting):
    settings.KQM_SCHEME_NAME = "Testshire Early Years Mark"
    client.force_login(users[Role.MANAGER])
    assert "Testshire Early Years Mark" in client.get(reverse("dashboard")).content.decode()
    subject, text, html = render_email("evaluation_invitation", {"cohort": "2026 cohort"})
    assert all("Testshire Early Years Mark" in part for part in (subject, text, html))
    accreditation = AccreditationFactory(setting=setting, evaluator=users[Role.EVALUATOR])
    visit = VisitFactory(accreditation=accreditation)
    start_note(visit, status="shared")
    response = client.get(reverse("accreditation:note-pdf", args=[visit.pk]))
    assert "Testshire Early Years Mark" in pdf_text(response.content)
