"""Scoring of rating audits: N/A, means to 2 dp, completeness, versions, agreement."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audits import scoring
from audits.models import AuditStatus, ItemScore
from audits.scoring import Entry, IncompleteAudit, ItemDef, SubscaleDef
from audits.services import ratings as services
from kqm.models import Role

from .ratings_factories import assign, library, make_audit

SUBSCALES = [SubscaleDef(1, 1, "Space"), SubscaleDef(2, 2, "Routines")]
ITEMS = [
    ItemDef(11, 1, "Indoor space", 1),
    ItemDef(12, 2, "Furnishings", 1),
    ItemDef(13, 3, "Nap", 1, na_allowed=True),
    ItemDef(21, 4, "Meals", 2),
    ItemDef(22, 5, "Toileting", 2),
]
SCALE = list(range(1, 8))


def entries(**values: int | str | None) -> dict[int, Entry]:
    """entries(i11=5, i13="na") -> {11: Entry(5), 13: Entry(N/A)}."""
    result = {}
    for key, value in values.items():
        item_id = int(key.removeprefix("i"))
        result[item_id] = Entry(not_applicable=True) if value == "na" else Entry(value)
    return result


def test_mean_is_rounded_half_up_to_two_places():
    assert scoring.mean([4, 5]) == Decimal("4.50")
    assert scoring.mean([1, 1, 2]) == Decimal("1.33")
    assert scoring.mean([2, 2, 3]) == Decimal("2.33")
    assert scoring.mean([1, 2, 2]) == Decimal("1.67")
    # 33 / 8 = 4.125: half up gives 4.13 (banker's rounding would give 4.12).
    assert scoring.mean([4, 4, 4, 4, 4, 4, 4, 5]) == Decimal("4.13")
    assert scoring.mean([]) is None
    assert str(scoring.mean([7])) == "7.00"


def test_na_items_are_left_out_of_means_and_counts():
    result = scoring.score(SUBSCALES, ITEMS, entries(i11=5, i12=6, i13="na", i21=2, i22=3), SCALE)
    space, routines = result.subscales
    assert space.mean == Decimal("5.50")  # (5 + 6) / 2, N/A excluded
    assert (space.scored, space.not_applicable, space.item_count) == (2, 1, 3)
    assert routines.mean == Decimal("2.50")
    # The total is the mean of every scored item, not the mean of the subscale means.
    assert result.total_mean == Decimal("4.00")
    assert (result.scored, result.not_applicable, result.unanswered) == (4, 1, 0)
    assert result.counts == {1: 0, 2: 1, 3: 1, 4: 0, 5: 1, 6: 1, 7: 0}


def test_unscored_subscale_has_no_mean():
    result = scoring.score(SUBSCALES, ITEMS, entries(i21=7), SCALE)
    assert result.subscales[0].mean is None
    assert result.subscales[1].mean == Decimal("7.00")
    assert result.total_mean == Decimal("7.00")
    assert result.unanswered == 4
    assert result.percent_answered == 20


def test_complete_needs_every_item_answered_and_na_only_where_allowed():
    complete = entries(i11=5, i12=6, i13="na", i21=2, i22=3)
    scoring.require_complete(ITEMS, complete)
    with pytest.raises(IncompleteAudit) as missing:
        scoring.require_complete(ITEMS, entries(i11=5, i12=6, i13="na", i21=2))
    assert [i.number for i in missing.value.missing] == [5]
    assert "1 item still to score (item 5)" in str(missing.value)
    # N/A on an item that does not allow it does not count as answered.
    with pytest.raises(IncompleteAudit) as wrong_na:
        scoring.require_complete(ITEMS, entries(i11="na", i12=6, i13=4, i21=2, i22=3))
    assert [i.number for i in wrong_na.value.missing] == [1]


def test_difference_has_a_sign_and_two_places():
    assert scoring.difference(Decimal("4.25"), Decimal("5.00")) == Decimal("0.75")
    assert scoring.difference(Decimal("5"), Decimal("4.5")) == Decimal("-0.50")
    assert scoring.difference(None, Decimal("4")) is None


def test_agreement_exact_and_within_one_point():
    first = entries(i11=5, i12=6, i13="na", i21=2, i22=3)
    second = entries(i11=5, i12=5, i13=4, i21=2, i22=6)
    result = scoring.agreement(ITEMS, first, second)
    assert result.compared == 5
    assert result.exact == 2  # items 1 and 4
    assert result.within_one == 3  # and item 2 (6 vs 5); N/A vs 4 and 3 vs 6 disagree
    assert result.exact_percent == Decimal("40.0")
    assert result.within_one_percent == Decimal("60.0")
    gaps = {row.item.number: row.gap for row in result.items}
    assert gaps == {1: 0, 2: 1, 3: None, 4: 0, 5: 3}


# --- With the database: real instruments and audits -------------------------------------------


@pytest.fixture
def ecers(db):
    return library()["ecers-3"]


@pytest.fixture
def evaluator_audit(users, setting, ecers):
    evaluator = users[Role.EVALUATOR]
    accreditation = assign(setting, evaluator)
    return make_audit(
        setting=setting, version=ecers, created_by=evaluator, accreditation=accreditation
    )


def test_audit_result_from_the_database(evaluator_audit, ecers):
    items = list(ecers.items.order_by("number"))
    # Item 27 (technology) may be N/A in ECERS-3; give the first 7 items 1..7.
    rows = [
        ItemScore(audit=evaluator_audit, item=i, score=(n % 7) + 1) for n, i in enumerate(items)
    ]
    ItemScore.objects.bulk_create(rows)
    ItemScore.objects.filter(audit=evaluator_audit, item__number=27).update(
        score=None, not_applicable=True
    )
    result = scoring.audit_result(evaluator_audit)
    assert result.item_count == 35
    assert (result.scored, result.not_applicable) == (34, 1)
    first = result.subscales[0]  # items 1-7 scored 1..7
    assert first.mean == Decimal("4.00")
    expected_total = scoring.mean([(n % 7) + 1 for n, i in enumerate(items) if i.number != 27])
    assert result.total_mean == expected_total


def test_an_incomplete_audit_cannot_be_completed(evaluator_audit, users, ecers):
    evaluator = users[Role.EVALUATOR]
    items = list(ecers.items.order_by("number"))
    services.do_record_scores(
        audit=evaluator_audit,
        entries=[services.ScoreInput(item_id=i.pk, score=5) for i in items[:-1]],
        by=evaluator,
        expected_revision=None,
    )
    with pytest.raises(IncompleteAudit) as error:
        services.do_complete_audit(audit=evaluator_audit, by=evaluator)
    assert [i.number for i in error.value.missing] == [35]
    evaluator_audit.refresh_from_db()
    assert evaluator_audit.status == AuditStatus.IN_PROGRESS
    services.do_record_scores(
        audit=evaluator_audit,
        entries=[services.ScoreInput(item_id=items[-1].pk, not_applicable=True)],
        by=evaluator,
        expected_revision=None,
    )  # item 35 (whole-group activities) allows N/A
    services.do_complete_audit(audit=evaluator_audit, by=evaluator)
    evaluator_audit.refresh_from_db()
    assert evaluator_audit.status == AuditStatus.COMPLETED
    assert evaluator_audit.completed_by == evaluator


def test_na_is_refused_where_the_item_does_not_allow_it(evaluator_audit, users, ecers):
    item = ecers.items.get(number=1)
    with pytest.raises(services.ScoreErrors) as error:
        services.do_record_scores(
            audit=evaluator_audit,
            entries=[services.ScoreInput(item_id=item.pk, not_applicable=True)],
            by=users[Role.EVALUATOR],
            expected_revision=None,
        )
    assert error.value.by_item == {item.pk: "Item 1 cannot be marked N/A: choose a score."}
    with pytest.raises(services.ScoreErrors):
        services.do_record_scores(
            audit=evaluator_audit,
            entries=[services.ScoreInput(item_id=item.pk, score=8)],
            by=users[Role.EVALUATOR],
            expected_revision=None,
        )
    assert not ItemScore.objects.filter(audit=evaluator_audit).exists()


def test_a_new_version_does_not_change_old_audits(users, setting, ecers):
    """Scores point at their version's items: copying, editing and switching versions
    leaves a completed audit's titles, N/A rules and results exactly as they were."""
    manager, evaluator = users[Role.MANAGER], users[Role.EVALUATOR]
    old = make_audit(
        setting=setting,
        version=ecers,
        created_by=evaluator,
        score=lambda item: 3 if item.number <= 7 else 5,
        completed=True,
    )
    before = scoring.audit_result(old)
    new_version = services.do_copy_version(version=ecers, label="2026 local edition", by=manager)
    first_subscale = new_version.subscales.get(number=1)
    first_item = new_version.items.get(number=1)
    services.do_edit_version(
        version=new_version,
        by=manager,
        subscale_names={first_subscale.pk: "Space and furniture"},
        item_titles={first_item.pk: "Indoor space and light"},
        na_allowed={first_item.pk: True},
    )
    services.do_make_version_current(version=new_version, by=manager)
    ecers.refresh_from_db()
    assert not ecers.is_current and new_version.is_current

    after = scoring.audit_result(old)
    assert after.total_mean == before.total_mean == Decimal("4.60")
    assert [s.mean for s in after.subscales] == [s.mean for s in before.subscales]
    assert after.subscales[0].subscale.name == "Space and furnishings"
    assert ItemScore.objects.filter(audit=old, item__version=ecers).count() == 35
    assert ecers.items.get(number=1).short_title == "Indoor space"
    assert not ecers.items.get(number=1).na_allowed
    # The version in use cannot be edited at all.
    with pytest.raises(ValidationError):
        services.do_edit_version(
            version=ecers,
            by=manager,
            subscale_names={},
            item_titles={ecers.items.get(number=1).pk: "Changed"},
            na_allowed={},
        )
    # New audits start on the new version; the old one cannot start new audits.
    with pytest.raises(ValidationError):
        services.do_create_audit(
            created_by=evaluator,
            setting=setting,
            version=ecers,
            room="Babies",
            occasion="initial",
            date=old.date,
        )
