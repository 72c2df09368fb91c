"""The harness itself: axe-core really runs and reports violations readably."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .helpers import AxeViolationError, PageCheckError, axe_check, check_widths, screenshot_name

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
        check_widths(page, "a wide table", "/sample/")
    assert "a wide table at 320 x 800" in str(excinfo.value)
    assert "span.hidden ends at" in str(excinfo.value)
    assert page.viewport_size == {"width": 1280, "height": 720}  # put back

    page.set_content(TABLE_PAGE.replace("POSITION", "position: relative;"))
    check_widths(page, "a wide table in a positioned wrapper", "/sample/")
