"""The programme report: cohorts by status, acceptance to award, evaluators' days and cost."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accreditation.models import Accreditation, Award, Status
from accreditation.reports.programme import cohort_summaries, evaluator_summaries, programme_cost
from kqm.models import Role
from settings.models import Setting
from tests.access import assert_access
from tests.factories import AccreditationFactory

from .award_factories import AwardFactory
from .report_worlds import programme_world

URL = reverse("accreditation:report-programme")


@pytest.mark.django_db
def test_figures_worked_out_by_hand():
    programme_world()
    (summary,) = cohort_summaries()
    assert summary.total == 4 and summary.awarded == 2
    assert dict(summary.by_status) == {"In progress": 2, "Accredited": 2}
    # 1 Sep 2009 -> 1 Jul 2010 is 303 days; the second award is 10 days later.
    assert sorted(summary.days_to_award) == [303, 313]
    assert summary.median_days == 308 and summary.mean_days == 308.0
    rows = {row.evaluator.full_name: row for row in evaluator_summaries()}
    row = rows["Evaluator 0"]
    assert (row.caseload, row.budget_days, row.days) == (2, Decimal("16.0"), Decimal("4.0"))
    assert row.cost == Decimal("4.0") * Decimal("105.00") + Decimal("10.00")
    cost = programme_cost()
    assert cost.totals.cost == 2 * (Decimal("420.00") + Decimal("10.00"))
    assert cost.per_accredited_setting == Decimal("430.00")  # 860 / 2 settings


@pytest.mark.django_db
def test_access_and_viewer_sees_no_evaluator(client, users):
    programme_world()
    assert_access(client, URL, users, allowed=[Role.MANAGER, Role.VIEWER])
    client.force_login(users[Role.VIEWER])
    html = client.get(URL).content.decode()
    assert "2009 cohort" in html and "£430.00" in html and "£860.00" in html
    assert "Evaluator 0" not in html
    client.force_login(users[Role.MANAGER])
    assert "Evaluator 0" in client.get(URL).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 12])
def test_constant_queries(client, manager, size, django_assert_num_queries):
    programme_world(size)
    client.force_login(manager)
    client.get(URL)
    cache.clear()
    # session, user, the cohorts to choose from, cohorts, acceptances, awards, evaluators,
    # time totals, award count, the chosen cohort's four sections, and its learning
    # progress (progress records, Leuven scores)
    with django_assert_num_queries(15):
        assert client.get(URL).status_code == 200
    # Then kept, as HTML, until the records it reads change: session, user, the cohorts.
    with django_assert_num_queries(3):
        assert client.get(URL).status_code == 200


@pytest.mark.django_db
def test_csv_export(client, users):
    programme_world()
    url = reverse("accreditation:report-programme-csv")
    assert_access(client, url, users, allowed=[Role.MANAGER, Role.VIEWER])
    client.force_login(users[Role.MANAGER])
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    assert ["2009 cohort", "All", "4", "2", "308.0", "308"] in rows
    assert ["Cost per accredited setting (£)", "430.00"] in rows
    assert any(r and r[0] == "Evaluator 0" for r in rows)
    client.force_login(users[Role.VIEWER])
    text = client.get(url).content.decode()
    assert "Evaluator 0" not in text and "430.00" in text


def _more_settings(cohort, evaluator, count: int, start: int) -> None:
    """``count`` more settings in the cohort, in every status the report counts."""
    statuses = [Status.IN_PROGRESS, Status.SUBMITTED, Status.ACCREDITED, Status.NOT_YET_MET]
    settings = Setting.objects.bulk_create(
        Setting(urn=f"EY{start + i:06d}", name=f"Bulk setting {start + i}", sector="pvi")
        for i in range(count)
    )
    Accreditation.objects.bulk_create(
        Accreditation(
            setting=setting,
            cohort=cohort,
            evaluator=evaluator,
            status=statuses[i % len(statuses)],
            days_budget=Decimal("8.0"),
        )
        for i, setting in enumerate(settings)
    )


@pytest.mark.django_db
def test_page_pdf_and_csv_queries_are_the_same_for_10_and_500_settings(client, manager):
    cohort, people = programme_world(1)
    client.force_login(manager)
    urls = [
        URL,
        reverse("accreditation:report-programme-csv"),
        reverse("accreditation:report-programme-pdf"),
    ]

    def counted() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url, {"cohort": cohort.pk}).status_code == 200
            found.append(len(queries))
        return found

    _more_settings(cohort, people[0], 8, 0)  # 10 settings in the cohort
    client.get(URL)  # warm the session
    small = counted()
    _more_settings(cohort, people[0], 490, 8)  # 500
    assert Accreditation.objects.filter(cohort=cohort).count() == 500
    assert counted() == small


@pytest.mark.django_db
def test_a_renewal_is_not_a_second_accredited_setting():
    programme_world()
    first = Award.objects.order_by("pk")[0]
    renewed = AccreditationFactory(setting=first.setting, status=Status.REACCREDITED)
    AwardFactory(accreditation=renewed, previous_award=first, award_date=datetime.date(2012, 7, 1))
    cost = programme_cost()
    assert Award.objects.count() == 3 and cost.accredited_settings == 2
    assert cost.per_accredited_setting == Decimal("430.00")  # still 860 / 2 settings
