"""Who may do what is named in ``kqm.policy``; templates ask ``can``, never a role string."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from kqm import policy
from kqm.context_processors import can as can_context
from kqm.models import Role, User

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# A template tag that reads a role: ``{% if user.role == ... %}``, ``{% elif ... .role %}``.
ROLE_IN_TAG = re.compile(r"{%[^%]*\.role\b[^%]*%}")
CAN_NAME = re.compile(r"\bcan\.(\w+)")


def _templates() -> list[Path]:
    return sorted(path for path in TEMPLATES.rglob("*") if path.suffix in (".html", ".txt"))


def test_no_template_decides_by_comparing_a_role() -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in _templates()
        for match in ROLE_IN_TAG.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, "ask `can` instead of comparing roles:\n" + "\n".join(found)


def test_the_rule_finds_a_role_compared_in_a_template() -> None:
    assert ROLE_IN_TAG.search('{% if user.role == "manager" %}')
    assert ROLE_IN_TAG.search("{% elif request.user.role != 'viewer' and x %}")
    assert not ROLE_IN_TAG.search("<th>{{ row.role }}</th>")  # shown, not compared


def test_every_question_templates_ask_of_can_has_an_answer() -> None:
    known = {*policy.ROLE_CAPABILITIES, *policy.PAGE_CAPABILITIES}
    asked = {
        name for path in _templates() for name in CAN_NAME.findall(path.read_text(encoding="utf-8"))
    }
    assert asked and asked <= known, sorted(asked - known)


@pytest.mark.parametrize("role", Role.values)
def test_can_answers_from_the_named_role_sets(role: str) -> None:
    can = policy.Can(User(role=role))
    for name, roles in policy.ROLE_CAPABILITIES.items():
        assert getattr(can, name) is (role in roles), name
    with pytest.raises(AttributeError):
        can.run_the_world  # noqa: B018 - a misspelt question fails


@pytest.mark.parametrize("role", Role.values)
def test_a_link_shows_to_exactly_the_roles_its_page_lets_in(role: str) -> None:
    can = policy.Can(User(role=role))
    for name, url_name in policy.PAGE_CAPABILITIES.items():
        roles = policy.view_roles(url_name)
        assert roles, f"{url_name} declares no roles"
        assert getattr(can, name) is (role in roles), name
    assert can.see_awards is (role in {Role.MANAGER, Role.SETTING_MANAGER, Role.PRACTITIONER})


def test_someone_signed_out_can_do_nothing(rf: RequestFactory) -> None:
    request = rf.get("/")
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    can = can_context(request)["can"]
    assert not any(getattr(can, name) for name in policy.ROLE_CAPABILITIES)
    assert not any(getattr(can, name) for name in policy.PAGE_CAPABILITIES)


@pytest.mark.django_db
def test_templates_receive_can(client, users) -> None:
    rendered = Template("{% if can.run_programme %}runs{% else %}does not run{% endif %}")
    for role, expected in ((Role.MANAGER, "runs"), (Role.EVALUATOR, "does not run")):
        request = RequestFactory().get("/")
        request.user = users[role]
        assert rendered.render(Context(can_context(request))) == expected
    client.force_login(users[Role.MANAGER])
    response = client.get(reverse("dashboard"))
    assert response.context["can"].run_programme


def _named_sets() -> dict[frozenset[str], str]:
    from accreditation import policy as accreditation_policy
    from audits import policy as audits_policy

    named: dict[frozenset[str], str] = {}
    for module in (policy, accreditation_policy, audits_policy):
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, frozenset):
                named.setdefault(value, f"{module.__name__}.{name}")
    return named


def test_every_set_of_roles_a_view_lets_in_is_named_in_a_policy_module() -> None:
    named = _named_sets()
    views = policy._views(settings.ROOT_URLCONF)
    unnamed = {
        url_name: sorted(roles)
        for url_name in views
        if (roles := policy.view_roles(url_name)) and roles not in named
    }
    assert not unnamed, unnamed
