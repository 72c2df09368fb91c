"""The instrument library: shipped definitions, loading, checks, and the manager's tools."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from audits import definitions
from audits.models import InstrumentVersion, Item
from kqm.models import Role
from tests.access import assert_field_error

from .ratings_factories import library, make_audit

# Items per subscale, from the publishers' overviews of each scale.
EXPECTED = {
    "ecers-r": [8, 6, 4, 10, 5, 4, 6],  # 43 items, 7 subscales
    "iters-r": [5, 6, 3, 10, 4, 4, 7],  # 39 / 7
    "ecers-3": [7, 4, 5, 11, 5, 3],  # 35 / 6
    "iters-3": [4, 4, 6, 10, 6, 3],  # 33 / 6
    "ecers-e": [6, 4, 5, 3],  # 18 / 4
    "sstew": [3, 1, 4, 4, 2],  # 14 / 5
}
# KQM's own Unit B tools, rated 1 (not yet) to 4 (embedded).
KQM_TOOLS = {
    "kqm-leadership": ("leadership", [4, 4, 5, 4, 4, 4]),
    "kqm-ppel": ("partnership", [3, 4, 3]),
}
KQM_SCALE = [(1, "Not yet"), (2, "Emerging"), (3, "Established"), (4, "Embedded")]
ERS_SCALE = [
    (1, "Inadequate"),
    (2, ""),
    (3, "Minimal"),
    (4, ""),
    (5, "Good"),
    (6, ""),
    (7, "Excellent"),
]


def shipped() -> dict[str, dict]:
    return {d["code"]: d for d in definitions.shipped_definitions()}


def test_every_instrument_is_shipped_once():
    assert sorted(shipped()) == sorted([*EXPECTED, *KQM_TOOLS])


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(KQM_TOOLS))
def test_kqm_tools_are_shipped_with_a_four_point_scale(code):
    data = shipped()[code]
    kind, counts = KQM_TOOLS[code]
    assert definitions.check_definition(data) == []
    assert data["kind"] == kind
    assert [len(s["items"]) for s in data["subscales"]] == counts
    numbers = [i["number"] for s in data["subscales"] for i in s["items"]]
    assert numbers == list(range(1, len(numbers) + 1))
    assert [(p["value"], p["label"]) for p in data["scale"]] == KQM_SCALE
    assert InstrumentVersion.objects.filter(instrument__code=code, label="2026").exists()


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_shipped_definition_counts_and_structure(code):
    data = shipped()[code]
    assert definitions.check_definition(data) == []
    counts = [len(s["items"]) for s in data["subscales"]]
    assert counts == EXPECTED[code]
    numbers = [i["number"] for s in data["subscales"] for i in s["items"]]
    assert len(numbers) == len(set(numbers)), "item numbers must be unique"
    assert numbers == list(range(1, len(numbers) + 1)), "items numbered 1..n in subscale order"
    assert [s["number"] for s in data["subscales"]] == list(range(1, len(counts) + 1))
    for subscale in data["subscales"]:
        assert subscale["name"] and subscale["items"], "every item belongs to a named subscale"
        for item in subscale["items"]:
            assert 0 < len(item["title"]) <= 100, "short titles only"
    assert [(p["value"], p["label"]) for p in data["scale"]] == ERS_SCALE
    assert "copyright" in data["licence_note"].lower()


def test_ecers_e_subscales_are_the_four_curricular_ones():
    names = [s["name"] for s in shipped()["ecers-e"]["subscales"]]
    assert names == ["Literacy", "Mathematics", "Science and environment", "Diversity"]


@pytest.mark.django_db
def test_the_migration_loaded_the_library():
    for code, counts in EXPECTED.items():
        version = InstrumentVersion.objects.get(instrument__code=code, is_current=True)
        per_subscale = Counter(version.items.values_list("subscale__number", flat=True))
        assert [per_subscale[n] for n in sorted(per_subscale)] == counts
        assert Item.objects.filter(version=version).exclude(subscale__version=version).count() == 0
        assert list(version.scale.values_list("value", "label")) == ERS_SCALE


@pytest.mark.django_db
def test_load_instruments_command_is_idempotent(capsys):
    before = Item.objects.count()
    call_command("load_instruments")
    out = capsys.readouterr().out
    assert "0 of 8 versions loaded." in out
    assert "ecers-3 (2015): already loaded" in out
    assert Item.objects.count() == before


@pytest.mark.django_db
def test_the_loader_adds_new_definitions_and_leaves_loaded_ones(tmp_path):
    new = {**shipped()["sstew"], "code": "sstew-local", "name": "SSTEW (local)"}
    (tmp_path / "sstew-local.json").write_text(json.dumps(new), encoding="utf-8")
    (tmp_path / "ecers-3.json").write_text(json.dumps(shipped()["ecers-3"]), encoding="utf-8")
    results = definitions.load_shipped_instruments(directory=tmp_path)
    assert [(r.code, r.created) for r in results] == [("ecers-3", False), ("sstew-local", True)]
    version = InstrumentVersion.objects.get(instrument__code="sstew-local")
    assert version.is_current and version.items.count() == 14
    assert definitions.load_shipped_instruments(directory=tmp_path)[1].created is False
    (tmp_path / "broken.json").write_text("{}", encoding="utf-8")
    with pytest.raises(definitions.DefinitionError) as error:
        definitions.load_shipped_instruments(directory=tmp_path)
    assert error.value.errors[0].startswith("broken.json: ")


def test_check_definition_lists_every_problem():
    data = json.loads(json.dumps(shipped()["sstew"]))
    data["code"] = "Not A Code"
    data["kind"] = "survey"
    data["scale"] = [{"value": 1}, {"value": 1}]
    data["subscales"][1]["items"] = []
    data["subscales"][2]["items"][0]["number"] = 1  # duplicates item 1
    data["subscales"][3]["items"][0]["title"] = ""
    errors = definitions.check_definition(data)
    assert (
        "The code “Not A Code” must be up to 40 lower-case letters, digits and hyphens." in errors
    )
    assert any(e.startswith("The kind must be one of") for e in errors)
    assert "Scale value 1 appears more than once." in errors
    assert "Subscale 2 has no items: every subscale needs at least one." in errors
    assert "Item 1 appears more than once." in errors
    assert "Item 9: give it a short title of up to 200 characters." in errors
    assert definitions.check_definition([]) == [
        "The definition must be a JSON object with the instrument's details."
    ]


def test_csv_items_become_a_definition():
    base = shipped()["sstew"]
    raw = (
        b"Subscale_Number,subscale_name,item_number,short_title,na_allowed\n"
        b"1,Trust,1,Self-regulation,no\n"
        b"1,Trust,2,Choices,yes\n"
        b"2,Well-being,3,Socio-emotional well-being,\n"
    )
    data = definitions.parse_items_csv(raw, base=base, label="Local 2026")
    assert data["code"] == "sstew" and data["version"] == "Local 2026"
    assert data["scale"] == base["scale"]
    assert [len(s["items"]) for s in data["subscales"]] == [2, 1]
    assert data["subscales"][0]["items"][1]["na_allowed"] is True
    with pytest.raises(definitions.DefinitionError) as error:
        definitions.parse_items_csv(b"item,title\n1,x\n", base=base, label="x")
    assert "header row" in error.value.errors[0]
    with pytest.raises(definitions.DefinitionError) as error:
        definitions.parse_items_csv(
            b"subscale_number,subscale_name,item_number,short_title,na_allowed\n1,A,one,x,no\n",
            base=base,
            label="x",
        )
    assert error.value.errors == ["Row 2: subscale_number and item_number must be numbers."]


# --- The KQM manager's pages ----------------------------------------------------------------------


@pytest.fixture
def manager_client(client, users):
    client.force_login(users[Role.MANAGER])
    return client


@pytest.fixture
def ecers(db):
    return library()["ecers-3"]


def test_instrument_pages_show_titles_and_the_copyright_note(manager_client, ecers):
    page = manager_client.get(reverse("audits:instrument-list")).content.decode()
    for name in ("ECERS-R", "ITERS-R", "ECERS-3", "ITERS-3", "ECERS-E", "SSTEW"):
        assert name in page
    assert "publishers&#x27; copyright" in page or "publishers' copyright" in page
    page = manager_client.get(ecers.get_absolute_url()).content.decode()
    assert "35 items in 6 subscales" in page
    assert "Helping children expand vocabulary" in page
    assert "copyrighted by their authors" in page


def test_new_version_from_an_existing_one(manager_client, ecers, users):
    url = reverse("audits:instrument-version-copy", args=[ecers.pk])
    response = manager_client.post(url, {"label": "2015"})
    assert_field_error(response, "label", "ECERS-3 already has a version labelled “2015”")
    response = manager_client.post(url, {"label": ""})
    assert_field_error(response, "label", "Enter a label for the new version")
    assert ecers.instrument.versions.count() == 1

    response = manager_client.post(url, {"label": "Kent 2026"})
    copy = InstrumentVersion.objects.get(label="Kent 2026")
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:instrument-version-edit", args=[copy.pk])
    assert not copy.is_current and copy.based_on == ecers
    assert copy.items.count() == 35 and copy.subscales.count() == 6 and copy.scale.count() == 7
    assert copy.history.first().history_user == users[Role.MANAGER]

    # Edit titles and N/A flags, then make it current.
    edit = reverse("audits:instrument-version-edit", args=[copy.pk])
    item = copy.items.get(number=2)
    data = _edit_data(copy)
    data[f"item-{item.pk}-title"] = "Furnishings for care and play"
    data[f"item-{item.pk}-na"] = "on"
    assert manager_client.post(edit, data).status_code == 302
    item.refresh_from_db()
    assert item.short_title == "Furnishings for care and play" and item.na_allowed
    bad = {**data, f"item-{item.pk}-title": ""}
    response = manager_client.post(edit, bad)
    assert response.status_code == 200
    assert "Enter a short title for item 2" in response.content.decode()
    item.refresh_from_db()
    assert item.short_title == "Furnishings for care and play"

    current = reverse("audits:instrument-version-current", args=[copy.pk])
    assert "Make Kent 2026 the current version?" in manager_client.get(current).content.decode()
    manager_client.post(current)
    copy.refresh_from_db()
    ecers.refresh_from_db()
    assert copy.is_current and not ecers.is_current


def _edit_data(version):
    data = {}
    for subscale in version.subscales.all():
        data[f"subscale-{subscale.pk}"] = subscale.name
    for item in version.items.all():
        data[f"item-{item.pk}-title"] = item.short_title
        if item.na_allowed:
            data[f"item-{item.pk}-na"] = "on"
    return data


def test_a_version_in_use_cannot_be_edited(manager_client, ecers, users, setting):
    make_audit(setting=setting, version=ecers, created_by=users[Role.EVALUATOR])
    edit = reverse("audits:instrument-version-edit", args=[ecers.pk])
    page = manager_client.get(edit).content.decode()
    assert "Audits already use this version, so its items cannot change" in page
    data = _edit_data(ecers)
    first = ecers.items.get(number=1)
    data[f"item-{first.pk}-title"] = "Changed"
    manager_client.post(edit, data)
    first.refresh_from_db()
    assert first.short_title == "Indoor space"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_upload_a_json_definition_of_a_new_instrument(manager_client):
    definition = {
        "code": "kqm-governance",
        "name": "KQM governance audit",
        "kind": "leadership",
        "version": "2026",
        "scale": [
            {"value": 1, "label": "Not yet"},
            {"value": 2, "label": "Partly"},
            {"value": 3, "label": "Fully"},
        ],
        "subscales": [
            {"number": 1, "name": "Vision", "items": [{"number": 1, "title": "Shared vision"}]},
            {
                "number": 2,
                "name": "Staff",
                "items": [{"number": 2, "title": "Supervision", "na_allowed": True}],
            },
        ],
    }
    response = manager_client.post(
        reverse("audits:instrument-upload"),
        {"file": upload("leadership.json", json.dumps(definition).encode()), "make_current": "on"},
    )
    version = InstrumentVersion.objects.get(instrument__code="kqm-governance")
    assert response.status_code == 302 and response["Location"] == version.get_absolute_url()
    assert version.is_current and version.instrument.kind == "leadership"
    assert list(version.scale.values_list("label", flat=True)) == ["Not yet", "Partly", "Fully"]
    assert version.items.get(number=2).na_allowed


def test_upload_csv_items_as_a_new_version(manager_client, ecers):
    rows = ["subscale_number,subscale_name,item_number,short_title,na_allowed"]
    rows += [
        f"{1 if n <= 5 else 2},Part {1 if n <= 5 else 2},{n},Item {n},no" for n in range(1, 11)
    ]
    response = manager_client.post(
        reverse("audits:instrument-upload"),
        {
            "file": upload("items.csv", "\n".join(rows).encode()),
            "instrument": ecers.instrument.pk,
            "label": "Trial 2026",
        },
    )
    version = InstrumentVersion.objects.get(label="Trial 2026")
    assert response.status_code == 302
    assert version.items.count() == 10 and not version.is_current
    assert version.scale.count() == 7  # the instrument's current scale


def test_bad_uploads_save_nothing(manager_client, ecers):
    url = reverse("audits:instrument-upload")
    before = InstrumentVersion.objects.count()
    response = manager_client.post(url, {})
    assert_field_error(response, "file", "Choose a JSON or CSV file")
    response = manager_client.post(url, {"file": upload("x.txt", b"hello")})
    assert_field_error(response, "file", "The file must be a JSON or CSV file")
    response = manager_client.post(url, {"file": upload("x.json", b"{not json")})
    assert_field_error(response, "file", "The file is not valid JSON")
    duplicate = json.dumps(shipped()["ecers-3"]).encode()
    response = manager_client.post(url, {"file": upload("ecers.json", duplicate)})
    assert_field_error(response, "file", "ECERS-3 already has a version labelled “2015”")
    response = manager_client.post(url, {"file": upload("items.csv", b"subscale_number\n")})
    assert_field_error(
        response, "instrument", "Choose the instrument this CSV file is a version of"
    )
    assert_field_error(response, "label", "Enter a label for the new version")
    response = manager_client.post(
        url,
        {
            "file": upload(
                "items.csv",
                b"subscale_number,subscale_name,item_number,short_title,na_allowed\n"
                b"1,A,1,First,no\n1,A,1,Again,maybe\n",
            ),
            "instrument": ecers.instrument.pk,
            "label": "Broken",
        },
    )
    assert_field_error(response, "file", "Row 3: na_allowed must be yes or no, not “maybe”.")
    assert InstrumentVersion.objects.count() == before


def test_download_a_definition_round_trips(manager_client, ecers):
    response = manager_client.get(reverse("audits:instrument-version-json", args=[ecers.pk]))
    data = json.loads(response.content)
    assert definitions.check_definition(data) == []
    expected = shipped()["ecers-3"]
    for subscale in expected["subscales"]:
        for item in subscale["items"]:
            item.setdefault("na_allowed", False)
    assert data == expected
