"""A practitioner scores a room of 30 children with the keyboard alone, reloads half-way
without losing anything, sees the red and amber list and adds an action point; every
page is checked with axe-core."""

from __future__ import annotations

import datetime
import itertools

import pytest
from playwright.sync_api import Locator, Page, ViewportSize, expect

from audits.models import ActionPoint, Child, Group, LeuvenScore, Screening, Term, zone_for
from kqm.models import Role, User
from settings.models import Setting

from .conftest import A11yPage

pytestmark = pytest.mark.browser

PATTERN = [(4, 5), (2, 4), (3, 4), (5, 5), (1, 3), (4, 4), (3, 3), (5, 2), (4, 3), (5, 4)]
VALUES = list(itertools.islice(itertools.cycle(PATTERN), 30))
CODES = [f"CKEY{i:03d}" for i in range(30)]


def tab_to(page: Page, name: str, limit: int = 200) -> None:
    """Press Tab until the input called ``name`` has the focus."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.name") == name:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {name}")


FOCUSED_CONTROL_TEXT = """() => {
    const element = document.activeElement;
    if (!element || !["A", "BUTTON"].includes(element.tagName)) return "";
    return element.textContent.replace(/\\s+/g, " ").trim();
}"""


def tab_to_text(page: Page, text: str, limit: int = 200) -> None:
    """Press Tab until the focused link or button reads ``text``."""
    for _ in range(limit):
        if page.evaluate(FOCUSED_CONTROL_TEXT) == text:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {text!r}")


def score_with_arrows(page: Page, value: int) -> None:
    """The focused scale starts at "not scored": the right arrow once per point."""
    for _ in range(value):
        page.keyboard.press("ArrowRight")


def enter_rows(page: Page, children: list[Child], start: int, stop: int) -> None:
    tab_to(page, f"wellbeing-{children[start].pk}")
    for index in range(start, stop):
        wellbeing, involvement = VALUES[index]
        score_with_arrows(page, wellbeing)
        page.keyboard.press("Tab")
        score_with_arrows(page, involvement)
        page.keyboard.press("Tab")


def wait_until_saved(page: Page) -> None:
    form = page.locator("form[data-autosave-url]")
    expect(form).to_have_attribute("data-autosave-state", "saved", timeout=15_000)
    expect(page.get_by_role("status")).to_contain_text("Saved at")


def test_a_room_of_30_scored_with_the_keyboard_alone(
    transactional_db: None, a11y_page: A11yPage, users: dict[str, User], setting: Setting
) -> None:
    practitioner = users[Role.PRACTITIONER]
    group = Group.objects.create(setting=setting, name="Rabbits", programme_year=2026)
    children = [Child.objects.create(setting=setting, group=group, code=code) for code in CODES]
    screening = Screening.objects.create(
        group=group, term=Term.AUTUMN, date=datetime.date(2026, 10, 6)
    )
    page = a11y_page.page

    a11y_page.login(practitioner)
    a11y_page.goto(f"/audits/leuven/screenings/{screening.pk}/scores/", "scores page")
    expect(page.get_by_role("heading", level=1, name="Enter scores")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(30)

    # The first 15 children, then reload: everything entered is still there.
    enter_rows(page, children, 0, 15)
    wait_until_saved(page)
    page.reload()
    a11y_page.check("scores page after reloading")
    for index in range(15):
        wellbeing, involvement = VALUES[index]
        child = children[index].pk
        expect(page.locator(f"#wellbeing-{child}-{wellbeing}")).to_be_checked()
        expect(page.locator(f"#involvement-{child}-{involvement}")).to_be_checked()
    expect(page.locator(f"#wellbeing-{children[15].pk}-none")).to_be_checked()
    first_zone = page.locator(f'tr[data-child="{children[1].pk}"] [data-zone-cell]')
    expect(first_zone).to_have_text("Red")

    # The other 15, then Tab to the Save button and press Enter (the plain form).
    enter_rows(page, children, 15, 30)
    wait_until_saved(page)
    expect(page.locator(f'tr[data-child="{children[29].pk}"] [data-zone-cell]')).to_have_text(
        "Green"
    )
    # The change of zone is announced with the save status.
    expect(page.get_by_role("status")).to_contain_text(f"{CODES[29]} is now in the green zone.")
    assert page.evaluate("document.activeElement.textContent") == "Save scores"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    a11y_page.check("screening with its red and amber list")

    saved = {
        s.child.code: (s.wellbeing, s.involvement)
        for s in LeuvenScore.objects.filter(screening=screening).select_related("child")
    }
    assert saved == dict(zip(CODES, VALUES, strict=True))

    # Red children first, then amber, each by code.
    red = [c for c, v in zip(CODES, VALUES, strict=True) if zone_for(*v) == "red"]
    amber = [c for c, v in zip(CODES, VALUES, strict=True) if zone_for(*v) == "amber"]
    table = page.get_by_test_id("red-amber")
    expect(table.locator("tbody th")).to_have_text(red + amber)
    expect(page.get_by_test_id("zone-counts")).to_contain_text(
        f"{len(red) + len(amber)} red or amber, {30 - len(red) - len(amber)} green, 0 not scored"
    )

    # An action point for the first red child, with the keyboard too.
    tab_to_text(page, f"Add an action point for {red[0]}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    a11y_page.check("add an action point")
    tab_to(page, "action")
    page.keyboard.type("Key person plans daily small-group play with the train set.")
    page.keyboard.press("Tab")
    page.keyboard.type("Key person")
    tab_to(page, "due_on_0")
    page.keyboard.type("30")
    page.keyboard.press("Tab")
    page.keyboard.type("11")
    page.keyboard.press("Tab")
    page.keyboard.type("2026")
    tab_to_text(page, "Add the action point")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    a11y_page.check("screening with the action point")
    expect(page.get_by_test_id("red-amber")).to_contain_text("daily small-group play")
    point = ActionPoint.objects.get()
    assert (point.score.child.code, point.owner, point.due_on) == (
        red[0],
        "Key person",
        datetime.date(2026, 11, 30),
    )
    assert point.created_by == practitioner

    # The open action point is on the practitioner's dashboard.
    a11y_page.goto("/", "dashboard with the open action point")
    expect(page.get_by_test_id("open-actions")).to_contain_text(red[0])


def test_someone_elses_save_stops_the_autosave_with_a_clear_message(
    transactional_db: None, a11y_page: A11yPage, users: dict[str, User], setting: Setting
) -> None:
    group = Group.objects.create(setting=setting, name="Owls", programme_year=2026)
    child = Child.objects.create(setting=setting, group=group, code="CKEY900")
    screening = Screening.objects.create(
        group=group, term=Term.SPRING, date=datetime.date(2027, 2, 9)
    )
    page = a11y_page.page
    a11y_page.login(users[Role.SETTING_MANAGER])
    a11y_page.goto(f"/audits/leuven/screenings/{screening.pk}/scores/", "scores page")
    # Someone else saves this child's well-being score after this page was loaded.
    LeuvenScore.objects.create(
        screening=screening, child=child, wellbeing=2, updated_by=users[Role.PRACTITIONER]
    )
    Screening.objects.filter(pk=screening.pk).update(revision=3)
    tab_to(page, f"wellbeing-{child.pk}")
    score_with_arrows(page, 4)
    form = page.locator("form[data-autosave-url]")
    expect(form).to_have_attribute("data-autosave-state", "conflict", timeout=15_000)
    # Announced as an alert, not politely with the save status.
    expect(page.get_by_role("alert")).to_contain_text("changed by someone else")
    expect(page.get_by_role("status")).to_be_empty()
    # Their value is shown beside the child, and theirs is kept until this person chooses.
    expect(page.locator("[data-conflict]")).to_contain_text("well-being score to 2")
    a11y_page.check("scores page after a conflict")
    assert LeuvenScore.objects.get(screening=screening, child=child).wellbeing == 2


PHONE = ViewportSize(width=320, height=800)
# Whether an element's text is in full view (a control, with no text, at least its middle):
# inside the viewport, and at its corners and middle the element drawn is its own, not
# something sticky or another cell, and not cut off by the table's scrolling box.
SEEN = """(element) => {
  const text = document.createRange();
  text.selectNodeContents(element);
  const control = !text.getBoundingClientRect().width;
  const box = (control ? element : text).getBoundingClientRect();
  const middle = [(box.left + box.right) / 2, (box.top + box.bottom) / 2];
  const points = control ? [middle] : [
    [box.left + 1, box.top + 1], [box.right - 1, box.top + 1],
    [box.left + 1, box.bottom - 1], [box.right - 1, box.bottom - 1], middle,
  ];
  const hidden = points.map(([x, y]) => [x, y, document.elementFromPoint(x, y)])
    .filter(([x, y, hit]) => hit === null || !element.contains(hit))
    .map(([x, y, hit]) => `${Math.round(x)},${Math.round(y)}: ` +
      (hit ? hit.outerHTML.slice(0, 60) : "nothing"));
  return {
    inside: box.left >= 0 && box.top >= 0 && box.right <= innerWidth && box.bottom <= innerHeight,
    hidden,
    box: [box.left, box.top, box.right, box.bottom].map(Math.round),
  };
}"""


def assert_seen(locator: Locator, what: str) -> None:
    seen = locator.evaluate(SEEN)
    assert seen["inside"] and not seen["hidden"], f"{what} is out of view or covered: {seen}"


def test_on_a_phone_the_childs_code_and_the_scale_headings_stay_in_view(
    transactional_db: None, a11y_page: A11yPage, users: dict[str, User], setting: Setting
) -> None:
    """Scoring the involvement of the last of 20 children at 320 x 800: the table has
    scrolled down and right, and the child's code and the headings are still there."""
    group = Group.objects.create(setting=setting, name="Hedgehogs", programme_year=2026)
    children = [
        Child.objects.create(setting=setting, group=group, code=f"CPHONE{i:02d}") for i in range(20)
    ]
    screening = Screening.objects.create(
        group=group, term=Term.AUTUMN, date=datetime.date(2026, 10, 6)
    )
    page = a11y_page.page
    page.set_viewport_size(PHONE)
    a11y_page.login(users[Role.PRACTITIONER])
    a11y_page.goto(f"/audits/leuven/screenings/{screening.pk}/scores/", "scores page on a phone")
    last = children[-1]
    row = page.locator(f'tr[data-child="{last.pk}"]')
    code = row.get_by_role("rowheader")
    heading = page.get_by_role("columnheader", name="Involvement")

    # By keyboard: Tab to the last child's involvement and score it.
    tab_to(page, f"involvement-{last.pk}")
    score_with_arrows(page, 4)
    focused = page.locator(f"#involvement-{last.pk}-4")
    expect(focused).to_be_focused()
    wrapper = page.get_by_role("region", name="Scores of the children in Hedgehogs")
    # Far down and to the right: the table (or the page) scrolled both ways to get there.
    right, down = wrapper.evaluate("(box) => [box.scrollLeft, box.scrollTop + window.scrollY]")
    assert right > 0 and down > 0, f"nothing scrolled: {right}, {down}"
    assert_seen(focused, "the focused score")
    assert_seen(code, f"{last.code}, the child being scored")
    assert_seen(heading, "the Involvement heading")

    # Scrolled by finger as far right and down as the table goes: the child's code, and
    # the headings over the last column.
    wrapper.evaluate("(box) => box.scrollTo(box.scrollWidth, box.scrollHeight)")
    assert_seen(code, f"{last.code} with the table scrolled to its end")
    assert_seen(page.get_by_role("columnheader", name="Zone"), "the Zone heading")
    zone = row.locator("[data-zone-cell] .govuk-tag")
    # Every score pressed on the way to 4 saved: the tag is no longer being replaced.
    expect(page.locator("form[data-autosave-url]")).to_have_attribute(
        "data-autosave-state", "saved"
    )
    expect(zone).to_be_visible()
    assert_seen(zone, f"the zone of {last.code}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
