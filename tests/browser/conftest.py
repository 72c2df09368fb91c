"""Browser test harness: Debian's Chromium through pytest-playwright, axe-core, screenshots.

Every module here sets ``pytestmark = pytest.mark.browser``. Typical use::

    def test_something(a11y_page, users):
        a11y_page.login(users[Role.MANAGER])    # signs in, checks the page it lands on
        a11y_page.goto("/users/", "user list")  # navigates and checks the page
        a11y_page.page.get_by_role("link", name="Invite a user").click()
        a11y_page.check("invite form")          # checks the page as it is now

or, with the plain ``page`` fixture, ``login(page, live_server, user)`` and
``axe_check(page, name)`` from ``tests.browser.helpers``.

Every check (``axe_check`` in ``helpers``) runs axe-core and checks the title at the
test's width, and once per kind of page also at a phone's width (no sideways scroll) and,
for the scoring and Leuven pages, a tablet's. Every other page any test's browser shows
gets the same check once per kind of page (``PageVisits``), has its title checked and
must break no Content-Security-Policy rule.

A failing test leaves a full-page screenshot in
``test-artifacts/screenshots/<test-name>.png``.

Playwright runs once for this package (not the whole session), and
DJANGO_ALLOW_ASYNC_UNSAFE is set only while it runs: see ``playwright`` below.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    BrowserType,
    Page,
    Playwright,
    Response,
    expect,
    sync_playwright,
)

from kqm.models import User
from tests.factories import TEST_PASSWORD

from .helpers import (
    CSP_CONSOLE,
    CSP_LISTENER,
    PAGE_REPORT,
    PAGE_REPORT_PREFIX,
    LiveServerLike,
    PageVisits,
    axe_check,
    check_before_calls,
    login,
    screenshot_name,
    title_problems,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Assertions wait up to 15 s, not Playwright's 5 s: with four browser tests and their
# servers on two cores, an autosave's round trip (debounce, request, save) can take longer.
expect.set_options(timeout=15_000)

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Launch the system Chromium; Playwright's own browsers are never downloaded."""
    return {"executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


# pytest-playwright starts Playwright once per session. Its sync API keeps an
# asyncio event loop running in the test thread from then on, so Django refuses
# ORM calls from tests (SynchronousOnlyOperation) unless DJANGO_ALLOW_ASYNC_UNSAFE
# is set. Setting that at import time would leak it into every other test of the
# run and into the processes they start (`manage.py check --deploy` warns about
# it). So these overrides scope Playwright to this package: the loop runs, and
# the variable is set, only while browser tests run.
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.fixture(scope="package")
def playwright(_pw_api_request_contexts: Any) -> Generator[Playwright, None, None]:
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    pw = sync_playwright().start()
    try:
        if _pw_api_request_contexts:  # --tracing: pytest-playwright records API requests
            _pw_api_request_contexts.instrument(pw)
        yield pw
    finally:
        pw.stop()
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="package")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    return cast(BrowserType, getattr(playwright, browser_name))


@pytest.fixture(scope="package")
def launch_browser(
    browser_type_launch_args: dict[str, Any],
    browser_type: BrowserType,
) -> Callable[..., Browser]:
    def launch(**kwargs: Any) -> Browser:
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser: Callable[..., Browser]) -> Generator[Browser, None, None]:
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def browser_context_args(
    pytestconfig: pytest.Config,
    playwright: Playwright,
    device: str | None,
    base_url: str | None,
    _pw_artifacts_folder: Any,
) -> dict[str, Any]:
    """As pytest-playwright's (--device, --base-url, --video), at package scope."""
    context_args: dict[str, Any] = {}
    if device:
        context_args.update(playwright.devices[device])
    if base_url:
        context_args["base_url"] = base_url
    if pytestconfig.getoption("--video") in ("on", "retain-on-failure"):
        context_args["record_video_dir"] = _pw_artifacts_folder.name
    return context_args


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item so fixture teardown knows if the test failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _test_failed(item: pytest.Item) -> bool:
    reports = item.stash.get(_REPORTS, {})
    return any(report.failed for report in reports.values())


@pytest.fixture(autouse=True)
def _screenshot_on_failure(request: pytest.FixtureRequest) -> Generator[None, None, None]:
    """Save a full-page screenshot of every open page of a browser test that failed."""
    if "page" not in request.fixturenames:
        yield
        return
    # Set up ``page`` now, so that it is torn down after this fixture.
    page: Page = request.getfixturevalue("page")
    yield
    if not _test_failed(request.node):
        return
    directory = request.config.rootpath / "test-artifacts" / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    pages = [page, *(other for other in page.context.pages if other is not page)]
    for index, open_page in enumerate(pages):
        if open_page.is_closed():
            continue
        suffix = "" if index == 0 else f"-{index + 1}"
        path = directory / screenshot_name(f"{request.node.name}{suffix}")
        try:
            open_page.screenshot(path=str(path), full_page=True)
        except Exception as error:  # the browser may be gone; keep the real failure
            print(f"Could not save screenshot {path}: {error}")
        else:
            print(f"Screenshot of the failed test: {path}")


@pytest.fixture(autouse=True)
def _fail_on_csp_violations_and_bad_titles(
    request: pytest.FixtureRequest,
) -> Generator[None, None, None]:
    """Fail a browser test if Chromium reports any Content-Security-Policy violation on any
    page it visited (from the console, "Refused to ... Content Security Policy", and from
    ``securitypolicyviolation`` events), or if any page it loaded has a title out of
    pattern (``title_problems``), whether or not the test checked that page."""
    if "page" not in request.fixturenames:
        yield
        return
    page: Page = request.getfixturevalue("page")
    reported: list[str] = []
    titles: list[str] = []
    page.context.add_init_script(CSP_LISTENER)
    page.context.add_init_script(PAGE_REPORT)

    def on_console(message: Any) -> None:
        text = message.text
        if text.startswith(PAGE_REPORT_PREFIX):
            facts = json.loads(text.removeprefix(PAGE_REPORT_PREFIX))
            problems = title_problems(
                facts["title"], summary=facts["summary"], field_errors=facts["fieldErrors"]
            )
            if problems:
                titles.append(f"{facts['title']!r} ({facts['url']}): {'; '.join(problems)}")
        elif CSP_CONSOLE.search(text):
            reported.append(f"{text} ({message.location.get('url', '')})")

    page.context.on("console", on_console)
    yield
    if _test_failed(request.node):
        return
    if reported:
        pytest.fail(
            "Chromium reported Content-Security-Policy violations:\n"
            + "\n".join(f"- {line}" for line in dict.fromkeys(reported))
        )
    if titles:
        pytest.fail(
            "Page titles out of pattern:\n"
            + "\n".join(f"- {line}" for line in dict.fromkeys(titles))
        )


@pytest.fixture(autouse=True)
def _check_every_page_visited(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Generator[None, None, None]:
    """Check every page a browser test's browser shows, once per kind of page per run,
    whether or not the test checks it (``PageVisits``): the pages of the test's own
    context and of any context it opens. A problem fails the test at its next
    ``axe_check`` or, at the latest, when it ends."""
    if "page" not in request.fixturenames:
        yield
        return
    page: Page = request.getfixturevalue("page")
    visits = PageVisits()
    visits.watch(page.context)
    new_context = Browser.new_context

    def new_watched_context(browser: Browser, *args: Any, **kwargs: Any) -> BrowserContext:
        context = new_context(browser, *args, **kwargs)
        visits.watch(context)
        return context

    monkeypatch.setattr(Browser, "new_context", new_watched_context)
    with check_before_calls(), visits:
        yield
        if _test_failed(request.node):
            for problem in visits.problems:
                print(problem)
            return
        visits.finish()


@dataclass
class A11yPage:
    """A Playwright page bound to the live server that runs axe-core on every page visited."""

    page: Page
    live_server: LiveServerLike
    checked: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.live_server.url}{path}"

    def check(self, name: str) -> None:
        """Check the page as it is now (``axe_check``); fail the test on any problem."""
        axe_check(self.page, name)
        self.checked.append(name)

    def goto(self, path: str, name: str | None = None) -> Response | None:
        """Open ``path`` on the live server and check it (``axe_check``)."""
        response = self.page.goto(self.url(path))
        self.check(name or path)
        return response

    def login(
        self, user: User, password: str = TEST_PASSWORD, *, check_login: bool = False
    ) -> None:
        """Sign in through the login form and check the page it lands on.

        ``check_login`` also checks the login page itself (the same page for every user).
        """
        login(self.page, self.live_server, user, password, check_a11y=check_login)
        if check_login:
            self.checked.append("login page")
        self.check(f"after signing in as {user.get_role_display()}")


@pytest.fixture
def a11y_page(page: Page, live_server: LiveServerLike) -> A11yPage:
    """The ``page`` fixture with live-server navigation and an axe-core check per step."""
    return A11yPage(page=page, live_server=live_server)
