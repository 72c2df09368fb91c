"""After the award in Chromium: the setting sends its annual review and the evaluator signs
it off; the KQM manager schedules a workshop, the setting books a place, and attendance is
recorded. axe-core checks every page on the way."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accreditation.models import (
    AnnualReview,
    ReviewStatus,
    Status,
    Workshop,
    WorkshopBooking,
)
from accreditation.models.awards import add_years
from accreditation.services.annual_reviews import ensure_annual_reviews
from kqm.models import Role, User
from settings.models import Setting
from tests.accreditation.award_factories import AwardFactory
from tests.factories import AccreditationFactory, CohortFactory, InspectionFactory

from .conftest import A11yPage

pytestmark = pytest.mark.browser


@pytest.fixture
def review(transactional_db: None, setting: Setting, users: dict[str, User]) -> AnnualReview:
    accreditation = AccreditationFactory(
        setting=setting,
        cohort=CohortFactory(),
        evaluator=users[Role.EVALUATOR],
        status=Status.ACCREDITED,
    )
    award_date = add_years(timezone.localdate() + datetime.timedelta(weeks=2), -1)
    award = AwardFactory(accreditation=accreditation, award_date=award_date)
    InspectionFactory(setting=setting)
    return ensure_annual_reviews(award)[0]


def sign_in_as(a11y_page: A11yPage, user: User) -> None:
    a11y_page.page.context.clear_cookies()
    a11y_page.login(user)


def test_the_setting_sends_its_review_and_the_evaluator_signs_it_off(
    a11y_page: A11yPage, users: dict[str, User], review: AnnualReview
) -> None:
    page = a11y_page.page
    sign_in_as(a11y_page, users[Role.SETTING_MANAGER])
    a11y_page.goto(review.award.accreditation.get_absolute_url(), "accreditation")
    page.get_by_role("link", name="Annual reviews").first.click()
    a11y_page.check("the accreditation's annual reviews")
    page.get_by_role("link", name="Annual review 1").click()
    a11y_page.check("the review, not started")
    page.get_by_role("link", name="Start the review").click()
    a11y_page.check("the review form")
    page.get_by_role("button", name="Save and continue").click()
    a11y_page.check("check your answers, incomplete")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the progress on the improvement plan"
    )
    page.get_by_role("link", name="Change your answers").last.click()
    page.get_by_label("Progress on the improvement plan").fill("Outdoor learning is done.")
    page.get_by_label("Well-being and involvement summary").fill("Fewer children in red.")
    page.get_by_role("button", name="Save and continue").click()
    a11y_page.check("check your answers")
    page.get_by_role("button", name="Send the review").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your annual review has been sent"
    )
    a11y_page.check("the review, sent")

    sign_in_as(a11y_page, users[Role.EVALUATOR])
    a11y_page.goto("/programme/annual-reviews/", "annual reviews list")
    a11y_page.goto("/programme/annual-reviews/?overdue=1&sort=-due", "annual reviews, filtered")
    a11y_page.goto(review.get_absolute_url(), "the review, as the evaluator")
    page.get_by_role("link", name="Sign off or ask for more").click()
    a11y_page.check("the sign-off form")
    page.get_by_role("button", name="Save the decision").click()
    a11y_page.check("the sign-off form with errors")
    page.get_by_label("Sign the review off").check()
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("signed off")
    a11y_page.check("the review, signed off")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SIGNED_OFF


def test_a_workshop_is_scheduled_booked_and_attended(
    a11y_page: A11yPage, transactional_db: None, users: dict[str, User], setting: Setting
) -> None:
    page = a11y_page.page
    sign_in_as(a11y_page, users[Role.MANAGER])
    a11y_page.goto("/programme/workshops/", "workshops, none yet")
    page.get_by_role("link", name="Schedule a workshop").click()
    a11y_page.check("schedule a workshop")
    page.get_by_role("button", name="Schedule the workshop").click()
    a11y_page.check("schedule a workshop, with errors")
    day = timezone.localdate() + datetime.timedelta(days=20)
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("End time").fill("12:30")
    page.get_by_label("Venue").fill("Kent Education Centre")
    page.get_by_label("Places").fill("2")
    page.get_by_role("button", name="Schedule the workshop").click()
    a11y_page.check("the workshop, scheduled")
    workshop = Workshop.objects.get()

    sign_in_as(a11y_page, users[Role.SETTING_MANAGER])
    a11y_page.goto(workshop.get_absolute_url(), "the workshop, as a setting manager")
    page.get_by_role("link", name="Book a place").click()
    a11y_page.check("book a place")
    page.get_by_label("Who will attend?").fill("Asha Khan")
    page.get_by_role("button", name="Book the place").click()
    expect(page.get_by_test_id("places")).to_contain_text("1 of 2 left")
    a11y_page.check("the workshop, booked")
    a11y_page.goto("/programme/workshops/", "workshops, with the setting's booking")
    booking = WorkshopBooking.objects.get()
    a11y_page.goto(
        f"/programme/workshop-bookings/{booking.pk}/cancel/", "cancel the booking, confirm"
    )

    # The day has come: the KQM manager records attendance.
    Workshop.objects.filter(pk=workshop.pk).update(date=timezone.localdate())
    sign_in_as(a11y_page, users[Role.MANAGER])
    a11y_page.goto(workshop.get_absolute_url(), "the workshop on the day")
    page.get_by_role("link", name="Record attendance").click()
    a11y_page.check("record attendance")
    page.get_by_label("Attended", exact=True).check()
    page.get_by_role("button", name="Save attendance").click()
    a11y_page.check("the workshop, attendance recorded")
    booking.refresh_from_db()
    assert booking.attended is True
    a11y_page.goto(f"/programme/workshops/{workshop.pk}/cancel/", "cancel the workshop, confirm")
