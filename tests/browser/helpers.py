"""Helpers for browser tests: sign in through the real form, check every page visited.

Import these from test modules (``from .helpers import axe_check, login``); the
fixtures that wrap them live in ``conftest.py``.

``axe_check`` is the page check a test asks for (``A11yPage.goto``/``check``, ``login``,
and tests that call it directly). On each call it runs axe-core (WCAG 2.0, 2.1 and 2.2 A
and AA, and axe's best practices) at the width the test uses and checks the page title.
Once per kind of page per run, whichever worker meets it first (``CheckedKinds``; a kind
is the Django URL name of its path, the role of whoever is signed in, which query
parameters it has, how many tables, whether it shows errors), it also resizes the same
document to a phone (320 x 800), runs axe-core again and fails if the page scrolls
sideways; the scoring and Leuven pages also get the tablet (820 x 1180), and a page a
test keeps at a tablet width is checked at 1280 too. The page is resized, never
reloaded, and put back at the width the test chose.

``PageVisits`` gives every other page a test's browser shows the same check, once per
kind of page, whether or not the test asks: a page that has loaded is checked before the
test's next Playwright call, or before the call acts on it if it loaded while the call
waited, never while the test is in the middle of a step.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, ClassVar, Protocol
from urllib.parse import urlsplit

import greenlet
from django.urls import Resolver404, resolve
from playwright._impl._sync_base import SyncBase
from playwright.sync_api import BrowserContext, Page, ViewportSize
from playwright.sync_api import Error as PlaywrightError

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


class CheckedKinds:
    """The kinds of page already checked at the other widths, shared by the run's processes.

    The pytest-xdist workers of a run claim each kind in a file of the run's folder
    (``KQM_TEST_RUN_DIR``), so one of them checks it at the phone and tablet widths rather
    than each of them (in the slow lane, four times over).
    """

    def __init__(self) -> None:
        self.mine: set[str] = set()

    @staticmethod
    @contextmanager
    def _shared() -> Iterator[IO[str] | None]:
        run_dir = os.environ.get("KQM_TEST_RUN_DIR")
        if not run_dir:
            yield None
            return
        with (Path(run_dir) / "checked-page-kinds.txt").open("a+", encoding="utf-8") as shared:
            fcntl.flock(shared, fcntl.LOCK_EX)
            shared.seek(0)
            yield shared

    def claim(self, kind: str) -> bool:
        """Whether ``kind`` is this process's to check: no process of the run claimed it."""
        if kind in self.mine:
            return False
        with self._shared() as shared:
            if shared is not None:
                if kind in shared.read().splitlines():
                    return False
                shared.write(kind + "\n")
        self.mine.add(kind)
        return True

    def release(self, kind: str) -> None:
        """``kind`` was not checked after all (its page went away): another may claim it."""
        self.mine.discard(kind)
        with self._shared() as shared:
            if shared is not None:
                kinds = [line for line in shared.read().splitlines() if line != kind]
                shared.seek(0)
                shared.truncate()
                shared.writelines(line + "\n" for line in kinds)


_CHECKED_KINDS = CheckedKinds()


class PageCheckError(AssertionError):
    """A page scrolls sideways on a phone, has a title out of pattern, or fails axe-core."""


class AxeViolationError(PageCheckError):
    """axe-core found accessibility violations on a page."""


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


# What the checks need from the page, in one round trip: the title and whether the page
# shows errors (the title check), and what tells one kind of page from another.
PAGE_FACTS = r"""() => {
  const user = document.querySelector(".kqm-header__user");
  const role = user ? user.textContent.match(/\(([^()]*)\)\s*$/) : null;
  return {
    title: document.title,
    summary: document.querySelector(".govuk-error-summary") !== null,
    fieldErrors: document.querySelector(".govuk-error-message, .govuk-form-group--error") !== null,
    tables: document.querySelectorAll("table").length,
    role: role ? role[1] : "",
  };
}"""
# A document not yet checked. ``check_page`` marks each one it checks, and the width at
# which it passed; ``unchanged`` says it passed at this width and nothing in it has changed
# since (its check of a page the test checks just after passing through it is enough).
NOT_CHECKED = "html:not([data-kqm-checked])"
CHECKING = f"""() => {{
  const root = document.documentElement;
  const passedAt = root.getAttribute("data-kqm-checked");
  if (passedAt === null) root.setAttribute("data-kqm-checked", "");
  const unchanged = window.__kqmUnchanged === true && passedAt === String(innerWidth);
  return {{ ...({PAGE_FACTS})(), unchanged, fresh: passedAt === null }};
}}"""
PASSED = """() => {
  document.documentElement.setAttribute("data-kqm-checked", String(innerWidth));
  if (!window.__kqmChanges) {
    window.__kqmChanges = new MutationObserver(() => { window.__kqmUnchanged = false; });
    window.__kqmChanges.observe(document, {
      subtree: true, childList: true, attributes: true, characterData: true,
    });
  }
  window.__kqmChanges.takeRecords();
  window.__kqmUnchanged = true;
}"""
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
    """Pages of one kind look alike: one view, seen by one role, with the same query keys,
    as many tables, and errors or none."""
    try:
        view = resolve(path).view_name
    except Resolver404:
        view = re.sub(r"\d+", "#", path)
    keys = sorted({part.split("=")[0] for part in query.split("&") if part})
    return "{} as {} ?{} tables={} errors={}".format(
        view, facts["role"] or "nobody signed in", ",".join(keys), facts["tables"], facts["summary"]
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


def _at_width(kind: str, width: int) -> str:
    return f"{kind} at {width} px"


def check_widths(page: Page, name: str, path: str, kind: str) -> None:
    """axe-core at the phone (and tablet or wide) width, and no sideways scroll on a phone."""
    current = page.viewport_size or WIDE
    try:
        for size in _other_sizes(path, current):
            page.set_viewport_size(size)
            _settle(page)
            label = f"{name} at {size['width']} x {size['height']}"
            _CHECKED_KINDS.claim(_at_width(kind, size["width"]))
            _raise_violations(page, label)
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


def _raise_violations(page: Page, name: str) -> None:
    violations = run_axe(page)
    if violations:
        raise AxeViolationError(format_violations(name, page.url, violations))


def check_page(page: Page, name: str = "", *, every_time: bool = True) -> None:
    """Check the page as it is now; raise ``AxeViolationError`` or ``PageCheckError``.

    ``every_time`` (the check a test asks for): axe-core at the current width and the
    title on each call, the other widths once per kind of page. Otherwise (a page passed
    through) all of it once per kind of page and nothing for a kind already checked, a
    problem reported once; the title is left to the console report (``PAGE_REPORT``).
    Either way the document is marked as checked (``NOT_CHECKED``), and axe-core is not
    run again at a width where it passed on the document as it still is (``PASSED``).
    """
    facts = page.evaluate(CHECKING)
    url = urlsplit(page.url)
    if url.scheme not in ("http", "https"):
        if every_time:
            _raise_violations(page, name or page.url)
        return  # a document a test wrote itself, or the blank page before the first
    kind = page_kind(url.path, url.query, facts)
    if every_time:
        name = name or page.url
        problems = title_problems(
            facts["title"], summary=facts["summary"], field_errors=facts["fieldErrors"]
        )
        if problems:
            raise PageCheckError(
                f"The title of {name!r} ({page.url}), {facts['title']!r}: " + "; ".join(problems)
            )
        width = (page.viewport_size or WIDE)["width"]
        # A page just shown, of a kind that passed at this width earlier in the run, is not
        # run again; a page the test changed since its last check is (a step of the test
        # put something new on it: errors, an alert, a saved state).
        if not facts["unchanged"] and (
            _CHECKED_KINDS.claim(_at_width(kind, width)) or not facts["fresh"]
        ):
            _raise_violations(page, name)
        if _CHECKED_KINDS.claim(kind):
            check_widths(page, name, url.path, kind)
            _settle(page)
        page.evaluate(PASSED)
        return
    if not _CHECKED_KINDS.claim(kind):  # what this finds is reported once
        return
    name = f"{url.path} ({kind}), a page the test passed through"
    try:
        _CHECKED_KINDS.claim(_at_width(kind, (page.viewport_size or WIDE)["width"]))
        _raise_violations(page, name)
        check_widths(page, name, url.path, kind)
        _settle(page)
        page.evaluate(PASSED)
    except PlaywrightError:
        # The page went away: not checked after all.
        for key in (kind, *(_at_width(kind, size["width"]) for size in (PHONE, TABLET, WIDE))):
            _CHECKED_KINDS.release(key)
        raise


def axe_check(page: Page, name: str = "") -> None:
    """The page check a test asks for: fail the test on anything wrong with the page now.

    axe-core at the current width and the title every time; the other widths and the
    sideways scroll once per kind of page (see the module's docstring). Call once per page
    visited (and again after a step that changes the page, such as a form submission that
    re-renders it with errors). A problem ``PageVisits`` found on a page the test passed
    through earlier fails the test here, before the page is checked.
    """
    visits = PageVisits.active()
    if visits is None:
        page.wait_for_load_state("load")
        check_page(page, name)
        return
    visits.claim(page)  # checked here, not before this call or the next
    page.wait_for_load_state("load")
    visits.claim(page)
    visits.raise_problems()
    with visits.checking():
        check_page(page, name)


# What a Playwright call raises when the page it was checking went away meanwhile.
PAGE_GONE = re.compile(
    r"Execution context was destroyed|has been closed|detached|navigat", re.IGNORECASE
)


class PageVisits:
    """Every page a test's browser shows gets ``check_page`` once per kind of page, at a
    moment when the test is between two steps:

    - a page whose document has loaded is checked at the start of the test's next
      Playwright call (``before_call``, which every call of the sync API goes through
      while ``check_before_calls`` is open);
    - a page that loaded while a call was waiting (a click that waits for a button on the
      page a previous click opened) is checked just before the call acts on it, by a
      locator handler on every document not yet checked: Playwright runs it before an
      action, and the action waits for it. Before an assertion it leaves the page to
      ``before_call``, so that an assertion's timeout is never spent on a check.

    Problems are collected, then fail the test at its next ``axe_check`` or at its end
    (``finish``).
    """

    _active: ClassVar[list[PageVisits]] = []

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.main = greenlet.getcurrent()  # the test's greenlet
        self.call = ""  # the Playwright call the test is in, if any
        self._checking = False
        self._pages: list[Page] = []
        self._loaded: list[Page] = []

    @classmethod
    def active(cls) -> PageVisits | None:
        return cls._active[-1] if cls._active else None

    def __enter__(self) -> PageVisits:
        self._active.append(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._active.remove(self)

    def watch(self, context: BrowserContext) -> None:
        """Check the pages of ``context``, those open now and those it opens later."""
        context.on("page", self._watch_page)
        for page in context.pages:
            self._watch_page(page)

    def _watch_page(self, page: Page) -> None:
        if any(other is page for other in self._pages):
            return
        self._pages.append(page)
        page.on("load", self._on_load)
        page.add_locator_handler(
            page.locator(NOT_CHECKED), lambda: self._before_action(page), no_wait_after=True
        )

    def _on_load(self, page: Page) -> None:
        if not any(other is page for other in self._loaded):
            self._loaded.append(page)

    def _before_action(self, page: Page) -> None:
        if "Assertions." not in self.call:
            self.examine(page)

    def claim(self, page: Page) -> None:
        """``page`` is being checked now: no need to before the test's next call."""
        self._loaded = [other for other in self._loaded if other is not page]

    @contextmanager
    def checking(self) -> Iterator[None]:
        """A check is running: the calls it makes check nothing themselves."""
        checking, self._checking = self._checking, True
        try:
            yield
        finally:
            self._checking = checking

    def before_call(self) -> None:
        """Before each Playwright call of the test: check the pages that have loaded."""
        if not self._checking:
            while self._loaded:
                self.examine(self._loaded[0])

    def examine(self, page: Page) -> None:
        """``check_page`` for a page passed through; a problem is kept for the test."""
        self.claim(page)
        if page.is_closed():
            return
        with self.checking():
            try:
                page.wait_for_load_state("load")
                check_page(page, every_time=False)
            except PageCheckError as problem:  # and AxeViolationError
                self.problems.append(str(problem))
            except PlaywrightError as error:
                if not (page.is_closed() or PAGE_GONE.search(str(error))):
                    self.problems.append(f"Checking {page.url} failed: {error}")

    def raise_problems(self) -> None:
        if self.problems:
            problems, self.problems = self.problems, []
            raise PageCheckError("\n\n".join(dict.fromkeys(problems)))

    def finish(self) -> None:
        """Check the pages still open as they are at the end of the test; raise problems."""
        for page in self._pages:
            self.examine(page)
        self.raise_problems()


_SYNC = SyncBase._sync


def _sync_after_checks(self: SyncBase, awaitable: Any) -> Any:
    """Playwright's ``SyncBase._sync``, which every call of the sync API goes through:
    in the test's greenlet, ``PageVisits.before_call`` first, and the call's name noted."""
    __tracebackhide__ = True
    visits = PageVisits.active()
    if visits is None or greenlet.getcurrent() is not visits.main:
        return _SYNC(self, awaitable)
    try:
        visits.before_call()
    except BaseException:
        if asyncio.iscoroutine(awaitable):
            awaitable.close()  # never started
        raise
    call, visits.call = visits.call, getattr(awaitable, "__qualname__", "")
    try:
        return _SYNC(self, awaitable)
    finally:
        visits.call = call


@contextmanager
def check_before_calls() -> Iterator[None]:
    """Route Playwright's sync calls through ``PageVisits.before_call`` while open."""
    SyncBase._sync = _sync_after_checks
    try:
        yield
    finally:
        SyncBase._sync = _SYNC


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
