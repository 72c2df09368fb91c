"""The staff questionnaire in Chromium: single-use links, anonymous answers, then the results.

The setting manager starts a round (after one mistake on the form) and gets six links,
shown once. Five members of staff, with no account, each open a link in their own browser
and answer; a reused link and a made-up one are refused. The manager sees the response
rate, the results stay hidden while the round is open, the manager closes it and sees the
figures per statement. axe-core checks every page on the way, the public ones included.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from urllib.parse import unquote, urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from audits.models import QuestionnaireResponse, QuestionnaireRound
from audits.services.questionnaires import load_shipped_questionnaires
from kqm.models import Role, User

from .conftest import A11yPage
from .helpers import axe_check

pytestmark = pytest.mark.browser

STAFF_ANSWERS = [5, 4, 4, 5, 3]  # each person's answer to every statement (mean 4.20)


@pytest.fixture
def questionnaires(transactional_db: None) -> None:
    """The shipped definitions, loaded by a data migration (a transactional test flushes them)."""
    load_shipped_questionnaires()


def test_five_staff_answer_by_link_and_the_manager_sees_the_results(
    a11y_page: A11yPage,
    browser: Browser,
    users: dict[str, User],
    questionnaires: None,
) -> None:
    page = a11y_page.page
    manager = users[Role.SETTING_MANAGER]
    a11y_page.login(manager)

    a11y_page.goto("/audits/questionnaires/", "questionnaire list (empty)")
    expect(page.get_by_text("You have not started a questionnaire yet.")).to_be_visible()
    page.get_by_role("link", name="Start a questionnaire").click()
    a11y_page.check("start a questionnaire")

    closes_on = timezone.localdate() + datetime.timedelta(days=7)
    page.get_by_label("Staff", exact=True).check()
    page.get_by_label("Title").fill("Staff questionnaire, spring term")
    page.get_by_label("Day").fill(str(closes_on.day))
    page.get_by_label("Month").fill(str(closes_on.month))
    page.get_by_label("Year").fill(str(closes_on.year))
    page.get_by_label("How many links do you need?").fill("0")
    page.get_by_role("button", name="Create the links").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a number of links from 1 to 100"
    )
    a11y_page.check("start a questionnaire, with an error")
    expect(page.get_by_label("Title")).to_have_value("Staff questionnaire, spring term")
    page.get_by_label("How many links do you need?").fill("6")
    page.get_by_role("button", name="Create the links").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Links for")
    a11y_page.check("the links, shown once")
    links = page.locator(".kqm-link-slip code").all_inner_texts()
    assert len(links) == 6 and len(set(links)) == 6
    paths = [urlparse(link).path for link in links]
    csv_href = page.get_by_role("link", name="Download the links (CSV)").get_attribute("href")
    assert csv_href is not None
    rows = list(csv.reader(io.StringIO(unquote(csv_href.split(",", 1)[1]))))
    assert [row[1] for row in rows[1:]] == links
    expect(page.get_by_role("button", name="Print the links")).to_be_visible()  # with JS

    # Five people answer, each in a browser of their own (no account, no shared cookies).
    for person, value in enumerate(STAFF_ANSWERS):
        context = browser.new_context()
        staff_page = context.new_page()
        staff_page.goto(a11y_page.url(paths[person]))
        if person == 0:
            axe_check(staff_page, "public answer page")
            expect(staff_page.get_by_text("Leadership and vision")).to_be_visible()
            # Sending it half-answered explains what is missing and keeps the answers.
            staff_page.check("#id_statement_1_5")
            staff_page.get_by_role("button", name="Send my answers").click()
            expect(staff_page.locator(".govuk-error-summary")).to_contain_text(
                "Select how much you agree with statement 2"
            )
            axe_check(staff_page, "public answer page, with errors")
            expect(staff_page.locator("#id_statement_1_5")).to_be_checked()
        for number in range(1, 13):
            staff_page.check(f"#id_statement_{number}_{value}")
        if person == 1:
            staff_page.get_by_label("Is there anything else").fill("More time to plan together.")
        staff_page.get_by_role("button", name="Send my answers").click()
        expect(staff_page.get_by_role("heading", name="Thank you")).to_be_visible()
        if person == 0:
            axe_check(staff_page, "thank-you page")
            # The same link again is refused.
            response = staff_page.goto(a11y_page.url(paths[0]))
            assert response is not None and response.status == 410
            expect(staff_page.get_by_role("heading", level=1)).to_have_text(
                "This link has already been used"
            )
            axe_check(staff_page, "used link page")
            response = staff_page.goto(a11y_page.url(paths[0][:-10] + "made-up123/"))
            assert response is not None and response.status == 404
            expect(staff_page.get_by_role("heading", level=1)).to_have_text(
                "This link is not recognised"
            )
            axe_check(staff_page, "unknown link page")
        context.close()

    assert QuestionnaireResponse.objects.count() == 5
    questionnaire_round = QuestionnaireRound.objects.get()

    # The manager sees the response rate; the figures wait for the round to close.
    a11y_page.goto("/audits/questionnaires/", "questionnaire list")
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("5 (83%)")
    row.get_by_role("link", name="Staff questionnaire, spring term").click()
    a11y_page.check("round page while open")
    expect(page.locator(".govuk-summary-list")).to_contain_text("83% (5 of 6)")
    expect(page.get_by_text("The results will appear when the round closes")).to_be_visible()
    expect(page.locator(".kqm-results-table")).to_have_count(0)

    page.get_by_role("link", name="Close the round now").click()
    a11y_page.check("close the round?")
    page.get_by_role("button", name="Close the round").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is closed")
    a11y_page.check("round page with results")
    expect(page.get_by_text("5 people answered")).to_be_visible()
    first = page.locator(".kqm-results-table tbody tr").first
    expect(first).to_contain_text("1. I understand the setting")
    expect(first).to_contain_text("4.20")
    expect(page.locator(".kqm-comments")).to_contain_text("More time to plan together.")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the results (CSV)").click()
    text = open(download.value.path(), encoding="utf-8").read()  # noqa: SIM115
    assert "4.20" in text and "More time" not in text
    for link_path in paths:
        assert link_path.split("/")[-2] not in text
    assert re.search(r"Responses,5", text)

    # The sixth link no longer works: the round has closed.
    context = browser.new_context()
    late = context.new_page()
    response = late.goto(a11y_page.url(paths[5]))
    assert response is not None and response.status == 410
    expect(late.get_by_role("heading", level=1)).to_have_text("This questionnaire has closed")
    axe_check(late, "closed round page")
    context.close()
    assert questionnaire_round.responses.count() == 5
