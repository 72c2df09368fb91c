"""Who may open each Leuven page: every URL and role, another setting's objects, and the
child data access log."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from audits.models import Child, ChildDataAccess, Screening
from kqm.models import Role
from tests.access import assert_access

from .leuven_factories import (
    ActionPointFactory,
    ChildFactory,
    GroupFactory,
    ModerationScoreFactory,
    ScreeningFactory,
    assign_evaluator,
)

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
    """One setting's Leuven objects, keyed the way the URLs take them."""

    setting_id: int
    group_id: int
    child_id: int
    screening_id: int
    score_id: int
    action_id: int


def _world(setting, evaluator) -> World:
    group = GroupFactory(setting=setting, name="Rabbits")
    child = ChildFactory(group=group)
    screening = ScreeningFactory(group=group)
    point = ActionPointFactory(score__screening=screening, score__child=child)
    ModerationScoreFactory(screening=screening, child=child, evaluator=evaluator)
    return World(
        setting_id=setting.pk,
        group_id=group.pk,
        child_id=child.pk,
        screening_id=screening.pk,
        score_id=point.score_id,
        action_id=point.pk,
    )


@pytest.fixture
def worlds(users, setting, other_setting) -> tuple[World, World]:
    """``setting`` (the users' own, with the evaluator assigned) and ``other_setting``."""
    evaluator = users[E]
    assign_evaluator(setting, evaluator)
    return _world(setting, evaluator), _world(other_setting, evaluator)


# (url name, which id it takes, roles that may open it, child-level so logged)
PAGES: list[tuple[str, Callable[[World], dict[str, int]], tuple[str, ...], bool]] = [
    ("leuven-setting", lambda w: {"setting_id": w.setting_id}, ALL, False),
    ("setting-analysis", lambda w: {"setting_id": w.setting_id}, ALL, False),
    ("setting-summary-pdf", lambda w: {"setting_id": w.setting_id}, ALL, False),
    ("setting-actions", lambda w: {"setting_id": w.setting_id}, CHILD_LEVEL, True),
    ("access-log", lambda w: {"setting_id": w.setting_id}, (M, SM), False),
    ("group-new", lambda w: {"setting_id": w.setting_id}, (SM,), False),
    ("group-detail", lambda w: {"group_id": w.group_id}, CHILD_LEVEL, True),
    ("group-edit", lambda w: {"group_id": w.group_id}, (SM,), False),
    ("group-analysis", lambda w: {"group_id": w.group_id}, ALL, False),
    ("group-trends", lambda w: {"group_id": w.group_id}, CHILD_LEVEL, True),
    ("child-new", lambda w: {"group_id": w.group_id}, (SM,), False),
    ("screening-new", lambda w: {"group_id": w.group_id}, (SM, P), False),
    ("child-detail", lambda w: {"child_id": w.child_id}, CHILD_LEVEL, True),
    ("child-edit", lambda w: {"child_id": w.child_id}, (SM,), True),
    ("child-leave", lambda w: {"child_id": w.child_id}, (SM,), True),
    ("child-export", lambda w: {"child_id": w.child_id}, (SM,), True),
    ("screening-detail", lambda w: {"screening_id": w.screening_id}, ALL, True),
    ("screening-edit", lambda w: {"screening_id": w.screening_id}, (SM, P), False),
    ("screening-scores", lambda w: {"screening_id": w.screening_id}, (SM, P), True),
    ("screening-upload", lambda w: {"screening_id": w.screening_id}, (SM, P), False),
    ("screening-export", lambda w: {"screening_id": w.screening_id}, CHILD_LEVEL, True),
    ("moderation", lambda w: {"screening_id": w.screening_id}, ALL, True),
    ("moderation-edit", lambda w: {"screening_id": w.screening_id}, (E,), True),
    ("action-new", lambda w: {"score_id": w.score_id}, (SM, P), True),
    ("action-edit", lambda w: {"action_id": w.action_id}, (SM, P), True),
]


def test_every_leuven_url_is_in_this_table():
    from audits.views import leuven

    names = {pattern.name for pattern in leuven.urlpatterns}
    assert names == {name for name, *_ in PAGES} | {"leuven-home", "screening-autosave"}


def test_leuven_home_is_for_everyone_but_viewers(client, users):
    assert_access(client, reverse("audits:leuven-home"), users, allowed=ALL)


@pytest.mark.parametrize(("name", "kwargs", "allowed", "logged"), PAGES, ids=[p[0] for p in PAGES])
def test_each_role_on_each_page(client, users, worlds, name, kwargs, allowed, logged):
    own, _ = worlds
    assert_access(client, reverse(f"audits:{name}", kwargs=kwargs(own)), users, allowed=allowed)


@pytest.mark.parametrize(("name", "kwargs", "allowed", "logged"), PAGES, ids=[p[0] for p in PAGES])
def test_another_settings_objects_are_not_found(
    client, users, worlds, name, kwargs, allowed, logged
):
    """Setting staff and the evaluator get 404 for a setting that is not theirs; the KQM
    manager, who sees every setting, still gets what their role allows."""
    _, other = worlds
    url = reverse(f"audits:{name}", kwargs=kwargs(other))
    assert_access(
        client,
        url,
        users,
        allowed=[M] if M in allowed else [],
        not_found=[role for role in allowed if role != M],
        wrong_method=None,
    )


@pytest.mark.parametrize(("name", "kwargs", "allowed", "logged"), PAGES, ids=[p[0] for p in PAGES])
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
        assert len(entries) == 1
        entry = entries[0]
        assert (entry.user, entry.setting_id, entry.path) == (users[role], setting.pk, url)
        assert entry.page
    else:
        assert entries == []
    # A refused request (another setting's object) logs nothing.
    if role != M:
        client.get(reverse(f"audits:{name}", kwargs=kwargs(other)))
        assert ChildDataAccess.objects.count() == before + len(entries)


def test_the_manager_opens_a_screening_and_its_moderation_read_only_and_is_logged(
    client, users, worlds, setting
):
    own, _ = worlds
    client.force_login(users[M])
    html = client.get(reverse("audits:screening-detail", args=[own.screening_id])).content.decode()
    assert "Enter scores" not in html and "Add an action point" not in html
    assert reverse("audits:child-detail", args=[own.child_id]) not in html
    client.get(reverse("audits:moderation", args=[own.screening_id]))
    pages = ChildDataAccess.objects.filter(user=users[M], setting=setting).order_by("pk")
    assert [page.split(":")[0] for page in pages.values_list("page", flat=True)] == [
        "Screening",
        "Moderation",
    ]


def test_the_viewer_gets_403_on_every_page(client, users, worlds):
    own, _ = worlds
    client.force_login(users[V])
    urls = [reverse(f"audits:{name}", kwargs=kwargs(own)) for name, kwargs, *_ in PAGES]
    urls.append(reverse("audits:leuven-home"))
    for url in urls:
        assert client.get(url).status_code == 403, url
    autosave = reverse("audits:screening-autosave", args=[own.screening_id])
    assert client.post(autosave, "{}", content_type="application/json").status_code == 403
    assert ChildDataAccess.objects.filter(user=users[V]).count() == 0


def _autosave(client, screening_id: int, child_id: int, revision: int):
    return client.post(
        reverse("audits:screening-autosave", args=[screening_id]),
        json.dumps({"child": child_id, "scale": "wellbeing", "value": 5, "revision": revision}),
        content_type="application/json",
    )


def test_autosave_roles_other_setting_and_method(client, users, worlds):
    own, other = worlds
    for role in Role.values:
        client.force_login(users[role])
        revision = Screening.objects.get(pk=own.screening_id).revision
        response = _autosave(client, own.screening_id, own.child_id, revision)
        assert response.status_code == (200 if role in (SM, P) else 403), role
        if role in (SM, P):
            other_revision = Screening.objects.get(pk=other.screening_id).revision
            assert (
                _autosave(client, other.screening_id, other.child_id, other_revision).status_code
                == 404
            )
            assert (
                client.get(
                    reverse("audits:screening-autosave", args=[own.screening_id])
                ).status_code
                == 405
            )
        client.logout()


def test_a_practitioner_cannot_reach_another_settings_child_through_their_own_screening(
    client, users, worlds
):
    own, other = worlds
    client.force_login(users[P])
    revision = Screening.objects.get(pk=own.screening_id).revision
    response = _autosave(client, own.screening_id, other.child_id, revision)
    assert response.status_code == 400
    assert "not on this screening" in response.json()["error"]


def test_leuven_home_lists_only_the_users_settings(client, users, worlds, setting, other_setting):
    for role, sees_other in ((SM, False), (P, False), (E, False), (M, True)):
        client.force_login(users[role])
        html = client.get(reverse("audits:leuven-home"), {"year": 2026}).content.decode()
        assert setting.name in html
        assert (other_setting.name in html) is sees_other, role


def test_a_child_from_another_setting_never_appears_on_a_screening(client, users, worlds):
    own, other = worlds
    client.force_login(users[SM])
    other_code = Child.objects.get(pk=other.child_id).code
    for name in ("screening-detail", "screening-scores"):
        html = client.get(reverse(f"audits:{name}", args=[own.screening_id])).content.decode()
        assert other_code not in html
