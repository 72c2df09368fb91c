"""The KQM manager's navigation is grouped; each page shows its group's pages below."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kqm import policy
from kqm.context_processors import MANAGER_GROUPS, NAVIGATION
from kqm.models import Role

pytestmark = pytest.mark.django_db


def _menu(html: str) -> list[str]:
    menu = html.split('aria-label="Menu"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r"<a [^>]*>(.*?)</a>", menu, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", link).split()) for link in links]


def test_every_manager_page_belongs_to_exactly_one_group():
    grouped = [label for _, labels in MANAGER_GROUPS for label in labels]
    mine = [label for label, name in NAVIGATION if Role.MANAGER in policy.view_roles(name)]
    assert sorted(grouped) == sorted(mine) and len(grouped) == len(set(grouped))


def test_the_manager_sees_seven_groups_and_the_pages_of_the_current_one(client, manager):
    client.force_login(manager)
    html = client.get(reverse("dashboard")).content.decode()
    assert _menu(html) == [
        "Dashboard",
        "Register",
        "Programme",
        "Audits",
        "After the award",
        "Reports",
        "Admin",
    ]
    assert 'data-testid="section-navigation"' not in html  # the dashboard is alone
    html = client.get(reverse("accreditation:evaluator-list")).content.decode()
    section = html.split('data-testid="section-navigation"', 1)[1].split("</nav>", 1)[0]
    assert 'aria-label="Programme"' in html
    assert re.findall(r">([^<>]+)</a>", section) == [
        "Cohorts",
        "Applications",
        "Evaluators",
        "Time and cost",
        "Notes of visit",
    ]
    evaluators = reverse("accreditation:evaluator-list")
    assert f'href="{evaluators}" aria-current="page"' in section
    # The group is marked current in the service navigation too.
    assert "govuk-service-navigation__item--active" in html.split('aria-label="Menu"', 1)[1]


def test_other_roles_keep_their_short_menus(client, users):
    client.force_login(users[Role.EVALUATOR])
    html = client.get(reverse("dashboard")).content.decode()
    assert "Workload" in _menu(html) and "Programme" not in _menu(html)
    assert 'data-testid="section-navigation"' not in html
