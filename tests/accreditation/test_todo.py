"""Each role's to-do list: one selector per role, a constant number of queries, every
item a link, oldest first, and empty states that say what will appear."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from accreditation import selectors_todo
from accreditation.models import AnnualReview, CaseStudy, NoteOfVisit
from kqm.models import Role
from tests.accreditation import todo_helpers
from tests.accreditation.todo_helpers import TODAY
from tests.factories import SettingFactory

pytestmark = pytest.mark.django_db

# Queries per role's list: one per section.
SECTIONS = {
    Role.EVALUATOR: 7,
    Role.SETTING_MANAGER: 6,
    Role.PRACTITIONER: 2,
    Role.MANAGER: 3,
}


def _build(role, users, setting, n):
    if role == Role.EVALUATOR:
        todo_helpers.evaluator_world(users[role], n)
    elif role == Role.SETTING_MANAGER:
        todo_helpers.setting_manager_world(setting, users[role], n)
    elif role == Role.PRACTITIONER:
        todo_helpers.practitioner_world(setting, n)
    else:
        todo_helpers.manager_world(users[role], n)


@pytest.mark.parametrize("role", list(SECTIONS))
@pytest.mark.parametrize("size", [5, 100])
def test_each_role_list_fills_every_section_in_a_fixed_number_of_queries(
    role, size, users, setting, django_assert_num_queries
):
    _build(role, users, setting, size)
    with django_assert_num_queries(SECTIONS[role]):
        sections = selectors_todo.todo_for(users[role], TODAY)
    assert len(sections) == SECTIONS[role]
    shown = min(size, selectors_todo.SECTION_LIMIT)
    for section in sections:
        if section.key == "tasks-not-started":
            # Six tasks of the year per accreditation, none started.
            assert section.more
            continue
        assert len(section.items) == shown, section.key
        assert section.more == (size > selectors_todo.SECTION_LIMIT), section.key
        dates = [item.sort_date for item in section.items]
        assert dates == sorted(dates), section.key
        assert all(item.url.startswith("/") for item in section.items)


@pytest.mark.parametrize("role", list(SECTIONS))
def test_empty_lists_say_what_will_appear(client, role, users):
    client.force_login(users[role])
    with time_machine.travel(TODAY, tick=False):
        response = client.get(reverse("dashboard"))
    html = response.content.decode()
    for section in response.context["todo"]:
        assert not section.items
        assert f'data-testid="todo-{section.key}-empty"' in html
        assert escape(section.empty) in html


def test_dashboard_links_each_item_with_its_due_date(client, users, setting):
    todo_helpers.setting_manager_world(setting, users[Role.SETTING_MANAGER], 2)
    client.force_login(users[Role.SETTING_MANAGER])
    with time_machine.travel(TODAY, tick=False):
        html = client.get(reverse("dashboard")).content.decode()
    note = NoteOfVisit.objects.order_by("shared_at")[0]
    assert f'href="{note.get_absolute_url()}"' in html
    returned = CaseStudy.objects.filter(status="returned")[0]
    assert f'href="{returned.get_absolute_url()}"' in html
    review = AnnualReview.objects.order_by("due_date")[0]
    assert f'href="{review.get_absolute_url()}"' in html
    assert "1 child has no action point" in html
    assert "0 responses so far" in html
    assert "By 12 Oct 2026" in html  # the first annual review is due today


def test_lists_are_scoped_to_the_user(users, setting):
    """Another setting's or evaluator's work never reaches someone's list."""
    other = SettingFactory()
    todo_helpers.setting_manager_world(other, users[Role.MANAGER], 3)
    todo_helpers.evaluator_world(todo_helpers.UserFactory(role=Role.EVALUATOR), 3)
    for role in (Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER):
        sections = selectors_todo.todo_for(users[role], TODAY)
        assert [s.key for s in sections if s.items] == [], role


def test_manager_sees_settings_with_nobody_to_receive_reminders(users, setting):
    todo_helpers.manager_world(users[Role.MANAGER], 1)
    sections = {s.key: s for s in selectors_todo.manager_todo(TODAY)}
    # ``setting`` has a setting manager's account (the conftest's), the new ones do not.
    names = [item.title for item in sections["no-setting-manager"].items]
    assert f"Invite a setting manager for {setting.display_name}" not in names
    assert len(names) == 1 and names[0].startswith("Invite a setting manager for ")
    link = sections["no-setting-manager"].items[0].url
    assert link.startswith(reverse("users:invite") + "?role=setting_manager&settings=")


def test_invite_form_starts_with_the_role_and_setting_chosen(client, users, setting):
    client.force_login(users[Role.MANAGER])
    url = reverse("users:invite") + f"?role=setting_manager&settings={setting.urn}"
    form = client.get(url).context["form"]
    assert form.initial == {"role": "setting_manager", "settings": setting.urn}
