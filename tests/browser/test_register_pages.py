"""The KQM manager's register and programme pages in Chromium, each axe-clean.

The register list with a search and a filter, a setting's page with its timeline, a
renewed-framework inspection entered through both steps (with a mistake on each), then
the cohorts, evaluators, applications and accreditations lists and record pages.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accreditation.models import Accreditation, Application, ApplicationStatus, Cohort, Status
from accreditation.services.accreditations import do_change_accreditation_status
from kqm.models import Role, User
from settings.models import Inspection, ProviderType, Sector, Setting
from settings.ofsted import Framework, Grade
from tests.factories import (
    AccreditationFactory,
    ApplicationFactory,
    CohortFactory,
    EvaluatorFactory,
    InspectionFactory,
    SettingFactory,
)

from .conftest import A11yPage

pytestmark = pytest.mark.browser


@pytest.fixture
def programme(
    transactional_db: None, users: dict[str, User], setting: Setting, other_setting: Setting
) -> dict[str, object]:
    """A small register and programme: inspections, a cohort, evaluators and accreditations."""
    manager = users[Role.MANAGER]
    today = timezone.localdate()
    setting.postcode = "CT1 2AB"
    setting.district = "Canterbury"
    setting.save()
    SettingFactory(name="Acorn Pre-school", sector=Sector.MAINTAINED)
    SettingFactory(
        name="Bramble Childminding", sector=Sector.CHILDMINDER, provider_type=ProviderType.OTHER
    )
    InspectionFactory(setting=setting, inspection_date=datetime.date(2019, 5, 14))
    InspectionFactory(
        setting=setting,
        framework=Framework.CIF_2015,
        inspection_date=datetime.date(2016, 2, 3),
        overall_effectiveness=Grade.REQUIRES_IMPROVEMENT,
        judgements={"outcomes": Grade.REQUIRES_IMPROVEMENT},
    )
    cohort = CohortFactory(
        name=f"{today.year} cohort",
        programme_year=today.year,
        start_date=today - datetime.timedelta(days=60),
        end_date=today + datetime.timedelta(days=300),
        capacity=12,
        days_per_setting=Decimal("8"),
    )
    evaluator = users[Role.EVALUATOR]
    EvaluatorFactory(full_name="Erin Evaluator", profile__capacity_days=Decimal("30"))
    application = ApplicationFactory(
        setting=setting,
        cohort=cohort,
        submitted_by=users[Role.SETTING_MANAGER],
        status=ApplicationStatus.ACCEPTED,
    )
    ApplicationFactory(setting=other_setting, cohort=cohort)
    accreditation = AccreditationFactory(
        setting=setting,
        cohort=cohort,
        application=application,
        evaluator=evaluator,
        days_budget=Decimal("8"),
    )
    do_change_accreditation_status(
        accreditation=accreditation, to=Status.IN_PROGRESS, changed_by=manager
    )
    return {"cohort": cohort, "accreditation": accreditation, "evaluator": evaluator}


def test_manager_visits_the_register_and_programme_pages(
    a11y_page: A11yPage,
    users: dict[str, User],
    setting: Setting,
    programme: dict[str, object],
) -> None:
    page = a11y_page.page
    cohort = programme["cohort"]
    accreditation = programme["accreditation"]
    assert isinstance(cohort, Cohort) and isinstance(accreditation, Accreditation)
    main = page.get_by_role("main")

    a11y_page.login(users[Role.MANAGER])

    # The register: a search and a filter. --------------------------------------------------
    a11y_page.goto("/settings/", "register")
    expect(page.locator("#results-count")).to_have_text("4 settings")
    page.get_by_label("Name, URN or postcode").fill("acorn")
    page.get_by_label("Sector").select_option(Sector.PVI)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-count")).to_have_text("1 setting found")
    results = page.get_by_role("region", name="1 setting found")
    expect(results.get_by_role("link", name=setting.display_name)).to_be_visible()
    expect(results.get_by_role("link", name="Acorn Pre-school")).to_have_count(0)
    a11y_page.check("register, searched and filtered")

    page.get_by_label("Sector").select_option(Sector.CHILDMINDER)
    page.get_by_role("button", name="Search").click()
    expect(main).to_contain_text("No settings match your search.")
    a11y_page.check("register, nothing found")

    # A setting's page and its timeline. ----------------------------------------------------
    a11y_page.goto("/settings/", "register again")
    page.get_by_role("link", name=setting.display_name).click()
    expect(page.get_by_role("heading", level=1, name=setting.display_name)).to_be_visible()
    timeline = page.get_by_test_id("timeline")
    expect(timeline.get_by_role("heading", name="Ofsted inspection: Good")).to_be_visible()
    expect(
        timeline.get_by_role("heading", name="Ofsted inspection: Requires improvement")
    ).to_be_visible()
    a11y_page.check("setting page with its timeline")

    # An inspection under the renewed framework, through both steps. ------------------------
    page.get_by_role("link", name="Add an inspection").click()
    expect(page.get_by_role("heading", level=1, name="Add an Ofsted inspection")).to_be_visible()
    a11y_page.check("inspection, step 1")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose the inspection framework")
    expect(summary).to_contain_text("Enter the inspection date")
    a11y_page.check("inspection, step 1 with errors")

    page.get_by_label("Renewed inspection framework (November 2025)").check()
    page.get_by_label("Early Years Register", exact=True).check()
    page.get_by_label("Full inspection").check()
    date = page.get_by_role("group", name="Inspection date")
    date.get_by_label("Day").fill("3")
    date.get_by_label("Month").fill("2")
    date.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1, name="What did Ofsted judge?")).to_be_visible()
    # The renewed framework gives no overall grade, so the form does not ask for one.
    expect(page.get_by_label("Overall effectiveness")).to_have_count(0)
    a11y_page.check("inspection, step 2")

    page.get_by_label("Curriculum and teaching").select_option(Grade.STRONG)
    page.get_by_role("button", name="Record the inspection").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Say whether safeguarding was met or not met"
    )
    expect(page.get_by_label("Curriculum and teaching")).to_have_value(Grade.STRONG)
    a11y_page.check("inspection, step 2 with an error")
    assert not Inspection.objects.filter(framework=Framework.RENEWED_2025).exists()

    page.get_by_role("group", name="Safeguarding").get_by_label("Met", exact=True).check()
    page.get_by_label("Inclusion").select_option(Grade.EXPECTED)
    page.get_by_role("button", name="Record the inspection").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The inspection on 3 February 2026 has been recorded."
    )
    expect(page.get_by_test_id("latest-outcome")).to_have_text("No overall grade")
    expect(
        page.get_by_test_id("timeline").get_by_role(
            "heading", name="Ofsted inspection: no overall grade"
        )
    ).to_be_visible()
    a11y_page.check("setting page after recording the inspection")
    inspection = Inspection.objects.get(framework=Framework.RENEWED_2025)
    assert (inspection.overall_effectiveness, inspection.safeguarding) == ("", Grade.MET)
    assert inspection.judgements == {
        "curriculum_and_teaching": Grade.STRONG,
        "inclusion": Grade.EXPECTED,
    }

    # Cohorts. -------------------------------------------------------------------------------
    a11y_page.goto("/programme/cohorts/", "cohort list")
    page.get_by_role("link", name=cohort.name).click()
    expect(page.get_by_role("heading", level=1, name=cohort.name)).to_be_visible()
    expect(page.get_by_test_id("places")).to_contain_text("1 of 12")
    a11y_page.check("cohort page")

    # Evaluators. ----------------------------------------------------------------------------
    a11y_page.goto("/programme/evaluators/", "evaluator list")
    expect(main.get_by_role("link", name="Erin Evaluator", exact=True)).to_be_visible()
    expect(
        main.get_by_role("link", name=users[Role.EVALUATOR].full_name, exact=True)
    ).to_be_visible()

    # Applications. --------------------------------------------------------------------------
    a11y_page.goto("/programme/applications/", "application list")
    expect(main.get_by_role("link", name=setting.display_name)).to_be_visible()
    page.get_by_label("Status").select_option("open")
    page.get_by_role("button", name="Filter").click()
    expect(main.get_by_role("link", name=setting.display_name)).to_have_count(0)
    waiting = Application.objects.exclude(setting=setting).get()
    expect(main.get_by_role("link", name=waiting.setting.display_name)).to_be_visible()
    a11y_page.check("application list, waiting for a decision")

    # Accreditations. ------------------------------------------------------------------------
    a11y_page.goto("/programme/accreditations/", "accreditation list")
    page.get_by_role("link", name=setting.display_name).click()
    expect(page.get_by_role("heading", level=1, name=setting.display_name)).to_be_visible()
    expect(page.get_by_role("table", name="Status changes, newest first")).to_contain_text(
        "In progress"
    )
    a11y_page.check("accreditation page")
    assert page.url == a11y_page.url(accreditation.get_absolute_url())

    assert a11y_page.checked == [
        "after signing in as KQM manager",
        "register",
        "register, searched and filtered",
        "register, nothing found",
        "register again",
        "setting page with its timeline",
        "inspection, step 1",
        "inspection, step 1 with errors",
        "inspection, step 2",
        "inspection, step 2 with an error",
        "setting page after recording the inspection",
        "cohort list",
        "cohort page",
        "evaluator list",
        "application list",
        "application list, waiting for a decision",
        "accreditation list",
        "accreditation page",
    ]
