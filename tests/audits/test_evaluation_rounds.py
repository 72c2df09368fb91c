"""End-of-cohort evaluations: the KQM manager opens a round for a cohort, each person asked
gets one single-use link by email, results are aggregates shown after the close with at
least 5 responses, and nothing ties an answer to a link or a person."""

from __future__ import annotations

import csv
import datetime
import inspect
import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.db.models import ForeignKey
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accreditation.models import Status as AccreditationStatus
from audits.models import (
    LinkStatus,
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireKind,
    QuestionnaireLink,
    QuestionnaireResponse,
    QuestionnaireRound,
)
from audits.selectors.questionnaires import evaluation_recipients, rounds_visible_to
from audits.services.evaluation import do_close_evaluation_round, do_open_evaluation_round
from audits.services.questionnaires import (
    do_create_round,
    do_submit_response,
    load_shipped_questionnaires,
)
from kqm.models import Role, SentEmail, User
from tests.access import assert_access, assert_field_error
from tests.factories import AccreditationFactory, CohortFactory, SettingFactory, UserFactory

TOKEN_IN_LINK = re.compile(r"/audits/questionnaires/answer/([A-Za-z0-9_-]{40,})/")
EVALUATION_READERS = [Role.MANAGER, Role.VIEWER]


@pytest.fixture
def questionnaires(db) -> dict[str, Questionnaire]:
    load_shipped_questionnaires()
    return {q.kind: q for q in Questionnaire.objects.filter(is_current=True)}


@pytest.fixture
def cohort(db):
    return CohortFactory(name="2026 cohort")


@pytest.fixture
def taking_part(users, setting, cohort):
    """``setting`` is in the cohort with the evaluator fixture user assigned."""
    return AccreditationFactory(
        setting=setting,
        cohort=cohort,
        evaluator=users[Role.EVALUATOR],
        status=AccreditationStatus.IN_PROGRESS,
    )


def open_round(manager, cohort, *, closes_in: int = 14, title: str = "2026 evaluation"):
    return do_open_evaluation_round(
        actor=manager,
        cohort=cohort,
        title=title,
        closes_on=timezone.localdate() + datetime.timedelta(days=closes_in),
    ).round


def tokens_from_outbox() -> dict[str, str]:
    """email address -> the token in the link sent to it."""
    tokens = {}
    for message in mail.outbox:
        found = TOKEN_IN_LINK.search(message.body)
        assert found, message.body
        tokens[message.to[0]] = found.group(1)
    return tokens


def answers(questionnaire_round: QuestionnaireRound, value: int | None = 4) -> dict:
    return {s.number: value for s in questionnaire_round.questionnaire.statements.all()}


def post_data(questionnaire_round: QuestionnaireRound, value: str = "4", **extra) -> dict:
    data = {
        f"statement_{s.number}": value for s in questionnaire_round.questionnaire.statements.all()
    }
    return {**data, **extra}


def close(questionnaire_round: QuestionnaireRound) -> None:
    QuestionnaireRound.objects.filter(pk=questionnaire_round.pk).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )


@pytest.fixture
def big_cohort(users, cohort, questionnaires):
    """A cohort with 7 people asked: 6 setting managers of 6 settings, and one evaluator."""
    evaluator = users[Role.EVALUATOR]
    for n in range(6):
        setting = SettingFactory(name=f"Setting {n}")
        UserFactory(role=Role.SETTING_MANAGER, settings=[setting], email=f"sm{n}@example.org")
        AccreditationFactory(
            setting=setting,
            cohort=cohort,
            evaluator=evaluator,
            status=AccreditationStatus.IN_PROGRESS,
        )
    return cohort


def run_round(manager, cohort, capture, *, responses: int, comment: str = "Good support."):
    with capture(execute=True):
        questionnaire_round = open_round(manager, cohort)
    tokens = list(tokens_from_outbox().values())
    for n, token in enumerate(tokens[:responses]):
        do_submit_response(
            token=token,
            answers=answers(questionnaire_round, value=1 + n % 5),
            comment=f"{comment} ({n})",
        )
    return questionnaire_round, tokens


# --- The definition ------------------------------------------------------------------------------


def test_the_evaluation_definition_is_shipped_and_loaded(questionnaires):
    evaluation = questionnaires[QuestionnaireKind.EVALUATION]
    assert evaluation.code == "kqm-evaluation"
    texts = " ".join(evaluation.statements.values_list("text", flat=True))
    for topic in ("evaluator", "network meetings", "ECERS", "Leuven", "case studies", "recommend"):
        assert topic in texts
    assert 9 <= evaluation.statements.count() <= 12
    assert list(evaluation.scale.values_list("value", flat=True)) == [1, 2, 3, 4, 5]
    # Loading again changes nothing (the data migration and the command are idempotent).
    assert all(not created for _, _, created in load_shipped_questionnaires())


def test_the_data_migration_reuses_the_loader():
    from importlib import import_module

    squash = import_module("audits.migrations.0008_squashed_0010_rounds_belong_to_accreditations")
    assert ("audits", "0009_evaluation_questionnaire") in squash.Migration.replaces
    assert "load_shipped_questionnaires" in inspect.getsource(squash.load_shipped_definitions)


# --- Who is asked, and the emails ---------------------------------------------------------------


def test_opening_emails_each_person_asked_their_own_link(
    users, setting, cohort, taking_part, questionnaires, django_capture_on_commit_callbacks
):
    manager = users[Role.MANAGER]
    inactive = UserFactory(role=Role.SETTING_MANAGER, settings=[setting], is_active=False)
    second_manager = UserFactory(role=Role.SETTING_MANAGER, settings=[setting])
    # Not asked: a practitioner, another cohort's setting, a setting that was declined.
    other = AccreditationFactory(cohort=CohortFactory(), status=AccreditationStatus.IN_PROGRESS)
    outsider = UserFactory(role=Role.SETTING_MANAGER, settings=[other.setting])
    declined = AccreditationFactory(cohort=cohort, status=AccreditationStatus.DECLINED)
    declined_manager = UserFactory(role=Role.SETTING_MANAGER, settings=[declined.setting])

    with django_capture_on_commit_callbacks(execute=True):
        questionnaire_round = open_round(manager, cohort)

    asked = {users[Role.SETTING_MANAGER].email, second_manager.email, users[Role.EVALUATOR].email}
    assert {m.to[0] for m in mail.outbox} == asked
    assert inactive.email not in asked and outsider.email not in asked
    assert declined_manager.email not in asked
    tokens = tokens_from_outbox()
    assert len(set(tokens.values())) == 3
    assert questionnaire_round.links.count() == 3
    assert questionnaire_round.setting is None and questionnaire_round.cohort == cohort
    message = mail.outbox[0]
    assert "2026 cohort" in message.subject
    assert "anonymous" in message.body
    assert message.alternatives and "Answer the questionnaire" in message.alternatives[0][0]
    # Only the hashes are stored; the sent-email record keeps who was asked, not the link.
    for token in tokens.values():
        assert not QuestionnaireLink.objects.filter(token_hash=token).exists()
        assert not SentEmail.objects.filter(key__contains=token).exists()
        assert not SentEmail.objects.filter(subject__contains=token).exists()


def test_recipients_are_the_cohorts_active_setting_managers_and_evaluators(
    users, cohort, taking_part
):
    assert set(evaluation_recipients(cohort)) == {
        users[Role.SETTING_MANAGER],
        users[Role.EVALUATOR],
    }
    assert users[Role.PRACTITIONER] not in evaluation_recipients(cohort)


def test_the_answer_page_names_the_cohort_and_takes_answers_once(
    client, users, cohort, taking_part, questionnaires, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        questionnaire_round = open_round(users[Role.MANAGER], cohort)
    token = next(iter(tokens_from_outbox().values()))
    url = reverse("audits:questionnaire-answer", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert "2026 cohort" in page.content.decode()
    assert "network meetings" in page.content.decode()
    response = client.post(url, post_data(questionnaire_round, comment="Very useful."))
    assert response.status_code == 302
    assert QuestionnaireResponse.objects.filter(round=questionnaire_round).count() == 1
    # Single use: the same link again is refused and stores nothing.
    again = client.post(url, post_data(questionnaire_round))
    assert again.status_code == 410
    assert "the KQM team" in again.content.decode()
    assert QuestionnaireResponse.objects.filter(round=questionnaire_round).count() == 1


def test_links_stop_working_when_the_round_is_closed(
    client, users, cohort, taking_part, questionnaires, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        questionnaire_round = open_round(users[Role.MANAGER], cohort)
    token = next(iter(tokens_from_outbox().values()))
    do_close_evaluation_round(actor=users[Role.MANAGER], questionnaire_round=questionnaire_round)
    url = reverse("audits:questionnaire-answer", args=[token])
    assert client.get(url).status_code == 410
    assert client.post(url, post_data(questionnaire_round)).status_code == 410
    assert not QuestionnaireResponse.objects.exists()


def test_links_expire_after_the_closing_date(
    client, users, cohort, taking_part, questionnaires, django_capture_on_commit_callbacks
):
    import time_machine

    with django_capture_on_commit_callbacks(execute=True):
        questionnaire_round = open_round(users[Role.MANAGER], cohort, closes_in=1)
    token = next(iter(tokens_from_outbox().values()))
    url = reverse("audits:questionnaire-answer", args=[token])
    closing = questionnaire_round.closes_on
    last_minute = timezone.make_aware(datetime.datetime.combine(closing, datetime.time(23, 59)))
    with time_machine.travel(last_minute, tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(last_minute + datetime.timedelta(minutes=2), tick=False):
        assert client.get(url).status_code == 410


# --- Anonymity -----------------------------------------------------------------------------------


def test_a_response_has_no_link_to_its_token_or_person():
    for model in (QuestionnaireResponse, QuestionnaireAnswer):
        targets = {
            f.related_model
            for f in model._meta.get_fields()
            if isinstance(f, ForeignKey) and f.concrete
        }
        assert QuestionnaireLink not in targets
        assert User not in targets
    names = {f.name for f in QuestionnaireResponse._meta.get_fields()}
    assert not names & {"link", "token", "user", "created_at", "submitted_at"}
    assert not hasattr(QuestionnaireLink, "history")


def test_links_are_paired_with_people_in_a_random_order(
    users, big_cohort, django_capture_on_commit_callbacks
):
    """Over a few rounds, the order of the stored links never follows the order of people."""
    orders = set()
    for n in range(4):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            questionnaire_round = open_round(users[Role.MANAGER], big_cohort, title=f"Round {n}")
        from audits.services.questionnaires import hash_token

        by_hash = {hash_token(t): email for email, t in tokens_from_outbox().items()}
        stored = questionnaire_round.links.order_by("pk").values_list("token_hash", flat=True)
        orders.add(tuple(by_hash[h] for h in stored))
        do_close_evaluation_round(
            actor=users[Role.MANAGER], questionnaire_round=questionnaire_round
        )
    assert len(orders) > 1


def test_no_page_or_export_shows_a_token_a_person_or_a_single_response(
    client, users, big_cohort, django_capture_on_commit_callbacks
):
    questionnaire_round, tokens = run_round(
        users[Role.MANAGER], big_cohort, django_capture_on_commit_callbacks, responses=6
    )
    close(questionnaire_round)
    people = [u.email for u in evaluation_recipients(big_cohort)] + [
        u.full_name for u in evaluation_recipients(big_cohort) if u.role != Role.EVALUATOR
    ]
    hashes = list(questionnaire_round.links.values_list("token_hash", flat=True))
    for role in EVALUATION_READERS:
        client.force_login(users[role])
        for name in ("audits:evaluation-detail", "audits:evaluation-export"):
            text = client.get(reverse(name, args=[questionnaire_round.pk])).content.decode()
            for secret in [*tokens, *hashes, *people]:
                assert secret not in text, (role, name, secret)
        listing = client.get(reverse("audits:evaluation-list")).content.decode()
        assert not any(secret in listing for secret in [*tokens, *hashes])
    # Comments are one person's words: the manager sees them, viewers and the CSV never.
    client.force_login(users[Role.MANAGER])
    assert (
        "Good support. (0)"
        in client.get(
            reverse("audits:evaluation-detail", args=[questionnaire_round.pk])
        ).content.decode()
    )
    assert (
        "Good support."
        not in client.get(
            reverse("audits:evaluation-export", args=[questionnaire_round.pk])
        ).content.decode()
    )
    client.force_login(users[Role.VIEWER])
    assert (
        "Good support."
        not in client.get(
            reverse("audits:evaluation-detail", args=[questionnaire_round.pk])
        ).content.decode()
    )


# --- Results -------------------------------------------------------------------------------------


def test_results_are_hidden_while_open_and_below_five_responses(
    client, users, big_cohort, django_capture_on_commit_callbacks
):
    questionnaire_round, _ = run_round(
        users[Role.MANAGER], big_cohort, django_capture_on_commit_callbacks, responses=4
    )
    client.force_login(users[Role.MANAGER])
    url = reverse("audits:evaluation-detail", args=[questionnaire_round.pk])
    page = client.get(url).content.decode()
    assert "The results will appear when the round closes" in page
    assert "Good support." not in page
    close(questionnaire_round)
    page = client.get(url).content.decode()
    assert "Fewer than 5 people answered (4)" in page
    assert "Good support." not in page
    export = client.get(reverse("audits:evaluation-export", args=[questionnaire_round.pk]))
    assert export.status_code == 302  # nothing to download


def test_results_per_statement_with_counts_mean_and_response_rate(
    client, users, big_cohort, django_capture_on_commit_callbacks
):
    # 6 of 7 answer, with values 1, 2, 3, 4, 5, 1 on every statement: mean 16/6 = 2.67.
    questionnaire_round, _ = run_round(
        users[Role.MANAGER], big_cohort, django_capture_on_commit_callbacks, responses=6
    )
    close(questionnaire_round)
    client.force_login(users[Role.VIEWER])
    page = client.get(reverse("audits:evaluation-detail", args=[questionnaire_round.pk]))
    text = page.content.decode()
    assert "86% (6 of 7)" in text
    assert "2.67" in text
    assert "I would recommend the Kent Quality Mark" in text
    export = client.get(reverse("audits:evaluation-export", args=[questionnaire_round.pk]))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    head = dict(row[:2] for row in rows if len(row) >= 2 and row[0] and row[0] != "Theme")
    assert head["Cohort"] == "2026 cohort"
    assert head["Links sent"] == "7"
    assert head["Responses"] == "6"
    assert head["Response rate (%)"] == "86"
    header = next(row for row in rows if row and row[0] == "Theme")
    assert header[-5:] == [
        "1 Strongly disagree",
        "2 Disagree",
        "3 Neither agree nor disagree",
        "4 Agree",
        "5 Strongly agree",
    ]
    recommend = next(row for row in rows if len(row) > 2 and row[1] == "11")
    assert recommend[3:] == ["6", "0", "2.67", "2", "1", "1", "1", "1"]


# --- Pages and roles -----------------------------------------------------------------------------


def test_who_may_use_each_page(client, users, cohort, taking_part, questionnaires):
    manager = users[Role.MANAGER]
    open_one = open_round(manager, cohort, title="Open")
    second = AccreditationFactory(
        cohort=CohortFactory(),
        evaluator=users[Role.EVALUATOR],
        status=AccreditationStatus.IN_PROGRESS,
    )
    closed = open_round(manager, second.cohort, title="Closed")
    close(closed)
    assert_access(client, reverse("audits:evaluation-list"), users, EVALUATION_READERS)
    assert_access(client, reverse("audits:evaluation-new"), users, [Role.MANAGER])
    assert_access(
        client,
        reverse("audits:evaluation-detail", args=[closed.pk]),
        users,
        EVALUATION_READERS,
    )
    # Viewers see a round only once it has closed.
    assert_access(
        client,
        reverse("audits:evaluation-detail", args=[open_one.pk]),
        users,
        EVALUATION_READERS,
        not_found=[Role.VIEWER],
    )
    assert_access(
        client, reverse("audits:evaluation-close", args=[open_one.pk]), users, [Role.MANAGER]
    )
    assert_access(
        client,
        reverse("audits:evaluation-export", args=[closed.pk]),
        users,
        EVALUATION_READERS,
        ok_status=(200, 302),
    )
    missing = reverse("audits:evaluation-detail", args=[closed.pk + 1000])
    client.force_login(manager)
    assert client.get(missing).status_code == 404


def test_viewers_list_only_closed_rounds(client, users, cohort, taking_part, questionnaires):
    open_round(users[Role.MANAGER], cohort, title="Still open")
    client.force_login(users[Role.VIEWER])
    page = client.get(reverse("audits:evaluation-list")).content.decode()
    assert "Still open" not in page
    client.force_login(users[Role.MANAGER])
    assert "Still open" in client.get(reverse("audits:evaluation-list")).content.decode()


def test_the_manager_opens_and_closes_a_round_through_the_pages(
    client, users, cohort, taking_part, questionnaires, django_capture_on_commit_callbacks
):
    client.force_login(users[Role.MANAGER])
    closes = timezone.localdate() + datetime.timedelta(days=10)
    data = {
        "cohort": cohort.pk,
        "title": "  2026   evaluation ",
        "closes_on_0": closes.day,
        "closes_on_1": closes.month,
        "closes_on_2": closes.year,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("audits:evaluation-new"), data)
    questionnaire_round = QuestionnaireRound.objects.get(cohort=cohort)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "audits:evaluation-detail", args=[questionnaire_round.pk]
    )
    assert questionnaire_round.title == "2026 evaluation"
    assert len(mail.outbox) == 2
    assert questionnaire_round.history.first().history_user == users[Role.MANAGER]
    page = client.get(response["Location"]).content.decode()
    assert "2 people will get their link by email" in page
    # A second round for the same cohort while one is open is refused.
    again = client.post(reverse("audits:evaluation-new"), data)
    assert_field_error(again, "cohort", "This cohort already has an evaluation open")
    assert QuestionnaireRound.objects.filter(cohort=cohort).count() == 1
    close_url = reverse("audits:evaluation-close", args=[questionnaire_round.pk])
    assert "Close “2026 evaluation” now?" in client.get(close_url).content.decode()
    assert client.post(close_url).status_code == 302
    questionnaire_round.refresh_from_db()
    assert questionnaire_round.closed_at is not None
    assert questionnaire_round.closed_by == users[Role.MANAGER]
    assert not questionnaire_round.links.filter(status=LinkStatus.USED).exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"cohort": ""}, "cohort", "Select the cohort"),
        ({"title": ""}, "title", "Enter a title"),
        ({"closes_on_0": ""}, "closes_on", "The closing date must include a day"),
        ({"closes_on_2": "2000"}, "closes_on", "The closing date must be today or in the future"),
    ],
)
def test_bad_input_shows_the_error_and_saves_nothing(
    client, users, cohort, taking_part, questionnaires, change, field, message
):
    client.force_login(users[Role.MANAGER])
    closes = timezone.localdate() + datetime.timedelta(days=10)
    data = {
        "cohort": cohort.pk,
        "title": "Evaluation",
        "closes_on_0": closes.day,
        "closes_on_1": closes.month,
        "closes_on_2": closes.year,
        **change,
    }
    response = client.post(reverse("audits:evaluation-new"), data)
    assert_field_error(response, field, message)
    assert response.content.decode().count('value="Evaluation"') == (0 if field == "title" else 1)
    assert not QuestionnaireRound.objects.exists()
    assert not mail.outbox


def test_a_cohort_with_no_one_to_ask_is_refused(client, users, questionnaires):
    empty = CohortFactory(name="Empty cohort")
    client.force_login(users[Role.MANAGER])
    closes = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        reverse("audits:evaluation-new"),
        {
            "cohort": empty.pk,
            "title": "Evaluation",
            "closes_on_0": closes.day,
            "closes_on_1": closes.month,
            "closes_on_2": closes.year,
        },
    )
    assert_field_error(response, "cohort", "No one to ask")
    assert not QuestionnaireRound.objects.exists()


def test_only_the_manager_can_open_or_close(users, cohort, taking_part, questionnaires):
    from django.core.exceptions import ValidationError

    for role in (Role.VIEWER, Role.EVALUATOR, Role.SETTING_MANAGER):
        with pytest.raises(ValidationError):
            open_round(users[role], cohort)
    questionnaire_round = open_round(users[Role.MANAGER], cohort)
    with pytest.raises(ValidationError):
        do_close_evaluation_round(actor=users[Role.VIEWER], questionnaire_round=questionnaire_round)


# --- Setting rounds and cohort rounds never mix -------------------------------------------------


def test_setting_pages_never_show_cohort_rounds_and_vice_versa(
    client, users, setting, cohort, taking_part, questionnaires
):
    cohort_round = open_round(users[Role.MANAGER], cohort, title="Cohort evaluation")
    setting_round = do_create_round(
        actor=users[Role.SETTING_MANAGER],
        setting=setting,
        kind="staff",
        title="Staff spring",
        closes_on=timezone.localdate() + datetime.timedelta(days=7),
        link_count=3,
    ).round
    for role in (Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER):
        assert cohort_round not in rounds_visible_to(users[role])
        client.force_login(users[role])
        listing = client.get(reverse("audits:questionnaire-list")).content.decode()
        assert "Cohort evaluation" not in listing
        for name in ("audits:questionnaire-detail", "audits:questionnaire-export"):
            assert client.get(reverse(name, args=[cohort_round.pk])).status_code == 404
    client.force_login(users[Role.MANAGER])
    for name in ("audits:evaluation-detail", "audits:evaluation-close", "audits:evaluation-export"):
        assert client.get(reverse(name, args=[setting_round.pk])).status_code == 404
    assert "Staff spring" not in client.get(reverse("audits:evaluation-list")).content.decode()
    # Setting managers cannot start an evaluation round for their setting.
    client.force_login(users[Role.SETTING_MANAGER])
    form = client.get(reverse("audits:questionnaire-new")).content.decode()
    assert 'value="evaluation"' not in form


def test_the_list_runs_a_constant_number_of_queries(
    client, users, questionnaires, django_capture_on_commit_callbacks
):
    def add_rounds(count: int) -> None:
        for _ in range(count):
            accreditation = AccreditationFactory(
                cohort=CohortFactory(),
                evaluator=users[Role.EVALUATOR],
                status=AccreditationStatus.IN_PROGRESS,
            )
            open_round(users[Role.MANAGER], accreditation.cohort)

    client.force_login(users[Role.MANAGER])
    url = reverse("audits:evaluation-list")
    add_rounds(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add_rounds(6)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)


# --- Respondent groups and who was not invited ----------------------------------------------------


def test_results_split_by_respondent_group_once_each_has_five_answers(
    client, users, big_cohort, django_capture_on_commit_callbacks
):
    manager = users[Role.MANAGER]
    for n in range(4):  # five evaluators in all
        evaluator = UserFactory(role=Role.EVALUATOR, email=f"ev{n}@example.org")
        AccreditationFactory(
            cohort=big_cohort, evaluator=evaluator, status=AccreditationStatus.IN_PROGRESS
        )
    # The fixtures' own setting takes part with no setting manager's account of its own.
    nobody = SettingFactory(name="No Account <Nursery>")
    AccreditationFactory(setting=nobody, cohort=big_cohort, status=AccreditationStatus.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        questionnaire_round = open_round(manager, big_cohort)
    tokens = tokens_from_outbox()
    groups = {link.group for link in QuestionnaireLink.objects.filter(round=questionnaire_round)}
    assert groups == {"setting", "evaluator"}
    settings_answer, evaluators_answer = 2, 5
    for email, token in tokens.items():
        value = settings_answer if email.startswith("sm") else evaluators_answer
        do_submit_response(token=token, answers=answers(questionnaire_round, value=value))
    close(questionnaire_round)
    client.force_login(manager)
    url = reverse("audits:evaluation-detail", args=[questionnaire_round.pk])
    response = client.get(url)
    split = response.context["group_results"]
    assert [label for label, _ in split] == ["Settings (setting managers)", "Evaluators"]
    assert [results.response_count for _, results in split] == [6, 5]
    means = [results.themes[0].results[0].mean for _, results in split]
    assert means == [Decimal("2.00"), Decimal("5.00")]
    html = response.content.decode()
    assert html.count('data-testid="group-results"') == 2
    assert "No Account &lt;Nursery&gt;" in html.split('data-testid="not-invited"')[1]


def test_no_split_while_a_group_has_fewer_than_five_answers(
    client, users, big_cohort, django_capture_on_commit_callbacks
):
    questionnaire_round, _ = run_round(
        users[Role.MANAGER], big_cohort, django_capture_on_commit_callbacks, responses=7
    )
    close(questionnaire_round)
    client.force_login(users[Role.VIEWER])
    response = client.get(reverse("audits:evaluation-detail", args=[questionnaire_round.pk]))
    assert response.context["group_results"] == []
    html = response.content.decode()
    assert 'data-testid="no-group-split"' in html  # one evaluator only
    assert 'data-testid="not-invited"' not in html  # viewers see aggregates only
