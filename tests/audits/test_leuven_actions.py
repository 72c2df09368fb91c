"""Action points for red and amber children: adding, following up and closing them, the
setting's list, and the open ones on the setting staff's dashboard."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from audits.models import ActionPoint, ChildDataAccess
from kqm.models import Role
from tests.access import assert_field_error

from .leuven_factories import ActionPointFactory, LeuvenScoreFactory, date_data, scored_room

SM, P, E = Role.SETTING_MANAGER, Role.PRACTITIONER, Role.EVALUATOR
TODAY = datetime.datetime(2026, 11, 25, 10, 0)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _action_data(**changes):
    data = {
        "action": "Key person to plan small-group play with the train set every day",
        "owner": "Key person",
        **date_data("due_on", datetime.date(2026, 12, 12)),
    }
    data.update(changes)
    return data


def test_a_practitioner_adds_an_action_point_for_a_red_child(client, users, setting):
    screening, _ = scored_room(setting, [(2, 4)])
    score = screening.scores.get()
    client.force_login(users[P])
    response = client.post(reverse("audits:action-new", args=[score.pk]), _action_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:screening-detail", args=[screening.pk])
    point = ActionPoint.objects.get()
    assert (point.score, point.owner, point.due_on) == (
        score,
        "Key person",
        datetime.date(2026, 12, 12),
    )
    assert point.created_by == users[P] and point.history.first().history_user == users[P]
    html = client.get(reverse("audits:screening-detail", args=[screening.pk])).content.decode()
    assert "train set" in html and "Follow up" in html


def test_amber_children_get_action_points_too_but_green_children_do_not(client, users, setting):
    screening, _ = scored_room(setting, [(3, 4), (4, 4)])
    amber, green = sorted(screening.scores.all(), key=lambda s: s.wellbeing)
    client.force_login(users[SM])
    assert (
        client.post(reverse("audits:action-new", args=[amber.pk]), _action_data()).status_code
        == 302
    )
    response = client.post(reverse("audits:action-new", args=[green.pk]), _action_data())
    assert response.status_code == 200
    assert "Action points are for children in the red or amber zone" in response.content.decode()
    assert ActionPoint.objects.count() == 1


def test_an_action_point_needs_what_who_and_a_real_date(client, users, setting):
    screening, _ = scored_room(setting, [(1, 1)])
    score = screening.scores.get()
    client.force_login(users[P])
    url = reverse("audits:action-new", args=[score.pk])
    response = client.post(url, _action_data(action="", owner=""))
    assert_field_error(response, "action", "Enter what will be done")
    assert_field_error(response, "owner", "Enter who will do it")
    response = client.post(url, _action_data(due_on_0="31", due_on_1="2", due_on_2="2027"))
    assert_field_error(response, "due_on", "The date it is due must be a real date")
    assert ActionPoint.objects.count() == 0
    assert "Key person" in response.content.decode()  # what was typed is kept


def test_closing_needs_the_follow_up_outcome(client, users, setting):
    point = ActionPointFactory(
        score__child__group__setting=setting, score__screening__group__setting=setting
    )
    client.force_login(users[P])
    url = reverse("audits:action-edit", args=[point.pk])
    response = client.post(url, _action_data(closed="on", follow_up=""))
    assert_field_error(
        response, "follow_up", "Enter the follow-up outcome before closing the action point"
    )
    point.refresh_from_db()
    assert point.closed_on is None
    response = client.post(
        url, _action_data(closed="on", follow_up="Now 4 and 4: joins the group at the table.")
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.closed_on == datetime.date(2026, 11, 25)
    assert point.follow_up.startswith("Now 4 and 4")
    # reopening clears the closing date
    client.post(url, _action_data(follow_up=point.follow_up))
    point.refresh_from_db()
    assert point.closed_on is None


# --- The dashboard and the setting's list ------------------------------------------------------


def _actions(setting, n, **kwargs):
    screening, _ = scored_room(setting, [(2, 2)] * n)
    return [
        ActionPointFactory(
            score=score, due_on=datetime.date(2026, 12, 1) + datetime.timedelta(days=i), **kwargs
        )
        for i, score in enumerate(screening.scores.order_by("pk"))
    ]


@pytest.mark.parametrize("role", [SM, P])
def test_open_action_points_show_on_the_dashboard_until_closed(
    client, users, setting, other_setting, role
):
    open_point, closed_point = _actions(setting, 2)
    closed_point.closed_on = datetime.date(2026, 11, 20)
    closed_point.save()
    elsewhere = _actions(other_setting, 1, action="Someone else's plan")[0]
    client.force_login(users[role])
    response = client.get(reverse("dashboard"))
    assert [p.pk for p in response.context["open_actions"]] == [open_point.pk]
    html = response.content.decode()
    assert "Open action points" in html and open_point.score.child.code in html
    assert closed_point.score.child.code not in html and elsewhere.score.child.code not in html
    # the dashboard named a child, so it is logged like any child-level page
    log = ChildDataAccess.objects.get(user=users[role])
    assert (log.setting, log.page) == (setting, "Dashboard: open action points")


def test_overdue_action_points_are_marked(client, users, setting):
    (point,) = _actions(setting, 1)
    point.due_on = datetime.date(2026, 11, 1)
    point.save()
    client.force_login(users[SM])
    assert "Overdue" in client.get(reverse("dashboard")).content.decode()


def test_other_roles_dashboards_do_not_list_action_points_or_log(client, users, setting):
    _actions(setting, 1)
    for role in (Role.MANAGER, E, Role.VIEWER):
        client.force_login(users[role])
        response = client.get(reverse("dashboard"))
        assert "open_actions" not in response.context
    assert ChildDataAccess.objects.count() == 0


@pytest.mark.parametrize("count", [3, 12])
def test_the_dashboard_runs_a_fixed_number_of_queries(
    client, users, setting, count, django_assert_num_queries
):
    _actions(setting, count)
    client.force_login(users[SM])
    client.get(reverse("dashboard"))  # warm the session
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("dashboard"))
    assert len(response.context["open_actions"]) == min(count, 10)
    assert response.context["open_action_total"] == count


# 7, and one a section of the setting manager's to-do list (tests/accreditation/test_todo.py).
DASHBOARD_QUERIES = 13


def test_the_settings_action_points_filter_and_search(client, users, setting):
    points = _actions(setting, 3)
    points[0].closed_on = datetime.date(2026, 11, 20)
    points[0].save()
    client.force_login(users[SM])
    url = reverse("audits:setting-actions", args=[setting.pk])
    assert [p.pk for p in client.get(url).context["page_obj"]] == [points[1].pk, points[2].pk]
    closed = client.get(url, {"status": "closed"}).context["page_obj"]
    assert [p.pk for p in closed] == [points[0].pk]
    everything = client.get(url, {"status": "all"}).context["page_obj"]
    assert len(everything) == 3
    code = points[2].score.child.code
    found = client.get(url, {"status": "all", "q": code.lower()}).context["page_obj"]
    assert [p.pk for p in found] == [points[2].pk]
    assert "No action points match" in client.get(url, {"q": "nobody"}).content.decode()
    by_code = client.get(url, {"status": "all", "sort": "code"}).context["page_obj"]
    codes = [p.score.child.code for p in by_code]
    assert codes == sorted(codes)


@pytest.mark.parametrize("count", [3, 12])
def test_the_action_point_list_runs_a_fixed_number_of_queries(
    client, users, setting, count, django_assert_num_queries
):
    _actions(setting, count)
    client.force_login(users[P])
    url = reverse("audits:setting-actions", args=[setting.pk])
    client.get(url)
    with django_assert_num_queries(ACTION_LIST_QUERIES):
        response = client.get(url)
    assert len(response.context["page_obj"]) == min(count, 25)


ACTION_LIST_QUERIES = 6


def test_an_action_point_of_a_green_score_cannot_be_reached_from_another_setting(
    client, users, other_setting
):
    score = LeuvenScoreFactory(
        screening__group__setting=other_setting, child__group__setting=other_setting, wellbeing=1
    )
    client.force_login(users[P])
    assert client.get(reverse("audits:action-new", args=[score.pk])).status_code == 404
