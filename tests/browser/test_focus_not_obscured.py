"""Focus is never hidden (WCAG 2.4.11): tabbing through the pages with sticky parts (the
audit scoring page's save bar, the Leuven scores page's status and child-code column) and
the case-study form, at 1280 and 320 px wide, every focused element stays in view."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize

from accreditation.models import Accreditation, Status
from audits.models import Child, Group, InstrumentVersion, Screening, Term
from kqm.models import Role, User
from settings.models import Setting
from tests.audits.ratings_factories import assign, library, make_audit
from tests.factories import AccreditationFactory, CohortFactory

from .conftest import A11yPage
from .helpers import PageCheckError, assert_focus_never_hidden, hidden_focus_stops

pytestmark = pytest.mark.browser

SIZES = [ViewportSize(width=1280, height=800), ViewportSize(width=320, height=800)]


def test_the_check_finds_a_focused_button_under_a_sticky_bar(page: Page) -> None:
    page.set_content(
        "<!DOCTYPE html><html lang='en'><head><title>Bar</title></head><body><main>"
        + "".join(f"<p><button>Button {n}</button></p>" for n in range(40))
        + "<div style='position: sticky; bottom: 0; height: 200px; background: #fff'>"
        "<button>Save</button></div></main></body></html>"
    )
    page.set_viewport_size(ViewportSize(width=320, height=400))
    count, hidden = hidden_focus_stops(page)
    assert count == 41
    assert any("Button" in line and "under div" in line for line in hidden), hidden
    with pytest.raises(PageCheckError, match="focused elements hidden"):
        assert_focus_never_hidden(page, "a covered page", [ViewportSize(width=320, height=400)])


def test_focus_is_never_hidden_on_the_scoring_leuven_and_case_study_pages(
    transactional_db: None, a11y_page: A11yPage, users: dict[str, User], setting: Setting
) -> None:
    page = a11y_page.page
    evaluator = users[Role.EVALUATOR]
    ecers3: InstrumentVersion = library()["ecers-3"]
    audit = make_audit(
        setting=setting,
        version=ecers3,
        created_by=evaluator,
        accreditation=assign(setting, evaluator),
    )
    a11y_page.login(evaluator)
    # Subscale 4 has the most items (the sweep found 5 of 45 stops under the save bar).
    a11y_page.goto(f"/audits/ratings/{audit.pk}/score/?subscale=4", "scoring page")
    assert_focus_never_hidden(page, "scoring page", SIZES)

    group = Group.objects.create(setting=setting, name="Rabbits", programme_year=2026)
    for number in range(16):
        Child.objects.create(setting=setting, group=group, code=f"CFOC{number:03d}")
    screening = Screening.objects.create(
        group=group, term=Term.AUTUMN, date=datetime.date(2026, 10, 6)
    )
    today = timezone.localdate()
    accreditation: Accreditation = AccreditationFactory(
        setting=setting,
        cohort=CohortFactory(
            programme_year=today.year,
            start_date=today - datetime.timedelta(days=60),
            end_date=today + datetime.timedelta(days=300),
        ),
        evaluator=evaluator,
        status=Status.IN_PROGRESS,
    )
    page.get_by_role("button", name="Sign out").click()
    a11y_page.login(users[Role.SETTING_MANAGER])
    a11y_page.goto(f"/audits/leuven/screenings/{screening.pk}/scores/", "Leuven scores")
    assert_focus_never_hidden(page, "Leuven scores", SIZES)
    a11y_page.goto(f"{accreditation.get_absolute_url()}case-studies/1/edit/", "case study")
    assert_focus_never_hidden(page, "case study form", SIZES)
