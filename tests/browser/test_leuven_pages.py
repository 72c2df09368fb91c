"""Every kind of Leuven page, as the roles that use it, passes axe-core: lists, records,
forms with their errors, the analysis with its charts, and moderation."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from accreditation.models import Accreditation
from audits.models import ActionPoint, Child, Group, LeuvenScore, ModerationScore, Screening, Term
from kqm.models import Role, User
from settings.models import Setting
from tests.factories import CohortFactory

from .conftest import A11yPage

pytestmark = pytest.mark.browser


def _world(setting: Setting, users: dict[str, User]) -> dict[str, int]:
    evaluator = users[Role.EVALUATOR]
    Accreditation.objects.create(setting=setting, cohort=CohortFactory(), evaluator=evaluator)
    group = Group.objects.create(setting=setting, name="Rabbits", programme_year=2026)
    children = [
        Child.objects.create(
            setting=setting, group=group, code=f"CPAGE{i:02d}", eal=i % 3 == 0, gender="girl"
        )
        for i in range(8)
    ]
    autumn = Screening.objects.create(
        group=group, term=Term.AUTUMN, date=datetime.date(2026, 10, 6)
    )
    spring = Screening.objects.create(group=group, term=Term.SPRING, date=datetime.date(2027, 2, 9))
    for i, child in enumerate(children):
        LeuvenScore.objects.create(
            screening=autumn, child=child, wellbeing=1 + i % 5, involvement=3
        )
        LeuvenScore.objects.create(
            screening=spring, child=child, wellbeing=2 + i % 4, involvement=4
        )
    red = LeuvenScore.objects.filter(screening=autumn, wellbeing__lt=3).first()
    assert red is not None
    point = ActionPoint.objects.create(
        score=red, action="Plan play", owner="Key person", due_on=datetime.date(2026, 11, 30)
    )
    ModerationScore.objects.create(
        screening=autumn,
        child=children[0],
        evaluator=evaluator,
        wellbeing=2,
        involvement=3,
        moderated_on=datetime.date(2026, 11, 2),
    )
    return {
        "setting": setting.pk,
        "group": group.pk,
        "child": children[0].pk,
        "screening": autumn.pk,
        "action": point.pk,
    }


def test_every_leuven_page_type_passes_axe(
    transactional_db: None, a11y_page: A11yPage, users: dict[str, User], setting: Setting
) -> None:
    ids = _world(setting, users)
    page = a11y_page.page
    base = "/audits/leuven"

    a11y_page.login(users[Role.SETTING_MANAGER])
    for path, name in [
        (f"{base}/?year=2026", "settings list"),
        (f"{base}/settings/{ids['setting']}/?year=2026", "setting overview"),
        (f"{base}/settings/{ids['setting']}/groups/new/", "add a room"),
        (f"{base}/groups/{ids['group']}/", "room with its children"),
        (f"{base}/groups/{ids['group']}/children/new/", "add children"),
        (f"{base}/groups/{ids['group']}/trends/", "each child's trend"),
        (f"{base}/groups/{ids['group']}/analysis/", "room analysis with charts"),
        (f"{base}/settings/{ids['setting']}/analysis/?year=2026", "setting analysis"),
        (f"{base}/children/{ids['child']}/", "child record"),
        (f"{base}/children/{ids['child']}/edit/", "change a child"),
        (f"{base}/children/{ids['child']}/leave/", "child leaving"),
        (f"{base}/screenings/{ids['screening']}/", "screening"),
        (f"{base}/screenings/{ids['screening']}/edit/", "change a screening"),
        (f"{base}/screenings/{ids['screening']}/moderation/", "moderation results"),
        (f"{base}/settings/{ids['setting']}/actions/", "action points"),
        (f"{base}/settings/{ids['setting']}/access-log/", "access log"),
    ]:
        a11y_page.goto(path, name)

    # Forms with their errors
    a11y_page.goto(f"{base}/screenings/{ids['screening']}/upload/", "upload")
    page.get_by_label("Paste the scores").fill("CNOBODY,3,3\nCPAGE01,9,3\nCPAGE01,2,2")
    page.get_by_role("button", name="Upload scores").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("no child in Rabbits")
    a11y_page.check("upload with row errors")
    a11y_page.goto(f"{base}/actions/{ids['action']}/", "action point")
    page.get_by_label("Close this action point").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("follow-up outcome")
    a11y_page.check("action point with an error")
    a11y_page.goto(f"{base}/groups/{ids['group']}/screenings/new/", "add a screening")
    page.get_by_role("button", name="Continue to the scores").click()
    a11y_page.check("add a screening with errors")

    page.get_by_role("button", name="Sign out").click()
    a11y_page.login(users[Role.EVALUATOR])
    a11y_page.goto(f"{base}/screenings/{ids['screening']}/moderation/edit/", "re-score")
    page.get_by_label("Well-being for CPAGE03").select_option("4")
    page.get_by_role("button", name="Save the re-scores").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("involvement score too")
    a11y_page.check("re-score with an error")

    page.get_by_role("button", name="Sign out").click()
    a11y_page.login(users[Role.MANAGER])
    a11y_page.goto(f"{base}/screenings/{ids['screening']}/", "screening, read-only")
    expect(page.get_by_role("link", name="Enter scores")).to_have_count(0)
