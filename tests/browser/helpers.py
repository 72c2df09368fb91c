"""Helpers for browser tests: sign in through the real form, run axe-core on a page.

Import these from test modules (``from .helpers import axe_check, login``); the
fixtures that wrap them live in ``conftest.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Protocol

from playwright.sync_api import Page

from kqm.models import User
from tests.factories import TEST_PASSWORD

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
LOGIN_PATH = "/account/login/"


class LiveServerLike(Protocol):
    """What the helpers need from pytest-django's ``live_server``."""

    @property
    def url(self) -> str: ...


class AxeViolationError(AssertionError):
    """axe-core found accessibility violations on a page."""


def format_violations(name: str, url: str, violations: list[dict[str, Any]]) -> str:
    """A readable report: one block per rule, one line per failing element."""
    count = sum(len(violation["nodes"]) for violation in violations)
    lines = [
        f"axe-core found {len(violations)} accessibility violation(s) "
        f"({count} element(s)) on {name!r} ({url}):"
    ]
    for violation in violations:
        lines.append(
            f"- [{violation.get('impact') or 'unknown'}] {violation['id']}: {violation['help']}"
        )
        lines.append(f"    {violation.get('helpUrl', '')}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node.get("target", []))
            lines.append(f"    * {target}")
            summary = (node.get("failureSummary") or "").strip()
            for summary_line in summary.splitlines():
                lines.append(f"        {summary_line.strip()}")
            html = (node.get("html") or "").strip()
            if html:
                lines.append(f"        html: {html[:200]}")
    return "\n".join(lines)


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Inject axe-core into the current document (once) and return its violations.

    Evaluated through the DevTools protocol rather than added as an inline <script>, which
    the pages' Content-Security-Policy refuses (and the harness would report).
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;0")
    results: dict[str, Any] = page.evaluate("axe.run()")
    return list(results["violations"])


def axe_check(page: Page, name: str = "") -> None:
    """Fail the test if axe-core reports any violation on the page as it is now.

    Call once per page visited (and again after a step that changes the page,
    such as a form submission that re-renders it with errors).
    """
    page.wait_for_load_state("load")
    violations = run_axe(page)
    if violations:
        raise AxeViolationError(format_violations(name or page.url, page.url, violations))


def login(
    page: Page,
    live_server: LiveServerLike,
    user: User,
    password: str = TEST_PASSWORD,
    *,
    check_a11y: bool = False,
) -> None:
    """Sign ``user`` in through the real login form and wait to leave the login page.

    With ``check_a11y`` the login page is checked with axe-core before signing in.
    """
    page.goto(f"{live_server.url}{LOGIN_PATH}")
    if check_a11y:
        axe_check(page, "login page")
    fill_login_form(page, user.email, password)
    if LOGIN_PATH in page.url:
        summary = page.locator(".govuk-error-summary")
        detail = summary.inner_text() if summary.count() else page.title()
        raise AssertionError(f"Signing in as {user.email} failed: {detail}")


def fill_login_form(page: Page, email: str, password: str) -> None:
    """Fill in and submit the login form on the current page; wait for the response page."""
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")


CSP_CONSOLE = re.compile(r"Content.Security.Policy", re.IGNORECASE)
# Every page gets this before its own scripts: each violation the browser reports is logged
# to the console, where the harness collects it.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    `Content-Security-Policy violation: ${event.violatedDirective} refused ` +
      `${event.blockedURI || "inline"} on ${location.pathname}`
  );
});
"""


def screenshot_name(test_name: str) -> str:
    """A file-system-safe name for a test's screenshot, e.g. ``test_x-manager.png``."""
    return re.sub(r"[^\w.-]+", "-", test_name).strip("-") + ".png"
