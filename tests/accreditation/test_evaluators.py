"""Evaluators: list, profile, training, assignment with the capacity check, and workload."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accreditation.models import Accreditation, EvaluatorProfile, Status, TrainingSession
from accreditation.services.evaluators import OverCapacity, do_assign_evaluator
from kqm.models import Role, SentEmail, User
from tests.access import assert_access, assert_field_error
from tests.factories import (
    AccreditationFactory,
    CohortFactory,
    EvaluatorFactory,
    SettingFactory,
)

from .programme_factories import TimeEntryFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def date_fields(name: str, day: int | str, month: int | str, year: int | str) -> dict[str, str]:
    return {f"{name}_0": str(day), f"{name}_1": str(month), f"{name}_2": str(year)}


@pytest.fixture
def cohort(db):
    return CohortFactory(name="2026 cohort", programme_year=2026)


@pytest.fixture
def ruth(db) -> User:
    """An evaluator with a profile: £105 a day, 20 days a year."""
    return EvaluatorFactory(
        full_name="Ruth Adeyemi",
        profile__day_rate=Decimal("105.00"),
        profile__capacity_days=Decimal("20.0"),
    )


@pytest.fixture
def accreditation(cohort) -> Accreditation:
    return AccreditationFactory(
        cohort=cohort,
        setting=SettingFactory(name="Bluebells Pre-school"),
        status=Status.ACCEPTED,
        days_budget=Decimal("8.0"),
    )


# --- Access ------------------------------------------------------------------------------------


def test_evaluator_pages_are_for_the_manager_only(client, users, ruth, accreditation):
    session = TrainingSessionFactory(evaluator=ruth.evaluator_profile)
    for url in [
        reverse("accreditation:evaluator-list"),
        reverse("accreditation:evaluator-detail", args=[ruth.pk]),
        reverse("accreditation:evaluator-edit", args=[ruth.pk]),
        reverse("accreditation:evaluator-training-new", args=[ruth.pk]),
        reverse("accreditation:evaluator-training-delete", args=[session.pk]),
        reverse("accreditation:evaluator-workload", args=[ruth.pk]),
        reverse("accreditation:accreditation-assign-evaluator", args=[accreditation.pk]),
    ]:
        assert_access(client, url, users, allowed=[Role.MANAGER])


def test_my_workload_is_for_evaluators_only(client, users):
    assert_access(client, reverse("accreditation:my-workload"), users, allowed=[Role.EVALUATOR])


def test_an_evaluator_cannot_open_another_evaluators_workload(client, users, ruth):
    client.force_login(users[Role.EVALUATOR])
    response = client.get(reverse("accreditation:evaluator-workload", args=[ruth.pk]))
    assert response.status_code == 403
    own = client.get(reverse("accreditation:evaluator-workload", args=[users[Role.EVALUATOR].pk]))
    assert own.status_code == 403  # the manager's page, even for themselves


def test_unknown_or_non_evaluator_users_are_not_found(client, users, manager):
    client.force_login(manager)
    viewer = users[Role.VIEWER]
    for name in ["evaluator-detail", "evaluator-edit", "evaluator-training-new"]:
        for pk in [987654, viewer.pk, manager.pk]:
            assert client.get(reverse(f"accreditation:{name}", args=[pk])).status_code == 404
    assert (
        client.get(reverse("accreditation:evaluator-workload", args=[viewer.pk])).status_code == 404
    )
    for name in ["evaluator-training-delete", "accreditation-assign-evaluator"]:
        assert client.get(reverse(f"accreditation:{name}", args=[987654])).status_code == 404
        assert client.post(reverse(f"accreditation:{name}", args=[987654])).status_code == 404


# --- List --------------------------------------------------------------------------------------


def test_list_shows_rate_capacity_assignments_days_cost_and_training(client, manager, ruth, cohort):
    work = [
        AccreditationFactory(cohort=cohort, evaluator=ruth, days_budget=Decimal("8"))
        for _ in range(2)
    ]
    AccreditationFactory(  # withdrawn: no longer part of her workload
        cohort=cohort, evaluator=ruth, status=Status.WITHDRAWN, days_budget=Decimal("8")
    )
    TimeEntryFactory(accreditation=work[0], days=Decimal("1.0"))
    TimeEntryFactory(accreditation=work[0], days=Decimal("0.5"))
    TimeEntryFactory(accreditation=work[1], days=Decimal("1.0"))
    TrainingSessionFactory.create_batch(2, evaluator=ruth.evaluator_profile)
    earlier = AccreditationFactory(
        cohort=CohortFactory(programme_year=2025), evaluator=ruth, days_budget=Decimal("6")
    )
    TimeEntryFactory(accreditation=earlier, days=Decimal("1.0"))
    client.force_login(manager)
    response = client.get(reverse("accreditation:evaluator-list"), {"year": "2026"})
    rows = {person.pk: person for person in response.context["page_obj"]}
    row = rows[ruth.pk]
    assert row.assigned_count == 2
    assert row.days_budgeted == Decimal("16.0")
    assert row.days_logged == Decimal("2.5")
    assert row.cost == Decimal("262.50")
    assert row.training_count == 2
    html = response.content.decode()
    assert "£105.00" in html and "£262.50" in html
    everything = client.get(reverse("accreditation:evaluator-list"), {"year": "all"})
    row = {p.pk: p for p in everything.context["page_obj"]}[ruth.pk]
    assert (row.assigned_count, row.days_budgeted, row.days_logged) == (
        3,
        Decimal("22.0"),
        Decimal("3.5"),
    )
    # The evaluator of the ``users`` fixture has no profile yet.
    assert "Set up profile" in html


@time_machine.travel(datetime.datetime(2026, 11, 2, 10, 0))
def test_list_defaults_to_the_programme_year_under_way(client, manager, ruth):
    for year in (2025, 2026, 2027):
        AccreditationFactory(cohort=CohortFactory(programme_year=year), evaluator=ruth)
    client.force_login(manager)
    response = client.get(reverse("accreditation:evaluator-list"))
    assert response.context["year"] == 2026
    row = {p.pk: p for p in response.context["page_obj"]}[ruth.pk]
    assert row.assigned_count == 1


def test_list_searches_filters_sorts_and_paginates(client, manager, cohort):
    for n in range(30):
        EvaluatorFactory(full_name=f"Evaluator {n:02d}")
    busy = EvaluatorFactory(full_name="Zoe Busy")
    AccreditationFactory(cohort=cohort, evaluator=busy, days_budget=Decimal("30"))
    gone = EvaluatorFactory(full_name="Gone Evaluator", is_active=False)
    client.force_login(manager)
    url = reverse("accreditation:evaluator-list")
    found = client.get(url, {"q": "zoe"})
    assert [p.pk for p in found.context["page_obj"]] == [busy.pk]
    assert gone.pk not in [p.pk for p in client.get(url, {"q": "gone"}).context["page_obj"]]
    inactive = client.get(url, {"status": "inactive"})
    assert [p.pk for p in inactive.context["page_obj"]] == [gone.pk]
    by_budget = client.get(url, {"sort": "budgeted", "year": "2026"})
    assert by_budget.context["page_obj"].object_list[0].pk == busy.pk
    page2 = client.get(url, {"page": 2})
    assert len(page2.context["page_obj"].object_list) == 7  # 32 active evaluators
    empty = client.get(url, {"q": "nobody at all"})
    assert "No evaluators match these filters" in empty.content.decode()


@pytest.mark.parametrize("rows", [3, 12])
def test_evaluator_list_runs_a_constant_number_of_queries(
    client, manager, cohort, rows, django_assert_num_queries
):
    for _ in range(rows):
        evaluator = EvaluatorFactory()
        accreditation = AccreditationFactory(cohort=cohort, evaluator=evaluator)
        TimeEntryFactory(accreditation=accreditation)
        TrainingSessionFactory(evaluator=evaluator.evaluator_profile)
    client.force_login(manager)
    # session, user, programme years, count, page of evaluators (figures in subqueries)
    with django_assert_num_queries(5):
        response = client.get(reverse("accreditation:evaluator-list"), {"year": "2026"})
    assert response.status_code == 200


# --- Profile and training ----------------------------------------------------------------------


def test_saving_the_profile_creates_it_when_missing(client, users, manager):
    evaluator = users[Role.EVALUATOR]
    client.force_login(manager)
    url = reverse("accreditation:evaluator-edit", args=[evaluator.pk])
    form = client.get(url).content.decode()
    assert 'value="105.00"' in form and 'value="40.0"' in form  # the defaults, to adjust
    response = client.post(url, {"day_rate": "110.50", "capacity_days": "30.5", "notes": "East"})
    assert response["Location"] == reverse("accreditation:evaluator-detail", args=[evaluator.pk])
    profile = EvaluatorProfile.objects.get(user=evaluator)
    assert (profile.day_rate, profile.capacity_days, profile.notes) == (
        Decimal("110.50"),
        Decimal("30.5"),
        "East",
    )
    assert profile.history.first().history_user == manager
    client.post(url, {"day_rate": "120", "capacity_days": "30.5", "notes": "East"})
    profile.refresh_from_db()
    assert profile.day_rate == Decimal("120.00")
    assert EvaluatorProfile.objects.filter(user=evaluator).count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert "£120.00" in detail and "Day rate (£)</strong>: 110.50 &rarr; 120.00" in detail


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"day_rate": ""}, "day_rate", "Enter the day rate"),
        ({"day_rate": "-5"}, "day_rate", "The day rate cannot be negative"),
        ({"day_rate": "a lot"}, "day_rate", "The day rate must be an amount in pounds"),
        ({"day_rate": "105.555"}, "day_rate", "in pounds and pence"),
        ({"capacity_days": "40.3"}, "capacity_days", "Capacity must be whole or half days"),
        ({"capacity_days": "400"}, "capacity_days", "Capacity must be 365 days or fewer"),
        ({"capacity_days": "-1"}, "capacity_days", "Capacity cannot be negative"),
    ],
)
def test_bad_profile_details_are_explained_and_nothing_is_saved(
    client, manager, ruth, changes, field, message
):
    client.force_login(manager)
    data = {"day_rate": "99", "capacity_days": "25", "notes": "Typed note", **changes}
    response = client.post(reverse("accreditation:evaluator-edit", args=[ruth.pk]), data)
    assert_field_error(response, field, message)
    assert "Typed note" in response.content.decode()
    profile = EvaluatorProfile.objects.get(user=ruth)
    assert (profile.day_rate, profile.capacity_days) == (Decimal("105.00"), Decimal("20.0"))


def test_manager_records_and_deletes_training_with_confirmation(client, manager, users):
    evaluator = users[Role.EVALUATOR]  # no profile yet: recording training creates one
    client.force_login(manager)
    url = reverse("accreditation:evaluator-training-new", args=[evaluator.pk])
    data = {"title": "KQM processes, session 1 (half day)", **date_fields("date", 17, 6, 2025)}
    response = client.post(url, data)
    assert response["Location"] == reverse("accreditation:evaluator-detail", args=[evaluator.pk])
    session = TrainingSession.objects.get(evaluator__user=evaluator)
    assert session.date == datetime.date(2025, 6, 17)
    assert session.history.first().history_user == manager
    assert "KQM processes, session 1" in client.get(response["Location"]).content.decode()
    delete_url = reverse("accreditation:evaluator-training-delete", args=[session.pk])
    confirm = client.get(delete_url).content.decode()
    assert "Delete “KQM processes, session 1 (half day)” on 17 June 2025?" in confirm
    assert TrainingSession.objects.filter(pk=session.pk).exists()
    response = client.post(delete_url)
    assert response["Location"] == reverse("accreditation:evaluator-detail", args=[evaluator.pk])
    assert not TrainingSession.objects.filter(pk=session.pk).exists()
    deleted = TrainingSession.history.filter(id=session.pk, history_type="-").get()
    assert deleted.history_user == manager


@time_machine.travel(datetime.datetime(2026, 6, 1, 10, 0))
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Enter the title of the training session"),
        (date_fields("date", 2, 6, 2026), "date", "must be today or in the past"),
        (date_fields("date", "", "", ""), "date", "Enter the date of the session"),
        (date_fields("date", 31, 4, 2026), "date", "must be a real date"),
    ],
)
def test_bad_training_details_are_explained_and_nothing_is_saved(
    client, manager, ruth, changes, field, message
):
    client.force_login(manager)
    data = {"title": "Typed title", **date_fields("date", 1, 6, 2026), **changes}
    url = reverse("accreditation:evaluator-training-new", args=[ruth.pk])
    response = client.post(url, data)
    assert_field_error(response, field, message)
    assert not TrainingSession.objects.exists()


# --- Assigning an evaluator --------------------------------------------------------------------


def test_assigning_an_evaluator_saves_with_history_and_emails_them_on_commit(
    client, manager, ruth, accreditation, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    url = reverse("accreditation:accreditation-assign-evaluator", args=[accreditation.pk])
    page = client.get(url).content.decode()
    assert "Ruth Adeyemi" in page and "0 of 20 days budgeted in 2026" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"evaluator": ruth.pk})
    assert response["Location"] == reverse(
        "accreditation:cohort-detail", args=[accreditation.cohort_id]
    )
    accreditation.refresh_from_db()
    assert accreditation.evaluator == ruth
    record = accreditation.history.first()
    assert record.history_user == manager
    assert record.history_change_reason == "Evaluator assigned"
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [ruth.email]
    assert email.subject == "You have been assigned Bluebells Pre-school (2026 cohort)"
    assert "/programme/workload/" in email.body
    assert SentEmail.objects.filter(template="evaluator_assigned", to=ruth.email).exists()


def test_over_capacity_needs_an_explicit_assign_anyway(
    client, manager, ruth, cohort, accreditation, django_capture_on_commit_callbacks
):
    AccreditationFactory(cohort=cohort, evaluator=ruth, days_budget=Decimal("15"))
    AccreditationFactory(  # another programme year does not count
        cohort=CohortFactory(programme_year=2027), evaluator=ruth, days_budget=Decimal("15")
    )
    client.force_login(manager)
    url = reverse("accreditation:accreditation-assign-evaluator", args=[accreditation.pk])
    assert "15 of 20 days budgeted in 2026" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        warning = client.post(url, {"evaluator": ruth.pk})
    assert warning.status_code == 200
    html = warning.content.decode()
    assert "would have 23 days budgeted in 2026, over their capacity of 20 days" in html
    assert "Assign anyway" in html
    accreditation.refresh_from_db()
    assert accreditation.evaluator is None
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"evaluator": ruth.pk, "allow_over_capacity": "True"})
    assert response.status_code == 302
    accreditation.refresh_from_db()
    assert accreditation.evaluator == ruth
    assert accreditation.history.first().history_change_reason == (
        "Evaluator assigned over capacity (confirmed)"
    )
    assert len(mail.outbox) == 1


def test_an_evaluator_without_a_profile_has_no_capacity_to_assign_against(
    client, manager, users, accreditation
):
    evaluator = users[Role.EVALUATOR]
    client.force_login(manager)
    url = reverse("accreditation:accreditation-assign-evaluator", args=[accreditation.pk])
    assert "no capacity recorded yet" in client.get(url).content.decode()
    warning = client.post(url, {"evaluator": evaluator.pk})
    assert "has no capacity recorded yet" in warning.content.decode()
    accreditation.refresh_from_db()
    assert accreditation.evaluator is None


def test_service_refuses_over_capacity_unless_allowed(manager, ruth, cohort, accreditation):
    AccreditationFactory(cohort=cohort, evaluator=ruth, days_budget=Decimal("13"))
    with pytest.raises(OverCapacity) as raised:
        do_assign_evaluator(
            actor=manager, accreditation=accreditation, evaluator=ruth, allow_over_capacity=False
        )
    assert (raised.value.budgeted_before, raised.value.budgeted_after) == (
        Decimal("13.0"),
        Decimal("21.0"),
    )
    assert raised.value.capacity == Decimal("20.0")
    accreditation.refresh_from_db()
    assert accreditation.evaluator is None
    do_assign_evaluator(
        actor=manager, accreditation=accreditation, evaluator=ruth, allow_over_capacity=True
    )
    accreditation.refresh_from_db()
    assert accreditation.evaluator == ruth


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose an evaluator"),
        ({"evaluator": "987654"}, "Choose one of the active evaluators listed"),
        ({"evaluator": "not-a-number"}, "Choose one of the active evaluators listed"),
    ],
)
def test_a_bad_choice_is_explained_and_nothing_is_saved(
    client, manager, ruth, accreditation, data, message
):
    client.force_login(manager)
    url = reverse("accreditation:accreditation-assign-evaluator", args=[accreditation.pk])
    response = client.post(url, data)
    assert_field_error(response, "evaluator", message)
    accreditation.refresh_from_db()
    assert accreditation.evaluator is None


def test_deactivated_evaluators_and_other_roles_cannot_be_assigned(
    client, manager, users, accreditation
):
    gone = EvaluatorFactory(full_name="Gone Evaluator", is_active=False)
    client.force_login(manager)
    url = reverse("accreditation:accreditation-assign-evaluator", args=[accreditation.pk])
    assert "Gone Evaluator" not in client.get(url).content.decode()
    for person in [gone, users[Role.SETTING_MANAGER]]:
        response = client.post(url, {"evaluator": person.pk, "allow_over_capacity": "True"})
        assert_field_error(response, "evaluator", "Choose one of the active evaluators listed")
    with pytest.raises(ValidationError):
        do_assign_evaluator(
            actor=manager, accreditation=accreditation, evaluator=gone, allow_over_capacity=True
        )
    accreditation.refresh_from_db()
    assert accreditation.evaluator is None


def test_no_evaluator_can_be_assigned_to_a_withdrawn_accreditation(
    client, manager, ruth, accreditation
):
    accreditation.transition(Status.WITHDRAWN, by=manager, reason="Closing")
    client.force_login(manager)
    url = reverse("accreditation:accreditation-assign-evaluator", args=[accreditation.pk])
    assert "no evaluator can be assigned" in client.get(url).content.decode()
    client.post(url, {"evaluator": ruth.pk, "allow_over_capacity": "True"})
    accreditation.refresh_from_db()
    assert accreditation.evaluator is None
    with pytest.raises(ValidationError):
        do_assign_evaluator(
            actor=manager, accreditation=accreditation, evaluator=ruth, allow_over_capacity=True
        )


def test_reassigning_the_same_evaluator_changes_and_sends_nothing(
    client, manager, ruth, accreditation, django_capture_on_commit_callbacks
):
    accreditation.evaluator = ruth
    accreditation.save(update_fields=["evaluator"])
    history_rows = accreditation.history.count()
    client.force_login(manager)
    url = reverse("accreditation:accreditation-assign-evaluator", args=[accreditation.pk])
    assert 'checked="checked"' in client.get(url).content.decode()  # the current evaluator
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"evaluator": ruth.pk})
    assert accreditation.history.count() == history_rows
    assert mail.outbox == []


def test_assignment_returns_to_a_safe_next_page_only(client, manager, ruth, accreditation):
    client.force_login(manager)
    url = reverse("accreditation:accreditation-assign-evaluator", args=[accreditation.pk])
    back = accreditation.get_absolute_url()
    response = client.post(url, {"evaluator": ruth.pk, "next": back})
    assert response["Location"] == back
    other = EvaluatorFactory(profile__capacity_days=Decimal("40"))
    response = client.post(url, {"evaluator": other.pk, "next": "https://evil.example/"})
    assert response["Location"] == reverse(
        "accreditation:cohort-detail", args=[accreditation.cohort_id]
    )


# --- Workload ----------------------------------------------------------------------------------


@pytest.fixture
def workload_of(users, cohort):
    """The fixture evaluator's work: two settings in 2026, one in 2025, one withdrawn."""
    evaluator = users[Role.EVALUATOR]
    EvaluatorProfile.objects.create(
        user=evaluator, day_rate=Decimal("100.00"), capacity_days=Decimal("12.0")
    )
    first = AccreditationFactory(
        cohort=cohort,
        setting=SettingFactory(name="Acorns Day Nursery"),
        evaluator=evaluator,
        status=Status.IN_PROGRESS,
        days_budget=Decimal("8"),
    )
    AccreditationFactory(
        cohort=cohort,
        setting=SettingFactory(name="Bluebells Pre-school"),
        evaluator=evaluator,
        days_budget=Decimal("6"),
    )
    earlier = AccreditationFactory(
        cohort=CohortFactory(name="2025 cohort", programme_year=2025),
        setting=SettingFactory(name="Caterpillars Nursery"),
        evaluator=evaluator,
        status=Status.ACCREDITED,
        days_budget=Decimal("8"),
    )
    withdrawn = AccreditationFactory(
        cohort=cohort,
        setting=SettingFactory(name="Withdrawn Nursery"),
        evaluator=evaluator,
        status=Status.WITHDRAWN,
        days_budget=Decimal("8"),
    )
    for accreditation, days in [
        (first, "1.0"),
        (first, "1.0"),
        (first, "0.5"),
        (earlier, "1.0"),
        (withdrawn, "0.5"),
    ]:
        TimeEntryFactory(accreditation=accreditation, days=Decimal(days))
    # Another evaluator's time on the same setting is not theirs.
    TimeEntryFactory(accreditation=first, evaluator=EvaluatorFactory(), days=Decimal("1.0"))
    # Another evaluator's settings are not on this page.
    AccreditationFactory(
        cohort=cohort,
        setting=SettingFactory(name="Not Theirs Nursery"),
        evaluator=EvaluatorFactory(),
    )
    return evaluator


def test_an_evaluator_sees_their_own_workload_with_totals_and_capacity(client, workload_of):
    client.force_login(workload_of)
    response = client.get(reverse("accreditation:my-workload"), {"year": "2026"})
    html = response.content.decode()
    rows = {a.setting.name: a for a in response.context["page_obj"]}
    assert set(rows) == {"Acorns Day Nursery", "Bluebells Pre-school"}
    acorns = rows["Acorns Day Nursery"]
    assert (acorns.days_logged, acorns.days_remaining, acorns.cost) == (
        Decimal("2.5"),
        Decimal("5.5"),
        Decimal("250.00"),
    )
    assert "Not Theirs Nursery" not in html and "Withdrawn Nursery" not in html
    assert 'data-testid="total-budgeted"><strong>14<' in html
    assert 'data-testid="total-logged"><strong>2.5<' in html
    assert 'data-testid="total-remaining"><strong>11.5<' in html
    assert 'data-testid="total-cost"><strong>£250.00<' in html
    assert "Capacity used in 2026: 14 of 12 days (117%)" in html
    assert "Over capacity" in html
    assert "also logged 0.5 days on settings that have since withdrawn" in html
    every_year = client.get(reverse("accreditation:my-workload"))
    assert len(every_year.context["page_obj"].object_list) == 3
    assert every_year.context["summary"].totals.budgeted == Decimal("22.0")


def test_the_manager_sees_any_evaluators_workload(client, manager, workload_of):
    client.force_login(manager)
    url = reverse("accreditation:evaluator-workload", args=[workload_of.pk])
    response = client.get(url, {"year": "2025"})
    assert [a.setting.name for a in response.context["page_obj"]] == ["Caterpillars Nursery"]
    assert 'data-testid="total-cost"><strong>£100.00<' in response.content.decode()


def test_a_new_evaluator_sees_an_empty_workload(client, users):
    client.force_login(users[Role.EVALUATOR])
    html = client.get(reverse("accreditation:my-workload")).content.decode()
    assert "No settings are assigned to you" in html
    assert "has not recorded your day rate and capacity yet" in html


@pytest.mark.parametrize("rows", [3, 12])
def test_workload_runs_a_constant_number_of_queries(
    client, users, manager, cohort, rows, django_assert_num_queries
):
    evaluator = users[Role.EVALUATOR]
    EvaluatorProfile.objects.create(user=evaluator)
    for _ in range(rows):
        accreditation = AccreditationFactory(cohort=cohort, evaluator=evaluator)
        TimeEntryFactory(accreditation=accreditation)
    client.force_login(evaluator)
    # session, user, profile, days budgeted per year, days logged per year, count, page
    with django_assert_num_queries(7):
        assert client.get(reverse("accreditation:my-workload")).status_code == 200
    client.force_login(manager)
    # session, user, evaluator with profile, then the same four
    with django_assert_num_queries(7):
        url = reverse("accreditation:evaluator-workload", args=[evaluator.pk])
        assert client.get(url).status_code == 200


def test_workload_pages_paginate_with_totals_for_every_page(client, users, cohort):
    evaluator = users[Role.EVALUATOR]
    for _ in range(30):
        AccreditationFactory(cohort=cohort, evaluator=evaluator, days_budget=Decimal("2"))
    client.force_login(evaluator)
    page2 = client.get(reverse("accreditation:my-workload"), {"page": 2})
    assert len(page2.context["page_obj"].object_list) == 5
    html = page2.content.decode()
    assert "Total (all 30 settings)" in html and 'data-testid="total-budgeted"><strong>60<' in html
