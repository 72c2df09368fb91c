"""The outcomes report page and its CSV: who may see them, bad input, aggregates only."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse

from kqm.models import Role
from settings.models import Sector
from settings.ofsted import Grade
from tests.access import assert_access, assert_field_error
from tests.accreditation.test_reports_outcomes import (
    AREAS_2008,
    PERIOD,
    _before,
    award,
    make_settings,
)

URL = reverse("accreditation:report-outcomes")
CSV_URL = reverse("accreditation:report-outcomes-csv")
ALLOWED = [Role.MANAGER, Role.VIEWER]
QUERY = {
    "sector": Sector.PVI,
    "start_0": "1",
    "start_1": "9",
    "start_2": "2009",
    "end_0": "31",
    "end_1": "8",
    "end_2": "2010",
}


@pytest.mark.django_db
@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_manager_and_viewer_only(client, users, url):
    assert_access(client, url, users, allowed=ALLOWED)


@pytest.mark.django_db
def test_report_shows_counts_beside_percentages_without_naming_settings(client, users):
    settings = make_settings(Sector.PVI, [Grade.OUTSTANDING, Grade.GOOD, Grade.GOOD, Grade.GOOD])
    award(settings[0])
    client.force_login(users[Role.VIEWER])
    response = client.get(URL, QUERY)
    text = response.content.decode()
    assert "100.0% (1 of 1)" in text  # accredited outstanding
    assert "25.0% (1 of 4)" in text  # all outstanding
    assert "100.0% (4 of 4)" in text  # all good or better
    # The outcome chart on screen, labelled, with its figures as a table beside it.
    assert text.count('role="img"') == 1
    assert 'aria-labelledby="outcomes-title outcomes-desc"' in text
    assert "Overall effectiveness: accredited settings against all settings (table)" in text
    for setting in settings:
        assert setting.name not in text
        assert setting.urn not in text


@pytest.mark.django_db
def test_bad_period_shows_the_error_beside_the_field(client, manager):
    client.force_login(manager)
    response = client.get(URL, {**QUERY, "end_2": "2008"})
    assert response.status_code == 200
    assert_field_error(response, "end", "The end of the period must be on or after its start")
    assert response.context["report"] is None
    assert client.get(CSV_URL, {**QUERY, "start_1": "13"}).status_code == 400


@pytest.mark.django_db
def test_csv_export(client, manager):
    settings = make_settings(Sector.PVI, [Grade.OUTSTANDING, Grade.GOOD])
    _before(settings[0], Grade.SATISFACTORY)
    award(settings[0])
    client.force_login(manager)
    response = client.get(CSV_URL, QUERY)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Outstanding", "1", "100.0", "1", "50.0"] in rows
    assert ["Improved", "1", "100.0"] in rows
    assert ["Up 2 grades", "1", "100.0"] in rows
    assert any(r[:3] == ["2008 to 2012 framework", "Staying safe", "1"] for r in rows)
    assert len(AREAS_2008) == 7
    assert PERIOD.start is not None


@pytest.mark.django_db
@pytest.mark.parametrize("size", [10, 500])
def test_page_runs_a_constant_number_of_queries(client, manager, size, django_assert_num_queries):
    settings = make_settings(Sector.PVI, [Grade.GOOD] * size)
    for s in settings[:2]:
        award(s)
    client.force_login(manager)
    client.get(URL, QUERY)  # warm the session
    with django_assert_num_queries(4):  # session, user, outcome table, before and after
        assert client.get(URL, QUERY).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 50])
def test_viewer_dashboard_shows_outcome_headlines_in_constant_queries(
    client, users, size, django_assert_num_queries
):
    settings = make_settings(Sector.PVI, [Grade.OUTSTANDING, Grade.GOOD] * size)
    award(settings[0])
    client.force_login(users[Role.VIEWER])
    client.get(reverse("dashboard"))
    # session, user, sectors, PVI and maintained outcomes, PPEL change
    with django_assert_num_queries(6):
        response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert "100.0% (1 of 1)" in html
    assert f"50.0% ({size} of {2 * size})" in html
    assert reverse("accreditation:report-outcomes") in html
    assert settings[0].name not in html


@pytest.mark.django_db
def test_pdf_export_with_charts_and_their_tables(client, users):
    from tests.pdf import pdf_text

    settings = make_settings(Sector.PVI, [Grade.OUTSTANDING, Grade.GOOD])
    _before(settings[0], Grade.SATISFACTORY)
    award(settings[0])
    pdf_url = reverse("accreditation:report-outcomes-pdf")
    assert_access(client, pdf_url + "?sector=pvi", users, allowed=ALLOWED)
    client.force_login(users[Role.VIEWER])
    response = client.get(pdf_url, QUERY)
    assert response["Content-Type"] == "application/pdf"
    path = Path(tempfile.mkdtemp()) / "outcomes.pdf"
    path.write_bytes(response.content)
    text = pdf_text(path)
    assert "Outcomes against Ofsted" in text
    assert "100.0% (1 of 1)" in text
    assert "50.0% (1 of 2)" in text
    assert "Overall effectiveness before and after the award" in text
    assert "Improved" in text
    assert settings[0].name not in text
    assert client.get(pdf_url, {**QUERY, "end_2": "2008"}).status_code == 400
