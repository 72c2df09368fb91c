"""Moderation: the assigned evaluator re-scores a sample, blind; agreement per scale."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from audits.models import ModerationScore
from kqm.models import Role

from .leuven_factories import assign_evaluator, date_data, scored_room

E, SM = Role.EVALUATOR, Role.SETTING_MANAGER


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0), tick=False):
        yield


@pytest.fixture
def room(users, setting):
    assign_evaluator(setting, users[E])
    # the setting's scores: (3,4), (2,4), (5,2), (None,3), (4,4)
    return scored_room(setting, [(3, 4), (2, 4), (5, 2), (None, 3), (4, 4)])


def _sample(children, rescores, when=datetime.date(2026, 11, 20)):
    data = date_data("moderated_on", when)
    for child in children:
        wb, inv = rescores.get(child.code, (None, None))
        data[f"wellbeing-{child.pk}"] = "" if wb is None else str(wb)
        data[f"involvement-{child.pk}"] = "" if inv is None else str(inv)
    return data


def test_the_evaluator_rescores_a_sample_blind_and_sees_the_agreement(client, users, room):
    screening, children = room
    client.force_login(users[E])
    url = reverse("audits:moderation-edit", args=[screening.pk])
    form_page = client.get(url).content.decode()
    assert "Setting’s well-being" not in form_page  # the setting's scores are not shown
    codes = [c.code for c in children]
    rescores = {
        codes[0]: (3, 4),  # well-being exact, involvement exact
        codes[1]: (3, 4),  # well-being within one, involvement exact
        codes[2]: (3, 2),  # well-being two apart, involvement exact
        codes[3]: (4, 5),  # well-being not scored by the setting, involvement two apart
    }
    response = client.post(url, _sample(children, rescores))
    assert response["Location"] == reverse("audits:moderation", args=[screening.pk])
    assert ModerationScore.objects.filter(screening=screening).count() == 4
    item = ModerationScore.objects.get(child=children[0])
    assert item.evaluator == users[E] and item.moderated_on == datetime.date(2026, 11, 20)
    assert item.history.first().history_user == users[E]

    page = client.get(reverse("audits:moderation", args=[screening.pk]))
    agreement = page.context["agreement"]
    # well-being: 3 compared, 1 exact (33%), 2 within one (67%)
    assert (agreement.wellbeing.compared, agreement.wellbeing.exact_percent) == (3, 33)
    assert agreement.wellbeing.within_one_percent == 67
    # involvement: 4 compared, 3 exact (75%), 3 within one (75%)
    assert (agreement.involvement.exact_percent, agreement.involvement.within_one_percent) == (
        75,
        75,
    )
    html = page.content.decode()
    assert "1 (33%)" in html and "2 (67%)" in html and "3 (75%)" in html

    # the setting's figures now say they are moderated
    client.force_login(users[SM])
    analysis = client.get(reverse("audits:group-analysis", args=[screening.group_id]))
    assert analysis.context["report"].moderated
    assert 'data-testid="moderated">Moderated<' in analysis.content.decode()
    detail = client.get(reverse("audits:screening-detail", args=[screening.pk])).content.decode()
    assert "4 children re-scored by the evaluator" in detail


def test_changing_the_sample_removes_children_left_blank(client, users, room):
    screening, children = room
    client.force_login(users[E])
    url = reverse("audits:moderation-edit", args=[screening.pk])
    client.post(url, _sample(children, {children[0].code: (3, 4), children[1].code: (2, 2)}))
    client.post(url, _sample(children, {children[1].code: (3, 3)}))
    assert list(
        ModerationScore.objects.filter(screening=screening).values_list(
            "child__code", "wellbeing", "involvement"
        )
    ) == [(children[1].code, 3, 3)]


def test_bad_moderation_input_saves_nothing(client, users, room):
    screening, children = room
    client.force_login(users[E])
    url = reverse("audits:moderation-edit", args=[screening.pk])
    half = _sample(children, {children[0].code: (3, None)})
    response = client.post(url, half)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Choose {children[0].code}’s involvement score too, or neither" in html
    assert "govuk-error-summary" in html and "govuk-form-group--error" in html
    response = client.post(url, _sample(children, {}))
    assert "Re-score at least one child" in response.content.decode()
    future = _sample(children, {children[0].code: (3, 3)}, datetime.date(2026, 12, 1))
    response = client.post(url, future)
    assert "The date of moderation must be today or in the past" in response.content.decode()
    assert response.content.decode().startswith("<!DOCTYPE html>")
    assert "<title>Error:" in response.content.decode()
    bad = _sample(children, {children[0].code: (3, 3)})
    bad[f"wellbeing-{children[1].pk}"] = "9"
    bad[f"involvement-{children[1].pk}"] = "3"
    assert "Choose a score from 1 to 5" in client.post(url, bad).content.decode()
    assert ModerationScore.objects.count() == 0


def test_an_evaluator_not_assigned_to_the_setting_cannot_moderate(client, users, setting):
    screening, _ = scored_room(setting, [(3, 3)])
    client.force_login(users[E])  # no accreditation of this setting is assigned to them
    assert client.get(reverse("audits:moderation-edit", args=[screening.pk])).status_code == 404
    assert client.get(reverse("audits:screening-detail", args=[screening.pk])).status_code == 404
