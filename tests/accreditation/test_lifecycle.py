"""The accreditation lifecycle: one method moves the status, every move is in the history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accreditation.models import (
    Accreditation,
    AccreditationStatusChange,
    IllegalTransition,
    Status,
)
from accreditation.services.accreditations import (
    do_change_accreditation_status,
    do_open_accreditation,
)
from accreditation.services.decisions import do_decide
from kqm.models import Role, User
from tests.access import assert_access, assert_field_error, assert_not_found
from tests.factories import (
    AccreditationFactory,
    ApplicationFactory,
    CohortFactory,
    EvaluatorFactory,
    SettingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def accreditation(setting, users):
    evaluator = EvaluatorFactory(full_name="Eve Evaluator")
    users[Role.EVALUATOR] = evaluator  # the assigned evaluator sees it
    return AccreditationFactory(setting=setting, evaluator=evaluator)


def transition_url(accreditation):
    return reverse("accreditation:accreditation-transition", args=[accreditation.pk])


# The model --------------------------------------------------------------------------------------


def test_an_illegal_move_raises_with_a_clear_message_and_changes_nothing(accreditation, manager):
    with pytest.raises(IllegalTransition) as error:
        accreditation.transition(Status.ACCREDITED, by=manager)
    assert str(error.value) == "An accreditation cannot move from “Accepted” to “Accredited”."
    accreditation.refresh_from_db()
    assert accreditation.status == Status.ACCEPTED
    assert not AccreditationStatusChange.objects.exists()


def test_an_unknown_status_is_refused(accreditation, manager):
    with pytest.raises(IllegalTransition, match="is not an accreditation status"):
        accreditation.transition("gold_star", by=manager)


def test_saving_a_changed_status_directly_raises(accreditation):
    accreditation.status = Status.ACCREDITED
    with pytest.raises(IllegalTransition, match=r"only through Accreditation\.transition"):
        accreditation.save()
    assert Accreditation.objects.get().status == Status.ACCEPTED


def test_each_move_is_recorded_with_who_when_and_why(accreditation, manager):
    accreditation.transition(Status.IN_PROGRESS, by=manager, reason="Initial ECERS audit booked")
    accreditation.transition(Status.SUBMITTED, by=manager)
    accreditation.transition(Status.NOT_YET_MET, by=manager, reason="Case study 2 incomplete")
    accreditation.transition(Status.IN_PROGRESS, by=manager)
    moves = list(
        accreditation.status_changes.order_by("changed_at", "id").values_list(
            "from_status", "to_status", "changed_by", "reason"
        )
    )
    assert moves == [
        ("accepted", "in_progress", manager.pk, "Initial ECERS audit booked"),
        ("in_progress", "submitted", manager.pk, ""),
        ("submitted", "not_yet_met", manager.pk, "Case study 2 incomplete"),
        ("not_yet_met", "in_progress", manager.pk, ""),
    ]
    assert accreditation.history.first().history_user == manager


def test_opening_an_accreditation_records_applied_to_accepted(manager):
    cohort = CohortFactory(days_per_setting="6.5")
    application = ApplicationFactory(cohort=cohort)
    accreditation = do_open_accreditation(application=application, accepted_by=manager)
    assert accreditation.status == Status.ACCEPTED
    assert str(accreditation.days_budget) == "6.5"
    change = accreditation.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == (
        Status.APPLIED,
        Status.ACCEPTED,
        manager,
    )
    with pytest.raises(ValidationError, match="already has an accreditation"):
        do_open_accreditation(application=application, accepted_by=manager)


@pytest.mark.parametrize("to", [Status.WITHDRAWN, Status.DECLINED, Status.NOT_YET_MET])
def test_ending_or_refusing_moves_need_a_reason(manager, to):
    status = Status.SUBMITTED if to == Status.NOT_YET_MET else Status.WAITLISTED
    accreditation = AccreditationFactory(status=status)
    with pytest.raises(ValidationError) as error:
        if to == Status.NOT_YET_MET:  # on the decision page, the reason is the feedback
            do_decide(accreditation=accreditation, outcome=to, decided_by=manager, feedback="  ")
        else:
            do_change_accreditation_status(
                accreditation=accreditation, to=to, changed_by=manager, reason="  "
            )
    assert ("feedback" if to == Status.NOT_YET_MET else "reason") in error.value.message_dict
    assert Accreditation.objects.get().status == status


# The page ---------------------------------------------------------------------------------------


def test_accreditation_page_access(client, users, accreditation):
    assert_access(
        client,
        accreditation.get_absolute_url(),
        users,
        allowed=[Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER],
    )


def test_others_cannot_see_the_accreditation(client, accreditation, other_setting):
    unassigned: User = EvaluatorFactory()
    other_manager: User = UserFactory(role=Role.SETTING_MANAGER, settings=[other_setting])
    other_staff: User = UserFactory(role=Role.PRACTITIONER, settings=[other_setting])
    assert_not_found(
        client, accreditation.get_absolute_url(), [unassigned, other_manager, other_staff]
    )


def test_page_shows_status_setting_cohort_evaluator_and_history(client, users, accreditation):
    accreditation.transition(Status.IN_PROGRESS, by=users[Role.MANAGER], reason="Audit booked")
    client.force_login(users[Role.PRACTITIONER])
    html = client.get(accreditation.get_absolute_url()).content.decode()
    assert "govuk-tag--" in html and "In progress" in html
    assert accreditation.setting.name in html and accreditation.cohort.name in html
    assert "Eve Evaluator" in html
    assert "Status history" in html and "Audit booked" in html and "KQM manager user" in html
    assert "Change the status" not in html  # only the KQM manager moves the status


def test_manager_is_offered_only_the_allowed_moves(client, manager, accreditation):
    client.force_login(manager)
    html = client.get(accreditation.get_absolute_url()).content.decode()
    assert transition_url(accreditation) in html
    assert '<option value="in_progress">In progress</option>' in html
    assert '<option value="withdrawn">Withdrawn</option>' in html
    assert 'value="accredited"' not in html and 'value="declined"' not in html


def test_transition_access(client, users, accreditation):
    assert_access(
        client,
        transition_url(accreditation),
        users,
        allowed=[Role.MANAGER],
        method="POST",
        data={"to": Status.IN_PROGRESS},
        ok_status=302,
        wrong_method="GET",
    )


def test_manager_moves_the_status(client, manager, accreditation):
    client.force_login(manager)
    response = client.post(
        transition_url(accreditation), {"to": Status.IN_PROGRESS, "reason": "Audit done"}
    )
    assert response.status_code == 302 and response["Location"] == accreditation.get_absolute_url()
    accreditation.refresh_from_db()
    assert accreditation.status == Status.IN_PROGRESS
    change = accreditation.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        manager,
        "Audit done",
    )
    html = client.get(accreditation.get_absolute_url()).content.decode()
    assert "The status is now “In progress”." in html


def test_a_crafted_illegal_move_is_refused_beside_the_field(client, manager, accreditation):
    client.force_login(manager)
    response = client.post(transition_url(accreditation), {"to": Status.ACCREDITED})
    assert_field_error(
        response, "to", "An accreditation that is “Accepted” cannot move to “Accredited”."
    )
    response = client.post(transition_url(accreditation), {"to": "gold_star"})
    assert_field_error(response, "to", "Choose one of the statuses listed")
    accreditation.refresh_from_db()
    assert accreditation.status == Status.ACCEPTED
    assert not accreditation.status_changes.exists()


def test_withdrawing_needs_a_reason_and_a_confirmation(client, manager, accreditation):
    client.force_login(manager)
    response = client.post(transition_url(accreditation), {"to": Status.WITHDRAWN, "reason": ""})
    assert_field_error(response, "reason", "Enter the reason for moving to “Withdrawn”")
    response = client.post(
        transition_url(accreditation), {"to": Status.WITHDRAWN, "reason": "Manager left"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "is final" in html and 'name="confirm"' in html
    accreditation.refresh_from_db()
    assert accreditation.status == Status.ACCEPTED
    response = client.post(
        transition_url(accreditation),
        {"to": Status.WITHDRAWN, "reason": "Manager left", "confirm": "yes"},
    )
    assert response.status_code == 302
    accreditation.refresh_from_db()
    assert accreditation.status == Status.WITHDRAWN
    assert accreditation.status_changes.get().reason == "Manager left"
    html = client.get(accreditation.get_absolute_url()).content.decode()
    assert "the status cannot change any more" in html


def test_another_settings_accreditation_cannot_be_moved(client, users, other_setting):
    elsewhere: Accreditation = AccreditationFactory(setting=other_setting)
    client.force_login(users[Role.SETTING_MANAGER])
    assert client.post(transition_url(elsewhere), {"to": "in_progress"}).status_code == 403


# The list ---------------------------------------------------------------------------------------


def test_accreditation_list_access(client, users, accreditation):
    assert_access(
        client, reverse("accreditation:accreditation-list"), users, allowed=[Role.MANAGER]
    )


def test_list_filters_by_cohort_status_and_evaluator(client, manager, accreditation):
    other_cohort = CohortFactory()
    b: Accreditation = AccreditationFactory(cohort=other_cohort, status=Status.WITHDRAWN)
    c: Accreditation = AccreditationFactory(cohort=accreditation.cohort, status=Status.IN_PROGRESS)
    client.force_login(manager)

    def shown(**params):
        html = client.get(reverse("accreditation:accreditation-list"), params).content.decode()
        return {x for x in (accreditation, b, c) if x.get_absolute_url() in html}

    assert shown() == {accreditation, b, c}
    assert shown(cohort=accreditation.cohort.pk) == {accreditation, c}
    assert shown(status=Status.WITHDRAWN) == {b}
    assert shown(evaluator=accreditation.evaluator.pk) == {accreditation}
    assert shown(evaluator="none") == {b, c}
    assert shown(q=accreditation.setting.urn) == {accreditation}


def test_list_runs_a_constant_number_of_queries(client, manager, django_assert_num_queries):
    client.force_login(manager)
    cohorts = CohortFactory.create_batch(2)
    evaluators = EvaluatorFactory.create_batch(2)
    for n in range(5):
        AccreditationFactory(
            setting=SettingFactory(), cohort=cohorts[n % 2], evaluator=evaluators[n % 2]
        )
    path = reverse("accreditation:accreditation-list")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    for n in range(45):
        AccreditationFactory(cohort=cohorts[n % 2], evaluator=evaluators[n % 2])
    with django_assert_num_queries(len(queries)):
        response = client.get(path, {"page": 2})
    assert "Showing 26 to 50 of 50" in response.content.decode()


def test_empty_list_explains_where_accreditations_come_from(client, manager):
    client.force_login(manager)
    html = client.get(reverse("accreditation:accreditation-list")).content.decode()
    assert "One opens when you accept a setting" in html
