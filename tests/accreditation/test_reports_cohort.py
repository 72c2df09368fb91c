"""The programme report's cohort sections, each figure worked out by hand in the test.

Unit A / Unit B completion, ECERS/ITERS subscale means at the initial and end-of-year
audits, Leuven zone shares by term and the PPEL change (the seed's "76% increased
parental involvement").
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accreditation.models import (
    ActionStatus,
    Cohort,
    Status,
)
from accreditation.models.unit_b import SEF_SECTIONS
from accreditation.reports.cohort import (
    cohort_ppel_change,
    cohort_report,
    current_cohort,
    leuven_zone_shares,
    rating_subscales,
    unit_completion,
)
from audits.models import Audit, Child, InstrumentVersion, Item, Occasion, Term
from kqm.models import Role, User
from tests.access import assert_access, assert_field_error
from tests.audits.leuven_factories import ChildFactory, GroupFactory, term_date
from tests.audits.ratings_factories import library
from tests.factories import AccreditationFactory, CohortFactory, UserFactory

from .report_worlds import action, audit, case_study, cohort_world, scores, sef, taking_part

TWO = Decimal("0.01")


def two_dp(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


@pytest.fixture
def cohort(db) -> Cohort:
    return CohortFactory(name="2026 cohort", programme_year=2026)


@pytest.fixture
def evaluator(db) -> User:
    return UserFactory(role=Role.EVALUATOR, full_name="Eve Evaluator")


# --- Unit A / Unit B ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_unit_a_and_unit_b_completion(cohort, evaluator):
    lib = library()
    leadership, ppel = lib["kqm-leadership"], lib["kqm-ppel"]
    a1, a2, _a3 = taking_part(cohort, 3)
    (gone,) = taking_part(cohort, 1, Status.WITHDRAWN)  # left: counts nowhere
    (elsewhere,) = taking_part(CohortFactory(), 1)  # another cohort
    taking_part(cohort, 1, Status.APPLIED)  # never started: not in the denominator

    # Unit A: a1 both case studies accepted, a2 one accepted and one submitted.
    case_study(a1, 1, "accepted", evaluator)
    case_study(a1, 2, "accepted", evaluator)
    case_study(a2, 1, "accepted", evaluator)
    case_study(a2, 2, "submitted", evaluator)
    for other in (gone, elsewhere):
        case_study(other, 1, "accepted", evaluator)
        case_study(other, 2, "accepted", evaluator)
    # Unit B: a1 does everything; a2 half of it; a3 nothing.
    sef(a1, evaluator)
    sef(a2, evaluator, SEF_SECTIONS[:1])
    action(a1, evaluator, ActionStatus.DONE)
    action(a1, evaluator, ActionStatus.DROPPED)
    action(a2, evaluator, ActionStatus.IN_PROGRESS)
    audit(a1, leadership, evaluator, occasion=Occasion.OTHER, score=3)
    audit(a2, leadership, evaluator, occasion=Occasion.INITIAL, score=3, completed=False)
    audit(a1, ppel, evaluator, score=2)
    audit(a1, ppel, evaluator, occasion=Occasion.END_OF_YEAR, score=3)
    audit(a2, ppel, evaluator, score=2)
    audit(a2, ppel, evaluator, occasion=Occasion.END_OF_YEAR, score=3, completed=False)
    sef(elsewhere, evaluator)

    completion = unit_completion(cohort)

    assert completion.settings == 3  # a1, a2, a3
    unit_a = {row.label: (row.done, row.of, row.done_percent) for row in completion.unit_a}
    assert unit_a == {
        "At least 1 case study accepted": (2, 3, 66.7),  # 2/3 = 66.67 -> 66.7
        "Both case studies accepted": (1, 3, 33.3),
    }
    unit_b = {row.label: (row.done, row.done_percent) for row in completion.unit_b}
    assert unit_b == {
        "Self-evaluation (SEF): every section judged": (1, 33.3),
        "Improvement plan: every action finished": (1, 33.3),
        "Leadership audit completed": (1, 33.3),
        "PPEL audit at the start of the year": (2, 66.7),
        "PPEL audit at the end of the year": (1, 33.3),
        "All of Unit B": (1, 33.3),
    }


# --- ECERS/ITERS ------------------------------------------------------------------------------


def _subscale_items(version: InstrumentVersion, number: int) -> list[Item]:
    return list(version.items.filter(subscale__number=number).order_by("number"))


@pytest.mark.django_db
def test_subscale_means_initial_and_end_of_year(cohort, evaluator):
    ecers = library()["ecers-r"]
    first = {i.pk for i in _subscale_items(ecers, 1)[:1]}  # the first item of subscale 1
    sub1 = {i.pk for i in _subscale_items(ecers, 1)}
    a1, a2 = taking_part(cohort, 2)
    (gone,) = taking_part(cohort, 1, Status.WITHDRAWN)

    # a1: 3 everywhere at the start, 5 at the end.
    audit(a1, ecers, evaluator, score=3)
    audit(a1, ecers, evaluator, occasion=Occasion.END_OF_YEAR, score=5)
    # a2 at the start: subscale 1 has its first item N/A (left out) and 4 elsewhere;
    # every other subscale alternates 1 and 2 by item number.
    audit(
        a2,
        ecers,
        evaluator,
        score=lambda item: None
        if item.pk in first
        else 4
        if item.pk in sub1
        else 1 + item.number % 2,
    )
    end = audit(a2, ecers, evaluator, occasion=Occasion.END_OF_YEAR, score=6)
    # Excluded: a second observation, an audit in progress, a withdrawn setting's audit.
    audit(a2, ecers, evaluator, occasion=Occasion.END_OF_YEAR, score=1, paired_with=end)
    audit(a1, ecers, evaluator, occasion=Occasion.END_OF_YEAR, score=7, completed=False)
    audit(gone, ecers, evaluator, score=7)

    rows = {row.number: row for row in rating_subscales(cohort)}

    assert len(rows) == 7 and {r.instrument for r in rows.values()} == {ecers.instrument.name}
    one = rows[1]
    # Initial: mean(3.00, 4.00) = 3.50; end: mean(5.00, 6.00) = 5.50.
    assert (one.initial_mean, one.end_mean, one.change) == (
        Decimal("3.50"),
        Decimal("5.50"),
        Decimal("2.00"),
    )
    assert (one.initial_settings, one.end_settings, one.initial_audits, one.end_audits) == (
        2,
        2,
        2,
        2,
    )
    assert (one.compared, one.left_out) == (2, 0)
    # Subscale 2 for a2 at the start: items alternate 1 and 2 by number.
    items2 = _subscale_items(ecers, 2)
    a2_sub2 = two_dp(Decimal(sum(1 + i.number % 2 for i in items2)) / len(items2))
    expected_initial = two_dp((Decimal(3) + a2_sub2) / 2)
    assert rows[2].initial_mean == expected_initial
    assert rows[2].end_mean == Decimal("5.50")
    assert rows[2].change == Decimal("5.50") - expected_initial
    assert rows[2].label == f"2. {items2[0].subscale.name}"


@pytest.mark.django_db
def test_consensus_counts_instead_of_its_primary(cohort, evaluator):
    ecers = library()["ecers-r"]
    (a1,) = taking_part(cohort, 1)
    primary = audit(a1, ecers, evaluator, score=2)
    audit(a1, ecers, evaluator, score=4, paired_with=primary, is_consensus=True)
    rows = rating_subscales(cohort)
    # With no end-of-year audit the setting is not compared yet: it is left out.
    assert {(row.initial_mean, row.end_mean, row.left_out) for row in rows} == {(None, None, 1)}
    audit(a1, ecers, evaluator, occasion=Occasion.END_OF_YEAR, score=5)
    rows = rating_subscales(cohort)
    assert {row.initial_mean for row in rows} == {Decimal("4.00")}
    assert {row.change for row in rows} == {Decimal("1.00")}


# --- Leuven ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_leuven_zone_shares_by_term(cohort):
    a1, a2 = taking_part(cohort, 2)
    (gone,) = taking_part(cohort, 1, Status.WITHDRAWN)
    room = GroupFactory(setting=a1.setting, programme_year=2026)
    other_room = GroupFactory(setting=a1.setting, programme_year=2026)
    # Autumn, setting 1: red, amber, green, green, and one child without a well-being score;
    # and a child who moved room in the autumn: they count once, with the later screening
    # (6 October, green) rather than the one in their first room (1 October, red).
    mover = ChildFactory(group=other_room)
    scores(other_room, Term.AUTUMN, [(1, 1)], date=datetime.date(2026, 10, 1), children=[mover])
    main = [ChildFactory(group=room) for _ in range(5)]
    scores(
        room,
        Term.AUTUMN,
        [(2, 4), (3, 4), (4, 5), (5, 5), (None, 4), (4, 4)],
        date=datetime.date(2026, 10, 6),
        children=[*main, mover],
    )
    # Setting 2 in the autumn: one green child. Spring (setting 1): amber and green.
    scores(GroupFactory(setting=a2.setting, programme_year=2026), Term.AUTUMN, [(4, 4)])
    scores(room, Term.SPRING, [(3, 3), (4, 4), (None, None)])  # one child not scored yet
    # Not counted: another programme year, a withdrawn setting, another cohort's setting.
    scores(GroupFactory(setting=a1.setting, programme_year=2025), Term.AUTUMN, [(1, 1)])
    scores(GroupFactory(setting=gone.setting, programme_year=2026), Term.AUTUMN, [(1, 1)])
    outsider = AccreditationFactory(cohort=CohortFactory(), status=Status.IN_PROGRESS)
    scores(GroupFactory(setting=outsider.setting, programme_year=2026), Term.SUMMER, [(1, 1)])

    autumn, spring = leuven_zone_shares(cohort)

    assert (autumn.term, autumn.settings, autumn.children) == (Term.AUTUMN, 2, 7)
    # Both scores: red 1, amber 1, green 4 (two 4/5 and 5/5, the mover, setting 2) of 6.
    z = autumn.zones
    assert (z.red, z.amber, z.green, z.total) == (1, 1, 4, 6)
    assert (z.red_percent, z.amber_percent, z.green_percent) == (17, 17, 67)  # 16.7, 66.7
    # Well-being alone (6 scored): low 2; moderate 3; high 4, 5, 4, 4.
    w = autumn.wellbeing
    assert (w.red, w.amber, w.green, w.total) == (1, 1, 4, 6)
    # Involvement alone: every one of the 7 children scored 4 or 5.
    i = autumn.involvement
    assert (i.red, i.amber, i.green, i.green_percent) == (0, 0, 7, 100)
    assert (spring.term_label, spring.children, spring.settings) == ("Spring", 2, 1)
    assert (spring.zones.amber_percent, spring.zones.green_percent) == (50, 50)
    assert term_date(Term.SPRING) < datetime.date(2027, 7, 1)


# --- PPEL --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ppel_change_worked_out_by_hand(cohort, evaluator):
    ppel = library()["kqm-ppel"]
    items = list(ppel.items.order_by("number"))
    up, same, down, started = taking_part(cohort, 4)
    (gone,) = taking_part(cohort, 1, Status.WITHDRAWN)
    # up: 2.00 -> the end audit has one item N/A and 3 elsewhere = 3.00 (N/A left out).
    audit(up, ppel, evaluator, score=2)
    audit(
        up,
        ppel,
        evaluator,
        occasion=Occasion.END_OF_YEAR,
        score=lambda item: None if item.pk == items[0].pk else 3,
    )
    # same: 3.00 -> 3.00. An older end-of-year audit is superseded by the latest.
    audit(same, ppel, evaluator, score=3)
    audit(
        same,
        ppel,
        evaluator,
        occasion=Occasion.END_OF_YEAR,
        score=1,
        date=datetime.date(2027, 5, 1),
    )
    audit(
        same,
        ppel,
        evaluator,
        occasion=Occasion.END_OF_YEAR,
        score=3,
        date=datetime.date(2027, 6, 1),
    )
    # down: 3.00 -> one item at 2, the rest at 3.
    audit(down, ppel, evaluator, score=3)
    audit(
        down,
        ppel,
        evaluator,
        occasion=Occasion.END_OF_YEAR,
        score=lambda item: 2 if item.pk == items[0].pk else 3,
    )
    audit(started, ppel, evaluator, score=2)  # no end-of-year audit yet
    audit(gone, ppel, evaluator, score=1)
    audit(gone, ppel, evaluator, occasion=Occasion.END_OF_YEAR, score=4)

    change = cohort_ppel_change(cohort)

    down_end = two_dp(Decimal(2 + 3 * (len(items) - 1)) / len(items))
    assert (change.compared, change.increased, change.same, change.decreased) == (3, 1, 1, 1)
    assert change.initial_only == 1
    assert change.increased_percent == 33.3
    assert change.initial_mean == two_dp(Decimal(2 + 3 + 3) / 3)  # 2.67
    assert change.end_mean == two_dp((Decimal(3) + Decimal(3) + down_end) / 3)
    expected_change = two_dp((Decimal(1) + Decimal(0) + (down_end - 3)) / 3)
    assert change.mean_change == expected_change
    assert change.headline == "1 of 3 settings (33.3%) increased parental involvement"


@pytest.mark.django_db
def test_ppel_headline_reproduces_the_seed_76_percent(cohort, evaluator):
    """19 of 25 settings increased their PPEL mean: the seed's 76%."""
    ppel = library()["kqm-ppel"]
    for index, acc in enumerate(taking_part(cohort, 25)):
        audit(acc, ppel, evaluator, score=2)
        audit(acc, ppel, evaluator, occasion=Occasion.END_OF_YEAR, score=3 if index < 19 else 2)
    change = cohort_ppel_change(cohort)
    assert change.headline == "19 of 25 settings (76.0%) increased parental involvement"
    assert (change.same, change.decreased) == (6, 0)
    # Programme-wide (every cohort) the same here.
    assert cohort_ppel_change(None).increased == 19


# --- Cohort and queries ----------------------------------------------------------------------


@pytest.mark.django_db
def test_current_cohort_is_the_one_running_today():
    past = CohortFactory(
        name="Past", start_date=datetime.date(2024, 9, 1), end_date=datetime.date(2025, 7, 31)
    )
    running = CohortFactory(
        name="Running", start_date=datetime.date(2025, 9, 1), end_date=datetime.date(2026, 7, 31)
    )
    CohortFactory(
        name="Next", start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2027, 7, 31)
    )
    assert current_cohort(datetime.date(2026, 1, 10)) == running
    assert current_cohort(datetime.date(2026, 8, 10)) == running  # the latest started
    assert current_cohort(datetime.date(2025, 1, 10)) == past
    newest = current_cohort(datetime.date(2020, 1, 1))  # none started yet: the newest
    assert newest is not None and newest.name == "Next"


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 12])
def test_cohort_report_runs_four_queries(cohort, evaluator, size, django_assert_num_queries):
    lib = library()
    for acc in taking_part(cohort, size):
        audit(acc, lib["ecers-r"], evaluator, score=3)
        audit(acc, lib["ecers-r"], evaluator, occasion=Occasion.END_OF_YEAR, score=4)
        audit(acc, lib["kqm-ppel"], evaluator, score=2)
        audit(acc, lib["kqm-ppel"], evaluator, occasion=Occasion.END_OF_YEAR, score=3)
        scores(GroupFactory(setting=acc.setting, programme_year=2026), Term.AUTUMN, [(4, 4)])
    with django_assert_num_queries(4):
        report = cohort_report(cohort)
    assert report.ppel.increased == size
    assert report.leuven[0].children == size
    assert Audit.objects.count() == 4 * size
    assert timezone.now()


# --- Pages, downloads and who sees them --------------------------------------------------------

PAGE = reverse("accreditation:report-programme")
CSV = reverse("accreditation:report-programme-csv")
PDF = reverse("accreditation:report-programme-pdf")
INDEX = reverse("accreditation:report-index")
ALLOWED = [Role.MANAGER, Role.VIEWER]


@pytest.mark.django_db
@pytest.mark.parametrize("url", [INDEX, PAGE, CSV, PDF])
def test_manager_and_viewer_only(client, users, url):
    assert_access(client, url, users, allowed=ALLOWED)


@pytest.mark.django_db
def test_wrong_method_is_refused(client, manager):
    client.force_login(manager)
    for url in (INDEX, PAGE, CSV, PDF):
        assert client.post(url).status_code == 405


@pytest.mark.django_db
def test_reports_are_in_the_navigation_for_manager_and_viewer(client, users):
    for role in Role.values:
        client.force_login(users[role])
        html = client.get(reverse("dashboard")).content.decode()
        assert (f'href="{INDEX}"' in html) == (role in ALLOWED), role
    client.force_login(users[Role.VIEWER])
    html = client.get(INDEX).content.decode()
    assert reverse("accreditation:report-outcomes") in html and PAGE in html


@pytest.mark.django_db
def test_page_defaults_to_the_current_cohort_and_a_cohort_can_be_chosen(client, users, evaluator):
    today = timezone.localdate()
    running = CohortFactory(
        name="Running cohort",
        programme_year=today.year - 1,
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=300),
    )
    older = CohortFactory(
        name="Older cohort",
        programme_year=today.year - 3,
        start_date=today - datetime.timedelta(days=900),
        end_date=today - datetime.timedelta(days=600),
    )
    cohort_world(running, evaluator, 4)
    client.force_login(users[Role.VIEWER])
    response = client.get(PAGE)
    assert response.context["cohort"].cohort == running
    html = response.content.decode()
    assert "3 of 4 settings (75.0%) increased parental involvement" in html
    assert 'role="img"' in html and "<title" in html and "<desc" in html
    response = client.get(PAGE, {"cohort": older.pk})
    assert response.context["cohort"].cohort == older
    assert "No setting has a PPEL audit" in response.content.decode()


@pytest.mark.django_db
def test_unknown_cohort_shows_the_error_beside_the_field(client, manager):
    CohortFactory()
    client.force_login(manager)
    response = client.get(PAGE, {"cohort": "999999"})
    assert response.status_code == 200
    assert_field_error(response, "cohort", "Select a cohort from the list")
    assert response.context["report_html"] == ""  # no report below a form with errors
    assert client.get(CSV, {"cohort": "nope"}).status_code == 400
    assert client.get(PDF, {"cohort": "999999"}).status_code == 400


@pytest.mark.django_db
def test_csv_has_every_cohort_section(client, manager, cohort, evaluator):
    cohort_world(cohort, evaluator, 4)
    client.force_login(manager)
    response = client.get(CSV, {"cohort": cohort.pk})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Cohort report", cohort.name] in rows
    assert ["Unit A", "At least 1 case study accepted", "4", "4", "100.0"] in rows
    assert ["Unit A", "Both case studies accepted", "0", "4", "0.0"] in rows
    ecers = [r for r in rows if (r and r[0].startswith("ECERS-R")) or r[:1] == ["ECERS-R"]]
    assert ecers and all(r[2:5] == ["3.00", "5.00", "2.00"] for r in ecers)
    autumn = next(r for r in rows if r and r[0] == "Autumn")
    assert autumn[1:10] == ["4", "8", "8", "4", "50", "0", "0", "4", "50"]
    assert ["Increased", "3", "75.0"] in rows
    assert ["Headline", "3 of 4 settings (75.0%) increased parental involvement", ""] in rows


@pytest.mark.django_db
@pytest.mark.real_pdf
def test_pdf_text_has_the_cohort_figures_and_charts(client, users, cohort, evaluator, tmp_path):
    from tests.pdf import pdf_text

    accreditations = cohort_world(cohort, evaluator, 4)
    client.force_login(users[Role.VIEWER])
    response = client.get(PDF, {"cohort": cohort.pk})
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "programme.pdf"
    path.write_bytes(response.content)
    text = " ".join(pdf_text(path).split())
    assert "Programme report" in text and cohort.name in text
    assert "3 of 4 settings (75.0%) increased parental involvement" in text
    assert "Unit A: At least 1 case study accepted" in text
    assert "Leuven zones by term" in text and "50% (4)" in text
    assert "Children in each Leuven zone by term" in text  # a chart with its table
    assert "cohort mean of each subscale" in text
    assert "+2.00" in text
    for acc in accreditations:
        assert acc.setting.name not in text
    assert evaluator.full_name not in text  # evaluators by name for the manager only


@pytest.mark.django_db
def test_viewer_sees_aggregates_only_on_every_report_page(client, users, cohort, evaluator):
    accreditations = cohort_world(cohort, evaluator, 3)
    codes = list(Child.objects.values_list("code", flat=True))
    assert codes
    client.force_login(users[Role.VIEWER])
    pages = [INDEX, PAGE, f"{PAGE}?cohort={cohort.pk}", CSV, reverse("dashboard")]
    pages += [reverse(f"accreditation:report-outcomes{end}") for end in ("", "-csv")]
    for url in pages:
        text = client.get(url).content.decode()
        for code in codes:
            assert code not in text, url
        for acc in accreditations:
            assert acc.setting.name not in text, url
            assert acc.setting.urn not in text, url
        assert evaluator.full_name not in text, url
        assert "Evidence." not in text and "Re-plan group times." not in text


@pytest.mark.django_db
def test_page_and_pdf_run_a_constant_number_of_queries(client, manager, cohort, evaluator):
    lib = library()
    client.force_login(manager)

    def counted(url: str) -> int:
        cache.clear()  # the page as computed, not as kept
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"cohort": cohort.pk}).status_code == 200
        return len(queries)

    cohort_world(cohort, evaluator, 10, lib)
    client.get(PAGE)  # warm the session
    small = (counted(PAGE), counted(PDF), counted(CSV))
    cohort_world(cohort, evaluator, 40, lib)
    assert (counted(PAGE), counted(PDF), counted(CSV)) == small
    cache.clear()
    report = client.get(PAGE, {"cohort": cohort.pk}).context["cohort"]
    assert report.completion.settings == 50
    assert report.ppel.compared == 50


@pytest.mark.django_db
def test_viewer_dashboard_shows_the_ppel_headline(client, users, cohort, evaluator):
    cohort_world(cohort, evaluator, 4)
    client.force_login(users[Role.VIEWER])
    html = client.get(reverse("dashboard")).content.decode()
    assert "3 of 4 settings (75.0%) increased parental involvement" in html


@pytest.mark.django_db
def test_only_settings_with_both_audits_are_compared(cohort, evaluator):
    """A setting audited at the start only does not pull the initial mean away from the
    settings the end-of-year mean is about; it is counted as left out."""
    ecers = library()["ecers-r"]
    a1, a2, a3 = taking_part(cohort, 3)
    audit(a1, ecers, evaluator, score=3)
    audit(a1, ecers, evaluator, occasion=Occasion.END_OF_YEAR, score=5)
    audit(a2, ecers, evaluator, score=1)  # the start only
    audit(a3, ecers, evaluator, occasion=Occasion.END_OF_YEAR, score=7)  # the end only
    one = {row.number: row for row in rating_subscales(cohort)}[1]
    assert (one.initial_mean, one.end_mean, one.change) == (
        Decimal("3.00"),
        Decimal("5.00"),
        Decimal("2.00"),
    )
    assert (one.compared, one.left_out, one.initial_audits, one.end_audits) == (1, 2, 1, 1)
