"""What the preview shows before anything is written, and the files it refuses.

Column mapping, field-by-field changes (first 50 on the page, every one in a CSV), every
rejected row downloadable, warnings for dates outside a framework or after the file's
"as at" date, impossible dates, the local authority scope, and the command's parity.
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from kqm.models import Role
from settings import importer, services_import
from settings.models import ImportStatus, OfstedImport, Setting
from settings.ofsted import Framework, framework_on
from tests.access import assert_access, assert_field_error
from tests.factories import SettingFactory

from . import ofsted_layouts as layouts
from .ofsted_files import use_batches

pytestmark = pytest.mark.django_db

REIF = "EYR REIF: Most recent: "
OEIF = "EYR OEIF: Most recent: "
OEIF_CIF = "EYR OEIF/CIF: Most recent: "
HEADER, TITLES = layouts.LAYOUTS["current"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def nursery(urn: str, **cells: str) -> dict[str, str]:
    return {
        "Provider URN": urn,
        "Provider type": "Childcare on non-domestic premises",
        "Provider name": f"Nursery {urn}",
        "Local authority": "Kent",
        "Provider town": "Canterbury",
        OEIF + "Full inspection date": "14/03/2022",
        OEIF_CIF + "Overall effectiveness": "Good",
        **cells,
    }


def previewed(data: bytes, user, name: str = "ofsted.csv") -> OfstedImport:
    how = importer.inspect_file(io.BytesIO(data))
    ofsted_import = services_import.do_upload_ofsted_import(
        uploaded_by=user, upload=SimpleUploadedFile(name, data), encoding=how, check_now=False
    )
    checked = services_import.do_preview_ofsted_import(import_id=ofsted_import.pk)
    assert checked is not None
    assert checked.status == ImportStatus.PREVIEWED, checked.error_message
    return checked


def read_download(client, ofsted_import: OfstedImport, kind: str) -> list[list[str]]:
    response = client.get(reverse("settings:import-download", args=[ofsted_import.pk, kind]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["X-Content-Type-Options"] == "nosniff"
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


# --- AC11: impossible dates ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2023", "31/02/2023 is not a real date"),
        ("29/02/2023", "29/02/2023 is not a real date"),
        ("31/04/2023", "31/04/2023 is not a real date"),
        ("2023-02-28", "“2023-02-28” is not a date in the form DD/MM/YYYY"),
        ("14 March 2022", "“14 March 2022” is not a date in the form DD/MM/YYYY"),
    ],
)
def test_impossible_dates_say_so(text, message):
    with pytest.raises(importer.DateError) as raised:
        importer.parse_date(text)
    assert str(raised.value) == message
    assert importer.parse_date("29/02/2024") == datetime.date(2024, 2, 29)


def test_an_impossible_inspection_date_rejects_the_row_with_its_column(manager):
    data = layouts.to_csv(
        [nursery("EY600001", **{OEIF + "Full inspection date": "31/02/2023"})], HEADER, TITLES
    )
    ofsted_import = previewed(data, manager)
    (rejected,) = ofsted_import.rejected_rows
    assert rejected["reasons"] == [
        "EYR OEIF: Most recent: Full inspection date: 31/02/2023 is not a real date."
    ]


# --- AC2: frameworks by date, as data --------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "framework"),
    [
        (datetime.date(2008, 9, 1), Framework.EYFS_2008),
        (datetime.date(2012, 8, 31), Framework.EYFS_2008),
        (datetime.date(2012, 9, 1), Framework.EY_2012),
        (datetime.date(2015, 8, 31), Framework.EY_2012),
        (datetime.date(2015, 9, 1), Framework.CIF_2015),
        (datetime.date(2019, 8, 31), Framework.CIF_2015),
        (datetime.date(2019, 9, 1), Framework.EIF_2019),
        (datetime.date(2025, 11, 9), Framework.EIF_2019),
        (datetime.date(2025, 11, 10), Framework.RENEWED_2025),
    ],
)
def test_the_framework_in_force_follows_the_table_of_periods(when, framework):
    assert framework_on(when) == framework


def test_dates_outside_a_familys_framework_or_after_the_as_at_date_are_warnings(manager):
    rows = [
        # A renewed-framework column dated before the renewed framework began.
        nursery(
            "EY600001",
            **{
                REIF + "Inspection date": "01/10/2025",
                REIF + "Safeguarding standards met?": "Met",
                REIF + "Inclusion": "Expected standard",
            },
        ),
        # An education inspection framework column dated after the file's "as at" date.
        nursery("EY600002", **{OEIF + "Full inspection date": "15/04/2026"}),
        # Fine.
        nursery("EY600003"),
    ]
    ofsted_import = previewed(layouts.to_csv(rows, HEADER, TITLES), manager)
    assert ofsted_import.as_at == datetime.date(2026, 3, 31)
    assert (ofsted_import.rejected, ofsted_import.to_create) == (0, 3)
    messages = {(w["urn"], w["message"]) for w in ofsted_import.warnings}
    assert ofsted_import.warnings_count == 3
    assert (
        "EY600001",
        "Early Years Register, renewed framework, most recent: the inspection on 01/10/2025 is "
        "outside the Renewed inspection framework (November 2025) (from 10/11/2025); it is kept "
        "under the Renewed inspection framework (November 2025).",
    ) in messages
    assert (
        "EY600002",
        "EYR OEIF: Most recent: Full inspection date: 15/04/2026 is after the file's “as at” "
        "date, 31/03/2026.",
    ) in messages
    assert any(
        urn == "EY600002" and "outside the Common inspection framework" in message
        for urn, message in messages
    )


# --- AC4: the preview ----------------------------------------------------------------------


def test_the_preview_maps_every_column_and_lists_changes_old_to_new(client, manager):
    SettingFactory(urn="EY600001", name="Old Name Nursery", town="Canterbury", district="Dover")
    rows = [nursery("EY600001"), nursery("EY600002"), nursery("XY1")]
    ofsted_import = previewed(layouts.to_csv(rows, HEADER, TITLES), manager)

    mapping = dict(ofsted_import.column_map)
    assert len(ofsted_import.column_map) == len(HEADER)
    assert mapping["Provider URN"] == "Ofsted URN"
    assert mapping["Web link"] == "ignored (not kept by KQM)"
    assert mapping[OEIF_CIF + "Overall effectiveness"] == (
        "Early Years Register, education (or common) inspection framework, most recent full: "
        "overall effectiveness (or outcome)"
    )
    assert mapping[REIF + "Safeguarding standards met?"].endswith(": safeguarding")
    assert mapping[REIF + "Achievement"].endswith(": achievement")

    changed = next(c for c in ofsted_import.changes if c["urn"] == "EY600001")
    assert changed["action"] == "change"
    assert ["Provider name", "Old Name Nursery", "Nursery EY600001"] in changed["fields"]
    assert ["Inspection 14/03/2022 (Early Years Register)", "", "added"] in changed["fields"]
    assert not any(field[0] == "District" for field in changed["fields"])

    client.force_login(manager)
    page = client.get(ofsted_import.get_absolute_url()).content.decode()
    assert "Old Name Nursery" in page and "Nursery EY600001" in page
    assert "Download every change (CSV)" in page and "Download every rejected row (CSV)" in page
    assert "Columns of the file: " in page and "ignored (not kept by KQM)" in page

    changes = read_download(client, ofsted_import, "changes")
    assert changes[0] == [
        "Provider URN",
        "Provider name",
        "Action",
        "Field",
        "Old value",
        "New value",
    ]
    assert ["EY600001", "Nursery EY600001", "change", "Provider name", "Old Name Nursery",
            "Nursery EY600001"] in changes  # fmt: skip
    assert any(line[:3] == ["EY600002", "Nursery EY600002", "add"] for line in changes)


def test_the_page_shows_the_first_50_changes_and_the_download_has_every_one(
    client, manager, monkeypatch
):
    rows = [nursery(f"EY6{number:05d}") for number in range(1, 61)]
    ofsted_import = previewed(layouts.to_csv(rows, HEADER, TITLES), manager)
    assert ofsted_import.to_create == 60
    assert len(ofsted_import.changes) == importer.MAX_CHANGES_SHOWN == 50
    client.force_login(manager)
    page = client.get(ofsted_import.get_absolute_url()).content.decode()
    assert "The first 50 of 60 are shown." in page
    changes = read_download(client, ofsted_import, "changes")
    assert {line[0] for line in changes[1:]} == {f"EY6{number:05d}" for number in range(1, 61)}


def test_every_rejected_row_is_downloadable_whatever_the_page_keeps(client, manager, monkeypatch):
    monkeypatch.setattr(importer, "MAX_REJECTED_STORED", 2)
    rows = [nursery(f"XY{number}") for number in range(1, 8)]
    ofsted_import = previewed(layouts.to_csv(rows, HEADER, TITLES), manager)
    assert (ofsted_import.rejected, len(ofsted_import.rejected_rows)) == (7, 2)
    client.force_login(manager)
    rejected = read_download(client, ofsted_import, "rejected")
    assert rejected[0] == ["Line", "Provider URN", "Reasons"]
    assert [line[1] for line in rejected[1:]] == [f"XY{number}" for number in range(1, 8)]
    assert rejected[1][0] == "5"  # the file's own line number


def test_downloads_are_for_the_kqm_manager_only(client, users, manager):
    ofsted_import = previewed(layouts.to_csv([nursery("EY600001")], HEADER, TITLES), manager)
    for kind in ("changes", "rejected", "warnings"):
        url = reverse("settings:import-download", args=[ofsted_import.pk, kind])
        assert_access(client, url, users, allowed=[Role.MANAGER])
    client.force_login(manager)
    assert client.post(url).status_code == 405
    assert (
        client.get(reverse("settings:import-download", args=[ofsted_import.pk, "other"]))
    ).status_code == 404
    assert (
        client.get(reverse("settings:import-download", args=[ofsted_import.pk + 99, "changes"]))
    ).status_code == 404


def test_a_file_whose_inspection_columns_are_all_unrecognised_is_refused(client, manager):
    header = ["Provider URN", "Provider type", "EYX FUTURE: Latest: Inspection date", "Grade"]
    data = layouts.to_csv(
        [{"Provider URN": "EY600001", "Provider type": "Childminder"}], header, ()
    )
    with pytest.raises(importer.ImportFileError) as raised:
        importer.inspect_file(io.BytesIO(data))
    assert "None of the file's inspection columns is recognised" in str(raised.value)
    assert "“EYX FUTURE: Latest: Inspection date”" in str(raised.value)

    client.force_login(manager)
    response = client.post(
        reverse("settings:import-new"), {"file": SimpleUploadedFile("new.csv", data)}
    )
    assert_field_error(response, "file", "None of the file&#x27;s inspection columns is recognised")
    assert not OfstedImport.objects.exists()


def test_a_file_without_inspection_columns_is_refused(manager):
    data = layouts.to_csv([{"Provider URN": "EY600001"}], ["Provider URN", "Provider name"], ())
    with pytest.raises(importer.ImportFileError, match="has no inspection columns"):
        importer.inspect_file(io.BytesIO(data))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("providers.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
        ("providers.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n\x00"),
        ("providers.zip", b"PK\x03\x04" + b"\x00" * 60),
    ],
)
def test_other_formats_are_refused_naming_the_formats_that_work(client, manager, name, data):
    client.force_login(manager)
    response = client.post(reverse("settings:import-new"), {"file": SimpleUploadedFile(name, data)})
    assert_field_error(
        response,
        "file",
        "The selected file must be a CSV file, an Excel workbook (.xlsx) or an OpenDocument "
        "spreadsheet (.ods).",
    )


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_spreadsheets_upload_through_the_page(
    client, manager, fmt, django_capture_on_commit_callbacks
):
    if fmt == "xlsx":
        data = layouts.to_xlsx([nursery("EY600001")], HEADER, TITLES)
    else:
        data = layouts.to_ods([nursery("EY600001")], HEADER, TITLES)
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("settings:import-new"), {"file": SimpleUploadedFile(f"providers.{fmt}", data)}
        )
    ofsted_import = OfstedImport.objects.get()
    assert response.status_code == 302
    assert ofsted_import.encoding == fmt and ofsted_import.file.name.endswith(f".{fmt}")
    ofsted_import.refresh_from_db()
    assert (ofsted_import.status, ofsted_import.to_create) == (ImportStatus.PREVIEWED, 1)


# --- AC6: local authority scope -----------------------------------------------------------


def test_rows_outside_the_configured_local_authorities_are_counted_and_skipped(
    client, manager, settings
):
    settings.KQM_LOCAL_AUTHORITIES = ["Kent", " medway "]
    rows = [
        nursery("EY600001"),
        nursery("EY600002", **{"Local authority": "Medway"}),
        nursery("EY600003", **{"Local authority": "Surrey"}),
        nursery("XY4", **{"Local authority": "Essex"}),  # out of scope: not even checked
    ]
    ofsted_import = previewed(layouts.to_csv(rows, HEADER, TITLES), manager)
    assert (ofsted_import.to_create, ofsted_import.out_of_scope, ofsted_import.rejected) == (
        2,
        2,
        0,
    )
    client.force_login(manager)
    page = client.get(ofsted_import.get_absolute_url()).content.decode()
    assert "2 rows for providers outside Kent, medway will be skipped." in page
    services_import.do_confirm_ofsted_import(
        ofsted_import=ofsted_import, confirmed_by=manager, run_in_background=False
    )
    services_import.do_apply_ofsted_import(import_id=ofsted_import.pk)
    assert set(Setting.objects.values_list("urn", flat=True)) >= {"EY600001", "EY600002"}
    assert not Setting.objects.filter(urn="EY600003").exists()


def test_without_a_scope_every_local_authority_imports(manager, settings):
    settings.KQM_LOCAL_AUTHORITIES = []
    rows = [nursery("EY600001"), nursery("EY600003", **{"Local authority": "Surrey"})]
    ofsted_import = previewed(layouts.to_csv(rows, HEADER, TITLES), manager)
    assert (ofsted_import.to_create, ofsted_import.out_of_scope) == (2, 0)


# --- AC8: the command gives the upload's formats, limit and messages ------------------------


def test_the_command_reads_spreadsheets_and_refuses_what_the_upload_refuses(
    tmp_path, capsys, settings
):
    path = tmp_path / "providers.ods"
    path.write_bytes(layouts.to_ods([nursery("EY600001")], HEADER, TITLES))
    call_command("import_ofsted", str(path), "--yes")
    out = capsys.readouterr().out
    assert "Imported." in out and "Columns used:" in out
    assert Setting.objects.filter(urn="EY600001").exists()

    other = tmp_path / "providers.xls"
    other.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    with pytest.raises(CommandError) as raised:
        call_command("import_ofsted", str(other), "--dry-run")
    assert str(raised.value) == importer.FORMATS_MESSAGE

    settings.OFSTED_IMPORT_MAX_BYTES = 10
    with pytest.raises(CommandError, match="The selected file must be smaller than"):
        call_command("import_ofsted", str(path), "--dry-run")


# --- AC9: an import that stopped part-way is finished from its page --------------------------


def test_a_stopped_import_is_finished_from_its_page(
    client, manager, monkeypatch, django_capture_on_commit_callbacks
):
    use_batches(monkeypatch)
    monkeypatch.setattr(importer, "BATCH_SIZE", 10)
    rows = [nursery(f"EY6{number:05d}") for number in range(1, 31)]
    ofsted_import = previewed(layouts.to_csv(rows, HEADER, TITLES), manager)
    real_batch = importer._handle_batch
    written = []

    def failing_second_batch(batch, result, writer):
        if writer is not None and batch:
            written.append(len(batch))
            if len(written) == 2:
                raise RuntimeError("the worker was stopped")
        real_batch(batch, result, writer)

    monkeypatch.setattr(importer, "_handle_batch", failing_second_batch)
    services_import.do_confirm_ofsted_import(
        ofsted_import=ofsted_import, confirmed_by=manager, run_in_background=False
    )
    stopped = services_import.do_apply_ofsted_import(import_id=ofsted_import.pk)
    assert stopped is not None and stopped.status == ImportStatus.FAILED
    assert Setting.objects.filter(urn__startswith="EY6").count() == 10

    client.force_login(manager)
    page = client.get(ofsted_import.get_absolute_url()).content.decode()
    assert "10 of 30 rows were written before it stopped." in page
    assert "Finish the import" in page
    monkeypatch.setattr(importer, "_handle_batch", real_batch)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("settings:import-confirm", args=[ofsted_import.pk]))
    assert response.status_code == 302
    ofsted_import.refresh_from_db()
    assert ofsted_import.status == ImportStatus.IMPORTED, ofsted_import.error_message
    assert ofsted_import.to_create == 30
    assert Setting.objects.filter(urn__startswith="EY6").count() == 30
    assert Setting.history.filter(urn__startswith="EY6", history_type="+").count() == 30


def test_a_workbook_is_not_read_twice_to_count_its_rows(monkeypatch):
    from openpyxl import Workbook

    book = Workbook()  # saved as Excel saves it, with the sheet's extent recorded
    sheet = book.active
    assert sheet is not None
    for title in TITLES:
        sheet.append([title])
    sheet.append(list(HEADER))
    for r in (nursery("EY600001"), nursery("EY600002")):
        sheet.append([r.get(column, "") for column in HEADER])
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()

    def counting(*args, **kwargs):
        raise AssertionError("the workbook was read to count its rows")

    monkeypatch.setattr(importer, "count_rows", counting)
    assert importer.estimate_rows(io.BytesIO(data), "xlsx") == 2
