"""Helpers for browser tests: sign in through the real form, check a page.

Import these from test modules (``from .helpers import axe_check, login``); the
fixtures that wrap them live in ``conftest.py``.

``axe_check`` is the one page check every visit of the suite goes through
(``A11yPage.goto``/``check``, ``login``, and tests that call it directly). On each call it
runs axe-core (WCAG 2.0, 2.1 and 2.2 A and AA, and axe's best practices) at the width
the test uses and checks the page title. Once per kind of page per process (the path
with its ids left out, which query parameters it has, how many tables, whether it shows
errors) it also resizes the same document to a phone (320 x 800), runs axe-core again
and fails if the page scrolls sideways; the scoring and Leuven pages also get the
tablet (820 x 1180), and a page a test keeps at a tablet width is checked at 1280 too.
The page is resized, never reloaded, and put back at the width the test chose.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from playwright.sync_api import Page, ViewportSize

from kqm.models import User
from tests.factories import TEST_PASSWORD

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
LOGIN_PATH = "/account/login/"


class LiveServerLike(Protocol):
    """What the helpers need from pytest-django's ``live_server``."""

    @property
    def url(self) -> str: ...


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


# WCAG 2.0, 2.1 and 2.2 at levels A and AA (2.2 adds target size, which axe-core leaves
# off unless asked), and the best practices axe-core runs by default. Only violations are
# reported in full: listing every passing element took two thirds of each run on a page
# of 30 children's scores (10 s rather than 3.5 s).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
AXE_RUN = f"axe.run(document, {json.dumps(AXE_OPTIONS)})"

WIDE = ViewportSize(width=1280, height=720)  # Playwright's default
PHONE = ViewportSize(width=320, height=800)
TABLET = ViewportSize(width=820, height=1180)
# The scoring page of a rating audit and every Leuven page are used on tablets.
TABLET_PATHS = re.compile(r"^/audits/(ratings/\d+/score/|leuven/)")

# "Error: " once, at the start, and only there; " – KQM" at the end.
TITLE = re.compile(r"^(Error: )?(?!Error: )\S.*\S – KQM$")
_AXE_SOURCE: list[str] = []
# Kinds of page already checked at the other widths by this process (see the docstring).
_CHECKED_KINDS: set[str] = set()


class AxeViolationError(AssertionError):
    """axe-core found accessibility violations on a page."""


class PageCheckError(AssertionError):
    """A page scrolls sideways on a phone or has a title out of pattern."""


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Inject axe-core into the current document (once) and return its violations.

    Evaluated through the DevTools protocol rather than added as an inline <script>, which
    the pages' Content-Security-Policy refuses (and the harness would report).
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        if not _AXE_SOURCE:
            _AXE_SOURCE.append(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;0")
        page.evaluate(_AXE_SOURCE[0])
    results: dict[str, Any] = page.evaluate(AXE_RUN)
    return list(results["violations"])


# What the title and shape checks need from the page, in one round trip.
PAGE_FACTS = """() => ({
  title: document.title,
  summary: document.querySelector(".govuk-error-summary") !== null,
  fieldErrors: document.querySelector(".govuk-error-message, .govuk-form-group--error") !== null,
  tables: document.querySelectorAll("table").length,
})"""
# Every document a test's pages load reports its title (and whether it shows errors) to
# the console, where the harness checks it: pages the test passes through without a
# check (a redirect's target it clicks on from) have their title checked too.
PAGE_REPORT_PREFIX = "kqm-page-facts "
PAGE_REPORT = f"""
if (location.protocol.startsWith("http")) {{
  document.addEventListener("DOMContentLoaded", () => {{
    const facts = {{ url: location.href, ...({PAGE_FACTS})() }};
    console.debug({json.dumps(PAGE_REPORT_PREFIX)} + JSON.stringify(facts));
  }});
}}
"""

# The elements that stick out of the page on the right: those that end past the viewport
# and are not inside something that scrolls or clips them, innermost first.
OVERFLOW = r"""() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const top = [document.documentElement, document.body];
  // An absolutely placed element is clipped only by a scroller around its containing block
  // (so visually hidden text escapes a wrapper that is not positioned).
  const clipped = (element) => {
    const position = getComputedStyle(element).position;
    if (position === "fixed") return true;
    let parent = element.parentElement;
    if (position === "absolute") {
      while (parent && !top.includes(parent) && getComputedStyle(parent).position === "static") {
        parent = parent.parentElement;
      }
    }
    for (; parent && !top.includes(parent); parent = parent.parentElement) {
      if (getComputedStyle(parent).overflowX !== "visible") return true;
    }
    return false;
  };
  const culprits = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.right <= width + 1 || clipped(element)) continue;
    if (culprits.some((outer) => outer.element.contains(element))) continue;
    for (let i = culprits.length - 1; i >= 0; i--) {
      if (element.contains(culprits[i].element)) culprits.splice(i, 1);
    }
    culprits.push({ element, right: Math.round(box.right) });
  }
  const describe = ({ element, right }) => {
    const classes = [...element.classList].slice(0, 3).map((name) => "." + name).join("");
    const text = (element.textContent || "").replace(/\s+/g, " ").trim().slice(0, 40);
    return `${element.tagName.toLowerCase()}${element.id ? "#" + element.id : ""}${classes}` +
      ` ends at ${right} px ("${text}")`;
  };
  return {
    scrollWidth: document.documentElement.scrollWidth,
    culprits: culprits.slice(0, 8).map(describe),
  };
}"""


def title_problems(title: str, *, summary: bool, field_errors: bool) -> list[str]:
    """What is wrong with a page's title: the pattern, a doubled word, the error prefix.

    "Error: " is there exactly when the page shows an error summary, except that a summary
    of a problem that is not about the page's form (a failed export) needs no prefix.
    """
    problems = []
    if not TITLE.match(title):
        problems.append('it does not read "[Error: ]<page> – KQM" with one prefix')
    doubled = re.search(r"\b([a-z]+)\W+\1\b", title, re.IGNORECASE)
    if doubled:
        problems.append(f"it repeats {doubled.group(1)!r}")
    if title.startswith("Error: ") and not summary:
        problems.append('it starts with "Error: " but the page shows no error summary')
    if not title.startswith("Error: ") and summary and field_errors:
        problems.append('the page shows errors in its form but the title has no "Error: "')
    return problems


def page_kind(path: str, query: str, facts: dict[str, Any]) -> str:
    """Pages of one kind look alike: same path (ids aside), query keys, tables, errors."""
    keys = sorted({part.split("=")[0] for part in query.split("&") if part})
    return "{} ?{} tables={} errors={}".format(
        re.sub(r"\d+", "#", path), ",".join(keys), facts["tables"], facts["summary"]
    )


def _settle(page: Page) -> None:
    """Let scripts that listen for a change of width run before checking."""
    page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def _other_sizes(path: str, current: ViewportSize) -> list[ViewportSize]:
    sizes = [PHONE]
    if TABLET_PATHS.match(path) and current["width"] != TABLET["width"]:
        sizes.append(TABLET)
    if current["width"] != WIDE["width"]:
        sizes.append(WIDE)
    return sizes


def check_widths(page: Page, name: str, path: str) -> None:
    """axe-core at the phone (and tablet or wide) width, and no sideways scroll on a phone."""
    current = page.viewport_size or WIDE
    try:
        for size in _other_sizes(path, current):
            page.set_viewport_size(size)
            _settle(page)
            label = f"{name} at {size['width']} x {size['height']}"
            violations = run_axe(page)
            if violations:
                raise AxeViolationError(format_violations(label, page.url, violations))
            if size == PHONE:
                overflow = page.evaluate(OVERFLOW)
                if overflow:
                    raise PageCheckError(
                        f"{label} ({page.url}) scrolls sideways: the page is "
                        f"{overflow['scrollWidth']} px wide. Sticking out:\n"
                        + "\n".join(f"- {line}" for line in overflow["culprits"])
                    )
    finally:
        page.set_viewport_size(current)


def axe_check(page: Page, name: str = "") -> None:
    """The page check: fail the test on anything wrong with the page as it is now.

    axe-core at the current width and the title every time; the other widths and the
    sideways scroll once per kind of page (see the module's docstring). Call once per page
    visited (and again after a step that changes the page, such as a form submission that
    re-renders it with errors).
    """
    page.wait_for_load_state("load")
    name = name or page.url
    violations = run_axe(page)
    if violations:
        raise AxeViolationError(format_violations(name, page.url, violations))
    url = urlsplit(page.url)
    if url.scheme not in ("http", "https"):
        return  # a document a test wrote itself
    facts = page.evaluate(PAGE_FACTS)
    problems = title_problems(
        facts["title"], summary=facts["summary"], field_errors=facts["fieldErrors"]
    )
    if problems:
        raise PageCheckError(
            f"The title of {name!r} ({page.url}), {facts['title']!r}: " + "; ".join(problems)
        )
    kind = page_kind(url.path, url.query, facts)
    if kind in _CHECKED_KINDS:
        return
    check_widths(page, name, url.path)
    _CHECKED_KINDS.add(kind)


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


# After each Tab: is the focused element fully covered by something sticky or fixed (a
# save bar, a sticky header or column), or out of the viewport? WCAG 2.4.11.
FOCUS_HIDDEN = r"""() => {
  const element = document.activeElement;
  if (!element || element === document.body || element === document.documentElement) {
    return { done: true };
  }
  const describe = (node) => {
    const name = node.getAttribute("aria-label") || node.getAttribute("name") ||
      (node.textContent || "").replace(/\s+/g, " ").trim().slice(0, 40);
    return `${node.tagName.toLowerCase()}${node.id ? "#" + node.id : ""} "${name}"`;
  };
  const box = element.getBoundingClientRect();
  const left = Math.max(box.left, 0), right = Math.min(box.right, window.innerWidth);
  const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, window.innerHeight);
  const focused = describe(element);
  if (right <= left || bottom <= top) return { focused, hidden: "outside the viewport" };
  const x = (left + right) / 2, y = (top + bottom) / 2;
  const hit = document.elementFromPoint(x, y);
  for (const other of document.body.querySelectorAll("*")) {
    const position = getComputedStyle(other).position;
    if (position !== "sticky" && position !== "fixed") continue;
    if (other.contains(element) || element.contains(other)) continue;
    const cover = other.getBoundingClientRect();
    const covers = cover.left <= left && cover.right >= right &&
      cover.top <= top && cover.bottom >= bottom;
    if (covers && hit && other.contains(hit)) {
      return { focused, hidden: `under ${describe(other)}` };
    }
  }
  return { focused };
}"""


def hidden_focus_stops(page: Page, limit: int = 150) -> tuple[int, list[str]]:
    """Tab from the top of the page through its focus stops (at most ``limit``); return how
    many there were and each one that was hidden when it had the focus."""
    page.evaluate("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur()")
    hidden: list[str] = []
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_HIDDEN)
        if stop.get("done") or (seen and stop["focused"] == seen[0]):
            break
        seen.append(stop["focused"])
        if "hidden" in stop:
            hidden.append(f"{stop['focused']} {stop['hidden']}")
    return len(seen), hidden


def assert_focus_never_hidden(page: Page, name: str, sizes: list[ViewportSize]) -> None:
    """Tab through the page at each size; fail if any focused element is hidden."""
    current = page.viewport_size or WIDE
    problems = []
    try:
        for size in sizes:
            page.set_viewport_size(size)
            _settle(page)
            count, hidden = hidden_focus_stops(page)
            assert count > 0, f"{name}: Tab reached nothing at {size['width']} px"
            problems += [f"at {size['width']} x {size['height']}: {line}" for line in hidden]
    finally:
        page.set_viewport_size(current)
    if problems:
        raise PageCheckError(
            f"{name} ({page.url}): focused elements hidden:\n"
            + "\n".join(f"- {line}" for line in problems)
        )
