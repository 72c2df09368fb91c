"""The KQM manager's dashboard: what needs attention, as counts with links, in a fixed
number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accreditation.models import (
    AccreditationStatusChange,
    AnnualReview,
    Outcome,
    Reaccreditation,
    Recommendation,
    Status,
)
from accreditation.models.after_award import ReaccreditationStatus, ReviewStatus
from audits.models import ActionPoint
from kqm.models import Role
from tests.accreditation.award_factories import AwardFactory
from tests.accreditation.year_factories import VisitFactory, leuven_child
from tests.factories import AccreditationFactory, SettingFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 18)  # a Wednesday: the week runs 16 to 22 November


@pytest.fixture(autouse=True)
def _today():
    import time_machine

    with time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(9))), tick=False
    ):
        yield


def submitted(manager, *, recommended: bool = False, evaluator=None):
    accreditation = AccreditationFactory(status=Status.SUBMITTED, evaluator=evaluator)
    change = AccreditationStatusChange.objects.create(
        accreditation=accreditation,
        from_status=Status.IN_PROGRESS,
        to_status=Status.SUBMITTED,
        changed_by=manager,
    )
    if recommended:
        Recommendation.objects.create(
            accreditation=accreditation,
            submission=change,
            outcome=Outcome.ACCREDIT,
            summary="Met.",
            written_by=evaluator or manager,
        )
    return accreditation


def review(*, due: datetime.date, status: str = ReviewStatus.DUE) -> AnnualReview:
    return AnnualReview.objects.create(award=AwardFactory(), year=1, due_date=due, status=status)


def reaccreditation(status: str) -> Reaccreditation:
    award = AwardFactory()
    return Reaccreditation.objects.create(
        award=award, accreditation=award.accreditation, setting=award.setting, status=status
    )


def red_action(setting, *, closed: bool = False, scores=((2, 4),)) -> ActionPoint:
    _, made = leuven_child(setting, scores=scores)
    return ActionPoint.objects.create(
        score=made[0],
        action="Key person time",
        owner="Room leader",
        due_on=TODAY,
        closed_on=TODAY if closed else None,
    )


def add_everything(users, copies: int = 1) -> None:
    manager, evaluator = users[Role.MANAGER], users[Role.EVALUATOR]
    for _ in range(copies):
        review(due=TODAY - datetime.timedelta(days=1))
        review(due=TODAY - datetime.timedelta(days=30), status=ReviewStatus.MORE_REQUESTED)
        submitted(manager)
        submitted(manager, recommended=True, evaluator=evaluator)
        reaccreditation(ReaccreditationStatus.SUBMITTED)
        red_action(SettingFactory())
        VisitFactory(
            date=TODAY + datetime.timedelta(days=2),
            accreditation=AccreditationFactory(evaluator=evaluator),
            scheduled_by=evaluator,
        )


def attention(response) -> dict[str, int]:
    return {item["key"]: item["count"] for item in response.context["attention"]}


def test_an_empty_programme_needs_no_attention(client, users):
    client.force_login(users[Role.MANAGER])
    response = client.get(reverse("dashboard"))
    assert response.context["attention"] == []
    html = response.content.decode()
    assert 'data-testid="nothing-needs-attention"' in html
    assert "Nothing needs your attention" in html


def test_each_count_counts_only_what_needs_attention(client, users, setting):
    manager, evaluator = users[Role.MANAGER], users[Role.EVALUATOR]
    # Annual reviews: overdue if not sent in and past due; not if sent, signed off or not due.
    review(due=TODAY - datetime.timedelta(days=1))
    review(due=TODAY - datetime.timedelta(days=40), status=ReviewStatus.MORE_REQUESTED)
    review(due=TODAY - datetime.timedelta(days=1), status=ReviewStatus.SUBMITTED)
    review(due=TODAY - datetime.timedelta(days=90), status=ReviewStatus.SIGNED_OFF)
    review(due=TODAY)
    # Submissions: two waiting for a recommendation, one recommended; one in progress.
    submitted(manager)
    submitted(manager)
    submitted(manager, recommended=True, evaluator=evaluator)
    AccreditationFactory(status=Status.IN_PROGRESS)
    # A recommendation on an earlier submission does not count for the new one.
    again = submitted(manager, recommended=True, evaluator=evaluator)
    AccreditationStatusChange.objects.create(
        accreditation=again,
        from_status=Status.NOT_YET_MET,
        to_status=Status.SUBMITTED,
        changed_at=timezone.now() + datetime.timedelta(minutes=1),
    )
    # Re-accreditations: only submitted ones wait for judgement.
    reaccreditation(ReaccreditationStatus.SUBMITTED)
    reaccreditation(ReaccreditationStatus.OPEN)
    # Action points: open and red; not closed, not amber.
    red_action(setting)
    red_action(setting, scores=((4, 1),))
    red_action(setting, closed=True)
    red_action(setting, scores=((3, 4),))
    # Visits: this week (Monday to Sunday) only.
    week = [datetime.date(2026, 11, 16), datetime.date(2026, 11, 22)]
    for day in [*week, datetime.date(2026, 11, 15), datetime.date(2026, 11, 23)]:
        VisitFactory(
            date=day,
            accreditation=AccreditationFactory(evaluator=evaluator),
            scheduled_by=evaluator,
        )

    client.force_login(manager)
    response = client.get(reverse("dashboard"))
    assert attention(response) == {
        "overdue-reviews": 2,
        "recommendations-waiting": 1,
        "submissions-waiting": 3,
        "reaccreditations-waiting": 1,
        "red-actions": 2,
        "visits-this-week": 2,
    }
    assert [v.date for v in response.context["week_visits"]] == week
    html = response.content.decode()
    assert "Needs your attention" in html
    assert "Visits this week (16 November to 22 November 2026)" in html
    # No child is named on the dashboard: counts only.
    assert "Key person time" not in html


def test_each_count_links_to_where_it_is_dealt_with(client, users):
    add_everything(users)
    client.force_login(users[Role.MANAGER])
    response = client.get(reverse("dashboard"))
    links = {item["key"]: item["url"] for item in response.context["attention"]}
    submitted_list = reverse("accreditation:accreditation-list") + "?status=submitted"
    assert links["submissions-waiting"] == submitted_list
    assert links["recommendations-waiting"] == submitted_list
    assert links["red-actions"] == reverse("audits:leuven-home")
    assert links["visits-this-week"] == "#visits-this-week"
    try:
        reviews = reverse("accreditation:annual-review-list") + "?overdue=1"
    except NoReverseMatch:
        reviews = reverse("accreditation:award-list")
    assert links["overdue-reviews"] == reviews
    try:
        reaccreditations = reverse("accreditation:reaccreditation-list")
    except NoReverseMatch:
        reaccreditations = reverse("accreditation:award-list")
    assert links["reaccreditations-waiting"] == reaccreditations
    html = response.content.decode()
    for url in links.values():
        assert f'href="{url.replace("&", "&amp;")}"' in html
    for url in (submitted_list, reviews, reaccreditations, reverse("audits:leuven-home")):
        assert client.get(url).status_code == 200
    visit = response.context["week_visits"][0]
    assert reverse("accreditation:visit-detail", args=[visit.pk]) in html


def test_other_roles_see_no_attention_panel(client, users):
    add_everything(users)
    for role in Role.values:
        if role == Role.MANAGER:
            continue
        client.force_login(users[role])
        response = client.get(reverse("dashboard"))
        assert "attention" not in response.context
        assert "Needs your attention" not in response.content.decode()


def test_the_panel_runs_a_constant_number_of_queries(
    client, users, django_capture_on_commit_callbacks, django_assert_num_queries
):
    client.force_login(users[Role.MANAGER])
    add_everything(users, copies=1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("dashboard")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        add_everything(users, copies=12)  # and committed: the dashboard is worked out again
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("dashboard"))
    assert attention(response)["visits-this-week"] == 13
    assert len(response.context["week_visits"]) == 10
    assert "the first 10 of 13" in response.content.decode()
    assert len(small.captured_queries) == len(large.captured_queries)
    # Then kept until the programme's records change: session and user only (the
    # register's size is kept too).
    with django_assert_num_queries(2):
        kept = client.get(reverse("dashboard"))
    assert "the first 10 of 13" in kept.content.decode()
