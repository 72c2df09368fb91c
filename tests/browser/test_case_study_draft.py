"""No case study draft is lost, in Chromium.

The setting manager types into every section, chooses a focus child and one of their
scores, then switches the focus child so the score no longer fits. The autosave keeps
everything that is valid and marks the score beside its field at once. The page is
closed and opened again: the text is there and the problem is still shown.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accreditation.models import Accreditation, CaseStudy, Status
from kqm.models import Role, User
from settings.models import Setting
from tests.accreditation.year_factories import leuven_child
from tests.factories import AccreditationFactory, CohortFactory

from .conftest import A11yPage

pytestmark = pytest.mark.browser

SECTIONS = {
    "Context and focus": "We are a 40-place nursery; our boys rarely chose the garden.",
    "Baseline well-being and involvement": "Involvement outdoors was mostly moderate (3).",
    "What was changed": "We opened the garden all day and added crates and planks.",
    "Observations over time": "Week 2: ramps. Week 5: play lasted 20 minutes.",
    "Outcome": "Involvement rose to high (4) for most of the group.",
    "Reflection and next steps": "Next we will bring mark-making outdoors.",
}


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


def test_a_draft_with_an_invalid_choice_survives_closing_the_page(
    a11y_page: A11yPage, users: dict[str, User], accreditation: Accreditation
) -> None:
    year = accreditation.cohort.programme_year
    first, (first_autumn, _) = leuven_child(accreditation.setting, year=year)
    second, (second_autumn, _) = leuven_child(accreditation.setting, year=year)
    edit = f"{accreditation.get_absolute_url()}case-studies/1/edit/"
    page = a11y_page.page
    a11y_page.login(users[Role.SETTING_MANAGER])
    a11y_page.goto(edit, "case study form")

    page.get_by_label("Title").fill("Outdoor play for our two-year-old boys")
    for title, text in SECTIONS.items():
        page.get_by_role("textbox", name=title).fill(text)
    page.get_by_label("Focus child (optional)").select_option(str(first.pk))
    baseline = page.get_by_label("Baseline Leuven score (optional)")
    # Only the focus child's scores are offered, each with its term and date.
    hidden = baseline.locator(f'option[value="{second_autumn.pk}"]')
    assert hidden.evaluate("option => option.hidden") is True
    offered = baseline.locator(f'option[value="{first_autumn.pk}"]')
    expect(offered).to_contain_text(f"{first.code}, autumn term, 15 Oct {year}")
    baseline.select_option(str(first_autumn.pk))
    # Switching the focus child leaves a score that is not theirs: marked beside it.
    page.get_by_label("Focus child (optional)").select_option(str(second.pk))
    marked = page.locator('[data-autosave-error="baseline_score"]')
    expect(marked).to_contain_text(f"Choose one of {second.code}’s own scores", timeout=15000)
    expect(page.locator("[data-autosave-status]")).to_contain_text("except one field")
    a11y_page.check("case study form, a score marked beside its field")

    page.close()
    again = a11y_page.page.context.new_page()
    a11y_page.page = again
    a11y_page.goto(edit, "case study form, reopened")
    expect(again.get_by_label("Title")).to_have_value("Outdoor play for our two-year-old boys")
    for title, text in SECTIONS.items():
        expect(again.get_by_role("textbox", name=title)).to_contain_text(text)
    expect(again.locator(".govuk-error-summary")).to_contain_text(
        f"Choose one of {second.code}’s own scores"
    )
    case_study = CaseStudy.objects.get(accreditation=accreditation, number=1)
    assert case_study.focus_child == second and case_study.baseline_score is None
    assert "mark-making" in case_study.reflection
