"""The programme budget in pounds: day rates over time, budget lines, spending, variance."""

# Fixtures are imported from year_factories, so test arguments share their names.
# ruff: noqa: F811

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accreditation.models import BudgetLine, DayRate, EvaluatorProfile, ProgrammeExpense
from accreditation.selectors_budget import cohort_money, day_rate_on
from kqm.models import Role
from tests.access import assert_access, assert_field_error
from tests.factories import AccreditationFactory, CohortFactory

from .programme_factories import TimeEntryFactory
from .year_factories import accreditation, cohort, evaluator  # noqa: F401

pytestmark = pytest.mark.django_db

RATES = reverse("accreditation:day-rates")


@pytest.fixture(autouse=True)
def _in_january_2027():
    with time_machine.travel(datetime.datetime(2027, 1, 20, 12, 0), tick=False):
        yield


def _rate(manager, day: datetime.date, rate: str) -> DayRate:
    return DayRate.objects.create(effective_from=day, rate=Decimal(rate), set_by=manager)


def test_pages_serve_the_manager_only_and_refuse_other_methods(client, users, cohort):
    for url in (
        RATES,
        reverse("accreditation:budget-lines", args=[cohort.pk]),
        reverse("accreditation:expense-new", args=[cohort.pk]),
    ):
        assert_access(client, url, users, [Role.MANAGER])
        # A POST from another role is refused before anything is read.
        assert_access(client, url, users, [Role.MANAGER], method="POST", wrong_method=None)
    client.force_login(users[Role.MANAGER])
    for name in ("budget-lines", "expense-new"):
        assert client.get(reverse(f"accreditation:{name}", args=[987654])).status_code == 404


def test_the_day_rate_changes_over_time_and_prices_each_cohort_at_its_start(client, manager, users):
    client.force_login(manager)
    post = {"effective_from_0": "1", "effective_from_1": "9", "effective_from_2": "2009"}
    assert client.post(RATES, {**post, "rate": "105"}).status_code == 302
    client.post(RATES, {**post, "effective_from_2": "2011", "rate": "£1,110.50"})
    rates = [day_rate_on(datetime.date(2010, 6, 1)), day_rate_on(datetime.date(2012, 1, 1))]
    assert [rate.rate if rate else None for rate in rates] == [Decimal("105"), Decimal("1110.5")]
    assert day_rate_on(datetime.date(2009, 8, 31)) is None
    # Setting the same date again changes that rate, with its history.
    client.post(RATES, {**post, "rate": "107.25"})
    first = DayRate.objects.get(effective_from=datetime.date(2009, 9, 1))
    assert first.rate == Decimal("107.25") and first.history.count() == 2
    assert first.history.first().history_user == manager
    page = client.get(RATES).content.decode()
    assert "£1,110.50" in page and "£107.25" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"rate": ""}, "rate", "Enter the day rate"),
        ({"rate": "lots"}, "rate", "Enter the day rate as an amount in pounds"),
        ({"rate": "-5"}, "rate", "The day rate cannot be negative"),
        ({"effective_from_0": "31", "effective_from_1": "2"}, "effective_from", "real date"),
    ],
)
def test_a_bad_day_rate_is_refused_beside_its_field(client, manager, data, field, message):
    client.force_login(manager)
    post = {"effective_from_0": "1", "effective_from_1": "9", "effective_from_2": "2026"}
    response = client.post(RATES, {**post, "rate": "105", **data})
    assert_field_error(response, field, message)
    if "rate" in data:
        assert data["rate"] in response.content.decode()  # the typed value is kept
    assert not DayRate.objects.exists()


def test_budget_actual_and_variance_per_line(client, manager, cohort, evaluator):
    """The seed's figures: evaluator days at about £105 a day and £5,232 of materials."""
    _rate(manager, datetime.date(2020, 1, 1), "105.00")
    EvaluatorProfile.objects.create(user=evaluator, day_rate=Decimal("110.00"))
    work = AccreditationFactory(cohort=cohort, evaluator=evaluator, days_budget=Decimal("8"))
    AccreditationFactory(cohort=cohort, evaluator=None, days_budget=Decimal("8"))
    TimeEntryFactory(accreditation=work, days=Decimal("1.0"), expenses=Decimal("12.40"))
    client.force_login(manager)
    lines_url = reverse("accreditation:budget-lines", args=[cohort.pk])
    response = client.post(lines_url, {"materials": "5,232", "venue": "600", "training": ""})
    assert response.status_code == 302
    assert set(BudgetLine.objects.values_list("kind", flat=True)) == {"materials", "venue"}
    spend = reverse("accreditation:expense-new", args=[cohort.pk])
    response = client.post(
        spend,
        {
            "kind": "materials",
            "description": "Evidence folders <b>x24</b>",
            "date_0": "5",
            "date_1": "10",
            "date_2": "2026",
            "amount": "5,300",
        },
    )
    assert response.status_code == 302
    assert ProgrammeExpense.objects.get().history.first().history_user == manager
    money = {line.key: line for line in cohort_money(cohort).lines}
    assert money["evaluator_days"].budget == Decimal("1680.00")  # 16 days x £105
    assert money["evaluator_days"].actual == Decimal("110.00")  # 1 day at her own rate
    assert money["evaluator_expenses"].actual == Decimal("12.40")
    assert money["evaluator_expenses"].budget is None
    assert money["materials"].variance == Decimal("-68.00")
    assert money["venue"].variance == Decimal("600.00")
    page = client.get(reverse("accreditation:cohort-budget", args=[cohort.pk])).content.decode()
    assert "£5,232.00" in page and "Over by £68.00" in page
    assert "Evidence folders &lt;b&gt;x24&lt;/b&gt;" in page
    # 1,680 + 5,232 + 600 budgeted; 110 + 12.40 + 5,300 spent.
    assert 'data-testid="money-total-budget"><strong>£7,512.00<' in page
    assert 'data-testid="money-variance"><strong>£2,089.60<' in page
    # The form shows what is budgeted now.
    assert 'value="5232.00"' in client.get(lines_url).content.decode()
    # A blank amount removes the line; the history keeps it.
    client.post(lines_url, {"materials": "", "venue": "600"})
    assert not BudgetLine.objects.filter(kind="materials").exists()
    assert BudgetLine.history.filter(kind="materials", history_type="-").exists()


def test_a_cohort_without_a_day_rate_says_its_days_are_not_priced(client, manager):
    cohort = CohortFactory()
    client.force_login(manager)
    page = client.get(reverse("accreditation:cohort-budget", args=[cohort.pk])).content.decode()
    assert "No day rate is set for the cohort" in page and "Not budgeted" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": ""}, "kind", "Choose what the money was spent on"),
        ({"kind": "evaluator_expenses"}, "kind", "Choose what the money was spent on"),
        ({"description": ""}, "description", "Describe what was bought"),
        ({"amount": "0"}, "amount", "The amount must be more than £0"),
        ({"amount": "12.345"}, "amount", "in pounds and pence"),
        ({"date_2": ""}, "date", "must include a year"),
    ],
)
def test_bad_spending_is_refused_beside_its_field(client, manager, cohort, data, field, message):
    client.force_login(manager)
    post = {
        "kind": "venue",
        "description": "Hall hire",
        "date_0": "5",
        "date_1": "10",
        "date_2": "2026",
        "amount": "120",
        **data,
    }
    response = client.post(reverse("accreditation:expense-new", args=[cohort.pk]), post)
    assert_field_error(response, field, message)
    assert not ProgrammeExpense.objects.exists()


def test_a_bad_budget_amount_is_refused_and_nothing_is_saved(client, manager, cohort):
    client.force_login(manager)
    url = reverse("accreditation:budget-lines", args=[cohort.pk])
    response = client.post(url, {"materials": "500", "venue": "a lot"})
    assert_field_error(response, "venue", "Enter the venue budget as an amount in pounds")
    assert "a lot" in response.content.decode()
    assert not BudgetLine.objects.exists()
