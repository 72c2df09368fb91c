"""Every report page, as the KQM manager and as a viewer, passes axe-core: the reports
index, the outcomes report (with its charts, and with an error in the period) and the
programme report with a cohort's sections and charts (and with an unknown cohort)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kqm.models import Role

from .conftest import A11yPage

pytestmark = pytest.mark.browser

QUERY = "?snapshot_0=7&snapshot_1=12&snapshot_2=2026"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VIEWER])
def test_outcomes_report_is_accessible_with_every_section(a11y_page: A11yPage, users, role):
    """The demo data: every section filled; viewers see aggregates only."""
    from django.core.management import call_command

    from settings.models import Setting

    call_command("seed_demo", "--quiet")
    a11y_page.login(users[role])
    a11y_page.goto(reverse("accreditation:report-outcomes") + QUERY, "outcomes report")
    page = a11y_page.page
    assert page.get_by_role("heading", name="Outcomes against Ofsted").is_visible()
    for heading in (
        "What the figures mean",
        "Snapshot on 7 December 2026",
        "Renewed framework on 7 December 2026",
        "Childcare Register compliance on 7 December 2026",
        "Before and after: KQM settings against their previous inspection",
        "A fair comparison: similar settings that are not KQM settings",
    ):
        assert page.get_by_role("heading", name=heading).is_visible(), heading
    sentence = page.get_by_test_id("fair-sentence").inner_text()
    assert sentence.startswith("KQM settings improved"), sentence
    assert page.locator("svg[role=img]").count() >= 2
    content = page.content()
    for setting in Setting.objects.exclude(name=""):
        assert setting.name not in content
        assert setting.urn not in content
    page.screenshot(path=f"/tmp/kqm-rep-outcomes-{role}.png", full_page=True)
    a11y_page.goto(
        reverse("accreditation:report-outcomes") + "?start_0=1&start_1=13&start_2=2009",
        "outcomes error",
    )
    assert page.get_by_text("There is a problem").is_visible()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VIEWER])
def test_programme_report_and_dashboard_are_accessible(a11y_page: A11yPage, users, role):
    from tests.accreditation.report_worlds import programme_world

    programme_world()
    a11y_page.login(users[role])
    a11y_page.goto(reverse("dashboard"), "dashboard with reports")
    a11y_page.goto(reverse("accreditation:report-programme"), "programme report")
    a11y_page.page.screenshot(path=f"/tmp/kqm-rep-programme-{role}.png", full_page=True)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VIEWER])
def test_cohort_sections_of_the_programme_report_are_accessible(a11y_page: A11yPage, users, role):
    from tests.accreditation.report_worlds import cohort_world
    from tests.factories import CohortFactory, UserFactory

    cohort = CohortFactory(name="2026 cohort", programme_year=2026)
    cohort_world(cohort, UserFactory(role=Role.EVALUATOR), 4)
    a11y_page.login(users[role])
    a11y_page.goto(reverse("accreditation:report-index"), "reports index")
    page = a11y_page.page
    page.get_by_role("link", name="Programme report").click()
    page.get_by_label("Cohort", exact=True).select_option(label="2026 cohort")
    page.get_by_role("button", name="Show the report").click()
    a11y_page.check("programme report with cohort sections")
    assert page.get_by_role("heading", name="2026 cohort").is_visible()
    assert page.get_by_text("3 of 4 settings (75.0%) increased parental involvement").is_visible()
    # completion, one rating scale, Leuven zones, PPEL: each with its table
    assert page.locator("svg[role=img]").count() == 4
    page.screenshot(path=f"/tmp/kqm-rep-cohort-{role}.png", full_page=True)
    a11y_page.goto(reverse("accreditation:report-programme") + "?cohort=999999", "bad cohort")
    assert page.get_by_text("There is a problem").is_visible()
