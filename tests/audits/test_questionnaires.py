"""Staff and parent questionnaires: definitions, rounds, single-use links, anonymity, results."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
from urllib.parse import unquote

import pytest
from django.apps import apps as django_apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from audits.models import (
    LinkStatus,
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireKind,
    QuestionnaireLink,
    QuestionnaireResponse,
    QuestionnaireRound,
)
from audits.services.questionnaires import (
    LinkRefusal,
    LinkRefused,
    QuestionnaireDefinitionError,
    check_questionnaire_definition,
    do_close_round,
    do_create_round,
    do_submit_response,
    hash_token,
    load_shipped_questionnaires,
    shipped_questionnaires,
)
from kqm.models import Role, User
from tests.access import assert_access, assert_field_error, assert_not_found
from tests.factories import AccreditationFactory, SettingFactory, UserFactory

READERS = [Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER]
TOKEN_IN_PATH = re.compile(r"/audits/questionnaires/answer/([A-Za-z0-9_-]{40,})/")


@pytest.fixture
def questionnaires(db) -> dict[str, Questionnaire]:
    """The shipped definitions (a data migration loads them; tests run without migrations)."""
    load_shipped_questionnaires()
    return {q.kind: q for q in Questionnaire.objects.filter(is_current=True)}


@pytest.fixture
def assigned(users, setting):
    """The evaluator fixture user is assigned to ``setting``."""
    return AccreditationFactory(setting=setting, evaluator=users[Role.EVALUATOR])


def make_round(
    users, setting, *, kind: str = "staff", links: int = 10, closes_in: int = 14, title="Spring"
) -> tuple[QuestionnaireRound, list[str]]:
    issued = do_create_round(
        actor=users[Role.SETTING_MANAGER],
        setting=setting,
        kind=kind,
        title=title,
        closes_on=timezone.localdate() + datetime.timedelta(days=closes_in),
        link_count=links,
    )
    return issued.round, issued.tokens


def answers_for(questionnaire_round: QuestionnaireRound, value: int | None = 4) -> dict:
    return {
        s.number: value for s in questionnaire_round.questionnaire.statements.order_by("number")
    }


def post_data(questionnaire_round: QuestionnaireRound, value: str = "4", **extra) -> dict:
    data = {
        f"statement_{s.number}": value
        for s in questionnaire_round.questionnaire.statements.order_by("number")
    }
    data.update(extra)
    return data


def close(questionnaire_round: QuestionnaireRound) -> None:
    QuestionnaireRound.objects.filter(pk=questionnaire_round.pk).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    questionnaire_round.refresh_from_db()


def answer_url(token: str) -> str:
    return reverse("audits:questionnaire-answer", args=[token])


def date_data(name: str, date: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(date.day), f"{name}_1": str(date.month), f"{name}_2": str(date.year)}


# --- Definitions as data ------------------------------------------------------------------------


def test_shipped_definitions_hold_a_staff_and_a_parent_questionnaire():
    definitions = {d["kind"]: d for d in shipped_questionnaires()}
    assert set(definitions) == {"staff", "parent", "evaluation"}
    assert 10 <= len(definitions["staff"]["statements"]) <= 12
    assert 8 <= len(definitions["parent"]["statements"]) <= 10
    for definition in definitions.values():
        assert [p["value"] for p in definition["scale"]] == [1, 2, 3, 4, 5]
        assert definition["scale"][0]["label"] == "Strongly disagree"
        assert definition["scale"][-1]["label"] == "Strongly agree"
    themes = {s["theme"] for s in definitions["staff"]["statements"]}
    assert {"Leadership and vision", "Reflective practice", "Professional development"} <= themes


@pytest.fixture
def no_questionnaires(db):
    """Start from an empty library (the data migration loads the shipped ones)."""
    Questionnaire.objects.all().delete()


def test_loading_is_idempotent_and_works_with_a_migrations_apps(no_questionnaires):
    first = load_shipped_questionnaires(django_apps)  # as a data migration would call it
    assert {(code, created) for code, _, created in first} == {
        ("kqm-staff", True),
        ("kqm-parent", True),
        ("kqm-evaluation", True),
    }
    again = load_shipped_questionnaires()
    assert all(not created for _, _, created in again)
    assert Questionnaire.objects.count() == 3
    staff = Questionnaire.objects.get(kind=QuestionnaireKind.STAFF, is_current=True)
    assert staff.statements.count() == 12
    assert staff.scale.count() == 5
    assert staff.statements.get(number=8).na_allowed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "governors"}, "The kind must be one of"),
        ({"scale": [{"value": 1, "label": "Yes"}]}, "at least two points"),
        ({"statements": []}, "at least one statement"),
        ({"code": "Not A Code"}, "The code must be"),
        ({"statements": [{"number": 1, "theme": "A", "text": "x" * 301}]}, "up to 300"),
        (
            {
                "statements": [
                    {"number": 1, "theme": "A", "text": "One"},
                    {"number": 1, "theme": "A", "text": "Two"},
                ]
            },
            "appears twice",
        ),
    ],
)
def test_a_broken_definition_is_refused_with_its_problems(change, message):
    definition = {**shipped_questionnaires()[0], **change}
    assert any(message in problem for problem in check_questionnaire_definition(definition))


def test_a_broken_file_stops_the_loader_before_writing(no_questionnaires, tmp_path):
    (tmp_path / "bad.json").write_text('{"code": "x", "kind": "staff"}')
    with pytest.raises(QuestionnaireDefinitionError):
        load_shipped_questionnaires(directory=tmp_path)
    assert not Questionnaire.objects.exists()


# --- Starting a round and its links ---------------------------------------------------------------


def test_the_setting_manager_starts_a_round_and_sees_its_links_once(
    client, users, setting, questionnaires
):
    client.force_login(users[Role.SETTING_MANAGER])
    page = client.get(reverse("audits:questionnaire-new"))
    assert page.status_code == 200
    assert "Which setting is asking?" not in page.content.decode()  # only one setting
    closes_on = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        reverse("audits:questionnaire-new"),
        {"kind": "staff", "title": "  Staff   questionnaire, spring ", "link_count": "6"}
        | date_data("closes_on", closes_on),
    )
    questionnaire_round = QuestionnaireRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "audits:questionnaire-links", args=[questionnaire_round.pk]
    )
    assert questionnaire_round.title == "Staff questionnaire, spring"
    assert questionnaire_round.questionnaire == questionnaires["staff"]
    assert questionnaire_round.closes_on == closes_on

    shown = client.get(response["Location"])
    html = shown.content.decode()
    tokens = sorted(set(TOKEN_IN_PATH.findall(html)))
    assert len(tokens) == 6
    # Only the hashes are stored.
    stored = set(QuestionnaireLink.objects.values_list("token_hash", flat=True))
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    for token in tokens:
        assert not QuestionnaireLink.objects.filter(token_hash=token).exists()
    # The CSV download carries the same links, inside the page.
    found = re.search(r'href="data:text/csv;charset=utf-8,([^"]+)"', html)
    assert found is not None
    csv_href = found.group(1)
    rows = list(csv.reader(io.StringIO(unquote(csv_href))))
    assert rows[0] == ["Link number", "Link", "Closes on"]
    assert sorted(TOKEN_IN_PATH.findall(row[1])[0] for row in rows[1:]) == tokens
    assert shown["Cache-Control"].startswith("max-age=0")

    # The second visit shows no links: they are not kept anywhere.
    again = client.get(response["Location"]).content.decode()
    assert not TOKEN_IN_PATH.search(again)
    assert "have already been shown" in again
    assert "session" not in again


def test_a_manager_of_two_settings_chooses_one_of_theirs(client, users, setting, questionnaires):
    manager = users[Role.SETTING_MANAGER]
    second = SettingFactory(name="Second Steps Pre-school")
    manager.settings.add(second)
    stranger = SettingFactory(name="Not Theirs Nursery")
    client.force_login(manager)
    assert (
        "Which setting is asking?"
        in client.get(reverse("audits:questionnaire-new")).content.decode()
    )
    data = {"kind": "parent", "title": "Parents", "link_count": "5"} | date_data(
        "closes_on", timezone.localdate()
    )
    refused = client.post(reverse("audits:questionnaire-new"), data | {"setting": stranger.pk})
    assert_field_error(refused, "setting", "Select the setting")
    ok = client.post(reverse("audits:questionnaire-new"), data | {"setting": second.pk})
    assert ok.status_code == 302
    assert QuestionnaireRound.objects.get().setting == second


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"kind": ""}, "kind", "Select who will answer"),
        ({"kind": "governors"}, "kind", "Select who will answer"),
        ({"title": ""}, "title", "Enter a title"),
        ({"title": "x" * 201}, "title", "The title must be 200 characters or fewer"),
        ({"link_count": ""}, "link_count", "Enter how many links you need"),
        ({"link_count": "0"}, "link_count", "Enter a number of links from 1 to 100"),
        ({"link_count": "101"}, "link_count", "Enter a number of links from 1 to 100"),
        ({"link_count": "ten"}, "link_count", "The number of links must be a whole number"),
        ({"closes_on_0": ""}, "closes_on", "The closing date must include a day"),
        ({"closes_on_1": "13"}, "closes_on", "The closing date must be a real date"),
        ({"closes_on_2": "1999"}, "closes_on", "The closing date must be today or in the future"),
        ({"closes_on_2": "2999"}, "closes_on", "The closing date must be within 6 months"),
    ],
)
def test_bad_round_input_is_explained_and_nothing_is_saved(
    client, users, setting, questionnaires, change, field, message
):
    client.force_login(users[Role.SETTING_MANAGER])
    data = {"kind": "staff", "title": "Spring", "link_count": "10"} | date_data(
        "closes_on", timezone.localdate() + datetime.timedelta(days=5)
    )
    response = client.post(reverse("audits:questionnaire-new"), data | change)
    assert_field_error(response, field, message)
    assert "Spring" in response.content.decode() or change.get("title") is not None
    assert not QuestionnaireRound.objects.exists()
    assert not QuestionnaireLink.objects.exists()


def test_no_questionnaire_loaded_is_said_plainly(client, users, setting, no_questionnaires):
    client.force_login(users[Role.SETTING_MANAGER])
    page = client.get(reverse("audits:questionnaire-new")).content.decode()
    assert "No questionnaire has been loaded yet" in page


# --- Access for every page and role -------------------------------------------------------------


def test_list_and_new_pages_by_role(client, users, questionnaires):
    assert_access(client, reverse("audits:questionnaire-list"), users, allowed=READERS)
    assert_access(
        client, reverse("audits:questionnaire-new"), users, allowed=[Role.SETTING_MANAGER]
    )
    assert_access(
        client,
        reverse("audits:questionnaire-new"),
        users,
        allowed=[Role.SETTING_MANAGER],
        method="POST",
        data={"kind": "staff"},
        wrong_method=None,
    )


def test_round_pages_by_role(client, users, setting, questionnaires, assigned):
    questionnaire_round, tokens = make_round(users, setting)
    pk = questionnaire_round.pk
    assert_access(client, reverse("audits:questionnaire-detail", args=[pk]), users, allowed=READERS)
    assert_access(
        client,
        reverse("audits:questionnaire-links", args=[pk]),
        users,
        allowed=[Role.SETTING_MANAGER],
    )
    for name in ("audits:questionnaire-new-links", "audits:questionnaire-close"):
        assert_access(client, reverse(name, args=[pk]), users, allowed=[Role.SETTING_MANAGER])
    for token in tokens[:5]:
        do_submit_response(token=token, answers=answers_for(questionnaire_round))
    close(questionnaire_round)
    assert_access(client, reverse("audits:questionnaire-export", args=[pk]), users, allowed=READERS)


def test_post_only_by_the_setting_manager(client, users, setting, questionnaires, assigned):
    questionnaire_round, _ = make_round(users, setting)
    for name in ("audits:questionnaire-new-links", "audits:questionnaire-close"):
        assert_access(
            client,
            reverse(name, args=[questionnaire_round.pk]),
            users,
            allowed=[Role.SETTING_MANAGER],
            method="POST",
            data={"link_count": "abc"},
            ok_status=(200, 302),
            wrong_method=None,
        )


def test_another_settings_round_is_not_found(client, users, other_setting, questionnaires):
    outsider = UserFactory(role=Role.SETTING_MANAGER, settings=[other_setting])
    issued = do_create_round(
        actor=outsider,
        setting=other_setting,
        kind="staff",
        title="Theirs",
        closes_on=timezone.localdate(),
        link_count=5,
    )
    pk = issued.round.pk
    readers = [users[Role.SETTING_MANAGER], users[Role.EVALUATOR]]  # not assigned there
    for name in ("audits:questionnaire-detail", "audits:questionnaire-export"):
        assert_not_found(client, reverse(name, args=[pk]), readers)
    for name in (
        "audits:questionnaire-links",
        "audits:questionnaire-new-links",
        "audits:questionnaire-close",
    ):
        assert_not_found(client, reverse(name, args=[pk]), [users[Role.SETTING_MANAGER]])
        if name != "audits:questionnaire-links":
            assert_not_found(
                client, reverse(name, args=[pk]), [users[Role.SETTING_MANAGER]], method="POST"
            )
    assert_not_found(client, reverse("audits:questionnaire-detail", args=[999999]), readers)
    # Their list does not show it either.
    client.force_login(users[Role.SETTING_MANAGER])
    assert "Theirs" not in client.get(reverse("audits:questionnaire-list")).content.decode()


def test_the_evaluator_reads_only_the_rounds_of_settings_assigned_to_them(
    client, users, setting, other_setting, questionnaires, assigned
):
    make_round(users, setting, title="Ours to read")
    outsider = UserFactory(role=Role.SETTING_MANAGER, settings=[other_setting])
    do_create_round(
        actor=outsider,
        setting=other_setting,
        kind="parent",
        title="Not assigned",
        closes_on=timezone.localdate(),
        link_count=5,
    )
    client.force_login(users[Role.EVALUATOR])
    page = client.get(reverse("audits:questionnaire-list")).content.decode()
    assert "Ours to read" in page and "Not assigned" not in page
    assert "Start a questionnaire" not in page


# --- The public answer page -----------------------------------------------------------------------


def test_anyone_with_a_link_answers_once_without_an_account(client, users, setting, questionnaires):
    questionnaire_round, tokens = make_round(users, setting)
    page = client.get(answer_url(tokens[0]))
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"]
    assert "Leadership and vision" in html and "Strongly agree" in html
    assert "Does not apply to me" in html  # statement 8 allows it
    data = post_data(questionnaire_round, "5", statement_8="na", comment="  More time to plan. ")
    response = client.post(answer_url(tokens[0]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:questionnaire-thanks")
    assert client.get(response["Location"]).status_code == 200

    stored = QuestionnaireResponse.objects.get()
    assert stored.comment == "More time to plan."
    assert stored.answers.count() == 12
    assert stored.answers.get(statement__number=8).value is None
    assert QuestionnaireLink.objects.get(token_hash=hash_token(tokens[0])).status == LinkStatus.USED

    reused = client.get(answer_url(tokens[0]))
    assert reused.status_code == 410
    assert "This link has already been used" in reused.content.decode()
    again = client.post(answer_url(tokens[0]), data)
    assert again.status_code == 410
    assert QuestionnaireResponse.objects.count() == 1


def test_the_service_refuses_a_second_use_of_a_link(users, setting, questionnaires):
    questionnaire_round, tokens = make_round(users, setting)
    do_submit_response(token=tokens[1], answers=answers_for(questionnaire_round))
    with pytest.raises(LinkRefused) as refused:
        do_submit_response(token=tokens[1], answers=answers_for(questionnaire_round))
    assert refused.value.reason == LinkRefusal.USED
    assert QuestionnaireResponse.objects.count() == 1


def test_unknown_links_are_not_found_with_an_explanation(client, db):
    response = client.get(answer_url("not-a-real-token-but-long-enough-to-look-like-one-000"))
    assert response.status_code == 404
    assert "This link is not recognised" in response.content.decode()
    assert client.post(answer_url("nope"), {}).status_code == 404


def test_links_expire_when_the_round_closes_by_date_or_early(
    client, users, setting, questionnaires
):
    by_date, tokens = make_round(users, setting, closes_in=0)
    assert client.get(answer_url(tokens[0])).status_code == 200  # open all of its last day
    close(by_date)
    expired = client.get(answer_url(tokens[0]))
    assert expired.status_code == 410
    assert "This questionnaire has closed" in expired.content.decode()
    assert client.post(answer_url(tokens[0]), post_data(by_date)).status_code == 410

    early, early_tokens = make_round(users, setting)
    do_close_round(actor=users[Role.SETTING_MANAGER], questionnaire_round=early)
    assert client.get(answer_url(early_tokens[0])).status_code == 410
    assert not QuestionnaireResponse.objects.exists()


def test_links_expire_at_midnight_after_the_closing_date(client, users, setting, questionnaires):
    import time_machine

    questionnaire_round, tokens = make_round(users, setting, closes_in=1)
    closing = questionnaire_round.closes_on
    last_minute = timezone.make_aware(datetime.datetime.combine(closing, datetime.time(23, 59)))
    with time_machine.travel(last_minute, tick=False):
        assert client.get(answer_url(tokens[0])).status_code == 200
    with time_machine.travel(last_minute + datetime.timedelta(minutes=2), tick=False):
        assert client.get(answer_url(tokens[0])).status_code == 410


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"statement_3": ""}, "statement_3", "Select how much you agree with statement 3"),
        ({"statement_3": "9"}, "statement_3", "Select one of the answers given for statement 3"),
        ({"statement_3": "na"}, "statement_3", "Select one of the answers given for statement 3"),
        ({"comment": "x" * 2001}, "comment", "Your comment must be 2000 characters or fewer"),
    ],
)
def test_bad_answers_are_explained_and_the_link_stays_unused(
    client, users, setting, questionnaires, change, field, message
):
    questionnaire_round, tokens = make_round(users, setting)
    response = client.post(answer_url(tokens[0]), post_data(questionnaire_round) | change)
    assert_field_error(response, field, message)
    html = response.content.decode()
    # What the person chose is kept.
    assert re.search(r'id="id_statement_1_4"\s*value="4"\s*checked="checked"', html)
    assert not QuestionnaireResponse.objects.exists()
    assert (
        QuestionnaireLink.objects.get(token_hash=hash_token(tokens[0])).status == LinkStatus.UNUSED
    )


def test_new_links_replace_the_unused_ones(client, users, setting, questionnaires):
    questionnaire_round, tokens = make_round(users, setting, links=4)
    do_submit_response(token=tokens[0], answers=answers_for(questionnaire_round))
    client.force_login(users[Role.SETTING_MANAGER])
    url = reverse("audits:questionnaire-new-links", args=[questionnaire_round.pk])
    assert "The 3 links not used yet will stop working" in client.get(url).content.decode()
    bad = client.post(url, {"link_count": "0"})
    assert_field_error(bad, "link_count", "Enter a number of links from 1 to 100")
    assert QuestionnaireLink.objects.filter(status=LinkStatus.WITHDRAWN).count() == 0
    response = client.post(url, {"link_count": "5"})
    new_tokens = TOKEN_IN_PATH.findall(client.get(response["Location"]).content.decode())
    assert len(set(new_tokens)) == 5
    client.logout()
    replaced = client.get(answer_url(tokens[1]))
    assert replaced.status_code == 410
    assert "This link has been replaced" in replaced.content.decode()
    assert client.get(answer_url(tokens[0])).status_code == 410  # used stays used
    assert client.get(answer_url(new_tokens[0])).status_code == 200
    detail = reverse("audits:questionnaire-detail", args=[questionnaire_round.pk])
    client.force_login(users[Role.SETTING_MANAGER])
    page = client.get(detail).content.decode()
    assert "17% (1 of 6)" in page  # 1 used + 5 new links issued


def test_closing_a_round_asks_first_and_cannot_be_undone(client, users, setting, questionnaires):
    questionnaire_round, tokens = make_round(users, setting)
    client.force_login(users[Role.SETTING_MANAGER])
    url = reverse("audits:questionnaire-close", args=[questionnaire_round.pk])
    assert "Close “Spring” now?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    questionnaire_round.refresh_from_db()
    assert questionnaire_round.closed_at is not None
    assert questionnaire_round.closed_by == users[Role.SETTING_MANAGER]
    assert client.get(url).status_code == 302  # already closed: back to the round
    new_links = reverse("audits:questionnaire-new-links", args=[questionnaire_round.pk])
    assert client.post(new_links, {"link_count": "3"}).status_code == 302
    assert QuestionnaireLink.objects.filter(round=questionnaire_round).count() == 10
    assert client.get(answer_url(tokens[0])).status_code == 410


# --- Anonymity ----------------------------------------------------------------------------------


def _field_names(model: type[models.Model]) -> set[str]:
    return {f.name for f in model._meta.get_fields() if not f.auto_created or f.concrete}


def test_a_response_cannot_be_joined_to_a_link_or_a_person_or_a_moment():
    # ``group`` is whom an evaluation link went to (settings or evaluators), never who:
    # results are split by it only when each group has enough answers to stay anonymous.
    assert _field_names(QuestionnaireResponse) == {"id", "round", "comment", "group"}
    assert _field_names(QuestionnaireAnswer) == {"id", "response", "statement", "value"}
    # The link keeps no time and no history of when it was used.
    assert _field_names(QuestionnaireLink) == {"id", "round", "token_hash", "status", "group"}
    for model in (QuestionnaireLink, QuestionnaireResponse, QuestionnaireAnswer):
        assert not hasattr(model, "history")
        assert not any(
            isinstance(f, models.DateField | models.DateTimeField) for f in model._meta.fields
        )
        assert not any(f.is_relation and f.related_model is User for f in model._meta.get_fields())


def test_results_and_exports_never_show_a_token_or_a_person_next_to_an_answer(
    client, users, setting, questionnaires, assigned
):
    questionnaire_round, tokens = make_round(users, setting, links=6)
    comments = ["Zebra crossing practice", "", "apples for snack", "More outdoor time", "", ""]
    for index, token in enumerate(tokens):
        do_submit_response(
            token=token,
            answers=answers_for(questionnaire_round, 1 + index % 5),
            comment=comments[index],
        )
    close(questionnaire_round)
    hashes = list(QuestionnaireLink.objects.values_list("token_hash", flat=True))
    response_ids = list(QuestionnaireResponse.objects.values_list("pk", flat=True))
    for role in READERS:
        client.force_login(users[role])
        page = client.get(reverse("audits:questionnaire-detail", args=[questionnaire_round.pk]))
        export = client.get(reverse("audits:questionnaire-export", args=[questionnaire_round.pk]))
        for body in (page.content.decode(), export.content.decode()):
            for secret in tokens + hashes:
                assert secret not in body
            assert "/questionnaires/answer/" not in body
        html = page.content.decode()
        assert "6 people answered" in html
        # Comments are apart from the ratings and in alphabetical order, not answer order.
        assert (
            html.index("apples for snack")
            < html.index("More outdoor time")
            < html.index("Zebra crossing practice")
        )
        # Nothing addresses a single response.
        for pk in response_ids:
            assert f"response/{pk}" not in html and f"responses/{pk}" not in html
        rows = list(csv.reader(io.StringIO(export.content.decode())))
        assert not any("Zebra" in cell for row in rows for cell in row)  # figures only
        assert {len(row) for row in rows[10:]} == {11}  # theme, number, text, 3 figures, 5 points
        client.logout()


def test_results_are_hidden_below_five_responses_and_while_open(
    client, users, setting, questionnaires
):
    questionnaire_round, tokens = make_round(users, setting, links=8)
    detail = reverse("audits:questionnaire-detail", args=[questionnaire_round.pk])
    export = reverse("audits:questionnaire-export", args=[questionnaire_round.pk])
    client.force_login(users[Role.SETTING_MANAGER])
    for token in tokens[:4]:
        do_submit_response(token=token, answers=answers_for(questionnaire_round, 2))
    close(questionnaire_round)
    html = client.get(detail).content.decode()
    assert "Fewer than 5 people answered (4)" in html
    assert "Strongly disagree" not in html and "Download the results" not in html
    assert client.get(export).status_code == 302

    reopened, more_tokens = make_round(users, setting, links=8)
    for token in more_tokens[:5]:
        do_submit_response(token=token, answers=answers_for(reopened, 2))
    open_html = client.get(reverse("audits:questionnaire-detail", args=[reopened.pk])).content
    assert b"The results will appear when the round closes" in open_html
    assert b"Strongly disagree" not in open_html
    close(reopened)
    shown = client.get(reverse("audits:questionnaire-detail", args=[reopened.pk])).content
    assert b"5 people answered" in shown and b"2.00" in shown


def test_each_statement_needs_five_answers_on_the_scale(client, users, setting, questionnaires):
    questionnaire_round, tokens = make_round(users, setting, links=6)
    for index, token in enumerate(tokens):
        answers = answers_for(questionnaire_round, 5)
        answers[8] = None if index < 2 else 3  # statement 8: only 4 answers on the scale
        do_submit_response(token=token, answers=answers)
    close(questionnaire_round)
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(reverse("audits:questionnaire-detail", args=[questionnaire_round.pk]))
    html = html.content.decode()
    row = html[html.index("8. I know which actions") :].split("</tr>")[0]
    assert "Fewer than 5 answers on the scale: not shown" in row
    export = client.get(reverse("audits:questionnaire-export", args=[questionnaire_round.pk]))
    rows = {r[1]: r for r in csv.reader(io.StringIO(export.content.decode())) if len(r) > 3}
    assert rows["8"][3] == "fewer than 5 answers: not shown"
    assert rows["1"][3:] == ["6", "0", "5.00", "0", "0", "0", "0", "6"]


def test_figures_mean_and_distribution(client, users, setting, questionnaires):
    questionnaire_round, tokens = make_round(users, setting, kind="parent", links=10)
    for value, token in zip([1, 2, 4, 5, 5, 5], tokens, strict=False):
        do_submit_response(token=token, answers=answers_for(questionnaire_round, value))
    close(questionnaire_round)
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(reverse("audits:questionnaire-detail", args=[questionnaire_round.pk]))
    html = html.content.decode()
    assert "60% (6 of 10)" in html
    assert "3.67" in html  # (1 + 2 + 4 + 5 + 5 + 5) / 6
    assert "3 (50%)" in html


def test_the_export_defuses_spreadsheet_formulas(client, users, setting, questionnaires):
    questionnaire_round, tokens = make_round(users, setting, title="=HYPERLINK(1)")
    for token in tokens[:5]:
        do_submit_response(token=token, answers=answers_for(questionnaire_round))
    close(questionnaire_round)
    client.force_login(users[Role.SETTING_MANAGER])
    body = client.get(reverse("audits:questionnaire-export", args=[questionnaire_round.pk]))
    assert body["Content-Type"].startswith("text/csv")
    assert "Round,'=HYPERLINK(1)" in body.content.decode()


# --- Queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 12])
def test_the_list_runs_a_constant_number_of_queries(
    client, users, setting, questionnaires, django_assert_num_queries, count
):
    questionnaire = questionnaires["staff"]
    manager = users[Role.SETTING_MANAGER]
    for index in range(count):
        questionnaire_round = QuestionnaireRound.objects.create(
            setting=setting,
            questionnaire=questionnaire,
            title=f"Round {index}",
            closes_on=timezone.localdate(),
            created_by=manager,
        )
        QuestionnaireLink.objects.create(round=questionnaire_round, token_hash=f"{index:064d}")
    client.force_login(manager)
    url = reverse("audits:questionnaire-list")
    client.get(url)
    # session, user, count, page of rounds with their figures
    with django_assert_num_queries(4):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("responses", [5, 40])
def test_the_results_page_runs_a_constant_number_of_queries(
    client, users, setting, questionnaires, django_assert_num_queries, responses
):
    questionnaire_round, tokens = make_round(users, setting, links=responses)
    for token in tokens:
        do_submit_response(token=token, answers=answers_for(questionnaire_round, 3), comment="Ok")
    close(questionnaire_round)
    manager = users[Role.MANAGER]
    client.force_login(manager)
    url = reverse("audits:questionnaire-detail", args=[questionnaire_round.pk])
    client.get(url)
    # session, user, round, scale, statements, answer tallies, comments, history (KQM manager)
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


def test_the_service_checks_answers_and_stores_nothing_on_a_problem(users, setting, questionnaires):
    from django.core.exceptions import ValidationError

    questionnaire_round, tokens = make_round(users, setting)
    answers = answers_for(questionnaire_round)
    for bad in (
        {k: v for k, v in answers.items() if k != 2},  # statement 2 missing
        answers | {2: None},  # "does not apply" where it is not offered
        answers | {2: 7},  # off the scale
        answers | {99: 3},  # a statement of another questionnaire
    ):
        with pytest.raises(ValidationError):
            do_submit_response(token=tokens[0], answers=bad)
    with pytest.raises(ValidationError):
        do_submit_response(token=tokens[0], answers=answers, comment="x" * 2001)
    assert not QuestionnaireResponse.objects.exists()
    link = QuestionnaireLink.objects.get(token_hash=hash_token(tokens[0]))
    assert link.status == LinkStatus.UNUSED
    assert hash_token(tokens[0]) == hashlib.sha256(tokens[0].encode()).hexdigest()
    assert len(tokens[0]) >= 43  # 32 random bytes


def test_a_round_holds_at_most_300_links(users, setting, questionnaires):
    from django.core.exceptions import ValidationError

    from audits.services.questionnaires import do_issue_new_links

    questionnaire_round, _ = make_round(users, setting, links=100)
    unused = QuestionnaireLink.objects.filter(round=questionnaire_round, status=LinkStatus.UNUSED)
    for _ in range(2):
        unused.update(status=LinkStatus.USED)  # as if everyone answered
        do_issue_new_links(
            actor=users[Role.SETTING_MANAGER],
            questionnaire_round=questionnaire_round,
            link_count=100,
        )
    unused.update(status=LinkStatus.USED)
    with pytest.raises(ValidationError) as error:
        do_issue_new_links(
            actor=users[Role.SETTING_MANAGER], questionnaire_round=questionnaire_round, link_count=1
        )
    assert "at most 300 links; this one has 300 already" in str(error.value)


def test_public_pages_refuse_other_methods(client, users, setting, questionnaires):
    _, tokens = make_round(users, setting)
    assert client.put(answer_url(tokens[0])).status_code == 405
    assert client.delete(answer_url(tokens[0])).status_code == 405
    assert client.post(reverse("audits:questionnaire-thanks")).status_code == 405
    assert client.get(reverse("audits:questionnaire-thanks")).status_code == 200


def test_the_load_questionnaires_command_is_idempotent(no_questionnaires):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_questionnaires", stdout=out)
    assert "kqm-staff (2026): loaded" in out.getvalue()
    assert "3 of 3 questionnaires loaded." in out.getvalue()
    out = StringIO()
    call_command("load_questionnaires", stdout=out)
    assert "kqm-parent (2026): already loaded" in out.getvalue()
    assert Questionnaire.objects.count() == 3
