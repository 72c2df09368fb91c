"""Comparisons: a setting's audits over the years and a cohort's distribution of subscale
means, with their charts, tables and a constant number of queries; the audit list too."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from audits.models import Occasion
from kqm.models import Role
from tests.factories import CohortFactory, SettingFactory

from .ratings_factories import assign, library, make_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def ecers(db):
    return library()["ecers-3"]


def subscale_scorer(base: int):
    """Items of subscale n score base + n - 1 (capped at 7)."""

    def scorer(item):
        return min(7, base + item.subscale.number - 1)

    return scorer


def items_with_subscales(version):
    return list(version.items.select_related("subscale").order_by("number"))


def test_setting_comparison_initial_against_end_of_year(client, users, setting, ecers):
    evaluator = users[Role.EVALUATOR]
    accreditation = assign(setting, evaluator)
    items = items_with_subscales(ecers)
    initial = make_audit(
        setting=setting,
        version=ecers,
        created_by=evaluator,
        accreditation=accreditation,
        occasion=Occasion.INITIAL,
        date=datetime.date(2026, 10, 1),
        score=subscale_scorer(2),
        items=items,
        completed=True,
    )
    end = make_audit(
        setting=setting,
        version=ecers,
        created_by=evaluator,
        accreditation=accreditation,
        occasion=Occasion.END_OF_YEAR,
        date=datetime.date(2027, 6, 20),
        score=lambda item: 2 if item.subscale.number == 6 else 5,
        items=items,
        completed=True,
    )
    make_audit(  # in progress: not compared
        setting=setting,
        version=ecers,
        created_by=evaluator,
        occasion=Occasion.OTHER,
        date=datetime.date(2027, 7, 1),
        score=1,
    )
    client.force_login(users[Role.SETTING_MANAGER])
    page = client.get(reverse("audits:setting-comparison", args=[setting.pk])).content.decode()
    # The chart: accessible SVG with its title and description, and the table beside it.
    assert 'role="img"' in page and "<title id=" in page and "<desc id=" in page
    assert "Subscale means and their change" in page
    # Subscale 1: 2.00 -> 5.00 (+3.00, up); subscale 6: 7.00 -> 2.00 (-5.00, down).
    assert "▲ </span>+3.00" in page
    assert "▼ </span>\u22125.00" in page
    assert "(higher)" in page and "(lower)" in page
    # Item by item, and every completed audit over the years (oldest first).
    assert "Item by item (35 items)" in page
    assert page.index(initial.get_absolute_url()) < page.index(end.get_absolute_url())
    assert "Other, 1 Jul 2027" not in page
    # Choosing the pair the other way round reverses the sign.
    page = client.get(
        reverse("audits:setting-comparison", args=[setting.pk]),
        {"before": end.pk, "after": initial.pk},
    ).content.decode()
    assert "\u22123.00" in page


def test_setting_comparison_without_audits(client, users, setting):
    library()
    client.force_login(users[Role.MANAGER])
    page = client.get(reverse("audits:setting-comparison", args=[setting.pk])).content.decode()
    assert "This setting has no completed audit yet" in page


def _setting_audits(setting, ecers, evaluator, count):
    accreditation = assign(setting, evaluator)
    items = items_with_subscales(ecers)
    for n in range(count):
        make_audit(
            setting=setting,
            version=ecers,
            created_by=evaluator,
            accreditation=accreditation,
            occasion=Occasion.INITIAL if n % 2 == 0 else Occasion.END_OF_YEAR,
            date=datetime.date(2010, 10, 1) + datetime.timedelta(days=180 * n),
            score=subscale_scorer(1 + n % 5),
            items=items,
            completed=True,
        )


@pytest.mark.parametrize("count", [3, 12])
def test_setting_comparison_runs_a_constant_number_of_queries(
    client, users, setting, ecers, count, django_assert_num_queries
):
    evaluator = users[Role.EVALUATOR]
    _setting_audits(setting, ecers, evaluator, count)
    client.force_login(evaluator)
    url = reverse("audits:setting-comparison", args=[setting.pk])
    # session, user, setting, instruments, audits, then subscales, items, scale values and
    # scores of all of them (4), and the two compared: their items and scores (4)
    with django_assert_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("/audits/ratings/") >= count


def _cohort(ecers, evaluator, count):
    cohort = CohortFactory(name="2026 cohort")
    items = items_with_subscales(ecers)
    for n in range(count):
        setting = SettingFactory()
        accreditation = assign(setting, evaluator, cohort)
        for occasion, base in ((Occasion.INITIAL, 2 + n % 3), (Occasion.END_OF_YEAR, 4 + n % 3)):
            make_audit(
                setting=setting,
                version=ecers,
                created_by=evaluator,
                accreditation=accreditation,
                occasion=occasion,
                score=subscale_scorer(base),
                items=items,
                completed=True,
            )
    return cohort


def test_cohort_distribution_of_subscale_means(client, users, ecers):
    cohort = _cohort(ecers, users[Role.EVALUATOR], 3)
    client.force_login(users[Role.MANAGER])
    page = client.get(reverse("audits:cohort-comparison", args=[cohort.pk])).content.decode()
    assert "6 completed ECERS-3 audits" in page
    assert 'role="img"' in page and "Distribution of subscale means" in page
    # Subscale 1 initial means are 2, 3, 4: mean 3.00, lowest 2.00, highest 4.00;
    # end of year 4, 5, 6: mean 5.00, lowest 4.00, highest 6.00; change +2.00.
    table = page[page.index("Distribution of subscale means</caption>") :]
    row = table[table.index("1. Space and furnishings</th>") :]
    row = row[: row.index("</tr>")]
    cells = [c.split("<")[0].strip() for c in row.split('govuk-table__cell--numeric">')[1:]]
    assert cells[:8] == ["3", "3.00", "2.00", "4.00", "3", "5.00", "4.00", "6.00"]
    assert "+2.00" in row
    assert page.count("/audits/ratings/settings/") == 3  # a row per setting, for the manager


def test_viewers_see_the_cohort_aggregates_but_no_setting(client, users, ecers):
    cohort = _cohort(ecers, users[Role.EVALUATOR], 2)
    client.force_login(users[Role.VIEWER])
    page = client.get(reverse("audits:cohort-comparison", args=[cohort.pk])).content.decode()
    assert "Distribution of subscale means" in page
    assert "/audits/ratings/settings/" not in page
    assert "Download the audits as CSV" not in page


@pytest.mark.parametrize("count", [3, 12])
def test_cohort_comparison_runs_a_constant_number_of_queries(
    client, users, ecers, count, django_assert_num_queries
):
    cohort = _cohort(ecers, users[Role.EVALUATOR], count)
    client.force_login(users[Role.MANAGER])
    url = reverse("audits:cohort-comparison", args=[cohort.pk])
    # session, user, cohort, instruments, audits, subscales, items, scale values, scores,
    # the scale for the chart's axis
    with django_assert_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200


def test_cohort_csv(client, users, ecers):
    cohort = _cohort(ecers, users[Role.EVALUATOR], 2)
    client.force_login(users[Role.MANAGER])
    response = client.get(reverse("audits:cohort-csv", args=[cohort.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 4
    assert {r["Occasion"] for r in rows} == {"Initial", "End of year"}
    assert rows[0]["1. Space and furnishings"] in {"2.00", "3.00", "4.00", "5.00", "6.00"}
    assert rows[0]["Mean of all items"]


def test_cohort_list(client, users, ecers):
    cohort = _cohort(ecers, users[Role.EVALUATOR], 1)
    client.force_login(users[Role.VIEWER])
    page = client.get(reverse("audits:cohort-list")).content.decode()
    assert cohort.name in page and ">2<" in page


@pytest.mark.parametrize("rows", [3, 12])
def test_audit_list_runs_a_constant_number_of_queries(
    client, users, setting, ecers, rows, django_assert_num_queries
):
    evaluator = users[Role.EVALUATOR]
    accreditation = assign(setting, evaluator)
    for n in range(rows):
        make_audit(
            setting=setting,
            version=ecers,
            created_by=evaluator,
            accreditation=accreditation,
            room=f"Room {n}",
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
        )
    client.force_login(evaluator)
    # session, user, count, page of audits (progress annotated), instruments in use
    with django_assert_num_queries(5):
        response = client.get(reverse("audits:audit-list"))
    page = response.content.decode()
    assert page.count("0 of 35") == min(rows, 25)


def test_audit_list_search_and_filters(client, users, setting, other_setting, ecers):
    manager = users[Role.MANAGER]
    make_audit(setting=setting, version=ecers, created_by=manager, room="Butterflies")
    make_audit(
        setting=other_setting,
        version=library()["sstew"],
        created_by=manager,
        room="Caterpillars",
        occasion=Occasion.END_OF_YEAR,
        completed=True,
    )
    client.force_login(manager)
    url = reverse("audits:audit-list")
    assert "Caterpillars" not in client.get(url, {"q": "butter"}).content.decode()
    page = client.get(url, {"instrument": "sstew"}).content.decode()
    assert "Caterpillars" in page and "Butterflies" not in page
    page = client.get(url, {"status": "in_progress"}).content.decode()
    assert "Butterflies" in page and "Caterpillars" not in page
    page = client.get(url, {"occasion": "end_of_year", "sort": "setting"}).content.decode()
    assert "Caterpillars" in page and "Butterflies" not in page
    assert "No audits match these filters" in client.get(url, {"q": "zebra"}).content.decode()
