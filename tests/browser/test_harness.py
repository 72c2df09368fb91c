"""The harness itself: axe-core really runs and reports violations readably."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .helpers import AxeViolationError, axe_check, screenshot_name

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
