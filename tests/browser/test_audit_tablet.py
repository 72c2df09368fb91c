"""An evaluator scores a whole ECERS-3 audit on a tablet (820 x 1180) in Chromium.

Each item is saved as it is scored (autosave, "Saved at hh:mm"); a reload half-way
through finds every score and note kept; the audit is completed and its page shows the
subscale chart. axe-core checks every page on the way.
"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from accreditation.models import Cohort
from audits.models import Audit, AuditStatus, InstrumentVersion, Item, Occasion
from kqm.models import Role, User
from settings.models import Setting
from tests.audits.ratings_factories import assign, library, make_audit

from .conftest import A11yPage

pytestmark = pytest.mark.browser

TABLET = {"width": 820, "height": 1180}
NOTE = "Books displayed face out at child height; no props for retelling stories."


@pytest.fixture
def ecers3(transactional_db: None) -> InstrumentVersion:
    """The library from the data migration (a transactional test's flush removes it)."""
    return library()["ecers-3"]


def planned(item: Item) -> str:
    """The score each item gets: a spread over 1-7, and N/A for item 27 (technology)."""
    if item.number == 27:
        return "na"
    return str((item.number * 3) % 7 + 1)


def score_item(a11y_page: A11yPage, item: Item) -> None:
    page = a11y_page.page
    value = planned(item)
    # The (invisible) radio covers its box, so a tap anywhere on the box chooses it.
    page.locator(f"#item-{item.pk}-score-{value}").click()
    expect(page.locator(f"#item-{item.pk}-score-status")).to_have_text(
        re.compile(r"Saved at \d\d:\d\d")
    )


def expect_kept(a11y_page: A11yPage, items: list[Item]) -> None:
    for item in items:
        radio = a11y_page.page.locator(f"#item-{item.pk}-score-{planned(item)}")
        expect(radio).to_be_checked()


def test_score_a_complete_ecers3_audit_on_a_tablet(
    a11y_page: A11yPage,
    users: dict[str, User],
    setting: Setting,
    ecers3: InstrumentVersion,
) -> None:
    page = a11y_page.page
    page.set_viewport_size(TABLET)
    evaluator = users[Role.EVALUATOR]
    accreditation = assign(setting, evaluator)
    items = list(ecers3.items.select_related("subscale").order_by("number"))
    by_subscale: dict[int, list[Item]] = {}
    for item in items:
        by_subscale.setdefault(item.subscale.number, []).append(item)

    # Start the audit. --------------------------------------------------------------------
    a11y_page.login(evaluator)
    a11y_page.goto("/audits/ratings/", "audit list (empty)")
    page.get_by_role("link", name="Start an audit").click()
    a11y_page.check("choose the setting")
    page.get_by_label("Which setting are you auditing?").select_option(label=str(setting))
    page.get_by_role("button", name="Continue").click()
    a11y_page.check("audit details form")
    page.get_by_label(f"{accreditation.cohort} (in progress)").check()
    page.get_by_label("ECERS-3 (2015)").check()
    page.get_by_label("Room or group").fill("Pre-school room")
    page.get_by_label("Initial").check()
    page.get_by_role("button", name="Start the audit").click()
    expect(page.get_by_role("heading", level=1, name="1. Space and furnishings")).to_be_visible()
    audit = Audit.objects.get()
    a11y_page.check("scoring page, subscale 1")

    # Large touch targets: each score button is at least 44 px square.
    box = page.locator(f"label[for='item-{items[0].pk}-score-4']").bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44

    # Subscales 1 to 3, each item saved as it is scored. --------------------------------------
    for number in (1, 2, 3):
        if number > 1:
            page.get_by_role("button", name=f"Save and go to subscale {number}").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(f"{number}.")
        for item in by_subscale[number]:
            score_item(a11y_page, item)
    expect(page.get_by_role("status")).to_have_text(re.compile(r"All changes saved at \d\d:\d\d"))
    first_language_item = by_subscale[3][0]
    page.get_by_text(f"Note on item {first_language_item.number}", exact=True).click()
    page.get_by_label(re.compile(f"^Note on item {first_language_item.number}:")).fill(NOTE)
    page.get_by_label(re.compile(f"^Note on item {first_language_item.number}:")).blur()
    expect(page.locator(f"#item-{first_language_item.pk}-score-status")).to_have_text(
        re.compile(r"Saved at")
    )
    answered = sum(len(by_subscale[n]) for n in (1, 2, 3))
    expect(page.locator("[data-progress-text]")).to_have_text(f"{answered} of 35 items answered")
    a11y_page.check("scoring page, subscale 3 scored")

    # Reload mid-way: every score and the note are still there. ------------------------------
    page.reload()
    expect_kept(a11y_page, by_subscale[3])
    expect(page.locator(f"#id_item-{first_language_item.pk}-note")).to_have_value(NOTE)
    expect(page.locator("[data-progress-text]")).to_have_text(f"{answered} of 35 items answered")
    for number in (1, 2):
        page.get_by_role("navigation", name="Subscales").get_by_role(
            "link", name=re.compile(rf"^{number}\. ")
        ).click()
        expect_kept(a11y_page, by_subscale[number])
    a11y_page.check("scoring page after reload")

    # Subscales 4 to 6, then review. ----------------------------------------------------------
    for number in (4, 5, 6):
        page.get_by_role("navigation", name="Subscales").get_by_role(
            "link", name=re.compile(rf"^{number}\. ")
        ).click()
        if number == 4:
            # The eight choices of an item that allows N/A (27) sit in one row on a tablet.
            technology = next(i for i in by_subscale[4] if i.number == 27)
            tops = page.locator(f"#item-{technology.number} .kqm-scale__label").evaluate_all(
                "labels => labels.map(l => Math.round(l.getBoundingClientRect().top))"
            )
            assert len(tops) == 8 and len(set(tops)) == 1, tops
        for item in by_subscale[number]:
            score_item(a11y_page, item)
    expect(page.locator("[data-progress-text]")).to_have_text("35 of 35 items answered")
    page.get_by_role("button", name="Save and review the audit").click()
    expect(page.get_by_test_id("progress")).to_have_text("35 of 35 items answered")
    a11y_page.check("audit page before completing")

    # Complete it: the subscale chart and its table. ----------------------------------------
    page.get_by_role("link", name="Complete the audit").click()
    a11y_page.check("complete the audit")
    page.get_by_role("button", name="Complete the audit").click()
    expect(page.get_by_text("The audit is completed and locked.")).to_be_visible()
    chart = page.get_by_role("img", name=re.compile("^Subscale means: ECERS-3, Pre-school room"))
    expect(chart).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("^Subscale means"))).to_be_visible()
    expect(page.get_by_role("link", name="Continue scoring")).to_have_count(0)
    a11y_page.check("completed audit with its chart")

    audit.refresh_from_db()
    assert audit.status == AuditStatus.COMPLETED
    scores = {s.item_id: s for s in audit.scores.all()}
    assert len(scores) == 35
    for item in items:
        saved = scores[item.pk]
        expected = planned(item)
        assert saved.not_applicable if expected == "na" else saved.score == int(expected), (
            item.number
        )
    assert scores[first_language_item.pk].note == NOTE


def test_every_audit_page_type_is_accessible(
    a11y_page: A11yPage,
    users: dict[str, User],
    setting: Setting,
    ecers3: InstrumentVersion,
) -> None:
    """The other pages (comparisons, agreement, consensus, the instrument library and its
    forms) pass axe-core too, on the tablet, with their charts and tables."""
    page = a11y_page.page
    page.set_viewport_size(TABLET)
    evaluator, manager = users[Role.EVALUATOR], users[Role.MANAGER]
    accreditation = assign(setting, evaluator)
    cohort: Cohort = accreditation.cohort
    items = list(ecers3.items.select_related("subscale").order_by("number"))
    initial = make_audit(
        setting=setting,
        version=ecers3,
        created_by=evaluator,
        accreditation=accreditation,
        score=lambda item: 2 + item.subscale.number % 3,
        items=items,
        completed=True,
    )
    end = make_audit(
        setting=setting,
        version=ecers3,
        created_by=evaluator,
        accreditation=accreditation,
        occasion=Occasion.END_OF_YEAR,
        date=datetime.date(2027, 6, 20),
        score=lambda item: 4 + item.subscale.number % 3,
        items=items,
        completed=True,
    )
    make_audit(
        setting=setting,
        version=ecers3,
        created_by=manager,
        accreditation=accreditation,
        occasion=Occasion.END_OF_YEAR,
        date=datetime.date(2027, 6, 20),
        score=lambda item: 5 if item.number % 4 else 3,
        items=items,
        completed=True,
        paired_with=end,
    )
    open_audit = make_audit(
        setting=setting,
        version=ecers3,
        created_by=evaluator,
        room="Babies",
        score=4,
        items=items[:5],
    )

    a11y_page.login(manager)
    for path, name in [
        ("/audits/ratings/", "audit list"),
        (f"/audits/ratings/{end.pk}/", "completed audit"),
        (f"/audits/ratings/{end.pk}/agreement/", "agreement"),
        (f"/audits/ratings/{end.pk}/consensus/", "consensus form"),
        (f"/audits/ratings/{end.pk}/reopen/", "reopen form"),
        (f"/audits/ratings/{open_audit.pk}/complete/", "complete with items missing"),
        (f"/audits/ratings/{initial.pk}/second-observation/", "second observation"),
        (f"/audits/ratings/settings/{setting.pk}/comparison/", "setting comparison"),
        ("/audits/ratings/cohorts/", "cohort list"),
        (f"/audits/ratings/cohorts/{cohort.pk}/", "cohort comparison"),
        ("/audits/instruments/", "instrument library"),
        (f"/audits/instruments/versions/{ecers3.pk}/", "instrument version"),
        (f"/audits/instruments/versions/{ecers3.pk}/copy/", "copy a version"),
        (f"/audits/instruments/versions/{ecers3.pk}/edit/", "edit a version in use"),
        ("/audits/instruments/upload/", "upload a definition"),
    ]:
        response = a11y_page.goto(path, name)
        assert response is not None and response.status == 200, path

    expect(page.get_by_role("heading", level=1)).to_have_text("Upload an instrument definition")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a JSON or CSV file")
    a11y_page.check("upload with an error")

    a11y_page.goto(f"/audits/ratings/{end.pk}/consensus/", "consensus form again")
    page.get_by_role("button", name="Record the consensus").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the agreed score")
    a11y_page.check("consensus with errors")

    a11y_page.goto(f"/audits/ratings/{open_audit.pk}/score/?subscale=1", "scoring page")
    page.locator(f"#item-{items[5].pk}-score-3").click()
    expect(page.locator(f"#item-{items[5].pk}-score-status")).to_have_text(
        re.compile(r"Saved at \d\d:\d\d")
    )
    a11y_page.check("scoring page after an autosave")
