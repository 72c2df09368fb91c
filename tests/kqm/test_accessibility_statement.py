"""The accessibility statement (docs/accessibility.md) is a public page, linked from the
footer of every page, in the GOV.UK format."""

from __future__ import annotations

import pytest
from django.test import Client

from kqm.models import Role, User

SECTIONS = [
    "How accessible this service is",
    "Feedback and contact information",
    "Reporting accessibility problems with this service",
    "Enforcement procedure",
    "Technical information about this service's accessibility",
    "Compliance status",
    "Non-accessible content",
    "What we're doing to improve accessibility",
    "Preparation of this accessibility statement",
]


def test_anyone_reads_the_statement_from_the_footer(client: Client):
    login = client.get("/account/login/").content.decode()
    assert '<a class="govuk-footer__link" href="/accessibility/">Accessibility statement</a>' in (
        login
    )
    page = client.get("/accessibility/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>Accessibility statement – KQM</title>" in html
    assert '<h1 class="govuk-heading-xl">Accessibility statement for KQM</h1>' in html
    for section in SECTIONS:
        assert section in html
    assert "WCAG 2.2" in html and "320 pixels" in html
    assert '<h2 class="govuk-heading-l">' in html and '<p class="govuk-body">' in html


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VIEWER])
def test_signed_in_people_read_it_too(client: Client, users: dict[str, User], role: str):
    client.force_login(users[role])
    assert client.get("/accessibility/").status_code == 200


def test_only_get(client: Client):
    assert client.post("/accessibility/").status_code == 405
