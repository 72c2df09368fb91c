"""The end of the year in Chromium: the setting submits, the evaluator recommends, the
KQM manager accredits, and the award appears with its certificate being prepared.
axe-core checks every page on the way.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accreditation import tasks as accreditation_tasks
from accreditation.models import Accreditation, Award, Recommendation, Status
from kqm.models import Role, User
from settings.models import Setting
from tests.accreditation.completed_year import complete_the_year
from tests.factories import AccreditationFactory, CohortFactory

from .conftest import A11yPage

pytestmark = pytest.mark.browser


@pytest.fixture
def accreditation(
    transactional_db: None, setting: Setting, users: dict[str, User], monkeypatch
) -> Accreditation:
    # The certificate is rendered by the worker later: keep it "being prepared" here.
    monkeypatch.setattr(
        accreditation_tasks.render_certificate, "delay", lambda *args, **kwargs: None
    )
    today = timezone.localdate()
    cohort = CohortFactory(
        name=f"{today.year} cohort",
        programme_year=today.year,
        start_date=today - datetime.timedelta(days=60),
        end_date=today + datetime.timedelta(days=300),
    )
    accreditation = AccreditationFactory(
        setting=setting,
        cohort=cohort,
        evaluator=users[Role.EVALUATOR],
        status=Status.IN_PROGRESS,
        days_budget=Decimal("8"),
    )
    complete_the_year(accreditation)
    return accreditation


def sign_in_as(a11y_page: A11yPage, user: User) -> None:
    a11y_page.page.context.clear_cookies()
    a11y_page.login(user)


def test_submit_recommend_and_accredit(
    a11y_page: A11yPage, users: dict[str, User], accreditation: Accreditation
) -> None:
    page = a11y_page.page
    record = f"/programme/accreditations/{accreditation.pk}/"

    # The setting manager checks the year's work and submits it. ------------------------------
    sign_in_as(a11y_page, users[Role.SETTING_MANAGER])
    a11y_page.goto(record, "accreditation, every task completed")
    page.get_by_role("link", name="Check and submit").click()
    expect(
        page.get_by_role("heading", level=1, name="Check the year's work before you submit it")
    ).to_be_visible()
    a11y_page.check("check the year's work")
    page.get_by_role("button", name="Submit the year's work").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The year's work is submitted"
    )
    a11y_page.check("accreditation, submitted")
    accreditation.refresh_from_db()
    assert accreditation.status == Status.SUBMITTED

    # The evaluator recommends accrediting. -----------------------------------------------------
    sign_in_as(a11y_page, users[Role.EVALUATOR])
    a11y_page.goto(record, "accreditation, as the evaluator")
    page.get_by_role("link", name="Write your recommendation").click()
    a11y_page.check("recommendation form")
    page.get_by_role("button", name="Send the recommendation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what you recommend")
    a11y_page.check("recommendation form with errors")
    page.get_by_label("Accredit: the setting meets the quality mark").check()
    page.get_by_label("Summary of the evidence").fill(
        "Strong, reflective leadership; both case studies show children's involvement rising."
    )
    page.get_by_role("button", name="Send the recommendation").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your recommendation has been sent"
    )
    a11y_page.check("accreditation, recommended")
    assert Recommendation.objects.filter(accreditation=accreditation).exists()

    # The KQM manager reads it and accredits. ---------------------------------------------------
    sign_in_as(a11y_page, users[Role.MANAGER])
    a11y_page.goto(record, "accreditation, as the KQM manager")
    page.get_by_role("link", name="Decide the accreditation").click()
    expect(page.get_by_text("Strong, reflective leadership")).to_be_visible()
    a11y_page.check("decision form")
    page.get_by_label("Accredited", exact=True).check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "certificate is being prepared"
    )
    a11y_page.check("accreditation, accredited")
    award = Award.objects.get(accreditation=accreditation)
    assert award.award_date == timezone.localdate()
    a11y_page.goto(award.get_absolute_url(), "the award")
    expect(page.get_by_text("The certificate is being prepared.")).to_be_visible()
