"""The second factor in the browser (issue 19): enrolment on first sign-in, signing in with
the app's code, with a recovery code, and refusal without the second factor."""

from __future__ import annotations

from base64 import b32decode

import pytest

from kqm.models import Role
from tests.kqm.two_factor_helpers import code_for, enrol, next_code

from .conftest import A11yPage
from .helpers import login

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _enforced(settings):
    settings.KQM_REQUIRE_SECOND_FACTOR = True


def _hex_key(shown: str) -> str:
    text = "".join(shown.split())
    return b32decode(text + "=" * (-len(text) % 8)).hex()


def test_a_manager_enrols_on_first_sign_in(a11y_page: A11yPage, users):
    page = a11y_page.page
    a11y_page.login(users[Role.MANAGER])
    assert "/account/two-factor/setup/" in page.url
    assert page.get_by_role("heading", name="Set up your authenticator app").is_visible()
    key = _hex_key(page.locator("#two-factor-key").inner_text())
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    a11y_page.check("enrolment, wrong code")
    assert page.locator(".govuk-error-summary").is_visible()
    page.get_by_label("Code").fill(code_for(key))
    page.get_by_role("button", name="Continue").click()
    a11y_page.check("recovery codes")
    assert page.locator("#recovery-codes li").count() == 10
    page.get_by_role("link", name="I have kept my recovery codes").click()
    a11y_page.check("dashboard after enrolment")
    assert "/account/two-factor/" not in page.url


def test_sign_in_with_the_apps_code(a11y_page: A11yPage, users):
    evaluator = users[Role.EVALUATOR]
    device, _ = enrol(evaluator)
    page = a11y_page.page
    a11y_page.login(evaluator)
    assert "/account/two-factor/verify/" in page.url
    page.get_by_label("Code").fill(next_code(device))
    page.get_by_role("button", name="Continue").click()
    a11y_page.check("dashboard after the code")
    assert "/account/two-factor/" not in page.url
    assert page.get_by_role("heading", level=1).is_visible()


def test_sign_in_with_a_recovery_code(a11y_page: A11yPage, users):
    manager = users[Role.MANAGER]
    _, codes = enrol(manager)
    page = a11y_page.page
    a11y_page.login(manager)
    page.get_by_label("Code").fill(codes[3])
    page.get_by_role("button", name="Continue").click()
    a11y_page.check("dashboard after a recovery code")
    assert page.get_by_text("You signed in with a recovery code. You have 9 left").is_visible()


def test_no_page_opens_without_the_second_factor(a11y_page: A11yPage, users):
    manager = users[Role.MANAGER]
    enrol(manager)
    page = a11y_page.page
    a11y_page.login(manager)
    for path in ("/users/", "/programme/accreditations/", "/audits/ratings/", "/"):
        page.goto(a11y_page.url(path))
        assert "/account/two-factor/verify/" in page.url, path
    page.get_by_label("Code").fill("123456")
    page.get_by_role("button", name="Continue").click()
    a11y_page.check("verify, wrong code")
    assert page.locator(".govuk-error-summary").is_visible()
    page.goto(a11y_page.url("/users/"))
    assert "/account/two-factor/verify/" in page.url


def test_a_passkey_from_chromiums_virtual_authenticator(a11y_page: A11yPage, users, settings):
    """Enrol with a passkey on first sign-in, then sign in again with it (CDP's WebAuthn
    domain gives Chromium a platform authenticator that always says yes)."""
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [a11y_page.live_server.url]
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    page = a11y_page.page
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    manager = users[Role.MANAGER]
    a11y_page.login(manager)  # checks the setup page, with its passkey button
    assert "/account/two-factor/setup/" in page.url
    with page.expect_navigation(url="**/recovery-codes/**"):
        page.get_by_role("button", name="Add a passkey").click()
    assert page.locator("#recovery-codes li").count() == 10
    page.context.clear_cookies()  # a new session: password, then the passkey
    login(page, a11y_page.live_server, manager)
    assert "/account/two-factor/verify/" in page.url
    with page.expect_navigation(url=a11y_page.url("/")):
        page.get_by_role("button", name="Use a passkey").click()
    page.goto(a11y_page.url("/users/"))
    assert page.url.endswith("/users/")
