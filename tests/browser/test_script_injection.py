"""User text that becomes a form label or hint is shown as text, never run (issue 19).

The three sinks found by the probe: a workshop attendee's name on the KQM manager's
attendance page, an evaluator's review comment on the setting's case-study page, and a
note-template section's title and prompt on the evaluator's note of visit.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page

from accreditation.models import (
    CaseStudyStatus,
    NoteTemplate,
    SectionReview,
    Workshop,
    WorkshopBooking,
)
from accreditation.models.case_studies import Verdict
from kqm.models import Role
from tests.accreditation.year_factories import VisitFactory, make_case_study, start_note
from tests.factories import AccreditationFactory, CohortFactory, SettingFactory

from .conftest import A11yPage

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__injected = 'script'</script>"
IMAGE = '<img src="x" onerror="window.__injected = \'image\'">'
PAYLOAD = f"Asha {SCRIPT}{IMAGE}"


def assert_shown_as_text(page: Page) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    assert page.evaluate("window.__injected === undefined"), "injected script ran"
    assert page.locator("main script").count() == 0
    assert page.locator("main img[src='x']").count() == 0
    assert page.get_by_text(SCRIPT, exact=False).count() >= 1
    assert not dialogs


def test_an_attendee_name_is_text_on_the_attendance_page(a11y_page: A11yPage, users):
    """The setting's name comes from an Ofsted import; the attendee's from a setting manager."""
    manager = users[Role.MANAGER]
    setting = SettingFactory(name=f"Nursery {IMAGE}")
    workshop = Workshop.objects.create(
        date=timezone.localdate() - datetime.timedelta(days=2),
        starts_at=datetime.time(9, 30),
        ends_at=datetime.time(12, 30),
        venue="Kent Education Centre",
        capacity=10,
        created_by=manager,
    )
    WorkshopBooking.objects.create(
        workshop=workshop,
        setting=setting,
        attendee_name=PAYLOAD,
        booked_by=users[Role.SETTING_MANAGER],
    )
    a11y_page.login(manager)
    a11y_page.goto(reverse("accreditation:workshop-attendance", args=[workshop.pk]), "attendance")
    page = a11y_page.page
    legend = page.locator("legend", has_text="Asha")
    assert SCRIPT in legend.inner_text()
    assert IMAGE in legend.inner_text()
    assert_shown_as_text(page)


def test_a_review_comment_is_text_on_the_case_study_page(a11y_page: A11yPage, users, setting):
    evaluator = users[Role.EVALUATOR]
    accreditation = AccreditationFactory(
        setting=setting, evaluator=evaluator, cohort=CohortFactory(), status="in_progress"
    )
    case_study = make_case_study(accreditation, status=CaseStudyStatus.RETURNED)
    version = case_study.versions.create(
        number=1,
        content={"sections": {}},
        submitted_by=users[Role.SETTING_MANAGER],
        submitted_at=timezone.now(),
        decision="returned",
        decided_by=evaluator,
        decided_at=timezone.now(),
    )
    SectionReview.objects.create(
        version=version, section="outcome", verdict=Verdict.NEEDS_MORE_WORK, comment=PAYLOAD
    )
    a11y_page.login(users[Role.SETTING_MANAGER])
    a11y_page.goto(
        reverse("accreditation:case-study-edit", args=[accreditation.pk, 1]), "case study"
    )
    page = a11y_page.page
    hint = page.locator(".govuk-hint", has_text="Your evaluator's comment")
    assert SCRIPT in hint.inner_text()
    assert_shown_as_text(page)


def test_a_note_section_title_and_prompt_are_text_for_the_evaluator(
    a11y_page: A11yPage, users, setting
):
    evaluator = users[Role.EVALUATOR]
    # The template the notes start from (the first one; made if a flushed database lost it).
    template = NoteTemplate.objects.order_by("pk").first() or NoteTemplate.objects.create(
        name="Notes of visit"
    )
    template.sections.all().delete()
    template.sections.create(order=1, title=f"Title {SCRIPT}", prompt=f"Prompt {IMAGE}{SCRIPT}")
    accreditation = AccreditationFactory(
        setting=setting, evaluator=evaluator, cohort=CohortFactory(), status="in_progress"
    )
    visit = VisitFactory(accreditation=accreditation)
    start_note(visit)
    a11y_page.login(evaluator)
    a11y_page.goto(reverse("accreditation:note-edit", args=[visit.pk]), "note of visit")
    page = a11y_page.page
    assert SCRIPT in page.locator("label", has_text="Title").first.inner_text()
    assert IMAGE in page.locator(".govuk-hint", has_text="Prompt").first.inner_text()
    assert_shown_as_text(page)
