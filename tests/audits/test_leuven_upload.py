"""Bulk paste or CSV upload of a screening: all or nothing, with an error for every bad row."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits.leuven_csv import parse_scores
from audits.models import LeuvenScore
from kqm.models import Role
from tests.access import assert_field_error

from .leuven_factories import ChildFactory, GroupFactory, LeuvenScoreFactory, ScreeningFactory

P = Role.PRACTITIONER
CODES = ["CAAA001", "CAAA002", "CAAA003", "CAAA004"]


@pytest.fixture
def room(setting):
    group = GroupFactory(setting=setting, name="Rabbits")
    children = [ChildFactory(group=group, code=code) for code in CODES]
    screening = ScreeningFactory(group=group)
    # One child already scored: the upload must not touch it unless it names them.
    LeuvenScoreFactory(screening=screening, child=children[3], wellbeing=5, involvement=5)
    return screening, children


def _scores(screening):
    return {
        s.child.code: (s.wellbeing, s.involvement)
        for s in LeuvenScore.objects.filter(screening=screening).select_related("child")
    }


def _upload(client, screening, **data):
    return client.post(reverse("audits:screening-upload", args=[screening.pk]), data)


def test_pasted_rows_from_a_spreadsheet_with_a_header_are_saved(client, users, room):
    screening, _ = room
    client.force_login(users[P])
    pasted = "Child code\tWell-being\tInvolvement\nCAAA001\t2\t4\ncaaa002\t3\t\n\nCAAA003\t5\t5\n"
    response = _upload(client, screening, scores=pasted)
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:screening-detail", args=[screening.pk])
    assert _scores(screening) == {
        "CAAA001": (2, 4),
        "CAAA002": (3, None),  # a blank cell means not scored
        "CAAA003": (5, 5),
        "CAAA004": (5, 5),  # not in the upload: unchanged
    }
    screening.refresh_from_db()
    assert screening.revision == 1
    assert LeuvenScore.objects.get(child__code="CAAA001").history.first().history_user == users[P]


def test_a_csv_file_with_columns_in_another_order_and_no_header_order_needed(client, users, room):
    screening, _ = room
    client.force_login(users[P])
    content = "\ufeffInvolvement,Child code,Wellbeing\r\n4,CAAA001,1\r\n3,CAAA004,3\r\n"
    upload = SimpleUploadedFile("scores.csv", content.encode("utf-8"), content_type="text/csv")
    response = _upload(client, screening, file=upload)
    assert response.status_code == 302
    assert _scores(screening) == {"CAAA001": (1, 4), "CAAA004": (3, 3)}


def test_rows_without_a_header_are_code_well_being_involvement():
    parsed = parse_scores("CAAA001,4,5\nCAAA002,1,2", CODES, "Rabbits")
    assert parsed.errors == []
    assert parsed.scores == {"CAAA001": (4, 5), "CAAA002": (1, 2)}


def test_any_bad_row_saves_nothing_and_every_problem_is_listed_with_its_row(client, users, room):
    screening, _ = room
    client.force_login(users[P])
    pasted = (
        "Child code,Well-being,Involvement\n"
        "CAAA001,4,4\n"  # row 2: fine
        "CZZZ999,3,3\n"  # row 3: unknown child
        "CAAA002,6,3\n"  # row 4: well-being outside 1-5
        "CAAA003,3,0\n"  # row 5: involvement outside 1-5
        "CAAA001,2,2\n"  # row 6: the same child again
        "CAAA004,two,3\n"  # row 7: not a number
        ",3,3\n"  # row 8: no code
    )
    response = _upload(client, screening, scores=pasted)
    assert response.status_code == 200
    messages = [error.message for error in response.context["form"].row_errors]
    assert messages == [
        "Row 3: no child in Rabbits has the code “CZZZ999”",
        "Row 4: well-being must be a whole number from 1 to 5, not “6”",
        "Row 5: involvement must be a whole number from 1 to 5, not “0”",
        "Row 6: CAAA001 is already on row 2; give each child one row",
        "Row 7: well-being must be a whole number from 1 to 5, not “two”",
        "Row 8: enter the child’s code",
    ]
    for message in messages:
        assert_field_error(response, "scores", message)
    # nothing saved, and what was pasted is still in the box
    assert _scores(screening) == {"CAAA004": (5, 5)}
    screening.refresh_from_db()
    assert screening.revision == 0
    assert "CZZZ999,3,3" in response.content.decode()


@pytest.mark.parametrize(
    ("pasted", "message"),
    [
        ("CZZZ999\t3\t3", "Row 1: no child in Rabbits has the code “CZZZ999”"),
        ("CAAA001;9;3", "Row 1: well-being must be a whole number from 1 to 5, not “9”"),
        ("CAAA001,2,2\nCAAA001,3,3", "Row 2: CAAA001 is already on row 1; give each child one row"),
    ],
)
def test_each_kind_of_row_error_on_its_own(client, users, room, pasted, message):
    screening, _ = room
    client.force_login(users[P])
    response = _upload(client, screening, scores=pasted)
    assert_field_error(response, "scores", message)
    assert _scores(screening) == {"CAAA004": (5, 5)}


def test_a_child_of_another_setting_or_another_room_is_unknown(client, users, room, other_setting):
    screening, _ = room
    stranger = ChildFactory(group=GroupFactory(setting=other_setting), code="CSTRANGE")
    next_door = ChildFactory(group=GroupFactory(setting=screening.group.setting), code="CNEXTDOR")
    client.force_login(users[P])
    response = _upload(client, screening, scores=f"{stranger.code},3,3\n{next_door.code},3,3")
    assert_field_error(response, "scores", "Row 1: no child in Rabbits has the code “CSTRANGE”")
    assert_field_error(response, "scores", "Row 2: no child in Rabbits has the code “CNEXTDOR”")
    assert LeuvenScore.objects.filter(child__in=[stranger, next_door]).count() == 0


def test_the_upload_needs_scores_and_only_one_source(client, users, room):
    screening, _ = room
    client.force_login(users[P])
    response = _upload(client, screening, scores="   ")
    assert_field_error(response, "scores", "Paste the scores or choose a CSV file")
    upload = SimpleUploadedFile("s.csv", b"CAAA001,1,1", content_type="text/csv")
    response = _upload(client, screening, scores="CAAA001,2,2", file=upload)
    assert_field_error(response, "scores", "Paste the scores or upload a file, not both")
    response = _upload(client, screening, scores="Child code,Well-being,Involvement\n")
    assert_field_error(response, "scores", "The upload has a header but no scores")
    assert _scores(screening) == {"CAAA004": (5, 5)}


def test_a_screenings_csv_export_uploads_again_unchanged(client, users, room):
    screening, children = room
    LeuvenScoreFactory(screening=screening, child=children[0], wellbeing=2, involvement=3)
    client.force_login(users[P])
    exported = client.get(reverse("audits:screening-export", args=[screening.pk]))
    assert exported["Content-Type"] == "text/csv"
    assert "attachment" in exported["Content-Disposition"]
    lines = exported.content.decode().splitlines()
    assert lines[0].startswith("Child code,Well-being,Involvement,Zone")
    assert "CAAA001,2,3,Red" in lines[1]
    assert lines[2].startswith("CAAA002,,,Not scored")
    before = _scores(screening)
    upload = SimpleUploadedFile("export.csv", exported.content, content_type="text/csv")
    assert _upload(client, screening, file=upload).status_code == 302
    assert _scores(screening) == before
