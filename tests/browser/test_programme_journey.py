"""The programme in Chromium, end to end: apply with evidence, judge, accept, assign, workload.

A setting manager applies with a real PDF, the KQM manager judges every entry criterion
as met, accepts the application into the cohort and assigns an evaluator, and the
evaluator finds the setting on their workload page and dashboard. axe-core checks every
page on the way, including the form pages before and after a mistake.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader, PdfWriter

from accreditation.models import (
    Accreditation,
    Application,
    ApplicationStatus,
    Cohort,
    CriterionJudgement,
    EntryCriterion,
    EvaluatorProfile,
    Status,
)
from accreditation.shipped import add_entry_criteria
from kqm.models import Role, User
from settings.models import Setting
from tests.factories import CohortFactory

from .conftest import A11yPage

pytestmark = pytest.mark.browser

ANSWERS = {
    "Strong practice": "Our last Ofsted inspection judged us good, and our ECERS-3 audit "
    "in March scored 5.8 across the subscales.",
    "Reflective practitioners": "Every Friday the room teams review their observations and "
    "change one thing in the environment for the next week.",
    "Autonomy": "Our deputy manager leads the action research; we set aside two hours a "
    "week for self-evaluation.",
}
EVIDENCE_TITLE = "Ofsted report, March 2025"


def small_pdf() -> bytes:
    """A real one-page PDF (readable by pypdf), a few hundred bytes long."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def entry_criteria(transactional_db: None) -> list[EntryCriterion]:
    """The entry criteria from the data migration (a transactional test's flush removes them)."""
    add_entry_criteria(django_apps, None)
    return list(EntryCriterion.objects.filter(active=True))


@pytest.fixture
def open_cohort(transactional_db: None) -> Cohort:
    today = timezone.localdate()
    return CohortFactory(
        name=f"{today.year} cohort",
        programme_year=today.year,
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=300),
        capacity=20,
        days_per_setting=Decimal("8"),
        applications_open=True,
    )


@pytest.fixture
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def sign_in_as(a11y_page: A11yPage, user: User) -> None:
    """Sign out whoever is signed in (a fresh session) and sign ``user`` in."""
    a11y_page.page.context.clear_cookies()
    a11y_page.login(user)


def emails_to(user: User) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if user.email in message.to]


@pytest.mark.usefixtures("_media_in_tmp")
def test_apply_accept_assign_and_the_evaluator_sees_the_setting(
    a11y_page: A11yPage,
    users: dict[str, User],
    setting: Setting,
    open_cohort: Cohort,
    entry_criteria: list[EntryCriterion],
) -> None:
    page = a11y_page.page
    applicant = users[Role.SETTING_MANAGER]
    manager = users[Role.MANAGER]
    evaluator = users[Role.EVALUATOR]
    EvaluatorProfile.objects.create(
        user=evaluator, day_rate=Decimal("105.00"), capacity_days=Decimal("40")
    )
    pdf = small_pdf()
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1

    # The setting manager applies, with a mistake first. -------------------------------------
    a11y_page.login(applicant)
    a11y_page.goto("/programme/applications/new/", "cohorts taking applications")
    page.get_by_role("link", name=f"Apply to the {open_cohort.name}").click()
    expect(page.get_by_role("heading", level=1, name="Apply to join the cohort")).to_be_visible()
    a11y_page.check("application form")

    page.get_by_label("Strong practice", exact=True).fill(ANSWERS["Strong practice"])
    page.get_by_label("Title of file 1").fill(EVIDENCE_TITLE)
    page.get_by_role("button", name="Submit application").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter your answer for Reflective practitioners")
    expect(summary).to_contain_text("Enter your answer for Autonomy")
    expect(summary).to_contain_text(f"Select the file for “{EVIDENCE_TITLE}”")
    # What was typed is kept.
    expect(page.get_by_label("Strong practice", exact=True)).to_have_value(
        ANSWERS["Strong practice"]
    )
    a11y_page.check("application form with errors")
    assert not Application.objects.exists()

    for title, answer in ANSWERS.items():
        page.get_by_label(title, exact=True).fill(answer)
    page.get_by_label("File 1", exact=True).set_input_files(
        {"name": "ofsted-report.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    page.get_by_label("Title of file 1").fill(EVIDENCE_TITLE)
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", level=1, name="Application submitted")).to_be_visible()
    a11y_page.check("application submitted")

    application = Application.objects.get(setting=setting, cohort=open_cohort)
    assert application.status == ApplicationStatus.SUBMITTED
    evidence = application.evidence.get()
    assert (evidence.title, evidence.original_name) == (EVIDENCE_TITLE, "ofsted-report.pdf")
    assert evidence.content_type == "application/pdf"
    with evidence.file.open("rb") as stored:
        assert stored.read() == pdf
    assert [m.subject for m in emails_to(applicant)] == [
        f"We have received your KQM application for {setting.display_name}"
    ]

    page.get_by_role("link", name="View your application").click()
    expect(page.get_by_role("link", name=f"{EVIDENCE_TITLE} (download)")).to_be_visible()
    a11y_page.check("application, as the applicant")

    # The KQM manager judges every criterion as met and accepts. -----------------------------
    sign_in_as(a11y_page, manager)
    a11y_page.goto("/programme/applications/", "application list")
    page.get_by_role("link", name=setting.display_name).click()
    expect(page.get_by_role("heading", level=1, name=setting.display_name)).to_be_visible()
    a11y_page.check("application, as the KQM manager")

    page.get_by_role("link", name="Judge against the entry criteria").click()
    a11y_page.check("judging form")
    for title in ANSWERS:
        group = page.get_by_role("group", name=f"Is {title} met?")
        group.get_by_label("Met", exact=True).check()
    page.get_by_role("button", name="Save judgements").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your judgements have been saved."
    )
    a11y_page.check("application after judging")
    assert set(application.answers.values_list("judgement", flat=True)) == {CriterionJudgement.MET}

    page.get_by_role("link", name="Decide", exact=True).click()
    a11y_page.check("decision form")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a decision")
    a11y_page.check("decision form with an error")

    mail.outbox.clear()
    page.get_by_label("Accept into the cohort").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("application accepted")
    a11y_page.check("application accepted")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    accreditation = Accreditation.objects.get(setting=setting, cohort=open_cohort)
    assert accreditation.status == Status.ACCEPTED
    accepted = emails_to(applicant)
    assert len(accepted) == 1
    assert accepted[0].subject == (
        f"{setting.display_name} has been accepted into the {open_cohort}"
    )

    page.get_by_role("link", name="View the accreditation record").click()
    expect(page.get_by_role("heading", level=1, name=setting.display_name)).to_be_visible()
    a11y_page.check("accreditation record")

    # ...and assigns the evaluator from the cohort page. ---------------------------------------
    a11y_page.goto(f"/programme/cohorts/{open_cohort.pk}/", "cohort page")
    page.get_by_role(
        "link", name=f"Assign evaluator for {setting.display_name}", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1, name="Assign an evaluator")).to_be_visible()
    a11y_page.check("assign an evaluator")
    page.get_by_role("button", name="Assign evaluator").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose an evaluator")
    a11y_page.check("assign an evaluator with an error")

    page.get_by_label(evaluator.full_name).check()
    page.get_by_role("button", name="Assign evaluator").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"{evaluator} is now the evaluator for {setting.display_name}"
    )
    expect(page).to_have_url(a11y_page.url(f"/programme/cohorts/{open_cohort.pk}/"))
    a11y_page.check("cohort page after assigning")
    accreditation.refresh_from_db()
    assert accreditation.evaluator == evaluator
    assert [m.subject for m in emails_to(evaluator)] == [
        f"You have been assigned {setting.display_name} ({open_cohort.name})"
    ]

    # The evaluator sees the setting on their dashboard and workload page. ---------------------
    sign_in_as(a11y_page, evaluator)
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Settings assigned to you")).to_be_visible()
    assigned = main.get_by_role("region", name="Settings assigned to you")
    expect(assigned.get_by_role("link", name=setting.name)).to_be_visible()
    evaluated = main.get_by_role("region", name="Accreditations you evaluate")
    expect(evaluated.get_by_role("link", name=setting.display_name)).to_be_visible()
    expect(main).not_to_contain_text("No settings are assigned to you yet.")

    a11y_page.goto("/programme/workload/", "workload")
    expect(page.get_by_role("heading", level=1, name="Your workload")).to_be_visible()
    table = page.get_by_role("table", name="Assigned settings with days budgeted")
    expect(table.get_by_role("link", name=setting.display_name)).to_be_visible()
    expect(page.get_by_test_id("total-budgeted")).to_have_text("8")

    assert a11y_page.checked == [
        "after signing in as Setting manager",
        "cohorts taking applications",
        "application form",
        "application form with errors",
        "application submitted",
        "application, as the applicant",
        "after signing in as KQM manager",
        "application list",
        "application, as the KQM manager",
        "judging form",
        "application after judging",
        "decision form",
        "decision form with an error",
        "application accepted",
        "accreditation record",
        "cohort page",
        "assign an evaluator",
        "assign an evaluator with an error",
        "cohort page after assigning",
        "after signing in as Evaluator",
        "workload",
    ]
