"""Evaluators' time and cost: logging days and expenses, and the budget pages."""

# Fixtures are imported from year_factories, so test arguments share their names.
# ruff: noqa: F811

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accreditation.models import EvaluatorProfile, Status, TimeEntry
from kqm.models import Role
from tests.access import assert_access, assert_field_error, assert_not_found
from tests.factories import AccreditationFactory, CohortFactory, EvaluatorFactory

from .programme_factories import TimeEntryFactory
from .year_factories import accreditation, cohort, elsewhere, evaluator  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_january_2027():
    with time_machine.travel(datetime.datetime(2027, 1, 20, 12, 0), tick=False):
        yield


def entry_post(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "date_0": "14",
        "date_1": "10",
        "date_2": "2026",
        "days": "0.5",
        "expenses": "12.60",
        "description": "Mentoring visit 1 and notes of visit",
    }
    data.update(extra)
    return data


@pytest.fixture
def rate(evaluator):
    return EvaluatorProfile.objects.create(user=evaluator, day_rate=Decimal("105.00"))


def test_time_pages_access(client, users, accreditation, evaluator, elsewhere):
    entry = TimeEntryFactory(accreditation=accreditation, evaluator=evaluator)
    assert_access(
        client,
        reverse("accreditation:time-list", args=[accreditation.pk]),
        users,
        [Role.MANAGER, Role.EVALUATOR],
    )
    for name, args in [
        ("time-new", [accreditation.pk]),
        ("time-edit", [entry.pk]),
        ("time-delete", [entry.pk]),
    ]:
        assert_access(client, reverse(f"accreditation:{name}", args=args), users, [Role.EVALUATOR])
    assert_access(client, reverse("accreditation:budget"), users, [Role.MANAGER])
    assert_access(
        client,
        reverse("accreditation:cohort-budget", args=[accreditation.cohort_id]),
        users,
        [Role.MANAGER],
    )
    other_entry = TimeEntryFactory(accreditation=elsewhere)
    me = [users[Role.EVALUATOR]]
    assert_not_found(client, reverse("accreditation:time-list", args=[elsewhere.pk]), me)
    assert_not_found(client, reverse("accreditation:time-new", args=[elsewhere.pk]), me, "POST")
    assert_not_found(client, reverse("accreditation:time-edit", args=[other_entry.pk]), me)
    assert_not_found(
        client, reverse("accreditation:time-delete", args=[other_entry.pk]), me, "POST"
    )
    assert TimeEntry.objects.filter(pk=other_entry.pk).exists()
    client.force_login(users[Role.MANAGER])
    assert client.get(reverse("accreditation:cohort-budget", args=[987654])).status_code == 404


def test_the_evaluator_logs_changes_and_deletes_time(client, evaluator, accreditation, rate):
    client.force_login(evaluator)
    response = client.post(reverse("accreditation:time-new", args=[accreditation.pk]), entry_post())
    assert response.status_code == 302
    entry = TimeEntry.objects.get()
    assert (entry.days, entry.expenses, entry.evaluator) == (
        Decimal("0.5"),
        Decimal("12.60"),
        evaluator,
    )
    page = client.get(reverse("accreditation:time-list", args=[accreditation.pk])).content.decode()
    assert "Mentoring visit 1 and notes of visit" in page
    assert "£52.50" in page  # half a day at £105
    assert "£65.10" in page  # with the expenses
    edit = reverse("accreditation:time-edit", args=[entry.pk])
    form = " ".join(client.get(edit).content.decode().split())
    assert 'value="0.5" checked="checked"' in form
    client.post(edit, entry_post(days="1.0", expenses=""))
    entry.refresh_from_db()
    assert (entry.days, entry.expenses) == (Decimal("1.0"), Decimal("0"))
    delete = reverse("accreditation:time-delete", args=[entry.pk])
    assert "Delete 1 days on 14 October 2026?" in client.get(delete).content.decode()
    client.post(delete)
    assert not TimeEntry.objects.exists()
    assert entry.history.filter(history_type="-").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"days": ""}, "days", "Choose a half day or a full day"),
        ({"days": "2"}, "days", "Choose a half day or a full day"),
        ({"date_2": "2027", "date_1": "12"}, "date", "The date must be today or in the past"),
        ({"date_0": "", "date_1": "", "date_2": ""}, "date", "Enter the date"),
        (
            {"expenses": "lots"},
            "expenses",
            "Expenses must be an amount in pounds, like 12 or 12.60",
        ),
        ({"expenses": "-1"}, "expenses", "Expenses cannot be negative"),
        ({"description": ""}, "description", "Enter what the time was for"),
    ],
)
def test_bad_time_entries_are_refused(client, evaluator, accreditation, data, field, message):
    client.force_login(evaluator)
    response = client.post(
        reverse("accreditation:time-new", args=[accreditation.pk]), entry_post(**data)
    )
    assert_field_error(response, field, message)
    assert not TimeEntry.objects.exists()


def test_the_manager_sees_every_evaluators_time_but_cannot_log(client, manager, accreditation):
    TimeEntryFactory(accreditation=accreditation, evaluator=EvaluatorFactory(full_name="Previous"))
    client.force_login(manager)
    page = client.get(reverse("accreditation:time-list", args=[accreditation.pk])).content.decode()
    assert "Previous" in page and "Log time" not in page


def test_budget_per_cohort_and_per_evaluator_at_their_day_rate(client, manager, cohort, rate):
    """The seed's scale: 420 evaluator days at about £105 a day is £44,100."""
    ruth = rate.user
    sam = EvaluatorFactory(full_name="Sam Okafor", profile__day_rate=Decimal("110.00"))
    work = [
        AccreditationFactory(cohort=cohort, evaluator=ruth, days_budget=Decimal("8")),
        AccreditationFactory(cohort=cohort, evaluator=sam, days_budget=Decimal("8")),
        AccreditationFactory(cohort=cohort, evaluator=None, days_budget=Decimal("8")),
        AccreditationFactory(
            cohort=cohort, evaluator=sam, days_budget=Decimal("8"), status=Status.WITHDRAWN
        ),
    ]
    TimeEntryFactory(accreditation=work[0], days=Decimal("1.0"), expenses=Decimal("10"))
    TimeEntryFactory(accreditation=work[0], days=Decimal("0.5"))
    TimeEntryFactory(accreditation=work[1], days=Decimal("1.0"))
    TimeEntryFactory(accreditation=AccreditationFactory(evaluator=ruth), days=Decimal("1.0"))
    client.force_login(manager)
    page = client.get(reverse("accreditation:cohort-budget", args=[cohort.pk])).content.decode()
    assert 'data-testid="cohort-budgeted">24<' in page  # withdrawn not counted
    assert 'data-testid="cohort-logged">2.5<' in page
    # 1.5 days x £105 + 1 day x £110 + £10 expenses
    assert 'data-testid="cohort-cost">£277.50<' in page
    assert "8 days are budgeted on settings that have no evaluator yet" in page
    assert "Ruth" not in page or "£157.50" in page
    assert "£110.00" in page and "Sam Okafor" in page
    overview = client.get(reverse("accreditation:budget")).content.decode()
    assert cohort.name in overview and "£267.50" in overview


@pytest.mark.parametrize("rows", [3, 12])
def test_time_pages_run_a_constant_number_of_queries(
    client, users, evaluator, accreditation, rows, django_assert_num_queries
):
    cohort = accreditation.cohort
    for _ in range(rows):
        TimeEntryFactory(accreditation=accreditation, evaluator=evaluator)
        other = EvaluatorFactory()
        TimeEntryFactory(accreditation=AccreditationFactory(cohort=cohort, evaluator=other))
        CohortFactory()
    client.force_login(evaluator)
    # session, user, accreditation, count, page of entries, totals
    with django_assert_num_queries(6):
        assert (
            client.get(reverse("accreditation:time-list", args=[accreditation.pk])).status_code
            == 200
        )
    client.force_login(users[Role.MANAGER])
    # session, user, count, page of cohorts with their figures
    with django_assert_num_queries(4):
        assert client.get(reverse("accreditation:budget")).status_code == 200
    # session, user, cohort, count, page of evaluators, budget, totals, and the budget in
    # pounds: day rate, lines, spending per kind, spending recorded
    with django_assert_num_queries(11):
        url = reverse("accreditation:cohort-budget", args=[cohort.pk])
        assert client.get(url).status_code == 200
