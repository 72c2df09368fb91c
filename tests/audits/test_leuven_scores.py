"""Screenings and their scores: the one-page table (plain submit), the autosave endpoint
with its revision check, and the red and amber list."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse

from audits.models import LeuvenScore, Screening, Term
from kqm.models import Role
from tests.access import assert_field_error

from .leuven_factories import (
    ChildFactory,
    GroupFactory,
    LeuvenScoreFactory,
    ScreeningFactory,
    date_data,
    scored_room,
)

SM, P = Role.SETTING_MANAGER, Role.PRACTITIONER


@pytest.fixture
def room(setting):
    group = GroupFactory(setting=setting, name="Rabbits")
    children = [ChildFactory(group=group, code=f"CAAAA{i:02d}") for i in range(4)]
    screening = ScreeningFactory(group=group)
    return screening, children


def _table(children, values, revision):
    data = {"revision": str(revision)}
    for child, (wb, inv) in zip(children, values, strict=True):
        data[f"wellbeing-{child.pk}"] = "" if wb is None else str(wb)
        data[f"involvement-{child.pk}"] = "" if inv is None else str(inv)
    return data


def _scores(screening):
    return {
        s.child.code: (s.wellbeing, s.involvement)
        for s in LeuvenScore.objects.filter(screening=screening).select_related("child")
    }


# --- New screening ---------------------------------------------------------------------------


def test_a_practitioner_adds_a_screening_and_goes_to_the_scores(client, users, setting):
    group = GroupFactory(setting=setting, name="Rabbits")
    client.force_login(users[P])
    response = client.post(
        reverse("audits:screening-new", args=[group.pk]),
        {
            "term": Term.AUTUMN,
            "practitioners": [users[P].pk],
            **date_data("date", datetime.date(2026, 10, 6)),
        },
    )
    screening = Screening.objects.get(group=group)
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:screening-scores", args=[screening.pk])
    assert list(screening.practitioners.all()) == [users[P]]
    assert screening.history.first().history_user == users[P]


def test_one_screening_per_term_and_the_date_within_the_programme_year(client, users, setting):
    group = GroupFactory(setting=setting, name="Rabbits")
    ScreeningFactory(group=group, term=Term.AUTUMN)
    client.force_login(users[SM])
    url = reverse("audits:screening-new", args=[group.pk])
    response = client.post(
        url, {"term": Term.AUTUMN, **date_data("date", datetime.date(2026, 11, 6))}
    )
    assert_field_error(response, "term", "Rabbits already has a screening in that term")
    response = client.post(
        url, {"term": Term.SPRING, **date_data("date", datetime.date(2028, 2, 6))}
    )
    assert_field_error(response, "date", "The date of the screening must be in 2026 to 2027")
    response = client.post(url, {"term": "", **date_data("date", datetime.date(2027, 2, 6))})
    assert_field_error(response, "term", "Choose the term")
    assert Screening.objects.filter(group=group).count() == 1


def test_practitioners_to_choose_are_the_settings_staff_only(client, users, setting):
    group = GroupFactory(setting=setting)
    screening = ScreeningFactory(group=group)
    client.force_login(users[SM])
    html = client.get(reverse("audits:screening-edit", args=[screening.pk])).content.decode()
    assert users[P].full_name in html and users[SM].full_name in html
    assert users[Role.EVALUATOR].full_name not in html.split("<form", 1)[1]


# --- The scores page ---------------------------------------------------------------------------


def test_the_scores_page_has_one_row_per_child_with_radios_and_one_save_button(client, users, room):
    screening, children = room
    LeuvenScoreFactory(screening=screening, child=children[0], wellbeing=2, involvement=4)
    elsewhere = ChildFactory(group=GroupFactory(setting=screening.group.setting))
    client.force_login(users[P])
    html = client.get(reverse("audits:screening-scores", args=[screening.pk])).content.decode()
    for child in children:
        assert f'name="wellbeing-{child.pk}"' in html and f'name="involvement-{child.pk}"' in html
    assert elsewhere.code not in html
    first = children[0].pk
    assert f'id="wellbeing-{first}-2" name="wellbeing-{first}" value="2" checked' in html
    assert f'id="involvement-{first}-4" name="involvement-{first}" value="4" checked' in html
    # unscored scales start at "not scored", so the arrow keys count up from it
    second = children[1].pk
    assert f'id="wellbeing-{second}-none" name="wellbeing-{second}" value="" checked' in html
    assert html.count('type="submit"') == 2  # Save scores, and Sign out in the header
    assert 'data-autosave-url="' in html and 'name="revision" value="0"' in html
    assert "1 extremely low" in html and "5 extremely high" in html


def test_saving_the_whole_table_without_javascript(client, users, room):
    screening, children = room
    client.force_login(users[P])
    values = [(1, 4), (3, 5), (4, 5), (None, None)]
    response = client.post(
        reverse("audits:screening-scores", args=[screening.pk]), _table(children, values, 0)
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:screening-detail", args=[screening.pk])
    assert _scores(screening) == {"CAAAA00": (1, 4), "CAAAA01": (3, 5), "CAAAA02": (4, 5)}
    screening.refresh_from_db()
    assert screening.revision == 1
    score = LeuvenScore.objects.get(child=children[0])
    assert score.updated_by == users[P] and score.history.first().history_user == users[P]
    # Saving the same table again changes nothing and keeps the revision.
    client.post(
        reverse("audits:screening-scores", args=[screening.pk]), _table(children, values, 1)
    )
    screening.refresh_from_db()
    assert screening.revision == 1


def test_a_stale_table_is_refused_and_keeps_what_was_typed(client, users, room):
    screening, children = room
    LeuvenScoreFactory(screening=screening, child=children[0], wellbeing=5, involvement=5)
    Screening.objects.filter(pk=screening.pk).update(revision=7)
    client.force_login(users[SM])
    response = client.post(
        reverse("audits:screening-scores", args=[screening.pk]),
        _table(children, [(1, 1), (2, 2), (3, 3), (4, 4)], 5),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "it is now at revision 7; your page was at revision 5" in html
    assert "nothing was saved" in html
    assert _scores(screening) == {"CAAAA00": (5, 5)}
    # what was typed is still ticked, and the page now carries the current revision
    first = children[0].pk
    assert f'id="wellbeing-{first}-1" name="wellbeing-{first}" value="1" checked' in html
    assert 'name="revision" value="7"' in html
    assert response.context["form"].errors


def test_a_score_outside_1_to_5_saves_nothing(client, users, room):
    screening, children = room
    client.force_login(users[P])
    data = _table(children, [(1, 4), (3, 5), (4, 5), (2, 2)], 0)
    data[f"wellbeing-{children[1].pk}"] = "7"
    response = client.post(reverse("audits:screening-scores", args=[screening.pk]), data)
    assert response.status_code == 200
    assert "Choose a score from 1 to 5, or not scored" in response.content.decode()
    assert _scores(screening) == {}


# --- Autosave ----------------------------------------------------------------------------------


def _autosave(client, screening, child, scale, value, revision):
    return client.post(
        reverse("audits:screening-autosave", args=[screening.pk]),
        json.dumps({"child": child.pk, "scale": scale, "value": value, "revision": revision}),
        content_type="application/json",
    )


def test_autosave_saves_one_scale_and_returns_the_new_revision_and_zone(client, users, room):
    screening, children = room
    client.force_login(users[P])
    response = _autosave(client, screening, children[0], "wellbeing", 2, 0)
    assert response.status_code == 200
    body = response.json()
    assert body["revision"] == 1 and body["zone"] == "" and body["child"] == "CAAAA00"
    assert len(body["saved_at"]) == 5 and body["saved_at"][2] == ":"  # hh:mm
    response = _autosave(client, screening, children[0], "involvement", "4", 1)
    assert response.json()["zone"] == "red" and response.json()["zone_label"] == "Red"
    assert _scores(screening) == {"CAAAA00": (2, 4)}
    response = _autosave(client, screening, children[0], "wellbeing", None, 2)
    assert response.status_code == 200 and _scores(screening) == {"CAAAA00": (None, 4)}
    assert LeuvenScore.objects.get(child=children[0]).updated_by == users[P]


def test_autosave_refuses_a_stale_revision_with_409_and_a_clear_message(client, users, room):
    screening, children = room
    client.force_login(users[P])
    assert _autosave(client, screening, children[0], "wellbeing", 4, 0).status_code == 200
    # Someone else's page still shows revision 0.
    client.force_login(users[SM])
    response = _autosave(client, screening, children[1], "wellbeing", 1, 0)
    assert response.status_code == 409
    body = response.json()
    assert body["revision"] == 1
    assert "changed by someone else" in body["error"]
    assert "now at revision 1" in body["error"] and "your page shows revision 0" in body["error"]
    assert "Reload the page" in body["error"]
    assert _scores(screening) == {"CAAAA00": (4, None)}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "could not be read"),
        (json.dumps({"scale": "wellbeing", "value": 2, "revision": 0}), "could not be read"),
        ({"scale": "wellbeing", "value": 6}, "from 1 to 5"),
        ({"scale": "wellbeing", "value": 0}, "from 1 to 5"),
        ({"scale": "happiness", "value": 3}, "Choose well-being or involvement"),
    ],
)
def test_autosave_rejects_bad_input_and_saves_nothing(client, users, room, body, message):
    screening, children = room
    if isinstance(body, dict):
        body = json.dumps({"child": children[0].pk, "revision": 0, **body})
    client.force_login(users[P])
    response = client.post(
        reverse("audits:screening-autosave", args=[screening.pk]),
        body,
        content_type="application/json",
    )
    assert response.status_code == 400 and message in response.json()["error"]
    assert _scores(screening) == {}
    screening.refresh_from_db()
    assert screening.revision == 0


# --- Who is on a screening, and the red and amber list --------------------------------------


def test_children_who_left_or_moved_keep_their_scores_on_past_screenings(client, users, room):
    screening, children = room
    moved, left, left_unscored = children[0], children[1], children[2]
    LeuvenScoreFactory(screening=screening, child=moved, wellbeing=2, involvement=2)
    LeuvenScoreFactory(screening=screening, child=left, wellbeing=4, involvement=4)
    moved.group = GroupFactory(setting=screening.group.setting)
    moved.save()
    for child in (left, left_unscored):
        child.left_on = datetime.date(2026, 12, 1)
        child.save()
    client.force_login(users[P])
    html = client.get(reverse("audits:screening-scores", args=[screening.pk])).content.decode()
    assert moved.code in html and left.code in html and children[3].code in html
    assert left_unscored.code not in html


def test_the_screening_lists_red_then_amber_children_first_then_green_then_not_scored(
    client, users, setting
):
    screening, children = scored_room(
        setting, [(4, 4), (3, 4), (None, None), (2, 5), (5, 5), (3, 3), (1, 1)]
    )
    client.force_login(users[P])
    response = client.get(reverse("audits:screening-detail", args=[screening.pk]))
    html = response.content.decode()
    codes = [c.code for c in children]
    needing = [row.child.code for row in response.context["needing_action"]]
    # red (2,5) and (1,1) by code, then amber (3,4) and (3,3) by code
    assert needing == sorted([codes[3], codes[6]]) + sorted([codes[1], codes[5]])
    assert [r.child.code for r in response.context["green"]] == sorted([codes[0], codes[4]])
    assert [r.child.code for r in response.context["not_scored"]] == [codes[2]]
    red_amber = html.split('data-testid="red-amber"', 1)[1].split("</table>", 1)[0]
    assert all(code in red_amber for code in needing)
    assert codes[0] not in red_amber and codes[2] not in red_amber
    assert html.index(needing[0]) < html.index(codes[0]) < html.index(codes[2])
    assert "4 red or amber, 2 green, 1 not scored" in html
    assert "Add an action point" in html
