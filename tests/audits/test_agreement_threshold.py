"""Inter-rater agreement against a configurable threshold, with observers below it flagged."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from audits.selectors.ratings import agreement_overview
from kqm.models import Role
from tests.access import assert_access
from tests.factories import UserFactory

from .ratings_factories import assign, library, make_audit

pytestmark = pytest.mark.django_db

URL = reverse("audits:agreement-overview")


@pytest.fixture
def ecers(db):
    return library()["ecers-3"]


def _pair(setting, version, first, second, *, close: bool):
    """A completed primary and second scoring; ``close`` agrees within one point on every
    item, otherwise the second is 3 points apart on every item but the first four."""
    primary = make_audit(
        setting=setting, version=version, created_by=first, score=2, completed=True
    )
    items = sorted(version.items.all(), key=lambda item: item.number)
    near = {item.pk for item in items[: len(items) if close else 4]}
    make_audit(
        setting=setting,
        version=version,
        created_by=second,
        score=lambda item: 3 if item.pk in near else 5,
        completed=True,
        paired_with=primary,
    )
    return primary


def test_access(client, users):
    assert_access(client, URL, users, [Role.MANAGER])


def test_observers_below_the_threshold_are_flagged(client, users, setting, ecers, settings):
    evaluator = users[Role.EVALUATOR]
    assign(setting, evaluator)
    steady = UserFactory(role=Role.EVALUATOR, full_name="Steady Observer")
    shaky = UserFactory(role=Role.EVALUATOR, full_name="Shaky <Observer>")
    close = _pair(setting, ecers, evaluator, steady, close=True)
    apart = _pair(setting, ecers, evaluator, shaky, close=False)
    pairs, observers = agreement_overview(80)
    by_name = {o.observer.full_name: o for o in observers}
    assert by_name["Steady Observer"].within_one_percent == 100
    assert by_name["Shaky <Observer>"].flagged and not by_name["Steady Observer"].flagged
    assert by_name["Shaky <Observer>"].below_count == 1
    # Flagged first: the shaky observer and the evaluator paired with both.
    assert {o.observer for o in observers[:2]} == {shaky, evaluator}
    # The evaluator in both pairs: 35 + 4 of 70 items within one point.
    assert by_name[evaluator.full_name].within_one_percent == Decimal("55.7")
    assert {pair.primary for pair in pairs if pair.below} == {apart}
    client.force_login(users[Role.MANAGER])
    html = client.get(URL).content.decode()
    assert "Shaky &lt;Observer&gt;" in html and "Below 80%" in html
    # The threshold is configuration.
    settings.KQM_AGREEMENT_THRESHOLD = 50
    html = client.get(URL).content.decode()
    assert "Below 50%" not in html.split('data-testid="pairs"')[0].split("Shaky")[0]
    page = client.get(reverse("audits:audit-agreement", args=[apart.pk])).content.decode()
    assert 'data-testid="below-threshold"' in page
    page = client.get(reverse("audits:audit-agreement", args=[close.pk])).content.decode()
    assert 'data-testid="below-threshold"' not in page


@pytest.mark.parametrize("count", [1, 6])
def test_constant_queries(count, client, users, setting, ecers, django_assert_num_queries):
    for _ in range(count):
        _pair(setting, ecers, users[Role.EVALUATOR], UserFactory(role=Role.EVALUATOR), close=True)
    client.force_login(users[Role.MANAGER])
    # session, user, pairs, their observers (two prefetches), subscales, items, scale, scores
    with django_assert_num_queries(9):
        assert client.get(URL).status_code == 200
