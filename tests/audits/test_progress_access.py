"""Who may open each learning progress page: every URL and role, another setting's
objects, the wrong method, and the child data access log."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from audits.models import ChildDataAccess
from kqm.models import Role
from tests.access import assert_access

from .leuven_factories import ChildFactory, GroupFactory, assign_evaluator
from .progress_factories import CheckpointFactory, RecordFactory

M, E, SM, P, V = (
    Role.MANAGER,
    Role.EVALUATOR,
    Role.SETTING_MANAGER,
    Role.PRACTITIONER,
    Role.VIEWER,
)
ALL = (M, E, SM, P)
CHILD_LEVEL = (E, SM, P)


@dataclass
class World:
    setting_id: int
    group_id: int
    child_id: int
    checkpoint_id: int


def _world(setting) -> World:
    group = GroupFactory(setting=setting, name="Rabbits")
    child = ChildFactory(group=group)
    checkpoint = CheckpointFactory(group=group)
    RecordFactory(checkpoint=checkpoint, child=child)
    return World(setting.pk, group.pk, child.pk, checkpoint.pk)


@pytest.fixture
def worlds(users, setting, other_setting) -> tuple[World, World]:
    assign_evaluator(setting, users[E])
    return _world(setting), _world(other_setting)


# (url name, which id it takes, roles that may open it, child-level so logged)
PAGES: list[tuple[str, Callable[[World], dict[str, int]], tuple[str, ...], bool]] = [
    ("progress-setting", lambda w: {"setting_id": w.setting_id}, ALL, False),
    ("progress-summary", lambda w: {"setting_id": w.setting_id}, ALL, False),
    ("checkpoint-new", lambda w: {"group_id": w.group_id}, (SM, P), False),
    ("checkpoint-detail", lambda w: {"checkpoint_id": w.checkpoint_id}, CHILD_LEVEL, True),
    ("checkpoint-edit", lambda w: {"checkpoint_id": w.checkpoint_id}, (SM, P), False),
    ("checkpoint-entry", lambda w: {"checkpoint_id": w.checkpoint_id}, (SM, P), True),
    ("checkpoint-upload", lambda w: {"checkpoint_id": w.checkpoint_id}, (SM, P), False),
    ("checkpoint-export", lambda w: {"checkpoint_id": w.checkpoint_id}, CHILD_LEVEL, True),
]
IDS = [p[0] for p in PAGES]


def test_every_progress_url_is_in_this_table():
    from audits.views import progress

    names = {pattern.name for pattern in progress.urlpatterns}
    assert names == {name for name, *_ in PAGES} | {"checkpoint-autosave"}


@pytest.mark.parametrize(("name", "kwargs", "allowed", "logged"), PAGES, ids=IDS)
def test_each_role_on_each_page(client, users, worlds, name, kwargs, allowed, logged):
    own, _ = worlds
    assert_access(client, reverse(f"audits:{name}", kwargs=kwargs(own)), users, allowed=allowed)


@pytest.mark.parametrize(("name", "kwargs", "allowed", "logged"), PAGES, ids=IDS)
def test_another_settings_objects_are_not_found(
    client, users, worlds, name, kwargs, allowed, logged
):
    _, other = worlds
    assert_access(
        client,
        reverse(f"audits:{name}", kwargs=kwargs(other)),
        users,
        allowed=[M] if M in allowed else [],
        not_found=[role for role in allowed if role != M],
        wrong_method=None,
    )


@pytest.mark.parametrize(("name", "kwargs", "allowed", "logged"), PAGES, ids=IDS)
def test_child_level_pages_are_logged(
    client, users, worlds, setting, name, kwargs, allowed, logged
):
    own, other = worlds
    role = SM if SM in allowed else allowed[0]
    client.force_login(users[role])
    url = reverse(f"audits:{name}", kwargs=kwargs(own))
    before = ChildDataAccess.objects.count()
    assert client.get(url).status_code == 200
    entries = list(ChildDataAccess.objects.order_by("pk")[before:])
    if logged:
        assert [(e.user, e.setting_id, e.path) for e in entries] == [(users[role], setting.pk, url)]
    else:
        assert entries == []
    client.get(reverse(f"audits:{name}", kwargs=kwargs(other)))
    assert ChildDataAccess.objects.count() == before + len(entries)


def test_the_viewer_gets_403_everywhere_and_the_manager_sees_no_child(
    client, users, worlds, setting
):
    own, _ = worlds
    client.force_login(users[V])
    for name, kwargs, *_ in PAGES:
        assert client.get(reverse(f"audits:{name}", kwargs=kwargs(own))).status_code == 403
    autosave = reverse("audits:checkpoint-autosave", args=[own.checkpoint_id])
    assert client.post(autosave, "{}", content_type="application/json").status_code == 403
    client.force_login(users[M])
    for name in ("progress-setting", "progress-summary"):
        html = client.get(reverse(f"audits:{name}", args=[own.setting_id])).content.decode()
        assert reverse("audits:checkpoint-detail", args=[own.checkpoint_id]) not in html
    assert not ChildDataAccess.objects.filter(user__role__in=[M, V]).exists()


def test_autosave_roles_other_setting_and_method(client, users, worlds):
    own, other = worlds

    def post(checkpoint_id: int, child_id: int, value: str, revision: int):
        body = {"child": child_id, "scale": "cl", "value": value, "revision": revision}
        return client.post(
            reverse("audits:checkpoint-autosave", args=[checkpoint_id]),
            json.dumps(body),
            content_type="application/json",
        )

    revision = 0
    for role in Role.values:
        client.force_login(users[role])
        response = post(
            own.checkpoint_id, own.child_id, "below" if role == SM else "above", revision
        )
        if role in (SM, P):
            assert response.status_code == 200, role
            revision = response.json()["revision"]
            assert post(other.checkpoint_id, other.child_id, "below", 0).status_code == 404
        else:
            assert response.status_code == 403, role
    client.force_login(users[SM])
    url = reverse("audits:checkpoint-autosave", args=[own.checkpoint_id])
    assert client.get(url).status_code == 405
