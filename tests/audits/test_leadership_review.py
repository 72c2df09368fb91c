"""The evaluator's review of a leadership self-audit: agree or adjust each rating with a
comment, complete (every item, emails the setting), results, locking and reopening."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accreditation.selectors_tasks import accreditation_tasks
from audits.models import AuditReview, ItemReview, Occasion, ReviewVerdict
from audits.services.questionnaires import (
    do_create_round,
    do_submit_response,
    load_shipped_questionnaires,
)
from kqm.models import Role
from tests.access import assert_access, assert_field_error, assert_not_found
from tests.factories import AccreditationFactory, CohortFactory, EvaluatorFactory

from .ratings_factories import items_of, library, make_audit

pytestmark = pytest.mark.django_db

REVIEWERS = [Role.MANAGER, Role.EVALUATOR]
READERS = [Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER]


@pytest.fixture
def versions(db):
    return library()


@pytest.fixture
def accreditation(users, setting):
    cohort = CohortFactory(start_date=timezone.localdate() - datetime.timedelta(days=90))
    return AccreditationFactory(setting=setting, cohort=cohort, evaluator=users[Role.EVALUATOR])


def self_rating(item) -> int:
    """The setting rates item 1 as 4, the rest as 3 (scale 1 Not yet to 4 Embedded)."""
    return 4 if item.number == 1 else 3


@pytest.fixture
def audit(users, setting, accreditation, versions):
    return make_audit(
        setting=setting,
        version=versions["kqm-leadership"],
        created_by=users[Role.SETTING_MANAGER],
        occasion=Occasion.OTHER,
        score=self_rating,
        completed=True,
        accreditation=accreditation,
        is_self_audit=True,
    )


@pytest.fixture
def other_audit(other_setting, versions):
    evaluator = EvaluatorFactory(full_name="Olu Other")
    accreditation = AccreditationFactory(setting=other_setting, evaluator=evaluator)
    return make_audit(
        setting=other_setting,
        version=versions["kqm-leadership"],
        created_by=evaluator,
        occasion=Occasion.OTHER,
        score=2,
        completed=True,
        accreditation=accreditation,
        is_self_audit=True,
    )


def url(name: str, audit, subscale: int | None = None) -> str:
    path = reverse(f"audits:leadership-review{name}", args=[audit.pk])
    return f"{path}?subscale={subscale}" if subscale else path


def subscale_items(audit, number: int):
    return [i for i in items_of(audit.version) if i.subscale.number == number]


def agree_all(items, **overrides) -> dict[str, str]:
    data = {f"item-{i.pk}-verdict": "agree" for i in items}
    data.update(overrides)
    return data


def review_everything(client, audit, *, adjust=None) -> None:
    """Agree with every item, except ``adjust`` (an item) which goes down to 2."""
    numbers = sorted({i.subscale.number for i in items_of(audit.version)})
    for number in numbers:
        items = subscale_items(audit, number)
        data = agree_all(items)
        if adjust is not None and adjust in items:
            data[f"item-{adjust.pk}-verdict"] = "adjust"
            data[f"item-{adjust.pk}-agreed"] = "2"
            data[f"item-{adjust.pk}-comment"] = "No evidence of modelling in the baby room."
        response = client.post(url("", audit, number), data)
        assert response.status_code == 302, response.content.decode()[:3000]


def staff_round(users, setting, responses: int):
    load_shipped_questionnaires()
    issued = do_create_round(
        actor=users[Role.SETTING_MANAGER],
        setting=setting,
        kind="staff",
        title="Staff questionnaire, autumn",
        closes_on=timezone.localdate() + datetime.timedelta(days=7),
        link_count=6,
    )
    statements = issued.round.questionnaire.statements.order_by("number")
    for token in issued.tokens[:responses]:
        do_submit_response(token=token, answers={s.number: 4 for s in statements})
    issued.round.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    issued.round.save()
    return issued.round


# Access ----------------------------------------------------------------------------------


def test_review_pages_by_role(client, users, audit, other_audit):
    assert_access(client, url("", audit), users, REVIEWERS)
    assert_access(client, url("-complete", audit), users, REVIEWERS)
    # Before completion only KQM staff read the review; the setting waits for it.
    assert_access(client, url("-results", audit), users, REVIEWERS)
    AuditReview.objects.create(
        audit=audit, completed_at=timezone.now(), completed_by=users[Role.EVALUATOR]
    )
    assert_access(client, url("-results", audit), users, READERS)
    assert_access(client, url("-reopen", audit), users, [Role.MANAGER])
    # Another setting's audit: the evaluator (not assigned) and the setting's staff get 404.
    for name in ("", "-complete", "-results"):
        assert_not_found(client, url(name, other_audit), [users[Role.EVALUATOR]])
    assert_not_found(
        client,
        url("-results", other_audit),
        [users[Role.SETTING_MANAGER], users[Role.PRACTITIONER]],
    )


def test_only_a_completed_leadership_self_audit_is_reviewed(
    client, users, setting, accreditation, versions, audit
):
    client.force_login(users[Role.EVALUATOR])
    ppel = make_audit(
        setting=setting,
        version=versions["kqm-ppel"],
        created_by=users[Role.SETTING_MANAGER],
        completed=True,
        accreditation=accreditation,
        is_self_audit=True,
    )
    assert client.get(url("", ppel)).status_code == 404
    assert client.get(url("-results", ppel)).status_code == 404
    audit.status = "in_progress"
    audit.save()
    response = client.get(url("", audit))
    assert response.status_code == 403
    # Another evaluator of the same setting (an older accreditation) may not review it.
    stranger = EvaluatorFactory()
    AccreditationFactory(setting=setting, evaluator=stranger)
    audit.status = "completed"
    audit.save()
    client.force_login(stranger)
    assert client.get(url("", audit)).status_code == 403


# Reviewing ---------------------------------------------------------------------------------


def test_the_evaluator_agrees_or_adjusts_each_item(client, users, audit):
    client.force_login(users[Role.EVALUATOR])
    page = client.get(url("", audit)).content.decode()
    first = subscale_items(audit, 1)
    assert "1. Leading learning" in page
    assert "The setting's rating: <strong>4</strong> (Embedded)" in page
    data = agree_all(first)
    data[f"item-{first[0].pk}-verdict"] = "adjust"
    data[f"item-{first[0].pk}-agreed"] = "3"
    data[f"item-{first[0].pk}-comment"] = "Modelling is not yet seen in every room."
    response = client.post(url("", audit, 1), data)
    assert response.status_code == 302
    assert response["Location"] == url("", audit, 2)
    reviews = {r.item_id: r for r in ItemReview.objects.filter(audit=audit)}
    assert len(reviews) == len(first)
    adjusted = reviews[first[0].pk]
    assert (adjusted.verdict, adjusted.agreed_score) == (ReviewVerdict.ADJUST, 3)
    assert adjusted.reviewed_by == users[Role.EVALUATOR]
    assert adjusted.history.first().history_user == users[Role.EVALUATOR]
    agreed = reviews[first[1].pk]
    assert (agreed.verdict, agreed.agreed_score, agreed.comment) == ("agree", 3, "")
    # The page shows the saved review again.
    page = client.get(url("", audit, 1)).content.decode()
    assert "Modelling is not yet seen in every room." in page
    assert f'id="item-{first[0].pk}-verdict-adjust" name="item-{first[0].pk}-verdict"' in page


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"verdict": "adjust", "agreed": "3"}, "comment", "Say why you are adjusting the rating"),
        ({"verdict": "adjust", "comment": "Why"}, "agreed", "Choose the agreed rating for item"),
        (
            {"verdict": "adjust", "agreed": "4", "comment": "Same"},
            "agreed",
            "Choose a rating different from the setting",
        ),
        ({"verdict": "adjust", "agreed": "9", "comment": "x"}, "agreed", "Choose a rating from"),
        ({"verdict": ""}, "verdict", "Choose whether you agree with the rating of item 1"),
    ],
)
def test_bad_reviews_are_explained_and_nothing_is_saved(
    client, users, audit, change, field, message
):
    client.force_login(users[Role.EVALUATOR])
    first = subscale_items(audit, 1)
    data = agree_all(first)
    for key, value in change.items():
        data[f"item-{first[0].pk}-{key}"] = value
    response = client.post(url("", audit, 1), data)
    assert_field_error(response, f"item-{first[0].pk}-{field}", message)
    assert not ItemReview.objects.exists()
    # The other answers are kept.
    kept = f'id="item-{first[1].pk}-verdict-agree" name="item-{first[1].pk}-verdict" value="agree"'
    assert kept + " checked" in response.content.decode()


def test_the_review_is_completed_once_every_item_is_reviewed_and_the_setting_is_told(
    client, users, audit, django_capture_on_commit_callbacks
):
    client.force_login(users[Role.EVALUATOR])
    review_everything_but_last = subscale_items(audit, 1)
    client.post(url("", audit, 1), agree_all(review_everything_but_last))
    page = client.get(url("-complete", audit)).content.decode()
    assert "still to review before you can complete the review" in page
    response = client.post(url("-complete", audit), {"summary": "Early."})
    assert "Review every item before completing the review" in response.content.decode()
    assert not AuditReview.objects.filter(completed_at__isnull=False).exists()

    first = subscale_items(audit, 1)[0]
    review_everything(client, audit, adjust=first)
    page = client.get(url("-complete", audit)).content.decode()
    assert f"you agreed with {len(items_of(audit.version)) - 1} ratings and adjusted 1" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("-complete", audit), {"summary": "Reflective leadership."})
    assert response.status_code == 302
    assert response["Location"] == url("-results", audit)
    review = AuditReview.objects.get(audit=audit)
    assert review.is_completed and review.completed_by == users[Role.EVALUATOR]
    assert review.summary == "Reflective leadership."
    assert [m.to for m in mail.outbox] == [[users[Role.SETTING_MANAGER].email]]
    assert "Leadership audit reviewed" in mail.outbox[0].subject
    assert url("-results", audit) in mail.outbox[0].body

    # Locked: neither the evaluator nor a late POST can change it.
    assert client.get(url("", audit)).status_code == 403
    response = client.post(url("", audit, 1), agree_all(subscale_items(audit, 1)))
    assert response.status_code == 403
    assert ItemReview.objects.get(item=first).verdict == ReviewVerdict.ADJUST

    # The task list now shows the leadership audit as done.
    tasks = {
        t.key: t
        for g in accreditation_tasks(audit.accreditation, users[Role.SETTING_MANAGER])
        for t in g.tasks
    }
    assert tasks["leadership-audit"].done
    assert tasks["leadership-audit"].url == url("-results", audit)


def test_results_show_self_and_agreed_ratings_with_means(client, users, audit):
    client.force_login(users[Role.EVALUATOR])
    first = subscale_items(audit, 1)[0]
    review_everything(client, audit, adjust=first)
    client.post(url("-complete", audit), {"summary": ""})
    items = items_of(audit.version)
    # Self: one 4 and the rest 3; agreed: item 1 down to 2.
    self_mean = sum(self_rating(i) for i in items) / len(items)
    agreed_mean = (sum(self_rating(i) for i in items) - 2) / len(items)
    for role in READERS:
        client.force_login(users[role])
        response = client.get(url("-results", audit))
        assert response.status_code == 200, role
        page = response.content.decode()
        assert f'data-testid="self-mean"><strong>{self_mean:.2f}</strong>' in page
        assert f'data-testid="agreed-mean"><strong>{agreed_mean:.2f}</strong>' in page
        # Subscale 1: self (4+3+3+3)/4 = 3.25, agreed (2+3+3+3)/4 = 2.75.
        assert "3.25" in page and "2.75" in page
        assert "No evidence of modelling in the baby room." in page
        assert '<strong>2</strong> <span class="govuk-body-s">(adjusted)</span>' in page
    client.force_login(users[Role.VIEWER])
    assert client.get(url("-results", audit)).status_code == 403


def test_the_results_page_runs_a_constant_number_of_queries(client, users, audit):
    client.force_login(users[Role.MANAGER])
    client.post(url("", audit, 1), agree_all(subscale_items(audit, 1)))
    with CaptureQueriesContext(connection) as few:
        client.get(url("-results", audit))
    review_everything(client, audit)
    with CaptureQueriesContext(connection) as many:
        client.get(url("-results", audit))
    assert len(many) == len(few)


# The staff questionnaire beside the review ---------------------------------------------------


def test_the_latest_closed_staff_round_feeds_the_review(client, users, setting, audit):
    client.force_login(users[Role.EVALUATOR])
    page = client.get(url("", audit)).content.decode()
    assert "has no closed staff questionnaire round yet" in page
    small = staff_round(users, setting, responses=4)
    page = client.get(url("", audit)).content.decode()
    assert small.get_absolute_url() in page
    assert "Fewer than 5 people answered, so the results are not shown" in page
    assert "Mean answer per statement" not in page
    big = staff_round(users, setting, responses=5)
    page = client.get(url("", audit)).content.decode()
    assert big.get_absolute_url() in page and "feeds the leadership audit review" in page
    assert "Mean answer per statement" in page and "4.00" in page

    review_everything(client, audit)
    client.post(url("-complete", audit), {"summary": ""})
    assert AuditReview.objects.get(audit=audit).staff_round == big
    # The setting's practitioners read the figures, without a link to the round's page.
    client.force_login(users[Role.PRACTITIONER])
    page = client.get(url("-results", audit)).content.decode()
    assert "Mean answer per statement" in page
    assert big.get_absolute_url() not in page


def test_a_round_with_too_few_responses_is_not_kept_with_the_review(client, users, setting, audit):
    staff_round(users, setting, responses=4)
    client.force_login(users[Role.MANAGER])
    review_everything(client, audit)
    client.post(url("-complete", audit), {"summary": ""})
    review = AuditReview.objects.get(audit=audit)
    assert review.is_completed and review.staff_round is None


# Reopening -----------------------------------------------------------------------------------


def test_the_manager_reopens_a_completed_review_with_a_reason(
    client, users, audit, django_capture_on_commit_callbacks
):
    client.force_login(users[Role.EVALUATOR])
    review_everything(client, audit)
    client.post(url("-complete", audit), {"summary": ""})
    client.force_login(users[Role.MANAGER])
    page = client.get(url("-results", audit)).content.decode()
    assert "Reopen the review" in page
    response = client.post(url("-reopen", audit), {"reason": ""})
    assert_field_error(response, "reason", "Say why the review is being reopened")
    response = client.post(url("-reopen", audit), {"reason": "x" * 101})
    assert_field_error(response, "reason", "The reason must be 100 characters or fewer")
    assert AuditReview.objects.get(audit=audit).is_completed
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("-reopen", audit), {"reason": "Item 3 needs a second look"})
    assert response.status_code == 302
    review = AuditReview.objects.get(audit=audit)
    assert not review.is_completed
    assert [m.to for m in mail.outbox] == [[users[Role.EVALUATOR].email]]
    assert "Item 3 needs a second look" in mail.outbox[0].body
    page = client.get(url("-results", audit)).content.decode()
    assert "Reopened" in page and "Item 3 needs a second look" in page and "Completed" in page
    # The evaluator can change the review again; the setting no longer sees it.
    client.force_login(users[Role.EVALUATOR])
    assert client.get(url("", audit)).status_code == 200
    client.force_login(users[Role.SETTING_MANAGER])
    assert client.get(url("-results", audit)).status_code == 403


def test_reopening_a_review_that_is_not_completed_changes_nothing(client, users, audit):
    client.force_login(users[Role.MANAGER])
    assert client.get(url("-reopen", audit)).status_code == 404  # never reviewed
    client.post(url("", audit, 1), agree_all(subscale_items(audit, 1)))
    response = client.post(url("-reopen", audit), {"reason": "Why not"})
    assert response.status_code == 302
    assert (
        not AuditReview.objects.get(audit=audit)
        .history.filter(history_change_reason="Why not")
        .exists()
    )
