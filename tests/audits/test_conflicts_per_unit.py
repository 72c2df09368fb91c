"""Conflicts are per unit of work: per audit item, per child's score on a scale.

Two people working on different units both save; the same unit changed by someone else
gives one 409 with their value; one's own earlier save (another tab, a reload while a
save was in flight) is never a conflict.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from audits.models import ItemScore, LeuvenScore
from kqm.models import Role
from tests.audits.leuven_factories import ChildFactory, GroupFactory, ScreeningFactory
from tests.audits.ratings_factories import assign, items_of, library, make_audit

pytestmark = pytest.mark.django_db


# --- Audit items ----------------------------------------------------------------------------


@pytest.fixture
def audit(users, setting):
    evaluator = users[Role.EVALUATOR]
    assign(setting, evaluator)
    return make_audit(
        setting=setting,
        version=library()["ecers-3"],
        created_by=evaluator,
        observers=[users[Role.MANAGER]],
    )


def _save_item(client, audit, item, score, *, base="", base_note="", revision=0, note=""):
    return client.post(
        reverse("audits:audit-autosave", args=[audit.pk]),
        json.dumps(
            {
                "item": item.pk,
                "score": score,
                "note": note,
                "revision": revision,
                "base": {"score": base, "note": base_note},
            }
        ),
        content_type="application/json",
    )


def test_two_observers_scoring_different_items_both_save(client, users, audit):
    first, second = items_of(audit.version)[:2]
    client.force_login(users[Role.EVALUATOR])
    assert _save_item(client, audit, first, "5").status_code == 200
    client.force_login(users[Role.MANAGER])
    # The manager's page was loaded at revision 0, before the evaluator's save.
    response = _save_item(client, audit, second, "3")
    assert response.status_code == 200, response.json()
    scores = dict(ItemScore.objects.filter(audit=audit).values_list("item_id", "score"))
    assert scores == {first.pk: 5, second.pk: 3}


def test_the_same_item_changed_by_another_gives_one_409_with_their_value(client, users, audit):
    item = items_of(audit.version)[0]
    client.force_login(users[Role.EVALUATOR])
    _save_item(client, audit, item, "5", note="Seen in the garden.")
    client.force_login(users[Role.MANAGER])
    response = _save_item(client, audit, item, "2")
    assert response.status_code == 409
    body = response.json()
    assert body["item"] == item.pk
    assert body["theirs"]["score"] == "5" and body["theirs"]["by"] == "Evaluator user"
    assert "Evaluator user scored this item 5" in body["error"]
    assert ItemScore.objects.get(audit=audit, item=item).score == 5
    # Choosing it again, now knowing their value (the page's base), replaces theirs.
    theirs = body["theirs"]
    assert theirs["note"] == "Seen in the garden."
    again = _save_item(client, audit, item, "2", base=theirs["score"], base_note=theirs["note"])
    assert again.status_code == 200
    assert ItemScore.objects.get(audit=audit, item=item).score == 2


def test_a_reload_during_a_pending_save_never_conflicts_with_oneself(client, users, audit):
    item = items_of(audit.version)[0]
    client.force_login(users[Role.EVALUATOR])
    # The save sent before the reload lands; the reloaded page still showed the old value.
    assert _save_item(client, audit, item, "4").status_code == 200
    response = _save_item(client, audit, item, "6", base="")
    assert response.status_code == 200
    assert ItemScore.objects.get(audit=audit, item=item).score == 6


# --- Leuven scores per child and scale -------------------------------------------------------


@pytest.fixture
def room(setting):
    group = GroupFactory(setting=setting, name="Rabbits")
    children = [ChildFactory(group=group, code=f"CBBBB{i:02d}") for i in range(2)]
    return ScreeningFactory(group=group), children


def _save_score(client, screening, child, value, *, base=None, revision=0):
    return client.post(
        reverse("audits:screening-autosave", args=[screening.pk]),
        json.dumps(
            {
                "child": child.pk,
                "scale": "wellbeing",
                "value": value,
                "base": base,
                "revision": revision,
            }
        ),
        content_type="application/json",
    )


def test_two_people_scoring_different_children_both_save(client, users, room):
    screening, (first, second) = room
    client.force_login(users[Role.PRACTITIONER])
    assert _save_score(client, screening, first, 4).status_code == 200
    client.force_login(users[Role.SETTING_MANAGER])
    response = _save_score(client, screening, second, 2)  # page at revision 0
    assert response.status_code == 200, response.json()
    assert set(LeuvenScore.objects.values_list("child__code", "wellbeing")) == {
        ("CBBBB00", 4),
        ("CBBBB01", 2),
    }


def test_the_same_childs_score_changed_by_another_gives_one_409_with_their_value(
    client, users, room
):
    screening, (child, _) = room
    client.force_login(users[Role.PRACTITIONER])
    _save_score(client, screening, child, 4)
    client.force_login(users[Role.SETTING_MANAGER])
    response = _save_score(client, screening, child, 1)
    assert response.status_code == 409
    assert response.json()["theirs"] == "4"
    assert "changed CBBBB00's well-being score to 4" in response.json()["error"]
    assert LeuvenScore.objects.get(child=child).wellbeing == 4
    assert _save_score(client, screening, child, 1, base=4).status_code == 200
    # One's own earlier save is never a conflict (a page loaded before it, say).
    assert _save_score(client, screening, child, 5, base=None).status_code == 200
    assert LeuvenScore.objects.get(child=child).wellbeing == 5
