"""A practitioner judges a room on a tablet-sized screen: each choice saves itself, a reload
keeps it, and the progress summary shows the figures as charts with tables; every page is
checked with axe-core."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from audits.models import ProgressRecord
from kqm.models import Role, User
from settings.models import Setting
from tests.audits.leuven_factories import YEAR
from tests.audits.progress_factories import judged_room

from .conftest import A11yPage

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("KQM_PROGRESS_SHOTS", "")


def _shot(a11y_page: A11yPage, name: str) -> None:
    if SHOTS:
        a11y_page.page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_judgements_save_as_they_are_chosen_and_show_in_the_summary(
    transactional_db: None, a11y_page: A11yPage, users: dict[str, User], setting: Setting
) -> None:
    _, children, checkpoints = judged_room(setting, 6, progress=("below", "expected"))
    ProgressRecord.objects.filter(checkpoint=checkpoints[1]).delete()
    a11y_page.page.set_viewport_size({"width": 1180, "height": 820})  # a tablet, landscape
    a11y_page.login(users[Role.PRACTITIONER])
    a11y_page.goto(f"/audits/progress/checkpoints/{checkpoints[1].pk}/entry/", "progress entry")
    page = a11y_page.page
    first = children[0]
    page.locator(f"label[for='band-{first.pk}-dm21-3-4']").click()
    page.locator(f"label[for='cl-{first.pk}-expected']").click()
    page.locator(f"label[for='ead-{first.pk}-above']").click()
    form = page.locator("form[data-autosave-url]")
    expect(form).to_have_attribute("data-autosave-state", "saved", timeout=15_000)
    _shot(a11y_page, "entry")
    page.reload()
    expect(page.locator(f"#cl-{first.pk}-expected")).to_be_checked()
    expect(page.locator(f"#ead-{first.pk}-above")).to_be_checked()
    expect(page.locator(f"#band-{first.pk}-dm21-3-4")).to_be_checked()
    record = ProgressRecord.objects.get(checkpoint=checkpoints[1], child=first)
    assert (record.band.code if record.band else "", record.cl, record.ead) == (
        "dm21-3-4",
        "expected",
        "above",
    )
    a11y_page.goto(f"/audits/progress/checkpoints/{checkpoints[1].pk}/", "progress checkpoint")
    _shot(a11y_page, "checkpoint")
    a11y_page.goto(f"/audits/progress/settings/{setting.pk}/?year={YEAR}", "progress setting")
    _shot(a11y_page, "setting")
    a11y_page.goto(
        f"/audits/progress/settings/{setting.pk}/summary/?year={YEAR}", "progress summary"
    )
    expect(page.get_by_test_id("progress-children")).to_contain_text("6 children judged")
    _shot(a11y_page, "summary")
    a11y_page.goto(f"/audits/progress/checkpoints/{checkpoints[1].pk}/upload/", "progress upload")
    _shot(a11y_page, "upload")
