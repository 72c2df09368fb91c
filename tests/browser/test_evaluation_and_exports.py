"""In Chromium, with axe-core on every page: the KQM manager opens an end-of-cohort
evaluation (after one mistake), people answer through their emailed links, the manager
closes it and reads the results; the manager's dashboard shows what needs attention; a
report is exported in the background and downloaded from its status page."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, expect

from accreditation.models import Status
from accreditation.models.exports import ReportExport
from audits.services.questionnaires import load_shipped_questionnaires
from kqm.models import Role, User
from tests.factories import AccreditationFactory, CohortFactory, SettingFactory, UserFactory

from .conftest import A11yPage
from .helpers import axe_check

pytestmark = pytest.mark.browser

TOKEN_PATH = re.compile(r"(/audits/questionnaires/answer/[A-Za-z0-9_-]{40,}/)")


@pytest.fixture
def questionnaires(transactional_db: None) -> None:
    load_shipped_questionnaires()


def test_the_manager_runs_an_evaluation_and_exports_a_report(
    a11y_page: A11yPage, browser: Browser, users: dict[str, User], questionnaires: None
) -> None:
    page = a11y_page.page
    cohort = CohortFactory(name="2026 cohort")
    for n in range(5):
        setting = SettingFactory(name=f"Evaluation Nursery {n}")
        UserFactory(role=Role.SETTING_MANAGER, settings=[setting])
        AccreditationFactory(
            setting=setting,
            cohort=cohort,
            evaluator=users[Role.EVALUATOR],
            status=Status.SUBMITTED if n == 0 else Status.IN_PROGRESS,
        )
    a11y_page.login(users[Role.MANAGER])
    expect(page.get_by_role("heading", name="Needs your attention")).to_be_visible()

    a11y_page.goto("/audits/evaluations/", "evaluations (none yet)")
    page.get_by_role("link", name="Open an evaluation").click()
    a11y_page.check("open an evaluation")
    page.get_by_label("Which cohort?").select_option(label="2026 cohort")
    page.get_by_role("button", name="Open it and send the links").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a title")
    a11y_page.check("open an evaluation, with errors")
    closes_on = timezone.localdate() + datetime.timedelta(days=7)
    page.get_by_label("Title").fill("2026 cohort evaluation")
    page.get_by_label("Day").fill(str(closes_on.day))
    page.get_by_label("Month").fill(str(closes_on.month))
    page.get_by_label("Year").fill(str(closes_on.year))
    page.get_by_role("button", name="Open it and send the links").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("6 people will get")
    a11y_page.check("evaluation page while open")

    paths = [TOKEN_PATH.search(message.body).group(1) for message in mail.outbox]  # type: ignore[union-attr]
    assert len(paths) == 6
    for number, path in enumerate(paths[:5]):
        context = browser.new_context()
        person = context.new_page()
        person.goto(a11y_page.url(path))
        if number == 0:
            axe_check(person, "evaluation answer page")
        for statement in range(1, 12):
            person.check(f"#id_statement_{statement}_{1 + number % 5}")
        person.get_by_role("button", name="Send my answers").click()
        expect(person.get_by_role("heading", name="Thank you")).to_be_visible()
        context.close()

    page.reload()
    page.get_by_role("link", name="Close the evaluation now").click()
    a11y_page.check("close the evaluation?")
    page.get_by_role("button", name="Close the evaluation").click()
    expect(page.get_by_text("5 people answered")).to_be_visible()
    a11y_page.check("evaluation results")

    # A report exported in the background: the status page, then the download.
    a11y_page.goto("/programme/reports/outcomes/", "outcomes report")
    page.get_by_role("button", name="Export as CSV in the background").click()
    expect(page.get_by_role("heading", name="Your file is ready")).to_be_visible()
    a11y_page.check("export ready")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download Outcomes against Ofsted")).click()
    assert download.value.suggested_filename.endswith(".csv")
    waiting = ReportExport.objects.create(
        report="register", format="csv", requested_by=users[Role.MANAGER]
    )
    a11y_page.goto(f"/programme/exports/{waiting.pk}/", "export waiting, with progress bar")
    expect(page.locator("progress")).to_be_visible()
    a11y_page.goto("/programme/exports/", "your exports")
    expect(page.locator("tbody tr")).to_have_count(2)
