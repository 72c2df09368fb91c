"""Self-evaluation and the SMART improvement plan in Chromium, with axe-core on every page.

The setting manager completes a SEF section (after a mistake), adds a SMART action that
answers an audit subscale (the choice revealed by its radio), uploads evidence of impact
and finds an older action listed first as overdue; the evaluator reads the plan and adds
a dated review note.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfWriter

from accreditation.models import (
    Accreditation,
    ActionReview,
    ImprovementAction,
    SelfEvaluationEntry,
    Status,
)
from audits.models import Audit, Instrument, InstrumentVersion, Subscale
from kqm.models import Role, User
from settings.models import Setting
from tests.factories import AccreditationFactory

from .conftest import A11yPage

pytestmark = pytest.mark.browser


def small_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def accreditation(
    transactional_db: None, setting: Setting, users: dict[str, User]
) -> Accreditation:
    accreditation = AccreditationFactory(
        setting=setting, evaluator=users[Role.EVALUATOR], status=Status.IN_PROGRESS
    )
    instrument = Instrument.objects.create(
        code="plan-test-scale", name="ECERS-3", kind="rating_scale"
    )
    version = InstrumentVersion.objects.create(instrument=instrument, label="2015")
    Subscale.objects.create(version=version, number=1, name="Space and furnishings")
    Subscale.objects.create(version=version, number=2, name="Language and literacy")
    Audit.objects.create(
        setting=setting,
        accreditation=accreditation,
        version=version,
        room="Pre-school room",
        occasion="initial",
        date=datetime.date(2026, 10, 5),
        created_by=users[Role.EVALUATOR],
    )
    ImprovementAction.objects.create(
        accreditation=accreditation,
        description="Review the settling-in policy with parents",
        success_measure="Policy agreed at the parents' forum",
        owner="Manager",
        relevance="sef_section",
        sef_section="parents",
        due_date=timezone.localdate() - datetime.timedelta(days=5),
        created_by=users[Role.SETTING_MANAGER],
    )
    return accreditation


@pytest.mark.usefixtures("_media_in_tmp")
def test_self_evaluation_and_plan(
    a11y_page: A11yPage, users: dict[str, User], accreditation: Accreditation
) -> None:
    page = a11y_page.page
    a11y_page.login(users[Role.SETTING_MANAGER])
    a11y_page.goto(accreditation.get_absolute_url(), "accreditation page")
    page.get_by_role("link", name="Self-evaluation", exact=True).first.click()
    a11y_page.check("self-evaluation")
    expect(page.get_by_text("0 of 6 sections completed")).to_be_visible()
    page.get_by_role("link", name="Complete Leadership and management").click()
    a11y_page.check("self-evaluation section form")
    page.get_by_label("Good", exact=True).check()
    page.get_by_role("button", name="Save this section").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the evidence for your judgement"
    )
    a11y_page.check("self-evaluation section form, with an error")
    page.get_by_label("Evidence").fill(
        "Staff questionnaire: 11 of 12 staff agree they understand our vision."
    )
    page.get_by_role("button", name="Save this section").click()
    expect(page.get_by_text("1 of 6 sections completed")).to_be_visible()
    a11y_page.check("self-evaluation, one section done")
    page.get_by_role("link", name="All versions (1) of Leadership and management").click()
    a11y_page.check("self-evaluation section versions")
    assert SelfEvaluationEntry.objects.get().judgement == "good"

    a11y_page.goto(accreditation.get_absolute_url(), "accreditation page again")
    page.get_by_role("link", name="Improvement plan", exact=True).first.click()
    a11y_page.check("improvement plan")
    overdue_row = page.locator("tr.kqm-overdue")
    expect(overdue_row).to_contain_text("Review the settling-in policy")
    expect(overdue_row).to_contain_text("Overdue")

    page.get_by_role("link", name="Add an action").click()
    a11y_page.check("add an action")
    page.get_by_label("What will be done? (specific)").fill(
        "Add a book corner with cushions in the pre-school room."
    )
    page.get_by_label("How will you know it worked? (measurable)").fill(
        "ECERS-3 language subscale 5 or more at the end-of-year audit."
    )
    page.get_by_label("Who leads it? (achievable)").fill("Room leader")
    page.get_by_label("An audit subscale").check()
    due = timezone.localdate() + datetime.timedelta(days=120)
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select the audit subscale the action responds to"
    )
    a11y_page.check("add an action, with an error")
    page.get_by_label("Audit subscale", exact=True).select_option(label="2. Language and literacy")
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add a book corner")
    a11y_page.check("action page")
    expect(page.locator(".govuk-summary-list")).to_contain_text("subscale 2, Language and literacy")

    page.get_by_role("link", name="Upload a file").click()
    a11y_page.check("upload evidence")
    page.get_by_label("File").set_input_files(
        files=[{"name": "book-corner.pdf", "mimeType": "application/pdf", "buffer": small_pdf()}]
    )
    page.get_by_label("What does it show?").fill("Photos of the book corner in use")
    page.get_by_role("button", name="Upload the file").click()
    expect(page.locator("#evidence ~ div table")).to_contain_text("book-corner.pdf")
    a11y_page.check("action page with evidence")

    page.context.clear_cookies()
    a11y_page.login(users[Role.EVALUATOR])
    a11y_page.goto(
        f"/programme/accreditations/{accreditation.pk}/improvement-plan/", "plan as evaluator"
    )
    expect(page.get_by_role("link", name="Add an action")).to_have_count(0)
    page.get_by_role("link", name="Add a book corner with cushions in the pre-school room.").click()
    page.get_by_role("link", name="Add a review note").click()
    a11y_page.check("add a review note")
    page.get_by_label("Review note").fill("Corner in daily use; children choose books unprompted.")
    page.get_by_role("button", name="Add the note").click()
    expect(page.locator("#reviews ~ .govuk-inset-text").first).to_contain_text(
        "children choose books"
    )
    a11y_page.check("action page with a review")
    assert ActionReview.objects.get().author == users[Role.EVALUATOR]
