"""The harness itself: axe-core really runs and reports violations readably, and the
pages a test passes through are checked too."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from . import helpers
from .helpers import (
    AxeViolationError,
    PageCheckError,
    PageVisits,
    axe_check,
    check_before_calls,
    check_widths,
    screenshot_name,
)

pytestmark = pytest.mark.browser


def test_axe_check_fails_with_a_readable_list_of_violations(page: Page) -> None:
    page.set_content(
        "<!DOCTYPE html><html lang='en'><head><title>Broken</title></head>"
        "<body><main><h1>Broken</h1><img src='data:,' class='photo'></main></body></html>"
    )

    with pytest.raises(AxeViolationError) as excinfo:
        axe_check(page, "a broken page")

    message = str(excinfo.value)
    assert "on 'a broken page'" in message
    assert "[critical] image-alt: Images must have alternative text" in message
    assert "    * img\n" in message
    assert 'html: <img src="data:," class="photo">' in message


def test_axe_check_passes_a_clean_page(page: Page) -> None:
    page.set_content(
        "<!DOCTYPE html><html lang='en'><head><title>Clean</title></head>"
        "<body><main><h1>Clean</h1><p>Nothing to see.</p></main></body></html>"
    )
    axe_check(page, "a clean page")
    # A second check on the same document reuses the injected script.
    axe_check(page, "a clean page again")


def test_screenshot_names_are_file_system_safe() -> None:
    assert screenshot_name("test_x[chromium-setting_manager]") == (
        "test_x-chromium-setting_manager.png"
    )


TABLE_PAGE = (
    "<!DOCTYPE html><html lang='en'><head><title>Table</title><style>"
    ".hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;"
    " clip: rect(0 0 0 0); white-space: nowrap; }"
    ".wrapper { overflow-x: auto; POSITION }</style></head><body><main><h1>Table</h1>"
    "<div class='wrapper' tabindex='0' role='region' aria-label='Scores'><table>"
    "<caption>Scores</caption><tr>"
    + "".join(f"<th scope='col'>Score {n}</th>" for n in range(6))
    + "</tr><tr>"
    + "".join(f"<td>{'x' * 12} <span class='hidden'>hidden {n}</span></td>" for n in range(6))
    + "</tr></table></div></main></body></html>"
)


def test_sideways_scroll_on_a_phone_fails_and_names_what_sticks_out(page: Page) -> None:
    """Visually hidden text in a scrolling wrapper that is not positioned escapes it."""
    page.set_content(TABLE_PAGE.replace("POSITION", ""))
    with pytest.raises(PageCheckError) as excinfo:
        check_widths(page, "a wide table", "/sample/", "a sample table")
    assert "a wide table at 320 x 800" in str(excinfo.value)
    assert "span.hidden ends at" in str(excinfo.value)
    assert page.viewport_size == {"width": 1280, "height": 720}  # put back

    page.set_content(TABLE_PAGE.replace("POSITION", "position: relative;"))
    check_widths(page, "a wide table in a positioned wrapper", "/sample/", "a sample table")


SITE = "http://pages.test"


def _html(title: str, body: str) -> str:
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{title} – KQM</title></head>"
        f"<body><main><h1>{title}</h1>{body}</main></body></html>"
    )


def _serve(context: BrowserContext, pages: dict[str, str]) -> None:
    """Answer requests to ``SITE`` with ``pages`` (by path), as if a server did."""

    def answer(route: Route) -> None:
        path = urlsplit(route.request.url).path
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=pages[path])

    context.route(f"{SITE}/**", answer)


def _unique_folder() -> str:
    """Kinds of page are remembered per process: a folder no other test has seen."""
    return "/" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))


@contextmanager
def _visiting(browser: Browser, pages: dict[str, str]) -> Iterator[tuple[Page, PageVisits]]:
    """A browser of its own answering with ``pages``, whose visits ``PageVisits`` checks."""
    context = browser.new_context()
    try:
        _serve(context, pages)
        page = context.new_page()
        with check_before_calls(), PageVisits() as visits:
            visits.watch(context)
            yield page, visits
    finally:
        context.close()


def test_every_page_passed_through_is_checked_between_steps(browser: Browser) -> None:
    """Pages the test never checks itself are checked, even one it leaves in the step
    that reached it (the second click waits for the link of the page the first opened)."""
    folder = _unique_folder()
    pages = {
        f"{folder}/start/": _html("Start", "<a href='../photo/'>To the photo</a>"),
        f"{folder}/photo/": _html(
            "Photo", "<img src='data:,'><a href='../wide/'>To the wide page</a>"
        ),
        f"{folder}/wide/": _html(
            "Wide", "<div style='width: 600px'>Wide</div><a href='../end/'>To the end</a>"
        ),
        f"{folder}/end/": _html("End", "<p>Nothing to see.</p>"),
    }
    with _visiting(browser, pages) as (page, visits):
        page.goto(f"{SITE}{folder}/start/")
        page.get_by_role("link", name="To the photo").click()
        page.get_by_role("link", name="To the wide page").click()
        page.get_by_role("link", name="To the end").click()
        expect(page.get_by_role("heading", name="End")).to_be_visible()
        with pytest.raises(PageCheckError) as excinfo:
            visits.finish()

    message = str(excinfo.value)
    assert f"on '{folder}/photo/ (" in message and "image-alt" in message
    assert f"{folder}/wide/ (" in message and "at 320 x 800" in message
    assert "scrolls sideways: the page is" in message and "div ends at" in message
    assert "a page the test passed through" in message
    assert f"{folder}/start/" not in message and f"{folder}/end/" not in message
    assert page.viewport_size == {"width": 1280, "height": 720}  # put back each time


# Reloads itself the first time it is made narrow: a navigation in the middle of its check.
RELOADS_WHEN_RESIZED = """<script>
addEventListener("resize", () => {
  if (!sessionStorage.getItem("reloaded")) {
    sessionStorage.setItem("reloaded", "yes");
    location.reload();
  }
});
</script>"""


def test_a_navigation_during_a_check_neither_fails_the_test_nor_skips_the_page(
    browser: Browser,
) -> None:
    folder = _unique_folder()
    pages = {
        f"{folder}/reloads/": _html(
            "Reloads",
            f"{RELOADS_WHEN_RESIZED}<div style='width: 600px'>Wide</div>"
            "<a href='../end/'>To the end</a>",
        ),
        f"{folder}/end/": _html("End", "<p>Nothing to see.</p>"),
    }
    with _visiting(browser, pages) as (page, visits):
        page.goto(f"{SITE}{folder}/reloads/")
        page.get_by_role("link", name="To the end").click()
        expect(page.get_by_role("heading", name="End")).to_be_visible()
        assert page.evaluate("sessionStorage.getItem('reloaded')") == "yes"
        problems = list(visits.problems)

    # Checked once the page had reloaded: the only problem is the page's own.
    assert len(problems) == 1, problems
    assert f"{folder}/reloads/ (" in problems[0] and "scrolls sideways" in problems[0]


def test_the_next_check_fails_on_a_problem_of_a_page_passed_through(page: Page) -> None:
    """The suite's own wiring (``_check_every_page_visited``): a test's next ``axe_check``
    fails with what was found on a page it passed through, named."""
    folder = _unique_folder()
    _serve(
        page.context,
        {
            f"{folder}/photo/": _html(
                "Photo", "<img src='data:,'><a href='../end/'>To the end</a>"
            ),
            f"{folder}/end/": _html("End", "<p>Nothing to see.</p>"),
        },
    )
    page.goto(f"{SITE}{folder}/photo/")
    page.get_by_role("link", name="To the end").click()
    expect(page.get_by_role("heading", name="End")).to_be_visible()
    with pytest.raises(PageCheckError, match=f"(?s)on '{folder}/photo/ .*image-alt"):
        axe_check(page, "the end page")
    axe_check(page, "the end page")  # the problem is reported once


def test_a_page_shown_again_is_not_run_again_unless_the_test_changed_it(
    page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    """axe-core runs on the first page of a kind at a width; a later page of that kind, just
    shown, is not run again at that width, but a page the test has changed since is."""
    runs: list[str] = []
    run_axe = helpers.run_axe

    def counted(checked: Page) -> list:
        runs.append(checked.url)
        return run_axe(checked)

    monkeypatch.setattr(helpers, "run_axe", counted)
    folder = _unique_folder()
    _serve(page.context, {f"{folder}/list/": _html("List", "<p>Three settings.</p>")})

    page.goto(f"{SITE}{folder}/list/")
    axe_check(page, "the list")
    first = len(runs)
    assert first >= 2  # this width, then the phone's (the kind's first page)

    page.goto(f"{SITE}{folder}/list/")  # a new document of the same kind
    axe_check(page, "the list again")
    assert len(runs) == first

    page.evaluate("document.querySelector('p').textContent = 'Four settings.'")
    axe_check(page, "the list, changed")
    assert len(runs) == first + 1
