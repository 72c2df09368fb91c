"""The PPEL parent partnership change: the pure computation, then the page by role."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.models import Occasion
from audits.ppel import (
    DECREASED,
    INCREASED,
    STAYED_THE_SAME,
    ScoredAudit,
    change_headline,
    involvement_verdict,
    ppel_change,
)
from audits.scoring import Entry, ItemDef, SubscaleDef, VersionShape
from audits.services.questionnaires import (
    do_create_round,
    do_submit_response,
    load_shipped_questionnaires,
)
from kqm.models import Role
from tests.access import assert_access, assert_not_found
from tests.factories import AccreditationFactory, EvaluatorFactory

from .ratings_factories import library, make_audit

# The pure function --------------------------------------------------------------------------

SUBSCALES = [SubscaleDef(1, 1, "Welcoming families"), SubscaleDef(2, 2, "Sharing learning")]


def shape(*, ids_from: int = 10, titles: dict[int, str] | None = None) -> VersionShape:
    titles = titles or {}
    items = [
        ItemDef(ids_from + n, n, titles.get(n, f"Statement {n}"), 1 if n <= 2 else 2, n == 4)
        for n in range(1, 5)
    ]
    return VersionShape(SUBSCALES, items, [1, 2, 3, 4])


def scored(values: dict[int, int | None], *, ids_from: int = 10, **kwargs) -> ScoredAudit:
    """Statement number -> rating (None for N/A)."""
    return ScoredAudit(
        shape(ids_from=ids_from, **kwargs),
        {ids_from + n: Entry(v, v is None) for n, v in values.items()},
    )


def test_change_per_statement_subscale_and_overall():
    start = scored({1: 1, 2: 2, 3: 2, 4: None})
    end = scored({1: 3, 2: 2, 3: 4, 4: 4}, ids_from=20)
    change = ppel_change(start, end)
    rows = {s.number: s for s in change.statements}
    assert (rows[1].start, rows[1].end, rows[1].change) == (1, 3, Decimal("2.00"))
    assert rows[2].change == Decimal("0.00") and rows[2].direction == "same"
    assert (rows[4].start_text, rows[4].end_text, rows[4].change) == ("N/A", "4", None)
    first, second = change.subscales
    assert (first.name, first.start, first.end, first.change) == (
        "Welcoming families",
        Decimal("1.50"),
        Decimal("2.50"),
        Decimal("1.00"),
    )
    # N/A is left out: statement 4 counts at the end only.
    assert (second.start, second.end, second.change) == (
        Decimal("2.00"),
        Decimal("4.00"),
        Decimal("2.00"),
    )
    # Overall over every rated statement, not the mean of the subscale means.
    assert change.overall.start == Decimal("1.67")
    assert change.overall.end == Decimal("3.25")
    assert change.overall.change == Decimal("1.58")
    assert change.verdict == INCREASED
    assert change.headline == (
        "Parental involvement increased: the mean rating went from 1.67 at the start of the "
        "year to 3.25 at the end."
    )
    assert change.scale_values == [1, 2, 3, 4]
    assert not change.versions_differ


def test_statements_are_matched_by_number_across_versions():
    start = scored({1: 2, 2: 2, 3: 2}, titles={3: "Old wording"})
    end = scored({1: 2, 2: 2, 3: 3, 4: 3}, ids_from=50)
    change = ppel_change(start, end)
    assert change.versions_differ
    assert [s.title for s in change.statements][2] == "Statement 3"  # the end's wording
    assert change.statements[3].start_text == "–"


@pytest.mark.parametrize(
    "start, end, verdict",
    [
        ("2.00", "2.01", INCREASED),
        ("2.50", "2.50", STAYED_THE_SAME),
        ("3.00", "2.75", DECREASED),
        (None, "2.00", None),
    ],
)
def test_increased_means_the_end_mean_is_above_the_start_mean(start, end, verdict):
    start = Decimal(start) if start else None
    assert involvement_verdict(start, Decimal(end)) == verdict


def test_headlines_in_plain_language():
    assert change_headline(Decimal("2.50"), Decimal("2.50")) == (
        "Parental involvement stayed the same (mean rating 2.50 at both audits)."
    )
    assert change_headline(Decimal("3.00"), Decimal("2.75")).startswith(
        "Parental involvement decreased: the mean rating went from 3.00"
    )
    assert "cannot be shown" in change_headline(None, Decimal("2"))


# The page ------------------------------------------------------------------------------------

READERS = [Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER]


@pytest.fixture
def versions(db):
    return library()


@pytest.fixture
def accreditation(users, setting):
    return AccreditationFactory(setting=setting, evaluator=users[Role.EVALUATOR])


def ppel_audit(users, accreditation, versions, occasion, score, **extra):
    return make_audit(
        setting=accreditation.setting,
        version=versions["kqm-ppel"],
        created_by=users[Role.SETTING_MANAGER],
        occasion=occasion,
        date=datetime.date(2026, 9, 10)
        if occasion == Occasion.INITIAL
        else datetime.date(2027, 6, 10),
        score=score,
        completed=True,
        accreditation=accreditation,
        is_self_audit=True,
        **extra,
    )


def page_url(accreditation) -> str:
    return reverse("audits:ppel-change", args=[accreditation.pk])


@pytest.mark.django_db
def test_the_page_by_role(client, users, accreditation, other_setting):
    assert_access(client, page_url(accreditation), users, READERS)
    elsewhere = AccreditationFactory(setting=other_setting, evaluator=EvaluatorFactory())
    assert_not_found(
        client,
        page_url(elsewhere),
        [users[Role.EVALUATOR], users[Role.SETTING_MANAGER], users[Role.PRACTITIONER]],
    )


@pytest.mark.django_db
def test_the_page_says_which_audit_is_missing(client, users, accreditation, versions):
    ppel_audit(users, accreditation, versions, Occasion.INITIAL, 2)
    make_audit(  # in progress: does not count
        setting=accreditation.setting,
        version=versions["kqm-ppel"],
        created_by=users[Role.SETTING_MANAGER],
        occasion=Occasion.END_OF_YEAR,
        score=3,
        accreditation=accreditation,
        is_self_audit=True,
    )
    client.force_login(users[Role.SETTING_MANAGER])
    page = client.get(page_url(accreditation)).content.decode()
    assert "completed on 10 September 2026" in page
    assert "end of the year: not completed yet" in page
    assert "<svg" not in page


@pytest.mark.django_db
def test_the_page_shows_the_change_with_a_chart_and_tables(client, users, accreditation, versions):
    ppel_audit(users, accreditation, versions, Occasion.INITIAL, 2)
    ppel_audit(users, accreditation, versions, Occasion.END_OF_YEAR, lambda i: 3)
    client.force_login(users[Role.PRACTITIONER])
    page = client.get(page_url(accreditation)).content.decode()
    assert (
        "Parental involvement increased: the mean rating went from 2.00 at the start of the "
        "year to 3.00 at the end." in page
    )
    assert 'role="img"' in page and '<title id="ppel-change-title">' in page
    assert "Mean ratings and their change" in page
    assert "1. Welcoming families" in page and "+1.00" in page
    assert "Statement by statement" in page
    assert "has not asked parents to answer the parent questionnaire" in page


@pytest.mark.django_db
def test_the_parent_questionnaire_is_linked_as_aggregates_only(
    client, users, setting, accreditation, versions
):
    load_shipped_questionnaires()
    issued = do_create_round(
        actor=users[Role.SETTING_MANAGER],
        setting=setting,
        kind="parent",
        title="Parents, summer",
        closes_on=timezone.localdate() + datetime.timedelta(days=5),
        link_count=6,
    )
    statements = issued.round.questionnaire.statements.order_by("number")
    for token in issued.tokens[:5]:
        do_submit_response(
            token=token, answers={s.number: 4 for s in statements}, comment="Lovely staff."
        )
    client.force_login(users[Role.SETTING_MANAGER])
    page = client.get(page_url(accreditation)).content.decode()
    assert issued.round.get_absolute_url() in page
    assert "Its results show when the round closes." in page
    issued.round.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    issued.round.save()
    page = client.get(page_url(accreditation)).content.decode()
    assert "Parents, summer</a>: 5 responses" in page
    assert "Lovely staff." not in page
    # Practitioners cannot open the round's page: no link, the figures stay with the manager.
    client.force_login(users[Role.PRACTITIONER])
    page = client.get(page_url(accreditation)).content.decode()
    assert issued.round.get_absolute_url() not in page
    assert "The setting manager can see the answers per statement" in page


@pytest.mark.django_db
def test_the_page_runs_a_constant_number_of_queries(client, users, accreditation, versions):
    ppel_audit(users, accreditation, versions, Occasion.INITIAL, 2)
    ppel_audit(users, accreditation, versions, Occasion.END_OF_YEAR, 3)
    client.force_login(users[Role.EVALUATOR])
    with CaptureQueriesContext(connection) as few:
        client.get(page_url(accreditation))
    for _ in range(5):
        ppel_audit(users, accreditation, versions, Occasion.INITIAL, 1)
        ppel_audit(users, accreditation, versions, Occasion.END_OF_YEAR, 4)
    with CaptureQueriesContext(connection) as many:
        page = client.get(page_url(accreditation)).content.decode()
    assert len(many) == len(few)
    assert "went from 1.00 at the start of the year to 4.00 at the end" in page
