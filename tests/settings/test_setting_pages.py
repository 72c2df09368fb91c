from __future__ import annotations

import pytest
from django.urls import reverse

from kqm.models import Role
from tests.access import assert_access, assert_not_found

pytestmark = pytest.mark.django_db


def test_setting_page_access_by_role(client, users, setting):
    url = reverse("settings:detail", args=[setting.pk])
    # Evaluators see only settings assigned to them: none yet, so 404 (not 403).
    assert_access(
        client,
        url,
        users,
        allowed=[Role.MANAGER, Role.SETTING_MANAGER, Role.PRACTITIONER],
        not_found=[Role.EVALUATOR],
    )


def test_another_settings_page_is_not_found(client, users, other_setting):
    url = reverse("settings:detail", args=[other_setting.pk])
    assert_not_found(client, url, [users[Role.SETTING_MANAGER], users[Role.PRACTITIONER]])


def test_manager_sees_the_history_staff_do_not(client, users, setting):
    setting.name = "Renamed Nursery"
    setting.save()
    url = reverse("settings:detail", args=[setting.pk])
    client.force_login(users[Role.MANAGER])
    html = client.get(url).content.decode()
    assert "History" in html and "Little Acorns Day Nursery &rarr; Renamed Nursery" in html
    client.force_login(users[Role.SETTING_MANAGER])
    assert "History" not in client.get(url).content.decode()
