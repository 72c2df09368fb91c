"""The accreditation year in Chromium: a visit and its note of visit, then case study 1.

The evaluator books a mentoring visit and writes the note of visit (autosaved) with an
agreed action; the setting manager agrees it and finds the action on the action list.
The setting manager writes case study 1 in the rich-text editor, adds two evidence
files and submits it; the evaluator returns it with a comment on one section; the
setting manager improves that section and resubmits; the evaluator sees what changed
and accepts. The task list shows each step. axe-core checks every page on the way.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfWriter

from accreditation.models import (
    Accreditation,
    CaseStudy,
    CaseStudyStatus,
    NoteOfVisit,
    NoteStatus,
    Status,
    Visit,
)
from kqm.models import Role, User
from settings.models import Setting
from tests.factories import AccreditationFactory, CohortFactory

from .conftest import A11yPage

pytestmark = pytest.mark.browser

SECTIONS = {
    "Context and focus": "We are a 40-place nursery. Our ECERS-3 audit showed that our "
    "two-year-old boys rarely chose the garden.",
    "Baseline well-being and involvement": "In the autumn screening the group's involvement "
    "was mostly moderate (3) outdoors.",
    "What was changed": "We opened the garden all day and added crates, planks and tyres.",
    "Observations over time": "Week 2: the boys built ramps. Week 5: play lasted 20 minutes.",
    "Outcome": "Involvement rose to high (4) for most of the group.",
    "Reflection and next steps": "Next we will bring mark-making outdoors.",
}
BETTER_OUTCOME = (
    "Involvement rose to high (4) for most of the group; the spring screening "
    "confirmed it for 7 of 9 boys."
)


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
    today = timezone.localdate()
    cohort = CohortFactory(
        name=f"{today.year} cohort",
        programme_year=today.year,
        start_date=today - datetime.timedelta(days=60),
        end_date=today + datetime.timedelta(days=300),
    )
    return AccreditationFactory(
        setting=setting,
        cohort=cohort,
        evaluator=users[Role.EVALUATOR],
        status=Status.IN_PROGRESS,
        days_budget=Decimal("8"),
    )


def sign_in_as(a11y_page: A11yPage, user: User) -> None:
    a11y_page.page.context.clear_cookies()
    a11y_page.login(user)


def task_status(a11y_page: A11yPage, key: str):
    return a11y_page.page.locator(f'[data-task="{key}"] .govuk-task-list__status')


@pytest.mark.usefixtures("_media_in_tmp")
def test_visit_note_of_visit_and_case_study_through_review(
    a11y_page: A11yPage, users: dict[str, User], accreditation: Accreditation
) -> None:
    page = a11y_page.page
    evaluator = users[Role.EVALUATOR]
    setting_manager = users[Role.SETTING_MANAGER]
    record = f"/programme/accreditations/{accreditation.pk}/"
    visit_day = timezone.localdate() + datetime.timedelta(days=7)
    evidence_day = timezone.localdate() - datetime.timedelta(days=3)

    # The evaluator books a mentoring visit. --------------------------------------------------
    sign_in_as(a11y_page, evaluator)
    a11y_page.goto(record, "accreditation task list, as the evaluator")
    expect(task_status(a11y_page, "mentoring_1")).to_have_text("Not yet booked")
    page.get_by_role("link", name="Visits", exact=True).click()
    a11y_page.check("visits, none booked")
    page.get_by_role("link", name="Book a visit").click()
    a11y_page.check("book a visit")
    page.get_by_role("button", name="Book visit").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the type of visit")
    a11y_page.check("book a visit with errors")
    page.get_by_label("Mentoring visit 1").check()
    page.locator("input[name=date_0]").fill(str(visit_day.day))
    page.locator("input[name=date_1]").fill(str(visit_day.month))
    page.locator("input[name=date_2]").fill(str(visit_day.year))
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("End time").fill("12:30")
    page.get_by_role("button", name="Book visit").click()
    expect(page.get_by_role("heading", level=1, name="Mentoring visit 1")).to_be_visible()
    a11y_page.check("visit booked")
    # The visit takes place: a note of visit is shared and agreed only from its date.
    Visit.objects.filter(accreditation=accreditation).update(
        date=timezone.localdate() - datetime.timedelta(days=1)
    )
    page.reload()

    # ...and writes the note of visit, which autosaves, with an agreed action. ------------------
    page.get_by_role("button", name="Write the note of visit").click()
    expect(page.get_by_role("heading", level=1, name="Write the note of visit")).to_be_visible()
    a11y_page.check("note of visit form")
    boxes = page.locator("textarea[name^=section_]")
    for index in range(boxes.count()):
        boxes.nth(index).fill(f"Section {index + 1}: discussed with the manager and deputy.")
    expect(page.locator("[data-autosave-status]")).to_contain_text("Saved at", timeout=10000)
    page.locator("textarea[name=action_1]").fill("Plan loose-parts play for the garden")
    page.locator("input[name=owner_1]").fill("Deputy manager")
    page.locator("input[name=due_1_0]").fill("30")
    page.locator("input[name=due_1_1]").fill("11")
    page.locator("input[name=due_1_2]").fill(str(visit_day.year + 1))
    page.get_by_role("button", name="Save and check before sharing").click()
    expect(
        page.get_by_role("heading", level=1, name="Check the note before sharing it")
    ).to_be_visible()
    a11y_page.check("check the note before sharing")
    page.get_by_role("button", name="Share with the setting").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The note has been shared"
    )
    a11y_page.check("note of visit, shared")
    note = NoteOfVisit.objects.get(visit__accreditation=accreditation)
    assert note.status == NoteStatus.SHARED and note.actions.count() == 1

    # The setting manager agrees it; the action joins their action list. ------------------------
    sign_in_as(a11y_page, setting_manager)
    a11y_page.goto(record, "accreditation task list, note to agree")
    expect(task_status(a11y_page, "mentoring_1")).to_have_text("Note to agree")
    page.locator('[data-task="mentoring_1"] a').click()
    a11y_page.check("visit, as the setting manager")
    page.get_by_role("link", name="Read the note of visit").click()
    a11y_page.check("note of visit, as the setting manager")
    page.get_by_role("link", name="Agree or comment").click()
    a11y_page.check("agree the note of visit")
    page.get_by_label("Yes, I agree it").check()
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "You have agreed the note of visit"
    )
    a11y_page.check("note of visit, agreed")
    page.get_by_role("link", name="See the setting's action list").click()
    expect(page.get_by_role("table")).to_contain_text("Plan loose-parts play for the garden")
    a11y_page.check("action list")

    # The setting manager writes case study 1 with two evidence files and submits it. --------
    a11y_page.goto(record, "accreditation task list, before the case study")
    expect(task_status(a11y_page, "mentoring_1")).to_have_text("Completed")
    expect(task_status(a11y_page, "case-study-1")).to_have_text("Not started")
    page.get_by_role("link", name="Case study 1").click()
    a11y_page.check("case study 1, not started")
    page.get_by_role("link", name="Start case study 1").click()
    a11y_page.check("case study form")
    page.get_by_label("Title").fill("Outdoor play for our two-year-old boys")
    for title, text in SECTIONS.items():
        page.get_by_role("textbox", name=title).fill(text)
    expect(page.locator("[data-autosave-status]")).to_contain_text("Saved at", timeout=10000)
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Draft saved")
    case_study = CaseStudy.objects.get(accreditation=accreditation, number=1)
    assert case_study.change == (
        "<p>We opened the garden all day and added crates, planks and tyres.</p>"
    )

    pdf = small_pdf()
    for number, title in enumerate(["Observation notes, garden", "Leuven summary, autumn"], 1):
        page.goto(a11y_page.url(f"{record}case-studies/1/evidence/add/"))
        a11y_page.check(f"add evidence {number}")
        page.get_by_label("File").set_input_files(
            {"name": f"evidence-{number}.pdf", "mimeType": "application/pdf", "buffer": pdf}
        )
        page.get_by_label("Title").fill(title)
        page.locator("input[name=effective_date_0]").fill(str(evidence_day.day))
        page.locator("input[name=effective_date_1]").fill(str(evidence_day.month))
        page.locator("input[name=effective_date_2]").fill(str(evidence_day.year))
        page.get_by_role("button", name="Add file").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            f"“{title}” has been added"
        )
    a11y_page.check("case study with two evidence files")
    expect(page.get_by_role("table", name="Evidence files, by date")).to_contain_text(
        "Leuven summary, autumn"
    )
    page.get_by_role("link", name="Check and submit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your answers")
    a11y_page.check("check your answers")
    page.get_by_role("button", name="Submit case study 1").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Case study 1 submitted"
    )
    a11y_page.check("case study submitted")

    # The evaluator returns it with a comment on one section. ---------------------------------
    sign_in_as(a11y_page, evaluator)
    a11y_page.goto(record, "accreditation task list, case study to review")
    expect(task_status(a11y_page, "case-study-1")).to_have_text("To review")
    page.get_by_role("link", name="Case study 1").click()
    page.get_by_role("link", name="Review version 1").click()
    a11y_page.check("review case study")
    for title in SECTIONS:
        page.get_by_role("group", name=f"Does “{title}” meet the standard?").get_by_label(
            "Meets the standard"
        ).check()
    page.get_by_role("group", name="Does “Outcome” meet the standard?").get_by_label(
        "Needs more work"
    ).check()
    page.get_by_label("Return it with feedback").check()
    page.get_by_role("button", name="Send decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what more “Outcome” needs")
    a11y_page.check("review with an error")
    page.get_by_label("Comment on “Outcome”").fill("Add the follow-up Leuven scores.")
    page.get_by_role("button", name="Send decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "returned with your feedback"
    )
    a11y_page.check("case study returned")

    # The setting manager improves the outcome and resubmits. ----------------------------------
    sign_in_as(a11y_page, setting_manager)
    a11y_page.goto(record, "accreditation task list, returned")
    expect(task_status(a11y_page, "case-study-1")).to_have_text("Returned for more work")
    page.get_by_role("link", name="Case study 1").click()
    a11y_page.check("case study with feedback")
    page.get_by_role("link", name="Carry on writing").click()
    expect(page.get_by_text("Add the follow-up Leuven scores.")).to_be_visible()
    a11y_page.check("case study form with feedback")
    page.get_by_role("textbox", name="Outcome").fill(BETTER_OUTCOME)
    page.get_by_role("button", name="Save and check your answers").click()
    a11y_page.check("check your answers, resubmission")
    page.get_by_role("button", name="Submit case study 1").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("(version 2)")

    # The evaluator sees what changed and accepts. --------------------------------------------
    sign_in_as(a11y_page, evaluator)
    a11y_page.goto(f"{record}case-studies/1/review/", "review version 2")
    outcome = page.locator("details", has_text="What changed since the previous version")
    expect(outcome).to_have_count(1)  # only the outcome changed
    outcome.locator("summary").click()
    expect(outcome.locator("ins")).to_contain_text("the spring screening confirmed it")
    a11y_page.check("review version 2, changes open")
    for title in SECTIONS:
        page.get_by_role("group", name=f"Does “{title}” meet the standard?").get_by_label(
            "Meets the standard"
        ).check()
    page.get_by_label("Accept it").check()
    page.get_by_role("button", name="Send decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Case study 1 accepted"
    )
    a11y_page.check("case study accepted")

    a11y_page.goto(record, "accreditation task list, at the end")
    expect(task_status(a11y_page, "case-study-1")).to_have_text("Completed")
    expect(task_status(a11y_page, "mentoring_1")).to_have_text("Completed")
    expect(task_status(a11y_page, "case-study-2")).to_have_text("Not started")
    case_study.refresh_from_db()
    assert case_study.status == CaseStudyStatus.ACCEPTED
    assert list(case_study.versions.values_list("number", "decision")) == [
        (1, "returned"),
        (2, "accepted"),
    ]
    assert case_study.evidence.count() == 2
