"""Sign in as each role in Chromium, land on that role's dashboard, and keep both axe-clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kqm.models import Role, User
from settings.models import Setting
from tests.factories import TEST_PASSWORD

from .conftest import A11yPage
from .helpers import LOGIN_PATH, axe_check, fill_login_form

pytestmark = pytest.mark.browser

CAPTIONS = {
    Role.MANAGER: "KQM manager",
    Role.EVALUATOR: "Evaluator",
    Role.SETTING_MANAGER: "Setting manager",
    Role.PRACTITIONER: "Setting practitioner",
    Role.VIEWER: "Viewer",
}


@pytest.mark.parametrize("role", Role.values)
def test_each_role_signs_in_to_its_dashboard(
    transactional_db: None,
    a11y_page: A11yPage,
    users: dict[str, User],
    setting: Setting,
    other_setting: Setting,
    role: str,
) -> None:
    user = users[role]
    page = a11y_page.page

    a11y_page.login(user, check_login=True)

    expect(page).to_have_url(a11y_page.url("/"))
    expect(page).to_have_title("Dashboard \u2013 KQM")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    expect(main.locator(".govuk-caption-l")).to_have_text(CAPTIONS[Role(role)])
    expect(page.get_by_role("banner")).to_contain_text(f"{user.full_name} ({CAPTIONS[Role(role)]})")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    menu = page.get_by_role("navigation", name="Menu")
    expect(menu.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    # The manager's pages are grouped; users are under "Admin".
    expect(menu.get_by_role("link", name="Admin", exact=True)).to_have_count(
        1 if role == Role.MANAGER else 0
    )

    if role in (Role.MANAGER, Role.VIEWER):
        expect(page.get_by_test_id("setting-count")).to_have_text(str(Setting.objects.count()))
    if role == Role.MANAGER:
        expect(main.get_by_role("table", name="Active users by role")).to_be_visible()
        expect(main.get_by_role("link", name="Invite a user")).to_be_visible()
    elif role == Role.VIEWER:
        expect(main.get_by_role("table", name="Settings on the register by sector")).to_be_visible()
    elif role == Role.EVALUATOR:
        expect(main.get_by_role("heading", name="Settings assigned to you")).to_be_visible()
        expect(main).to_contain_text("No settings are assigned to you yet.")
    else:
        expect(main.get_by_role("heading", name="Your settings")).to_be_visible()
        expect(main.get_by_role("link", name=setting.name)).to_be_visible()
        expect(main.get_by_role("link", name=other_setting.name)).to_have_count(0)

    assert a11y_page.checked == ["login page", f"after signing in as {CAPTIONS[Role(role)]}"]


def test_wrong_password_shows_error_summary_then_sign_in_and_out(
    transactional_db: None, a11y_page: A11yPage, users: dict[str, User]
) -> None:
    user = users[Role.SETTING_MANAGER]
    page = a11y_page.page
    a11y_page.goto(LOGIN_PATH, "login page")

    fill_login_form(page, user.email, "not-the-password")

    expect(page).to_have_url(re.compile(re.escape(LOGIN_PATH)))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_contain_text("email address")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    a11y_page.check("login page with an error")

    fill_login_form(page, user.email, TEST_PASSWORD)
    expect(page).to_have_url(a11y_page.url("/"))
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(a11y_page.url(LOGIN_PATH))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_role("heading", level=1, name="Sign in to KQM")).to_be_visible()
    axe_check(page, "login page after signing out")

    # Signed out for real: the dashboard sends the visitor back to the login page.
    page.goto(a11y_page.url("/"))
    expect(page).to_have_url(re.compile(re.escape(LOGIN_PATH) + r"\?next=/$"))


def test_the_grouped_navigation_works_on_a_phone_and_by_keyboard(
    transactional_db: None, a11y_page: A11yPage, users: dict[str, User]
) -> None:
    page = a11y_page.page
    page.set_viewport_size({"width": 375, "height": 740})
    a11y_page.login(users[Role.MANAGER])
    menu = page.get_by_role("navigation", name="Menu")
    toggle = page.get_by_role("button", name="Menu")
    # On a phone the groups are behind the Menu button, opened from the keyboard.
    expect(menu.get_by_role("link", name="Programme")).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    programme = menu.get_by_role("link", name="Programme")
    expect(programme).to_be_visible()
    # Tab reaches the groups in order; Enter follows the link.
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link", name="Dashboard")).to_be_focused()
    for _ in range(2):
        page.keyboard.press("Tab")
    expect(programme).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    section = page.get_by_role("navigation", name="Programme")
    expect(section.get_by_role("link", name="Cohorts")).to_have_attribute("aria-current", "page")
    expect(section.get_by_role("link", name="Evaluators")).to_be_visible()
    a11y_page.check("a programme page on a phone")
