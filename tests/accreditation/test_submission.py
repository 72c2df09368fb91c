"""The end of the year: the setting submits, the evaluator recommends, the manager decides."""

# Fixtures are imported from year_factories, so test arguments share their names.
# ruff: noqa: F811

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accreditation.models import (
    AccreditationStatusChange,
    Award,
    Outcome,
    Recommendation,
    Status,
)
from accreditation.services.decisions import do_decide, unfinished_tasks
from audits.models import AuditStatus, Occasion
from kqm.models import Role
from tests.access import assert_access, assert_field_error

from .completed_year import complete_the_year
from .year_factories import (  # noqa: F401
    VisitFactory,
    accreditation,
    cohort,
    elsewhere,
    evaluator,
    make_case_study,
    start_note,
)

pytestmark = pytest.mark.django_db


def url(name: str, accreditation) -> str:
    return reverse(f"accreditation:accreditation-{name}", args=[accreditation.pk])


def submit(client, users, accreditation, capture):
    client.force_login(users[Role.SETTING_MANAGER])
    with capture(execute=True):
        return client.post(url("submit", accreditation))


def recommend(client, users, accreditation, capture, outcome=Outcome.ACCREDIT):
    client.force_login(users[Role.EVALUATOR])
    with capture(execute=True):
        return client.post(
            url("recommend", accreditation),
            {"outcome": outcome, "summary": "Strong practice seen at every visit."},
        )


def date_data(date: datetime.date) -> dict[str, str]:
    return {
        "award_date_0": str(date.day),
        "award_date_1": str(date.month),
        "award_date_2": str(date.year),
    }


# Submission ---------------------------------------------------------------------------


def test_an_unfinished_year_is_refused_with_the_tasks_to_do(client, users, accreditation):
    client.force_login(users[Role.SETTING_MANAGER])
    page = client.get(url("submit", accreditation)).content.decode()
    assert "The year's work cannot be submitted yet" in page
    assert "Case study 1</a> (not started)" in page and "Leadership audit</a> (not started)" in page
    assert "Submit the year's work</button>" not in page
    response = client.post(url("submit", accreditation))
    assert "Complete every task before submitting. Still to do:" in response.content.decode()
    accreditation.refresh_from_db()
    assert accreditation.status == Status.IN_PROGRESS
    assert not accreditation.status_changes.exists()


def test_the_whole_journey_with_emails(
    client, users, accreditation, django_capture_on_commit_callbacks
):
    complete_the_year(accreditation)
    assert unfinished_tasks(accreditation, users[Role.SETTING_MANAGER]) == []
    client.force_login(users[Role.SETTING_MANAGER])
    page = client.get(accreditation.get_absolute_url()).content.decode()
    assert url("submit", accreditation) in page
    page = client.get(url("submit", accreditation)).content.decode()
    assert "Check the year's work before you submit it" in page
    assert "Submit the year's work</button>" in page

    # The KQM manager cannot decide before the recommendation.
    response = submit(client, users, accreditation, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    accreditation.refresh_from_db()
    assert accreditation.status == Status.SUBMITTED
    assert {m.to[0] for m in mail.outbox} == {
        users[Role.MANAGER].email,
        users[Role.EVALUATOR].email,
    }
    assert "has submitted its year's work" in mail.outbox[0].subject
    client.force_login(users[Role.MANAGER])
    page = client.get(url("decide", accreditation)).content.decode()
    assert "Wait for the evaluator&#x27;s recommendation before deciding." in page
    assert "Record the decision" not in page
    client.post(url("decide", accreditation), {"outcome": Outcome.ACCREDIT})
    accreditation.refresh_from_db()
    assert accreditation.status == Status.SUBMITTED

    mail.outbox.clear()
    client.force_login(users[Role.EVALUATOR])
    assert (
        url("recommend", accreditation)
        in client.get(accreditation.get_absolute_url()).content.decode()
    )
    response = recommend(client, users, accreditation, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    recommendation = Recommendation.objects.get()
    assert recommendation.outcome == Outcome.ACCREDIT
    assert recommendation.written_by == users[Role.EVALUATOR]
    assert [m.to[0] for m in mail.outbox] == [users[Role.MANAGER].email]
    assert "Recommendation for" in mail.outbox[0].subject
    # A second recommendation for the same submission is refused.
    page = client.get(url("recommend", accreditation)).content.decode()
    assert "You have already recommended an outcome for this submission." in page

    mail.outbox.clear()
    client.force_login(users[Role.MANAGER])
    page = client.get(url("decide", accreditation)).content.decode()
    assert "Strong practice seen at every visit." in page
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("decide", accreditation),
            {"outcome": Outcome.ACCREDIT, **date_data(today - datetime.timedelta(days=3))},
        )
    assert response.status_code == 302
    accreditation.refresh_from_db()
    assert accreditation.status == Status.ACCREDITED
    award = Award.objects.get(accreditation=accreditation)
    assert award.award_date == today - datetime.timedelta(days=3)
    decision = [m for m in mail.outbox if "is accredited" in m.subject]
    assert {m.to[0] for m in decision} == {
        users[Role.SETTING_MANAGER].email,
        users[Role.EVALUATOR].email,
    }
    assert award.number in decision[0].body


def test_not_yet_met_needs_feedback_and_returns_to_in_progress(
    client, users, accreditation, django_capture_on_commit_callbacks
):
    complete_the_year(accreditation)
    submit(client, users, accreditation, django_capture_on_commit_callbacks)
    recommend(client, users, accreditation, django_capture_on_commit_callbacks, Outcome.NOT_YET_MET)
    client.force_login(users[Role.MANAGER])
    response = client.post(url("decide", accreditation), {"outcome": Outcome.NOT_YET_MET})
    assert_field_error(response, "feedback", "Enter feedback for the setting")
    accreditation.refresh_from_db()
    assert accreditation.status == Status.SUBMITTED
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("decide", accreditation),
            {"outcome": Outcome.NOT_YET_MET, "feedback": "Finish the second case study."},
        )
    assert response.status_code == 302
    accreditation.refresh_from_db()
    assert accreditation.status == Status.IN_PROGRESS
    moves = list(
        AccreditationStatusChange.objects.filter(accreditation=accreditation)
        .order_by("pk")
        .values_list("to_status", "reason")
    )
    assert moves[-2:] == [
        (Status.NOT_YET_MET, "Finish the second case study."),
        (Status.IN_PROGRESS, "Returned to finish the work."),
    ]
    assert not Award.objects.exists()
    assert {m.to[0] for m in mail.outbox} == {
        users[Role.SETTING_MANAGER].email,
        users[Role.EVALUATOR].email,
    }
    assert "Finish the second case study." in mail.outbox[0].body
    # The next submission needs a fresh recommendation.
    submit(client, users, accreditation, django_capture_on_commit_callbacks)
    client.force_login(users[Role.MANAGER])
    page = client.get(url("decide", accreditation)).content.decode()
    assert "Wait for the evaluator&#x27;s recommendation before deciding." in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "outcome", "Select your decision"),
        ({"outcome": "gold"}, "outcome", "Select your decision"),
        (
            {"outcome": Outcome.NOT_YET_MET, "feedback": "  "},
            "feedback",
            "Enter feedback for the setting",
        ),
        (
            {
                "outcome": Outcome.ACCREDIT,
                "award_date_0": "1",
                "award_date_1": "1",
                "award_date_2": "2099",
            },
            "award_date",
            "The award date must be today or in the past",
        ),
    ],
)
def test_bad_decisions_are_explained_and_nothing_changes(
    client, users, accreditation, django_capture_on_commit_callbacks, data, field, message
):
    complete_the_year(accreditation)
    submit(client, users, accreditation, django_capture_on_commit_callbacks)
    recommend(client, users, accreditation, django_capture_on_commit_callbacks)
    client.force_login(users[Role.MANAGER])
    response = client.post(url("decide", accreditation), data)
    assert_field_error(response, field, message)
    accreditation.refresh_from_db()
    assert accreditation.status == Status.SUBMITTED
    assert not Award.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"summary": "Seen."}, "outcome", "Select what you recommend"),
        (
            {"outcome": Outcome.ACCREDIT, "summary": "   "},
            "summary",
            "Enter a summary of the evidence",
        ),
    ],
)
def test_bad_recommendations_are_explained_and_nothing_is_saved(
    client, users, accreditation, django_capture_on_commit_callbacks, data, field, message
):
    complete_the_year(accreditation)
    submit(client, users, accreditation, django_capture_on_commit_callbacks)
    client.force_login(users[Role.EVALUATOR])
    response = client.post(url("recommend", accreditation), data)
    assert_field_error(response, field, message)
    assert not Recommendation.objects.exists()


def test_accrediting_without_an_end_of_year_audit_is_refused(
    users, accreditation, client, django_capture_on_commit_callbacks
):
    complete_the_year(accreditation)
    submit(client, users, accreditation, django_capture_on_commit_callbacks)
    recommend(client, users, accreditation, django_capture_on_commit_callbacks)
    accreditation.audits.filter(occasion=Occasion.END_OF_YEAR).update(
        status=AuditStatus.IN_PROGRESS
    )
    accreditation.refresh_from_db()
    with pytest.raises(Exception, match="until its end-of-year audit is completed"):
        do_decide(
            accreditation=accreditation, outcome=Outcome.ACCREDIT, decided_by=users[Role.MANAGER]
        )
    accreditation.refresh_from_db()
    assert accreditation.status == Status.SUBMITTED
    assert not Award.objects.exists()


def test_recommending_before_submission_is_refused(client, users, accreditation):
    client.force_login(users[Role.EVALUATOR])
    response = client.post(
        url("recommend", accreditation), {"outcome": Outcome.ACCREDIT, "summary": "Early."}
    )
    assert "The setting has not submitted its year&#x27;s work" in response.content.decode()
    assert not Recommendation.objects.exists()


# Access -------------------------------------------------------------------------------------


def test_pages_by_role(client, users, accreditation, elsewhere):
    assert_access(client, url("submit", accreditation), users, allowed=[Role.SETTING_MANAGER])
    assert_access(client, url("recommend", accreditation), users, allowed=[Role.EVALUATOR])
    assert_access(client, url("decide", accreditation), users, allowed=[Role.MANAGER])
    for role, name in ((Role.SETTING_MANAGER, "submit"), (Role.EVALUATOR, "recommend")):
        client.force_login(users[role])
        assert client.get(url(name, elsewhere)).status_code == 404
    client.force_login(users[Role.MANAGER])
    assert client.put(url("decide", accreditation)).status_code == 405
