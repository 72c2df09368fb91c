"""Analysis pages, the year summary PDF, and a fixed number of queries on every report and
list page however many children there are."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from audits.models import (
    ActionPoint,
    Child,
    ChildDataAccess,
    Group,
    LeuvenScore,
    ModerationScore,
    Screening,
    Term,
)
from kqm.models import Role
from tests.factories import SettingFactory
from tests.pdf import pdf_text

from .leuven_factories import (
    ChildFactory,
    GroupFactory,
    LeuvenScoreFactory,
    ScreeningFactory,
    assign_evaluator,
    term_date,
)

M, E, SM, P = Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER


# --- Figures on the pages ------------------------------------------------------------------------


@pytest.fixture
def two_rooms(setting):
    """Rabbits and Owls; C3 moves from Rabbits to Owls after the autumn screening.

    autumn: C1 (2,2) red, C2 (4,4) green, C3 (3,4) amber in Rabbits; C4 (5,5) green in Owls
    spring: C1 (3,3) amber, C2 (5,5) green in Rabbits; C3 (4,5) green, C4 (4,4) green in Owls
    trends: C1 4 -> 6 improved, C2 8 -> 10 improved, C3 7 -> 9 improved, C4 10 -> 8 declined
    """
    rabbits = GroupFactory(setting=setting, name="Rabbits")
    owls = GroupFactory(setting=setting, name="Owls")
    c1, c2, c3 = (ChildFactory(group=rabbits, code=f"CRAB00{i}", eal=i == 1) for i in (1, 2, 3))
    c4 = ChildFactory(group=owls, code="COWL004")
    screenings: dict[tuple[str, str], Screening] = {
        (room.name, term): ScreeningFactory(group=room, term=term)
        for room in (rabbits, owls)
        for term in (Term.AUTUMN, Term.SPRING)
    }
    for room, term, child, wb, inv in [
        ("Rabbits", Term.AUTUMN, c1, 2, 2),
        ("Rabbits", Term.AUTUMN, c2, 4, 4),
        ("Rabbits", Term.AUTUMN, c3, 3, 4),
        ("Owls", Term.AUTUMN, c4, 5, 5),
        ("Rabbits", Term.SPRING, c1, 3, 3),
        ("Rabbits", Term.SPRING, c2, 5, 5),
        ("Owls", Term.SPRING, c3, 4, 5),
        ("Owls", Term.SPRING, c4, 4, 4),
    ]:
        LeuvenScoreFactory(
            screening=screenings[(room, term)], child=child, wellbeing=wb, involvement=inv
        )
    c3.group = owls
    c3.save()
    return rabbits, owls


def test_the_settings_analysis_adds_up_the_rooms_per_term(client, users, setting, two_rooms):
    client.force_login(users[M])
    response = client.get(reverse("audits:setting-analysis", args=[setting.pk]), {"year": 2026})
    report = response.context["report"]
    autumn, spring = report.terms
    # autumn: 4 children, red 1 (25%), amber 1 (25%), green 2 (50%)
    assert (autumn.figures.children, autumn.figures.zones.red_percent) == (4, 25)
    assert (autumn.figures.zones.amber_percent, autumn.figures.zones.green_percent) == (25, 50)
    # spring: amber 1 (25%), green 3 (75%)
    assert (spring.figures.zones.amber, spring.figures.zones.green_percent) == (1, 75)
    counts = report.trend_counts
    assert (counts.improved, counts.declined, counts.improved_percent) == (3, 1, 75)
    assert report.children == 4 and not report.moderated
    html = response.content.decode()
    assert "3" in html and "75%" in html
    assert all(code not in html for code in ("CRAB001", "CRAB002", "CRAB003", "COWL004"))
    # each room counts the children who ended the year in it
    rabbits = next(g for g in report.groups if g.group.name == "Rabbits")
    owls = next(g for g in report.groups if g.group.name == "Owls")
    assert (rabbits.trend_counts.improved, rabbits.trend_counts.declined) == (2, 0)
    assert (owls.trend_counts.improved, owls.trend_counts.declined) == (1, 1)
    # the EAL gap in spring: C1 amber (100% red or amber) against 0 of 3 -> +100 points
    eal = next(b for b in report.breakdowns if b.name == "eal")
    assert eal.gap.term == Term.SPRING and eal.gap.red_or_amber_points == 100
    assert 'data-testid="gap-eal"' in html and "red or amber +100 percentage points" in html


def test_a_rooms_analysis_has_its_own_screenings_and_children(client, users, two_rooms):
    rabbits, _ = two_rooms
    client.force_login(users[P])
    response = client.get(reverse("audits:group-analysis", args=[rabbits.pk]))
    report = response.context["report"]
    autumn, spring = report.screenings
    # autumn in Rabbits: C1 red, C2 green, C3 amber -> 33% each
    assert (autumn.figures.children, autumn.figures.zones.red_percent) == (3, 33)
    assert (spring.figures.children, spring.figures.zones.amber) == (2, 1)
    assert set(report.trends) == {
        Child.objects.get(code="CRAB001").pk,
        Child.objects.get(code="CRAB002").pk,
    }
    html = response.content.decode()
    assert "<svg" in html and 'role="img"' in html and "the figures as a table" in html
    assert "Not moderated" in html
    assert "CRAB001" not in html
    trends = client.get(reverse("audits:group-trends", args=[rabbits.pk]))
    rows = trends.context["rows"]
    assert [(row.code, row.trend.trend.value) for row in rows] == [
        ("CRAB001", "improved"),
        ("CRAB002", "improved"),
    ]
    assert "2 / 2" in trends.content.decode() and "3 / 3" in trends.content.decode()


@pytest.mark.real_pdf
def test_the_year_summary_pdf_has_figures_and_no_child_codes(client, users, setting, two_rooms):
    client.force_login(users[SM])
    response = client.get(
        reverse("audits:setting-summary-pdf", args=[setting.pk]), {"year": "2026"}
    )
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="leuven-summary-{setting.urn}-2026-2027.pdf"'
    )
    text = pdf_text(response.content)
    assert setting.name in text and "2026 to 2027" in text
    assert "Each term, all rooms" in text and "Rabbits" in text and "Gaps between" in text
    assert "not moderated" in text
    assert all(code not in text for code in ("CRAB001", "CRAB002", "CRAB003", "COWL004"))


def test_an_empty_year_says_so(client, users, setting):
    client.force_login(users[SM])
    url = reverse("audits:setting-analysis", args=[setting.pk])
    assert "No scores for 2030 to 2031 yet." in client.get(url, {"year": 2030}).content.decode()
    pdf = client.get(reverse("audits:setting-summary-pdf", args=[setting.pk]), {"year": 2030})
    assert pdf.status_code == 200


# --- A fixed number of queries -------------------------------------------------------------------


def populate(setting, children: int, evaluator) -> tuple[Group, Screening]:
    """Two rooms, three screenings each, every child scored each term, flags varied,
    a moderation sample and some action points."""
    rooms = [GroupFactory(setting=setting, name=name) for name in ("Rabbits", "Owls")]
    screenings = {
        (room.pk, term): ScreeningFactory(group=room, term=term)
        for room in rooms
        for term in (Term.AUTUMN, Term.SPRING, Term.SUMMER)
    }
    made = Child.objects.bulk_create(
        Child(
            setting=setting,
            group=rooms[i % 2],
            code=f"CQ{i:05d}",
            eal=i % 3 == 0,
            send=i % 7 == 0,
            funded_two=i % 5 == 0,
            looked_after=i % 11 == 0,
            gender=("girl", "boy", "")[i % 3],
            age_band=("24-35", "36-47", "")[i % 3],
        )
        for i in range(children)
    )
    values = itertools.cycle([(2, 3), (3, 3), (4, 4), (5, 4), (3, 5), (1, 2), (4, 5)])
    LeuvenScore.objects.bulk_create(
        LeuvenScore(
            screening=screenings[(child.group_id, term)],
            child=child,
            wellbeing=wb,
            involvement=inv,
        )
        for child in made
        for term, (wb, inv) in zip(
            (Term.AUTUMN, Term.SPRING, Term.SUMMER), (next(values) for _ in range(3)), strict=True
        )
    )
    first = screenings[(rooms[0].pk, Term.AUTUMN)]
    sampled = [c for c in made if c.group_id == rooms[0].pk][:5]
    ModerationScore.objects.bulk_create(
        ModerationScore(
            screening=first,
            child=child,
            evaluator=evaluator,
            wellbeing=3,
            involvement=4,
            moderated_on=term_date(Term.AUTUMN),
        )
        for child in sampled
    )
    ActionPoint.objects.bulk_create(
        ActionPoint(score=score, action="Plan", owner="Key person", due_on=term_date(Term.SPRING))
        for score in LeuvenScore.objects.filter(screening=first, wellbeing__lt=3)
    )
    return rooms[0], first


# page -> (url name, role, id of, queries)
ANALYSIS_PAGES = {
    "setting-analysis": (lambda s, g, sc: [s.pk], M, 8),
    "group-analysis": (lambda s, g, sc: [g.pk], SM, 7),
    "group-trends": (lambda s, g, sc: [g.pk], P, 8),
    "setting-summary-pdf": (lambda s, g, sc: [s.pk], E, 7),
}


@pytest.mark.parametrize("children", [4, 16])
@pytest.mark.parametrize("page_name", list(ANALYSIS_PAGES))
def test_analysis_pages_run_a_fixed_number_of_queries(
    client, users, setting, children, page_name, django_assert_num_queries
):
    assign_evaluator(setting, users[E])
    group, screening = populate(setting, children, users[E])
    args, role, queries = ANALYSIS_PAGES[page_name]
    url = reverse(f"audits:{page_name}", args=args(setting, group, screening))
    client.force_login(users[role])
    client.get(url, {"year": 2026})  # sign-in and session queries happen once
    with django_assert_num_queries(queries):
        response = client.get(url, {"year": 2026})
    assert response.status_code == 200
    if page_name == "setting-analysis":
        report = response.context["report"]
        assert report.children == children
        assert [t.figures.children for t in report.terms] == [children] * 3
        assert report.moderated


# child-level pages whose rows grow with the number of children: 5 and 50 children
LIST_PAGES = {
    "group-detail": (lambda g, sc: [g.pk], SM, 6),
    "screening-detail": (lambda g, sc: [sc.pk], P, 11),
    "screening-scores": (lambda g, sc: [sc.pk], P, 6),
    "moderation": (lambda g, sc: [sc.pk], M, 7),
    "moderation-edit": (lambda g, sc: [sc.pk], E, 7),
    "screening-export": (lambda g, sc: [sc.pk], E, 7),
}


@pytest.mark.parametrize("children", [3, 12])
@pytest.mark.parametrize("page_name", list(LIST_PAGES))
def test_pages_listing_children_run_a_fixed_number_of_queries(
    client, users, setting, children, page_name, django_assert_num_queries
):
    assign_evaluator(setting, users[E])
    group, screening = populate(setting, children * 2, users[E])  # half in each room
    args, role, queries = LIST_PAGES[page_name]
    url = reverse(f"audits:{page_name}", args=args(group, screening))
    client.force_login(users[role])
    client.get(url)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("count", [3, 12])
def test_the_settings_list_runs_a_fixed_number_of_queries(
    client, users, count, django_assert_num_queries
):
    for _ in range(count):
        group = GroupFactory(setting=SettingFactory())
        ChildFactory(group=group)
        ScreeningFactory(group=group)
    client.force_login(users[M])
    url = reverse("audits:leuven-home")
    client.get(url, {"year": 2026})
    with django_assert_num_queries(4):
        response = client.get(url, {"year": 2026})
    page = response.context["page_obj"]
    # the setting the staff users belong to has no room yet: the manager's list leaves it out
    assert len(page) == min(count, 25)
    busy = next(s for s in page if s.group_count)
    assert (busy.group_count, busy.child_count, busy.screening_count) == (1, 1, 1)


@pytest.mark.parametrize("count", [3, 12])
def test_the_access_log_runs_a_fixed_number_of_queries(
    client, users, setting, count, django_assert_num_queries
):
    ChildDataAccess.objects.bulk_create(
        ChildDataAccess(user=users[P], setting=setting, page=f"Child: C{i}", path="/x/")
        for i in range(count)
    )
    client.force_login(users[SM])
    url = reverse("audits:access-log", args=[setting.pk])
    client.get(url)
    with django_assert_num_queries(5):
        response = client.get(url)
    assert len(response.context["page_obj"]) == min(count, 25)
    assert "Setting practitioner user (Setting practitioner)" in response.content.decode()


def test_the_access_log_shows_only_its_settings_views_and_filters_by_person(
    client, users, setting, other_setting
):
    ChildDataAccess.objects.create(user=users[P], setting=setting, page="Child: CAAA", path="/a/")
    ChildDataAccess.objects.create(user=users[E], setting=setting, page="Child: CBBB", path="/b/")
    ChildDataAccess.objects.create(
        user=users[M], setting=other_setting, page="Child: CZZZ", path="/z/"
    )
    client.force_login(users[SM])
    url = reverse("audits:access-log", args=[setting.pk])
    html = client.get(url).content.decode()
    assert "CAAA" in html and "CBBB" in html and "CZZZ" not in html
    html = client.get(url, {"q": "evaluator"}).content.decode()
    assert "CBBB" in html and "CAAA" not in html


def test_the_settings_list_searches_and_sorts(client, users):
    quiet = SettingFactory(name="Acorns Quiet Nursery")
    busy = SettingFactory(name="Zebra Busy Nursery")
    for setting, children in ((quiet, 1), (busy, 3)):
        group = GroupFactory(setting=setting)
        for _ in range(children):
            ChildFactory(group=group)
    client.force_login(users[M])
    url = reverse("audits:leuven-home")
    names = [s.name for s in client.get(url, {"year": 2026, "q": "nursery"}).context["page_obj"]]
    assert names.index("Acorns Quiet Nursery") < names.index("Zebra Busy Nursery")
    most = client.get(url, {"year": 2026, "q": "nursery", "sort": "children"})
    assert most.context["page_obj"][0].name == "Zebra Busy Nursery"
    found = client.get(url, {"year": 2026, "q": busy.urn}).context["page_obj"]
    assert [s.name for s in found] == ["Zebra Busy Nursery"]
    assert "No setting matches" in client.get(url, {"q": "nothing like it"}).content.decode()


def test_staff_see_their_setting_before_it_has_a_room_the_manager_does_not(client, users, setting):
    url = reverse("audits:leuven-home")
    client.force_login(users[SM])
    assert [s.pk for s in client.get(url).context["page_obj"]] == [setting.pk]
    client.force_login(users[M])
    html = client.get(url).content.decode()
    assert "No setting has set up a room or group for Leuven screenings yet." in html
