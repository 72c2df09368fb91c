"""The helpline: a message thread per accreditation, emailed to the other side."""

# Fixtures are imported from year_factories, so test arguments share their names.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accreditation.models import Message
from kqm.models import Role
from tests.access import assert_access, assert_field_error, assert_not_found
from tests.factories import AccreditationFactory, EvaluatorFactory

from .year_factories import accreditation, cohort, elsewhere, evaluator  # noqa: F401

pytestmark = pytest.mark.django_db

WRITERS = [Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER]


def thread(accreditation) -> str:
    return reverse("accreditation:message-list", args=[accreditation.pk])


def test_messages_access(client, users, accreditation, elsewhere):
    assert_access(client, thread(accreditation), users, WRITERS)
    assert_access(
        client,
        thread(accreditation),
        users,
        WRITERS,
        method="POST",
        data={"body": "A question"},
        ok_status=302,
        wrong_method="PUT",
    )
    assert_not_found(
        client,
        thread(elsewhere),
        [users[Role.EVALUATOR], users[Role.SETTING_MANAGER]],
    )
    assert_not_found(client, thread(elsewhere), [users[Role.SETTING_MANAGER]], method="POST")
    assert Message.objects.filter(accreditation=elsewhere).count() == 0


def test_the_setting_asks_and_the_evaluator_is_emailed_then_answers(
    client, users, accreditation, evaluator, django_capture_on_commit_callbacks
):
    setting_manager = users[Role.SETTING_MANAGER]
    client.force_login(setting_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            thread(accreditation), {"body": "Can a case study follow a group of children?"}
        )
    assert response.status_code == 302
    [email] = mail.outbox
    assert email.to == [evaluator.email]
    assert "New message from Setting manager user" in email.subject
    assert "Can a case study follow a group of children?" in email.body
    client.force_login(evaluator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(thread(accreditation), {"body": "Yes: choose no focus child."})
    assert mail.outbox[-1].to == [setting_manager.email]
    html = client.get(thread(accreditation)).content.decode()
    assert html.index("Yes: choose no focus child.") < html.index("follow a group")  # newest first


def test_with_no_evaluator_the_kqm_managers_hear(
    client, users, setting, cohort, django_capture_on_commit_callbacks
):
    accreditation = AccreditationFactory(setting=setting, cohort=cohort, evaluator=None)
    client.force_login(users[Role.SETTING_MANAGER])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(thread(accreditation), {"body": "Who is our evaluator?"})
    assert [m.to for m in mail.outbox] == [[users[Role.MANAGER].email]]


def test_an_empty_message_is_refused(client, users, accreditation):
    client.force_login(users[Role.SETTING_MANAGER])
    assert_field_error(
        client.post(thread(accreditation), {"body": "  "}), "body", "Enter your message"
    )
    response = client.post(thread(accreditation), {"body": "x" * 5001})
    assert_field_error(response, "body", "Your message must be 5,000 characters or fewer")
    assert not Message.objects.exists()


def test_an_unassigned_evaluator_cannot_write(client, accreditation):
    client.force_login(EvaluatorFactory())
    assert client.post(thread(accreditation), {"body": "Hello"}).status_code == 404


@pytest.mark.parametrize("rows", [3, 12])
def test_the_thread_runs_a_constant_number_of_queries(
    client, users, accreditation, rows, django_assert_num_queries
):
    for n in range(rows):
        Message.objects.create(
            accreditation=accreditation, author=users[Role.SETTING_MANAGER], body=f"Question {n}"
        )
    client.force_login(users[Role.SETTING_MANAGER])
    # session, user, accreditation (with its evaluator), count, page of messages with authors
    with django_assert_num_queries(5):
        assert client.get(thread(accreditation)).status_code == 200
