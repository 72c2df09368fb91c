"""The browser suite fails on any Content-Security-Policy violation (issue 19): a page
that breaks the policy is caught by the harness, and KQM's own pages break none."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from kqm.models import Role

from .conftest import A11yPage
from .helpers import CSP_CONSOLE, CSP_LISTENER

pytestmark = pytest.mark.browser


def test_the_harness_hears_a_violation(page: Page, live_server):
    """An inline script on a KQM page is refused, and the listener reports it."""
    heard: list[str] = []
    context = page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        other = context.new_page()
        other.add_init_script(CSP_LISTENER)
        other.on("console", lambda m: heard.append(m.text) if CSP_CONSOLE.search(m.text) else None)
        other.goto(f"{live_server.url}/account/login/")
        other.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.__ran = 1'; document.body.append(s); }"
        )
        assert other.evaluate("window.__ran === undefined"), "the inline script ran"
    finally:
        context.close()
    assert heard, "no violation was reported"


def test_signed_in_pages_have_the_policy_and_break_none_of_it(a11y_page: A11yPage, users):
    a11y_page.login(users[Role.MANAGER])
    response = a11y_page.goto("/users/", "users")
    assert response is not None
    policy = response.headers["content-security-policy"]
    for directive in (
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "script-src 'self'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert a11y_page.page.evaluate("document.body.classList.contains('js-enabled')")
