"""Annual reviews after the award: created once per anniversary, opened by the daily job,
filled in and sent by the setting, signed off or sent back; the pages and their access."""

# ruff: noqa: F811
from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accreditation.models import (
    AccreditationStatusChange,
    AnnualReview,
    Reminder,
    ReminderKind,
    ReviewStatus,
    Status,
)
from accreditation.models.awards import add_years
from accreditation.pipeline import MoveConflict
from accreditation.services import annual_reviews as services
from accreditation.services.awards import do_grant_award
from accreditation.services.reminders import do_send_due_reminders
from kqm.models import Role, User
from tests.access import assert_access, assert_field_error, assert_not_found
from tests.factories import (
    AccreditationFactory,
    CohortFactory,
    EvaluatorFactory,
    InspectionFactory,
    SettingFactory,
    UserFactory,
)
from tests.status_walk import each_pair

from .award_factories import AwardFactory
from .year_factories import cohort, evaluator  # noqa: F401

pytestmark = pytest.mark.django_db

REVIEW_ROLES = [Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER]


@pytest.fixture
def award(setting, cohort, evaluator):
    """An award of the conftest's setting whose first review is due in three weeks."""
    accreditation = AccreditationFactory(
        setting=setting, cohort=cohort, evaluator=evaluator, status=Status.ACCREDITED
    )
    award_date = add_years(timezone.localdate() + datetime.timedelta(weeks=3), -1)
    return AwardFactory(accreditation=accreditation, award_date=award_date)


@pytest.fixture
def review(award) -> AnnualReview:
    return services.ensure_annual_reviews(award)[0]


@pytest.fixture
def other_review(other_setting, cohort) -> AnnualReview:
    """Another setting's review, with another evaluator: 404 for everyone but the manager."""
    accreditation = AccreditationFactory(
        setting=other_setting,
        cohort=cohort,
        evaluator=EvaluatorFactory(full_name="Olu Other"),
        status=Status.ACCREDITED,
    )
    other = AwardFactory(accreditation=accreditation)
    return services.ensure_annual_reviews(other)[0]


def _answers(**changes):
    fields = {
        "plan_progress": "Outdoor learning is done.",
        "manager_changed": False,
        "staff_changes": "",
        "latest_inspection": None,
        "ofsted_comment": "",
        "leuven_summary": "Fewer children in the red zone.",
        **changes,
    }
    return services.ReviewAnswers(**fields)


def _submitted(review, users) -> AnnualReview:
    services.do_save_annual_review(
        review=review, answers=_answers(), by=users[Role.SETTING_MANAGER]
    )
    return services.do_submit_annual_review(review=review, by=users[Role.SETTING_MANAGER])


EDIT_POST = {
    "plan_progress": "Outdoor learning is done; mark-making carries on.",
    "manager_changed": "no",
    "staff_changes": "",
    "latest_inspection": "none",
    "ofsted_comment": "",
    "leuven_summary": "Fewer children in the red zone for involvement.",
}


# --- Creating and opening reviews ---------------------------------------------------------


def test_ensure_annual_reviews_creates_one_per_anniversary_once(award):
    first = services.ensure_annual_reviews(award)
    again = services.ensure_annual_reviews(award)
    assert [(r.year, r.due_date) for r in first] == [
        (1, add_years(award.award_date, 1)),
        (2, add_years(award.award_date, 2)),
    ]
    assert [r.pk for r in again] == [r.pk for r in first]
    assert AnnualReview.objects.filter(award=award).count() == 2
    assert all(r.status == ReviewStatus.DUE for r in first)
    # Each row has its history, written in bulk.
    assert AnnualReview.history.filter(award_id=award.pk).count() == 2


def test_ensure_for_many_awards_runs_a_few_queries():
    awards = [AwardFactory() for _ in range(12)]
    with CaptureQueriesContext(connection) as created:
        services.ensure_annual_reviews_for(awards)
    with CaptureQueriesContext(connection) as again:
        result = services.ensure_annual_reviews_for(awards)
    # Read, savepoint, insert, history insert, release; then just the read.
    assert len(created.captured_queries) <= 5
    assert len(again.captured_queries) == 1
    assert sum(len(reviews) for reviews in result.values()) == 24


def test_granting_an_award_creates_its_reviews(setting, cohort, manager):
    accreditation = AccreditationFactory(setting=setting, cohort=cohort, status=Status.ACCREDITED)
    award = do_grant_award(
        accreditation=accreditation, award_date=timezone.localdate(), granted_by=manager
    )
    assert list(award.annual_reviews.values_list("year", flat=True)) == [1, 2]


def _run_on(day: datetime.date) -> int:
    with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 6, 0), tick=False):
        return do_send_due_reminders()


@pytest.fixture
def dated_award(setting, cohort, evaluator):
    UserFactory(role=Role.SETTING_MANAGER, settings=[setting], email="asha@acorns.test")
    accreditation = AccreditationFactory(
        setting=setting, cohort=cohort, evaluator=evaluator, status=Status.ACCREDITED
    )
    return AwardFactory(accreditation=accreditation, award_date=datetime.date(2026, 7, 20))


def test_the_daily_job_opens_the_review_when_its_window_opens(
    dated_award, django_capture_on_commit_callbacks
):
    accreditation = dated_award.accreditation
    with django_capture_on_commit_callbacks(execute=True):
        _run_on(datetime.date(2027, 5, 24))
    accreditation.refresh_from_db()
    assert accreditation.status == Status.ACCREDITED
    assert AnnualReview.objects.filter(award=dated_award).count() == 2
    # The first reminder (8 weeks before 20 July 2027) opens the review's window.
    with django_capture_on_commit_callbacks(execute=True):
        _run_on(datetime.date(2027, 5, 25))
        _run_on(datetime.date(2027, 5, 26))
    accreditation.refresh_from_db()
    assert accreditation.status == Status.REVIEW_DUE
    change = AccreditationStatusChange.objects.get(accreditation=accreditation)
    assert (change.from_status, change.to_status) == (Status.ACCREDITED, Status.REVIEW_DUE)
    assert "Annual review 1" in change.reason


def test_a_submitted_review_gets_no_more_reminders(
    dated_award, users, django_capture_on_commit_callbacks
):
    manager_of_setting = dated_award.setting.members.get(email="asha@acorns.test")
    with django_capture_on_commit_callbacks(execute=True):
        _run_on(datetime.date(2027, 5, 25))  # 8 weeks before: reminded
    review = AnnualReview.objects.get(award=dated_award, year=1)
    with time_machine.travel(datetime.datetime(2027, 6, 1, 10, 0), tick=False):
        services.do_save_annual_review(review=review, answers=_answers(), by=manager_of_setting)
        services.do_submit_annual_review(review=review, by=manager_of_setting)
    with django_capture_on_commit_callbacks(execute=True):
        for day in (datetime.date(2027, 7, 6), datetime.date(2027, 7, 27)):
            assert _run_on(day) == 0  # neither the 2-weeks-before nor the overdue reminder
    kinds = set(Reminder.objects.values_list("kind", "due_date", "offset"))
    assert kinds == {(ReminderKind.ANNUAL_REVIEW_DUE, datetime.date(2027, 7, 20), "8w-before")}
    # The next year's review is still reminded about.
    with django_capture_on_commit_callbacks(execute=True):
        assert _run_on(datetime.date(2028, 5, 25)) == 2  # one for each setting manager


def test_an_unsent_review_is_reminded_when_overdue(dated_award):
    _run_on(datetime.date(2027, 7, 27))
    assert Reminder.objects.filter(kind=ReminderKind.ANNUAL_REVIEW_OVERDUE).exists()


# --- The setting's answers, sending, sign-off ---------------------------------------------


def test_the_setting_fills_in_checks_and_sends_the_review(
    client, users, review, evaluator, django_capture_on_commit_callbacks
):
    inspection = InspectionFactory(setting=review.award.setting)
    client.force_login(users[Role.SETTING_MANAGER])
    page = client.get(reverse("accreditation:annual-review-edit", args=[review.pk]))
    # The latest inspection is pre-selected.
    html = " ".join(page.content.decode().split())
    assert f'value="{inspection.pk}" checked="checked"' in html
    response = client.post(
        reverse("accreditation:annual-review-edit", args=[review.pk]),
        {**EDIT_POST, "latest_inspection": str(inspection.pk)},
    )
    assert response["Location"] == reverse("accreditation:annual-review-submit", args=[review.pk])
    check = client.get(response["Location"])
    assert "Outdoor learning is done; mark-making carries on." in check.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accreditation:annual-review-submit", args=[review.pk]))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert review.latest_inspection == inspection
    assert review.submitted_by == users[Role.SETTING_MANAGER]
    accreditation = review.award.accreditation
    accreditation.refresh_from_db()
    assert accreditation.status == Status.REVIEW_DUE
    [email] = mail.outbox
    assert email.to == [evaluator.email]
    assert email.subject == f"Annual review 1 sent by {review.award.setting.display_name}"
    assert review.get_absolute_url() in email.body
    assert review.history.filter(history_change_reason="Sent").exists()


def test_an_incomplete_review_cannot_be_sent(client, users, review):
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(reverse("accreditation:annual-review-submit", args=[review.pk]))
    assert response.status_code == 400
    assert "Enter the progress on the improvement plan" in response.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.DUE


def test_a_new_manager_needs_the_changes_described(client, users, review):
    client.force_login(users[Role.SETTING_MANAGER])
    url = reverse("accreditation:annual-review-edit", args=[review.pk])
    client.post(url, {**EDIT_POST, "manager_changed": "yes"})
    response = client.get(reverse("accreditation:annual-review-submit", args=[review.pk]))
    assert "Describe the changes of manager or staff" in response.content.decode()


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("manager_changed", "", "Select yes if the setting has a new manager"),
        ("latest_inspection", "12345", "Select one of the setting"),
        ("plan_progress", "x" * 5001, "Ensure this value has at most 5000 characters"),
    ],
)
def test_bad_answers_are_not_saved(client, users, review, field, value, message):
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(
        reverse("accreditation:annual-review-edit", args=[review.pk]), {**EDIT_POST, field: value}
    )
    assert_field_error(response, field, message)
    review.refresh_from_db()
    assert review.plan_progress == ""


def test_the_evaluator_signs_off(client, users, review, django_capture_on_commit_callbacks):
    _submitted(review, users)
    client.force_login(users[Role.EVALUATOR])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accreditation:annual-review-decide", args=[review.pk]),
            {"decision": "sign_off", "feedback": "Thank you."},
        )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.SIGNED_OFF
    assert review.decided_by == users[Role.EVALUATOR]
    accreditation = review.award.accreditation
    accreditation.refresh_from_db()
    assert accreditation.status == Status.REVIEWED
    moves = list(
        AccreditationStatusChange.objects.filter(accreditation=accreditation)
        .order_by("changed_at", "pk")
        .values_list("from_status", "to_status")
    )
    assert moves == [
        (Status.ACCREDITED, Status.REVIEW_DUE),
        (Status.REVIEW_DUE, Status.REVIEWED),
    ]
    [email] = [m for m in mail.outbox if users[Role.SETTING_MANAGER].email in m.to]
    assert email.subject.startswith("Annual review 1 signed off")
    assert "Thank you." in email.body


def test_asking_for_more_sends_the_review_back(
    client, users, review, django_capture_on_commit_callbacks
):
    _submitted(review, users)
    client.force_login(users[Role.MANAGER])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accreditation:annual-review-decide", args=[review.pk]),
            {"decision": "more", "feedback": "Add the summer screening."},
        )
    review.refresh_from_db()
    assert review.status == ReviewStatus.MORE_REQUESTED
    assert review.feedback == "Add the summer screening."
    [email] = [m for m in mail.outbox if users[Role.SETTING_MANAGER].email in m.to]
    assert "Add the summer screening." in email.body
    # The setting changes it and sends it again; the accreditation stays review due.
    client.force_login(users[Role.SETTING_MANAGER])
    detail = client.get(review.get_absolute_url())
    assert "Add the summer screening." in detail.content.decode()
    client.post(
        reverse("accreditation:annual-review-edit", args=[review.pk]),
        {**EDIT_POST, "leuven_summary": "Summer: 2 of 20 children in red."},
    )
    client.post(reverse("accreditation:annual-review-submit", args=[review.pk]))
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert review.history.filter(history_change_reason="Sent again").exists()
    review.award.accreditation.refresh_from_db()
    assert review.award.accreditation.status == Status.REVIEW_DUE


def test_asking_for_more_needs_feedback(client, users, review):
    _submitted(review, users)
    client.force_login(users[Role.MANAGER])
    response = client.post(
        reverse("accreditation:annual-review-decide", args=[review.pk]), {"decision": "more"}
    )
    assert_field_error(response, "feedback", "Enter what the setting needs to add")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED


def test_a_decision_needs_a_choice(client, users, review):
    _submitted(review, users)
    client.force_login(users[Role.MANAGER])
    response = client.post(reverse("accreditation:annual-review-decide", args=[review.pk]), {})
    assert_field_error(response, "decision", "Select whether to sign the review off")


def test_a_sent_review_cannot_be_changed(client, users, review):
    _submitted(review, users)
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(
        reverse("accreditation:annual-review-edit", args=[review.pk]),
        {**EDIT_POST, "plan_progress": "Changed"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.plan_progress == "Outdoor learning is done."
    with pytest.raises(Exception, match="cannot be changed"):
        services.do_save_annual_review(
            review=review, answers=_answers(), by=users[Role.SETTING_MANAGER]
        )


def test_another_evaluator_cannot_decide(users, review):
    _submitted(review, users)
    stranger = EvaluatorFactory()
    assert not services.may_decide(stranger, review)
    with pytest.raises(Exception, match="assigned evaluator"):
        services.do_sign_off_annual_review(review=review, by=stranger)


# --- Access -------------------------------------------------------------------------------


def test_review_detail_access(client, users, review, other_review):
    url = reverse("accreditation:annual-review-detail", args=[review.pk])
    assert_access(client, url, users, allowed=REVIEW_ROLES)
    other = reverse("accreditation:annual-review-detail", args=[other_review.pk])
    assert_not_found(client, other, [users[Role.EVALUATOR], users[Role.SETTING_MANAGER]])


def test_review_edit_and_submit_access(client, users, review, other_review):
    for name in ("annual-review-edit", "annual-review-submit"):
        url = reverse(f"accreditation:{name}", args=[review.pk])
        assert_access(client, url, users, allowed=[Role.SETTING_MANAGER])
        other = reverse(f"accreditation:{name}", args=[other_review.pk])
        assert_not_found(client, other, [users[Role.SETTING_MANAGER]])
        assert_not_found(client, other, [users[Role.SETTING_MANAGER]], method="POST")


def test_review_decide_access(client, users, review, other_review):
    _submitted(review, users)
    url = reverse("accreditation:annual-review-decide", args=[review.pk])
    assert_access(client, url, users, allowed=[Role.MANAGER, Role.EVALUATOR])
    other = reverse("accreditation:annual-review-decide", args=[other_review.pk])
    assert_not_found(client, other, [users[Role.EVALUATOR]])


def test_accreditation_reviews_access(client, users, review, other_review):
    url = reverse(
        "accreditation:annual-review-accreditation-list", args=[review.award.accreditation_id]
    )
    assert_access(client, url, users, allowed=REVIEW_ROLES)
    other = reverse(
        "accreditation:annual-review-accreditation-list",
        args=[other_review.award.accreditation_id],
    )
    assert_not_found(client, other, [users[Role.EVALUATOR], users[Role.SETTING_MANAGER]])
    client.force_login(users[Role.SETTING_MANAGER])
    assert review.get_absolute_url() in client.get(url).content.decode()


def test_review_list_access(client, users, review):
    url = reverse("accreditation:annual-review-list")
    assert_access(client, url, users, allowed=[Role.MANAGER, Role.EVALUATOR])


def test_evaluators_see_only_their_settings_reviews(client, users, review, other_review):
    client.force_login(users[Role.EVALUATOR])
    html = client.get(reverse("accreditation:annual-review-list")).content.decode()
    assert review.get_absolute_url() in html
    assert other_review.get_absolute_url() not in html
    client.force_login(users[Role.MANAGER])
    html = client.get(reverse("accreditation:annual-review-list")).content.decode()
    assert review.get_absolute_url() in html
    assert other_review.get_absolute_url() in html


# --- The list -----------------------------------------------------------------------------


def _reviews(count: int, cohort) -> None:
    evaluator = EvaluatorFactory()
    for _ in range(count):
        accreditation = AccreditationFactory(
            setting=SettingFactory(), cohort=cohort, evaluator=evaluator, status=Status.ACCREDITED
        )
        services.ensure_annual_reviews(
            AwardFactory(accreditation=accreditation, award_date=datetime.date(2025, 3, 1))
        )


@pytest.mark.parametrize("count", [3, 12])
def test_the_review_list_runs_constant_queries(
    count, client, manager, cohort, django_assert_num_queries
):
    _reviews(count, cohort)
    client.force_login(manager)
    url = reverse("accreditation:annual-review-list")
    # Session, user, count, page of reviews (joined), cohorts for the filter.
    with django_assert_num_queries(5):
        response = client.get(url, {"overdue": "1", "cohort": str(cohort.pk)})
    assert response.status_code == 200


def test_the_list_filters_sorts_and_highlights_overdue(client, manager, cohort):
    _reviews(3, cohort)
    review = AnnualReview.objects.order_by("due_date", "pk").first()
    assert review is not None
    services.do_save_annual_review(review=review, answers=_answers(), by=manager)
    services.do_submit_annual_review(review=review, by=manager)
    client.force_login(manager)
    url = reverse("accreditation:annual-review-list")
    overdue = client.get(url, {"overdue": "1"}).context["page_obj"]
    # Three first reviews (due 1 March 2026) were due; one was sent.
    today = timezone.localdate()
    expected = AnnualReview.objects.filter(due_date__lt=today).exclude(pk=review.pk).count()
    assert overdue.paginator.count == expected
    assert all(r.overdue for r in overdue.object_list)
    html = client.get(url, {"overdue": "1"}).content.decode()
    assert "kqm-overdue" in html and "Overdue</strong>" in html
    submitted = client.get(url, {"status": "submitted"}).context["page_obj"]
    assert [r.pk for r in submitted.object_list] == [review.pk]
    latest = client.get(url, {"sort": "-due"}).context["page_obj"].object_list
    assert latest[0].due_date >= latest[-1].due_date
    other_cohort = CohortFactory()
    assert client.get(url, {"cohort": other_cohort.pk}).context["page_obj"].paginator.count == 0


# --- The status table ---------------------------------------------------------------------


def test_every_status_and_move_of_a_review_is_made_or_refused_with_a_clear_message(
    users, review, django_capture_on_commit_callbacks
):
    """The review's table walked pair by pair: the setting sends it (its evaluator is
    emailed), the evaluator signs it off (the accreditation is reviewed) or asks for more."""
    setting_manager, evaluator = users[Role.SETTING_MANAGER], users[Role.EVALUATOR]
    services.do_save_annual_review(review=review, answers=_answers(), by=setting_manager)
    emailed: dict[str, tuple[User, str]] = {
        ReviewStatus.SUBMITTED: (evaluator, "sent"),
        ReviewStatus.SIGNED_OFF: (setting_manager, "signed off"),
        ReviewStatus.MORE_REQUESTED: (setting_manager, "more information"),
    }
    for source, target, rule in each_pair(services.REVIEW_TABLE, review):
        actor = setting_manager if target == ReviewStatus.SUBMITTED else evaluator
        if rule is None:
            with pytest.raises(ValidationError) as refused:
                services.move_review(review, target, by=actor, feedback="More.")
            assert refused.value.messages[0].startswith(("This review", "Only a")), (
                source,
                target,
            )
            review.refresh_from_db()
            assert review.status == source
            continue
        if target != ReviewStatus.SUBMITTED:
            with pytest.raises(ValidationError, match="Only the assigned evaluator"):
                services.move_review(review, target, by=setting_manager, feedback="More.")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.move_review(review, target, by=actor, feedback="More.")
        review.refresh_from_db()
        assert review.status == target, (source, target)
        assert review.history.first().history_change_reason == rule.reason
        person, words = emailed[target]
        [email] = [m for m in mail.outbox if person.email in m.to]
        assert words in email.subject.lower(), (source, target, email.subject)
    accreditation = review.award.accreditation
    accreditation.refresh_from_db()
    assert accreditation.status == Status.REVIEWED  # opened when sent, reviewed when signed off


def test_two_decisions_on_one_review_give_one_winner_and_a_plain_message(client, users, review):
    """The evaluator and the KQM manager both open the sent review; the second is told."""
    _submitted(review, users)
    first, second = AnnualReview.objects.get(pk=review.pk), AnnualReview.objects.get(pk=review.pk)
    services.do_sign_off_annual_review(review=first, by=users[Role.EVALUATOR])
    with pytest.raises(MoveConflict, match="has just been moved to “Signed off”"):
        services.do_request_more_for_annual_review(
            review=second, by=users[Role.MANAGER], feedback="Add the scores."
        )
    assert AnnualReview.objects.get(pk=review.pk).status == ReviewStatus.SIGNED_OFF
    # Through the page: a plain message, never an error page.
    client.force_login(users[Role.MANAGER])
    response = client.post(
        reverse("accreditation:annual-review-decide", args=[review.pk]),
        {"decision": "more", "feedback": "Add the scores."},
        follow=True,
    )
    assert response.status_code == 200
    assert "Only a review the setting has sent can be signed off." in response.content.decode()
