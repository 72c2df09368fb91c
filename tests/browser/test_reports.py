"""The outcomes report, as the KQM manager and as a viewer, passes axe-core (with and
without an error in the period)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kqm.models import Role
from settings.models import Sector
from settings.ofsted import Grade
from tests.accreditation.test_reports_outcomes import _before, award, make_settings

from .conftest import A11yPage

pytestmark = pytest.mark.browser

QUERY = "?sector=pvi&start_0=1&start_1=9&start_2=2009&end_0=31&end_1=8&end_2=2010"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VIEWER])
def test_outcomes_report_is_accessible(a11y_page: A11yPage, users, role):
    settings = make_settings(
        Sector.PVI, [Grade.OUTSTANDING, Grade.GOOD, Grade.GOOD, Grade.SATISFACTORY]
    )
    _before(settings[0], Grade.SATISFACTORY)
    award(settings[0])
    a11y_page.login(users[role])
    a11y_page.goto(reverse("accreditation:report-outcomes") + QUERY, "outcomes report")
    page = a11y_page.page
    assert page.get_by_role("heading", name="Outcomes against Ofsted").is_visible()
    assert "100.0% (1 of 1)" in page.content()
    page.screenshot(path=f"/tmp/kqm-rep-outcomes-{role}.png", full_page=True)
    a11y_page.goto(
        reverse("accreditation:report-outcomes") + "?start_0=1&start_1=13&start_2=2009",
        "outcomes error",
    )
    assert page.get_by_text("There is a problem").is_visible()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VIEWER])
def test_programme_report_and_dashboard_are_accessible(a11y_page: A11yPage, users, role):
    from tests.accreditation.test_reports_programme import _world

    _world()
    a11y_page.login(users[role])
    a11y_page.goto(reverse("dashboard"), "dashboard with reports")
    a11y_page.goto(reverse("accreditation:report-programme"), "programme report")
    a11y_page.page.screenshot(path=f"/tmp/kqm-rep-programme-{role}.png", full_page=True)
