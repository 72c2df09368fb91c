"""Entering learning progress: the table, the autosave with its per-child conflict check,
the upload (all or nothing, row errors) and the export that uploads again as it is."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits.models import AREA_FIELDS, DevelopmentBand, ProgressCheckpoint, ProgressRecord
from audits.progress_csv import parse_progress
from kqm.models import Role
from tests.access import assert_field_error

from .leuven_factories import ChildFactory, GroupFactory, date_data
from .progress_factories import CheckpointFactory

SM, P = Role.SETTING_MANAGER, Role.PRACTITIONER
HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def room(setting):
    group = GroupFactory(setting=setting, name=f"Rabbits {HOSTILE}")
    children = [ChildFactory(group=group) for _ in range(3)]
    return CheckpointFactory(group=group), children


def _table(checkpoint, children, revision=0, **values: str) -> dict[str, str]:
    data = {"revision": str(revision)}
    for child in children:
        data[f"band-{child.pk}"] = ""
        for name in AREA_FIELDS:
            data[f"{name}-{child.pk}"] = values.get(name, "")
    return data


def test_adding_a_checkpoint_and_its_bad_input(client, users, setting):
    group = GroupFactory(setting=setting)
    client.force_login(users[P])
    url = reverse("audits:checkpoint-new", args=[group.pk])
    bad = client.post(url, {"term": "autumn", **date_data("date", datetime.date(2031, 1, 1))})
    assert_field_error(bad, "date", "The date of the checkpoint must be in 2026 to 2027")
    assert not ProgressCheckpoint.objects.exists()
    response = client.post(url, {"term": "autumn", **date_data("date", datetime.date(2026, 12, 4))})
    checkpoint = ProgressCheckpoint.objects.get()
    assert response.url == reverse("audits:checkpoint-entry", args=[checkpoint.pk])
    again = client.post(url, {"term": "autumn", **date_data("date", datetime.date(2026, 12, 5))})
    assert_field_error(again, "term", "already has a checkpoint in that term")
    assert ProgressCheckpoint.objects.count() == 1


def test_changing_a_checkpoints_date(client, users, room):
    checkpoint, _ = room
    client.force_login(users[SM])
    url = reverse("audits:checkpoint-edit", args=[checkpoint.pk])
    bad = client.post(url, {"term": "autumn", "date_0": "31", "date_1": "2", "date_2": "2027"})
    assert bad.status_code == 200 and "date" in bad.context["form"].errors
    assert 'value="31"' in bad.content.decode()  # what was typed is kept
    good = {"term": "spring", **date_data("date", datetime.date(2027, 3, 1))}
    assert client.post(url, good).status_code == 302
    checkpoint.refresh_from_db()
    assert (checkpoint.term, checkpoint.date) == ("spring", datetime.date(2027, 3, 1))
    assert checkpoint.history.count() == 2


def test_the_table_saves_every_child_with_history(client, users, room):
    checkpoint, children = room
    client.force_login(users[SM])
    url = reverse("audits:checkpoint-entry", args=[checkpoint.pk])
    page = client.get(url).content.decode()
    assert HOSTILE not in page and "&lt;script&gt;" in page
    data = _table(checkpoint, children, cl="expected", maths="below")
    data[f"band-{children[0].pk}"] = "dm21-3-4"
    response = client.post(url, data)
    assert response.status_code == 302
    records = {r.child_id: r for r in ProgressRecord.objects.select_related("band")}
    assert len(records) == 3
    assert str(records[children[0].pk].band) == "3 and 4-year-olds"
    assert {(r.cl, r.maths, r.psed) for r in records.values()} == {("expected", "below", "")}
    history = ProgressRecord.history.filter(child_id=children[0].pk).get()
    assert history.history_user == users[SM] and history.cl == "expected"
    checkpoint.refresh_from_db()
    assert checkpoint.revision == 1


def test_bad_judgements_are_shown_beside_the_child_and_nothing_is_saved(client, users, room):
    checkpoint, children = room
    client.force_login(users[P])
    url = reverse("audits:checkpoint-entry", args=[checkpoint.pk])
    data = _table(checkpoint, children, cl="expected")
    data[f"pd-{children[1].pk}"] = "brilliant"
    data[f"band-{children[2].pk}"] = "dm99"
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose below, expected or above, or not judged" in html
    assert f'href="#pd-{children[1].pk}-none"' in html
    row = html.split(f'data-child="{children[1].pk}"')[1].split("</th>")[0]
    assert "Physical development for " in row and "Choose below, expected or above" in row
    assert "Choose one of the age bands, or not recorded" in html
    assert (
        f'id="cl-{children[0].pk}-expected" name="cl-{children[0].pk}" value="expected" checked'
        in html
    )
    assert not ProgressRecord.objects.exists()


def test_a_stale_table_saves_nothing_and_says_why(client, users, room):
    checkpoint, children = room
    ProgressCheckpoint.objects.filter(pk=checkpoint.pk).update(revision=4)
    client.force_login(users[SM])
    response = client.post(
        reverse("audits:checkpoint-entry", args=[checkpoint.pk]),
        _table(checkpoint, children, revision=3, cl="above"),
    )
    assert response.status_code == 200
    assert "Someone else saved judgements at this checkpoint" in response.content.decode()
    assert not ProgressRecord.objects.exists()


def _autosave(client, checkpoint, child, scale, value, **extra):
    body = {"child": child.pk, "scale": scale, "value": value, "revision": 0, **extra}
    return client.post(
        reverse("audits:checkpoint-autosave", args=[checkpoint.pk]),
        json.dumps(body),
        content_type="application/json",
    )


def test_autosave_checks_only_the_child_and_area_it_changes(client, users, room):
    checkpoint, children = room
    client.force_login(users[SM])
    assert _autosave(client, checkpoint, children[0], "cl", "below", base="").status_code == 200
    client.force_login(users[P])
    # Another area of the same child, and another child: both save.
    assert _autosave(client, checkpoint, children[0], "ead", "above", base="").status_code == 200
    assert _autosave(client, checkpoint, children[1], "cl", "above", base="").status_code == 200
    record = ProgressRecord.objects.get(child=children[0])
    assert (record.cl, record.ead) == ("below", "above")
    assert ProgressRecord.objects.get(child=children[1]).cl == "above"


def test_autosave_conflict_names_who_and_keeps_theirs(client, users, room):
    checkpoint, children = room
    client.force_login(users[SM])
    assert _autosave(client, checkpoint, children[0], "cl", "below", base="").status_code == 200
    client.force_login(users[P])
    conflict = _autosave(client, checkpoint, children[0], "cl", "above", base="")
    assert conflict.status_code == 409
    assert conflict.json()["theirs"] == "below"
    assert "communication and language" in conflict.json()["error"]
    assert ProgressRecord.objects.get(child=children[0]).cl == "below"
    # Choosing it again, now the page knows theirs, replaces it.
    again = _autosave(client, checkpoint, children[0], "cl", "above", base="below")
    assert again.status_code == 200
    assert ProgressRecord.objects.get(child=children[0]).cl == "above"


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"child": "x", "scale": "cl", "value": "below", "revision": 0}),
        json.dumps({"child": 1, "scale": "cl", "value": "below"}),
        json.dumps([1, 2]),
    ],
)
def test_autosave_refuses_what_it_cannot_read(client, users, room, body):
    checkpoint, _ = room
    client.force_login(users[SM])
    response = client.post(
        reverse("audits:checkpoint-autosave", args=[checkpoint.pk]),
        body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not ProgressRecord.objects.exists()


def test_autosave_refuses_a_bad_value_or_area_or_child(client, users, room, other_setting):
    checkpoint, children = room
    stranger = ChildFactory(group=GroupFactory(setting=other_setting))
    client.force_login(users[SM])
    assert _autosave(client, checkpoint, children[0], "cl", "superb", base="").status_code == 400
    assert _autosave(client, checkpoint, children[0], "name", "x", base="").status_code == 400
    assert _autosave(client, checkpoint, stranger, "cl", "below", base="").status_code == 400
    assert not ProgressRecord.objects.exists()


UPLOAD = (
    "Child code,Age band,CL,PSED,PD,L,M,UW,EAD,Key person\n"
    "{0},3 and 4-year-olds,expected,Above,b,emerging,E,exceeding,,Sam\n"
    "{1},,below,below,below,below,below,below,below,Jo\n"
)


def test_an_upload_saves_every_row(client, users, room):
    checkpoint, children = room
    client.force_login(users[P])
    text = UPLOAD.format(children[0].code, children[1].code)
    response = client.post(
        reverse("audits:checkpoint-upload", args=[checkpoint.pk]),
        {"file": SimpleUploadedFile("tracker.csv", text.encode("utf-8-sig"))},
    )
    assert response.status_code == 302
    first = ProgressRecord.objects.get(child=children[0])
    assert (
        (first.band.code if first.band else ""),
        first.cl,
        first.psed,
        first.pd,
        first.lit,
        first.maths,
    ) == (
        "dm21-3-4",
        "expected",
        "above",
        "below",
        "below",
        "expected",
    )
    assert (first.utw, first.ead) == ("above", "")
    assert ProgressRecord.objects.count() == 2


def test_an_upload_with_any_bad_row_saves_nothing_and_lists_every_row(client, users, room):
    checkpoint, children = room
    client.force_login(users[P])
    text = (
        "Child code,CL,Maths\n"
        f"{children[0].code},expected,above\n"
        f"{children[1].code},great,above\n"
        "CZZZZZZ,expected,expected\n"
        f"{children[0].code},expected,expected\n"
    )
    response = client.post(
        reverse("audits:checkpoint-upload", args=[checkpoint.pk]), {"judgements": text}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Row 3: Communication and language must be below, expected or above, not “great”" in html
    assert "Row 4: no child in" in html
    assert f"Row 5: {children[0].code} is already on row 2" in html
    assert "Child code,CL,Maths" in html  # what was pasted is kept
    assert not ProgressRecord.objects.exists()


def test_upload_needs_a_header_with_a_code_and_an_area():
    bands: list[DevelopmentBand] = []
    assert parse_progress("CL,PD\nexpected,below\n", {"C1"}, "Room", bands).errors[0].message == (
        "Row 1: the header row has no “Child code” column"
    )
    no_area = parse_progress("Child code,Age band\nC1,\n", {"C1"}, "Room", bands)
    assert "names no area of learning" in no_area.errors[0].message
    assert parse_progress("", {"C1"}, "Room", bands).errors


def test_the_export_uploads_again_as_it_is(client, users, room):
    checkpoint, children = room
    client.force_login(users[SM])
    data = _table(checkpoint, children, cl="above", utw="below")
    data[f"band-{children[0].pk}"] = "dm21-birth-3"
    client.post(reverse("audits:checkpoint-entry", args=[checkpoint.pk]), data)
    exported = client.get(reverse("audits:checkpoint-export", args=[checkpoint.pk]))
    assert exported["Content-Type"] == "text/csv"
    text = exported.content.decode()
    assert text.splitlines()[0] == "Child code,Age band,CL,PSED,PD,L,M,UW,EAD"
    ProgressRecord.objects.all().delete()
    client.post(
        reverse("audits:checkpoint-upload", args=[checkpoint.pk]),
        {"file": SimpleUploadedFile("again.csv", text.encode())},
    )
    first = ProgressRecord.objects.get(child=children[0])
    assert ((first.band.code if first.band else ""), first.cl, first.utw, first.pd) == (
        "dm21-birth-3",
        "above",
        "below",
        "",
    )
