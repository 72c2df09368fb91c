"""Each role's dashboard shows real data of that role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kqm.models import Role
from tests.access import assert_access
from tests.factories import SettingFactory

pytestmark = pytest.mark.django_db


def test_dashboard_serves_every_role_and_refuses_other_methods(client, users):
    assert_access(client, reverse("dashboard"), users, allowed=Role.values)


def test_manager_sees_counts_of_settings_and_users_by_role(client, users):
    SettingFactory.create_batch(3)
    client.force_login(users[Role.MANAGER])
    response = client.get(reverse("dashboard"))
    assert response.context["setting_count"] == 4
    counts = {row["value"]: row["count"] for row in response.context["users_by_role"]}
    assert counts == dict.fromkeys(Role.values, 1)
    assert "Active users by role" in response.content.decode()


def test_setting_staff_see_only_their_own_setting(client, users, setting, other_setting):
    for role in (Role.SETTING_MANAGER, Role.PRACTITIONER):
        client.force_login(users[role])
        html = client.get(reverse("dashboard")).content.decode()
        assert setting.name in html
        assert other_setting.name not in html


def test_evaluator_without_assignments_sees_an_empty_state(client, users, setting):
    client.force_login(users[Role.EVALUATOR])
    html = client.get(reverse("dashboard")).content.decode()
    assert "No settings are assigned to you yet" in html
    assert setting.name not in html


def test_viewer_sees_aggregates_not_settings(client, users, setting):
    SettingFactory(sector="maintained")
    client.force_login(users[Role.VIEWER])
    response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert response.context["setting_count"] == 2
    assert "Maintained" in html
    assert setting.name not in html


@pytest.mark.parametrize("extra", [0, 40])
def test_manager_dashboard_query_count_does_not_grow(
    client, users, extra, django_assert_num_queries
):
    SettingFactory.create_batch(extra)
    client.force_login(users[Role.MANAGER])
    # 6, 6 for the "needs attention" panel (tests/kqm/test_manager_dashboard.py) and
    # 3 for the to-do list (tests/accreditation/test_todo.py).
    with django_assert_num_queries(16):
        client.get(reverse("dashboard"))
