"""Re-accreditation in Chromium, with axe-core on every page (issue 9, AC3).

A setting whose award is in its third year: the KQM manager opens re-accreditation from
the award's page; the setting books a place on a half-day workshop and the KQM manager
records that it attended; the setting manager writes the seven requirements (linking the
new ECERS and leadership audits, with a file on one, the plan, SEF, Leuven data and the
attended workshop shown beside them); the evaluator books the visit and judges all
seven met; the setting submits; the KQM manager renews the award. The new award is
listed, its certificate is rendered (the task run here, in the test: the real worker
is proven in tests/accreditation/test_certificate_worker.py) and downloads as a PDF.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accreditation import tasks as accreditation_tasks
from accreditation.forms.reaccreditation import audit_label
from accreditation.models import (
    Award,
    Reaccreditation,
    ReaccreditationStatus,
    RequirementKind,
    Status,
    Workshop,
    WorkshopBooking,
)
from accreditation.models.awards import add_years
from kqm.models import Role, User
from settings.models import Setting
from tests.accreditation.award_factories import AwardFactory
from tests.accreditation.reaccreditation_helpers import the_records
from tests.accreditation.year_factories import PDF
from tests.factories import AccreditationFactory

from .conftest import A11yPage

pytestmark = pytest.mark.browser

NAMES = {kind.value: kind.label for kind in RequirementKind}


@pytest.fixture
def award(
    transactional_db: None, setting: Setting, users: dict[str, User], settings, tmp_path
) -> Award:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    accreditation = AccreditationFactory(
        setting=setting, evaluator=users[Role.EVALUATOR], status=Status.ACCREDITED
    )
    return AwardFactory(
        accreditation=accreditation,
        award_date=add_years(timezone.localdate(), -2) - datetime.timedelta(days=120),
    )


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """Certificates queued by the decision; the test renders them itself."""
    calls: list[int] = []
    monkeypatch.setattr(
        accreditation_tasks.render_certificate,
        "delay",
        lambda award_id, **kwargs: calls.append(award_id),
    )
    return calls


def sign_in_as(a11y_page: A11yPage, user: User) -> None:
    a11y_page.page.context.clear_cookies()
    a11y_page.login(user)


def test_a_setting_is_re_accredited(
    a11y_page: A11yPage, users: dict[str, User], award: Award, queued: list[int], tmp_path
) -> None:
    page = a11y_page.page

    # The KQM manager opens re-accreditation from the award's page. -----------------------------
    sign_in_as(a11y_page, users[Role.MANAGER])
    a11y_page.goto(award.get_absolute_url(), "the award, before re-accreditation")
    page.get_by_role("button", name="Open re-accreditation now").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Re-accreditation is open"
    )
    expect(page.locator(".govuk-task-list__item")).to_have_count(7)
    a11y_page.check("re-accreditation task list, just opened")
    reaccreditation = Reaccreditation.objects.get(award=award)
    task_list = reaccreditation.get_absolute_url()
    audits = the_records(
        Reaccreditation.objects.select_related("award", "setting", "accreditation").get(
            pk=reaccreditation.pk
        ),
        users[Role.MANAGER],
        workshop=False,
    )

    # The setting books a place on a half-day workshop and attends it. -------------------------
    workshop = Workshop.objects.create(
        date=timezone.localdate(),
        starts_at=datetime.time(9, 30),
        ends_at=datetime.time(12, 30),
        venue="Kent Education Centre, Maidstone",
        capacity=12,
        created_by=users[Role.MANAGER],
    )
    sign_in_as(a11y_page, users[Role.SETTING_MANAGER])
    a11y_page.goto(workshop.get_absolute_url(), "the workshop, before booking")
    page.get_by_role("link", name="Book a place").click()
    page.get_by_label("Who will attend?").fill("Asha Patel")
    page.get_by_role("button", name="Book the place").click()
    expect(page.get_by_test_id("places")).to_contain_text("11 of 12 left")
    a11y_page.check("the workshop, booked")
    sign_in_as(a11y_page, users[Role.MANAGER])
    a11y_page.goto(workshop.get_absolute_url(), "the workshop on the day")
    page.get_by_role("link", name="Record attendance").click()
    page.get_by_label("Attended", exact=True).check()
    page.get_by_role("button", name="Save attendance").click()
    a11y_page.check("the workshop, attendance recorded")
    assert WorkshopBooking.objects.get(workshop=workshop, setting=award.setting).attended

    # The setting manager writes the seven requirements. ----------------------------------------
    sign_in_as(a11y_page, users[Role.SETTING_MANAGER])
    for number, kind in enumerate(RequirementKind.values, start=1):
        a11y_page.goto(task_list, f"task list before requirement {number}")
        page.get_by_role("link", name=f"{number}. {NAMES[kind]}").click()
        expect(page.get_by_role("heading", level=1, name=NAMES[kind])).to_be_visible()
        a11y_page.check(f"requirement {number}")
        page.get_by_role("link", name="Add the evidence").click()
        a11y_page.check(f"requirement {number}: evidence form")
        if number == 1:  # a mistake first: no evidence
            page.get_by_role("button", name="Save the evidence").click()
            expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the evidence")
            a11y_page.check("evidence form with an error")
        page.get_by_label("Your evidence").fill(f"Our evidence: {NAMES[kind].lower()}.")
        if kind in audits:
            page.get_by_label(audit_label(audits[kind])).check()
        if kind == RequirementKind.WELLBEING_ACCOUNT:
            account = tmp_path / "wellbeing-account.pdf"
            account.write_bytes(PDF)
            page.get_by_label("A supporting file (optional)").set_input_files(str(account))
        page.get_by_role("button", name="Save the evidence").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is saved")
        a11y_page.check(f"task list after requirement {number}")
    expect(page.get_by_text("Ready for judging")).to_have_count(7)

    # The evaluator books the visit and judges every requirement met. --------------------------
    sign_in_as(a11y_page, users[Role.EVALUATOR])
    a11y_page.goto(task_list, "task list, as the evaluator")
    page.get_by_role("link", name="Book the re-accreditation visit").click()
    a11y_page.check("visit form")
    today = timezone.localdate()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("End time").fill("12:30")
    page.get_by_role("button", name="Book the visit").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("visit is booked")
    a11y_page.check("task list with the visit")
    for number, kind in enumerate(RequirementKind.values, start=1):
        a11y_page.goto(task_list, f"task list before judging {number}")
        page.get_by_role("link", name=f"{number}. {NAMES[kind]}").click()
        a11y_page.check(f"requirement {number}, as the evaluator")
        page.get_by_role("link", name="Judge this requirement").click()
        a11y_page.check(f"judging requirement {number}")
        page.get_by_label("Met", exact=True).check()
        page.get_by_role("button", name="Save the judgement").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("judged met")
    a11y_page.check("task list, every requirement met")

    # The setting manager checks and submits. ----------------------------------------------------
    sign_in_as(a11y_page, users[Role.SETTING_MANAGER])
    a11y_page.goto(task_list, "task list, ready to submit")
    page.get_by_role("link", name="Check and submit").click()
    a11y_page.check("check the evidence")
    page.get_by_role("button", name="Submit the evidence").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The evidence is submitted"
    )
    a11y_page.check("task list, submitted")

    # The KQM manager renews the award. ----------------------------------------------------------
    sign_in_as(a11y_page, users[Role.MANAGER])
    a11y_page.goto("/programme/reaccreditations/", "re-accreditation list")
    page.get_by_role("link", name=reaccreditation.setting.display_name).click()
    a11y_page.check("task list, as the KQM manager")
    page.get_by_role("link", name="Return the evidence to the setting").click()
    a11y_page.check("return the evidence (not used)")
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Decide the re-accreditation").click()
    a11y_page.check("decision form")
    page.get_by_label("Renew the award: every requirement is met").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The award is renewed"
    )
    a11y_page.check("task list, renewed")
    reaccreditation.refresh_from_db()
    assert reaccreditation.status == ReaccreditationStatus.REACCREDITED
    new_award = reaccreditation.new_award
    assert new_award is not None and new_award.previous_award == award
    assert queued == [new_award.pk]

    # The certificate is rendered (the task, run here) and the setting downloads it. -----------
    assert accreditation_tasks.render_certificate(new_award.pk) is True
    sign_in_as(a11y_page, users[Role.SETTING_MANAGER])
    a11y_page.goto("/programme/awards/", "awards list with the new award")
    expect(page.get_by_role("link", name=new_award.number)).to_be_visible()
    page.get_by_role("link", name=new_award.number).click()
    a11y_page.check("the new award")
    expect(page.get_by_role("link", name=award.number)).to_be_visible()  # previous award
    link = page.get_by_role("link", name="Download the certificate (PDF)")
    response = page.request.get(a11y_page.url(link.get_attribute("href") or ""))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # Anyone checking the certificate sees the new award. --------------------------------------
    page.context.clear_cookies()
    a11y_page.goto(new_award.verification_path(), "public verification of the new award")
    expect(page.get_by_text(new_award.number).first).to_be_visible()
