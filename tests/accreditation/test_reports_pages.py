"""The outcomes report page and its CSV: who may see them, bad input, aggregates only."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.cache import cache
from django.urls import reverse

from kqm.models import Role
from settings.models import Sector
from tests.access import assert_access, assert_field_error
from tests.accreditation.outcomes_fixtures import (
    GOOD,
    OUT,
    SAT,
    award,
    inspect,
    join,
    make_settings,
)
from tests.pdf import pdf_text

URL = reverse("accreditation:report-outcomes")
CSV_URL = reverse("accreditation:report-outcomes-csv")
PDF_URL = reverse("accreditation:report-outcomes-pdf")
ALLOWED = [Role.MANAGER, Role.VIEWER]
QUERY = {
    "sector": Sector.PVI,
    "local_authority": "Kent",
    "snapshot_0": "31",
    "snapshot_1": "1",
    "snapshot_2": "2012",
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
def test_report_states_its_definitions_and_shows_counts_without_naming_settings(client, users):
    settings = make_settings(Sector.PVI, [OUT, GOOD, GOOD, GOOD])
    award(settings[0], datetime.date(2010, 7, 31))  # after its January 2010 inspection
    inspect(settings[0], SAT)
    client.force_login(users[Role.VIEWER])
    response = client.get(URL, QUERY)
    text = response.content.decode()
    assert "Outstanding: 100.0% of KQM settings (1 of 1), against 25.0% of the benchmark" in text
    assert "most recent Early Years Register inspection on or before the snapshot date" in text
    assert "whatever its date" in text
    assert "was one on the day of the inspection" in text
    assert "rounded half up" in text
    assert 'aria-labelledby="outcomes-pvi-title outcomes-pvi-desc"' in text
    for setting in settings:
        assert setting.name not in text
        assert setting.urn not in text


@pytest.mark.django_db
def test_defaults_use_the_configured_local_authority_and_today(client, manager, settings):
    settings.KQM_LOCAL_AUTHORITY = "Kent"
    make_settings(Sector.PVI, [OUT], local_authority="Kent")
    make_settings(Sector.PVI, [GOOD, GOOD], local_authority="Medway")
    client.force_login(manager)
    response = client.get(URL)
    report = response.context["report"]
    assert report.filters.local_authority == "Kent"
    assert report.filters.snapshot_date == datetime.date.today()
    assert report.snapshot[0].benchmark_total == 1
    assert 'value="Kent" selected' in response.content.decode()
    everywhere = client.get(URL, {"local_authority": ""}).context["report"]
    assert everywhere.snapshot[0].benchmark_total == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"end_2": "2008"}, "end", "The end of the period must be on or after its start"),
        ({"snapshot_1": "13"}, "snapshot", "The snapshot date must be a real date"),
        ({"local_authority": "Atlantis"}, "local_authority", "Select a local authority"),
        ({"cohort": "999999"}, "cohort", "Select a cohort from the list"),
        ({"membership": "friends"}, "membership", "Select which settings count as KQM"),
    ],
)
def test_bad_input_shows_the_error_beside_the_field(client, manager, params, field, message):
    make_settings(Sector.PVI, [OUT], local_authority="Kent")
    client.force_login(manager)
    response = client.get(URL, {**QUERY, **params})
    assert_field_error(response, field, message)
    assert response.context["report_html"] == ""  # no report below a form with errors
    assert client.get(CSV_URL, {**QUERY, **params}).status_code == 400


@pytest.mark.django_db
def test_hostile_local_authority_names_are_escaped(client, users):
    hostile = '<script>alert("la")</script>'
    make_settings(Sector.PVI, [OUT], local_authority=hostile)
    client.force_login(users[Role.VIEWER])
    response = client.get(URL, {**QUERY, "local_authority": hostile})
    html = response.content.decode()
    assert response.context["report"].snapshot[0].benchmark_total == 1
    assert hostile not in html
    assert "&lt;script&gt;alert(&quot;la&quot;)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_cohort_and_membership_choices(client, manager):
    joined, awarded = make_settings(Sector.PVI, [OUT, GOOD])
    accreditation = join(joined, 2011)
    award(awarded, datetime.date(2010, 7, 31))
    client.force_login(manager)
    report = client.get(URL, {**QUERY, "cohort": accreditation.cohort_id}).context["report"]
    assert report.snapshot[0].kqm_total == 1
    accredited = client.get(URL, {**QUERY, "membership": "accredited"}).context["report"]
    assert accredited.snapshot[0].kqm_total == 1
    both = client.get(URL, {**QUERY, "benchmark": "others"}).context["report"]
    assert (both.snapshot[0].kqm_total, both.snapshot[0].benchmark_total) == (2, 0)


@pytest.mark.django_db
def test_csv_export(client, manager):
    settings = make_settings(Sector.PVI, [OUT, GOOD])
    inspect(settings[0], SAT)
    award(settings[0], datetime.date(2010, 7, 31))  # the 2009 cohort: in it when inspected
    client.force_login(manager)
    response = client.get(CSV_URL, QUERY)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Outstanding", "1", "100.0", "1", "50.0"] in rows
    assert ["Improved", "1", "100.0"] in rows
    assert ["Up 2 grades", "1", "100.0"] in rows
    assert any(r[:3] == ["Staying safe", "2008 to 2012 framework", "1"] for r in rows)
    assert ["Local authority", "Kent"] in rows


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 40])
def test_page_runs_a_constant_number_of_queries(client, manager, size, django_assert_num_queries):
    settings = make_settings(Sector.PVI, [GOOD] * size)
    for s in settings[:2]:
        inspect(s, SAT)
        award(s, datetime.date(2009, 7, 31))
    client.force_login(manager)
    client.get(URL, QUERY)  # warm the session
    cache.clear()
    # session, user, the register's local authorities and districts, cohorts, then the
    # report's four queries
    with django_assert_num_queries(9):
        assert client.get(URL, QUERY).status_code == 200
    # The report, as HTML, is then kept until the data it reads changes: session, user,
    # cohorts.
    with django_assert_num_queries(3):
        assert client.get(URL, QUERY).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 40])
def test_viewer_dashboard_shows_outcome_headlines_in_constant_queries(
    client, users, size, django_assert_num_queries
):
    settings = make_settings(Sector.PVI, [OUT, GOOD] * size, day=datetime.date(2024, 1, 1))
    award(settings[0], datetime.date(2025, 7, 31))
    client.force_login(users[Role.VIEWER])
    client.get(reverse("dashboard"))
    # session, user, PVI and maintained outcomes, PPEL change (the settings per sector are
    # kept until the register changes)
    with django_assert_num_queries(4):
        response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert "100.0% (1 of 1)" in html
    assert f"50.0% ({size} of {2 * size})" in html
    assert reverse("accreditation:report-outcomes") in html
    assert settings[0].name not in html


@pytest.mark.django_db
def test_pdf_export_with_charts_and_their_tables(client, users, tmp_path):
    settings = make_settings(Sector.PVI, [OUT, GOOD])
    inspect(settings[0], SAT)
    join(settings[0], 2009)
    assert_access(client, PDF_URL + "?sector=pvi", users, allowed=ALLOWED)
    client.force_login(users[Role.VIEWER])
    response = client.get(PDF_URL, QUERY)
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "outcomes.pdf"
    path.write_bytes(response.content)
    text = pdf_text(path)
    assert "Outcomes against Ofsted" in text
    assert "100.0%" in text and "50.0%" in text
    assert "KQM settings against their previous inspection" in text
    assert "A fair comparison" in text
    assert settings[0].name not in text
    assert client.get(PDF_URL, {**QUERY, "end_2": "2008"}).status_code == 400
