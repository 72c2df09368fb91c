"""The KQM manager's user pages: list, detail with history, deactivate/reactivate."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kqm.models import Role
from kqm.selectors import setting_managers_of
from tests.access import assert_access
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_user_pages_are_for_the_manager_only(client, users):
    target = users[Role.VIEWER]
    for url in [
        reverse("users:list"),
        reverse("users:invite"),
        reverse("users:detail", args=[target.pk]),
        reverse("users:deactivate", args=[target.pk]),
    ]:
        assert_access(client, url, users, allowed=[Role.MANAGER])


def test_unknown_user_is_404(client, manager):
    client.force_login(manager)
    assert client.get(reverse("users:detail", args=[987654])).status_code == 404
    assert client.post(reverse("users:deactivate", args=[987654])).status_code == 404


def test_list_searches_filters_and_paginates(client, manager):
    for n in range(30):
        UserFactory(full_name=f"Evaluator {n:02d}", role=Role.EVALUATOR)
    UserFactory(full_name="Zed Viewer", email="zed@example.org", role=Role.VIEWER)
    client.force_login(manager)
    html = client.get(reverse("users:list"), {"q": "zed"}).content.decode()
    assert "Zed Viewer" in html and "Evaluator 01" not in html
    response = client.get(reverse("users:list"), {"role": Role.EVALUATOR})
    assert response.context["page_obj"].paginator.count == 31  # with the fixture's evaluator
    assert "Zed Viewer" not in response.content.decode()
    page2 = client.get(reverse("users:list"), {"role": Role.EVALUATOR, "page": 2})
    assert len(page2.context["page_obj"].object_list) == 6
    assert 'rel="prev"' in page2.content.decode()
    assert 'rel="next"' not in page2.content.decode()
    empty = client.get(reverse("users:list"), {"q": "no-such-person"})
    assert "No users match these filters" in empty.content.decode()


@pytest.mark.parametrize("rows", [3, 12])
def test_user_list_runs_a_constant_number_of_queries(
    client, manager, rows, django_assert_num_queries
):
    for _ in range(rows):
        UserFactory(role=Role.SETTING_MANAGER)
    client.force_login(manager)
    # session, user, count, page of users, their settings (prefetch)
    with django_assert_num_queries(5):
        assert client.get(reverse("users:list")).status_code == 200


def test_deactivate_asks_first_then_blocks_sign_in_and_records_history(client, manager):
    person = UserFactory(email="leaving@example.org", role=Role.EVALUATOR)
    client.force_login(manager)
    confirm = client.get(reverse("users:deactivate", args=[person.pk]))
    assert "They will no longer be able to sign in" in confirm.content.decode()
    person.refresh_from_db()
    assert person.is_active
    response = client.post(reverse("users:deactivate", args=[person.pk]))
    assert response["Location"] == reverse("users:detail", args=[person.pk])
    person.refresh_from_db()
    assert not person.is_active
    last = person.history.first()
    assert last.history_user == manager
    detail = client.get(reverse("users:detail", args=[person.pk])).content.decode()
    assert "History" in detail and "Is active</strong>: Yes &rarr; No" in detail
    client.logout()
    client.post(reverse("login"), {"username": "leaving@example.org", "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session

    client.force_login(manager)
    client.post(reverse("users:reactivate", args=[person.pk]))
    person.refresh_from_db()
    assert person.is_active


def test_manager_cannot_deactivate_themselves(client, manager):
    client.force_login(manager)
    response = client.post(reverse("users:deactivate", args=[manager.pk]), follow=True)
    assert "You cannot deactivate your own account" in response.content.decode()
    manager.refresh_from_db()
    assert manager.is_active


def test_the_setting_managers_told_about_settings_are_active_managers_each_once(
    setting, other_setting
):
    first = UserFactory(role=Role.SETTING_MANAGER, settings=[setting, other_setting])
    second = UserFactory(role=Role.SETTING_MANAGER, settings=[other_setting])
    UserFactory(role=Role.SETTING_MANAGER, settings=[setting], is_active=False)
    UserFactory(role=Role.PRACTITIONER, settings=[setting])
    UserFactory(role=Role.SETTING_MANAGER)  # of no setting here
    assert setting_managers_of(setting.pk) == [first]
    assert setting_managers_of(setting.pk, other_setting.pk) == [first, second]
    assert setting_managers_of() == []
