"""The Ofsted data import: reading the file, the preview, the import, the command."""

from __future__ import annotations

import datetime
import io
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from settings import importer, ofsted_csv, selectors_import, services_import, tasks
from settings.models import (
    ImportStatus,
    Inspection,
    OfstedImport,
    ProviderType,
    Register,
    Sector,
    Setting,
    Source,
)
from settings.ofsted import Framework, Grade
from tests.factories import InspectionFactory, SettingFactory

from .ofsted_files import FILE_HEADER, childminder, eif, row, to_csv, use_batches, write_file

pytestmark = pytest.mark.django_db

REIF = {
    "EYR REIF: Most recent: Inspection date": "20/01/2026",
    "EYR REIF: Most recent: Safeguarding standards met?": "Met",
    "EYR REIF: Most recent: Curriculum and teaching": "Strong standard",
    "EYR REIF: Most recent: Leadership and governance": "Expected standard",
}


def sample_rows() -> list[dict[str, str]]:
    """Every case in one file; the comments give each row's line and expected outcome."""
    return [
        # line 5: new nursery, 2019 framework, numbers and words for grades
        row(
            "EY400001",
            **eif(
                "14/03/2022",
                "2",
                quality="2",
                behaviour="1",
                personal="Outstanding",
                leadership="Good",
            ),
        ),
        # line 6: new childminder, REDACTED details, an inspection before September 2019
        childminder("EY400002", **eif("05/06/2018", "Good")),
        # line 7: malformed registration date
        row("EY400003", **{"Registration date": "31/13/2020"}),
        # line 8: not an Ofsted URN
        row("XY12"),
        # line 9: the same URN again
        row("EY400001", **{"Provider name": "Duplicate Nursery"}),
        # line 10: on the register as maintained, with an old name
        row("EY400006"),
        # line 11: on the register exactly as in the file
        row("EY400007"),
        # line 12: a childminder the manager named by hand, with a new inspection
        childminder("EY400008", **eif("10/10/2023", "Requires improvement")),
        # line 13: an unknown grade
        row("EY400009", **eif("01/02/2021", "Very good")),
        # line 14: no provider type
        row("EY400010", **{"Provider type": ""}),
        # line 15: the renewed framework: no overall grade, safeguarding met
        row("EY400011", **REIF),
        # line 16: a Childcare Register inspection, not met
        row(
            "EY400012",
            **{
                "CR: Most recent: Inspection date": "03/03/2023",
                "CR: Compliance": "Not met",
            },
        ),
        # line 17: a 2008-framework grade in a 2019-framework inspection
        row("EY400013", **eif("02/02/2021", "Satisfactory")),
    ]


def register_before() -> None:
    SettingFactory(
        urn="EY400006", name="Old Name Nursery", sector=Sector.MAINTAINED, address="", postcode=""
    )
    SettingFactory(
        urn="EY400007",
        name="Nursery EY400007",
        address="1 High Street",
        town="Canterbury",
        postcode="CT1 1AA",
        sector=Sector.PVI,
        provider_type=ProviderType.NON_DOMESTIC,
        provider_subtype="Full day care",
        provider_status="Active",
        local_authority="Kent",
        district="Kent",
        region="South East",
        registration_date=datetime.date(2010, 9, 1),
        register_combination="EYR and both parts of the CR",
        places=40,
        registered_person_name="Acorn Childcare Ltd",
        registered_person_urn="RP2000001",
    )
    SettingFactory(
        urn="EY400008",
        name="Jo Bloggs",
        address="2 Mill Lane",
        postcode="CT2 2BB",
        sector=Sector.CHILDMINDER,
        provider_type=ProviderType.CHILDMINDER,
    )


def history_counts() -> tuple[int, int]:
    return Setting.history.count(), Inspection.history.count()


def upload(data: bytes, user, django_capture_on_commit_callbacks, name="ofsted.csv"):
    """Upload as the browser does; the preview task runs on commit."""
    source = io.BytesIO(data)
    encoding = importer.inspect_file(source)
    with django_capture_on_commit_callbacks(execute=True):
        ofsted_import = services_import.do_upload_ofsted_import(
            uploaded_by=user, upload=SimpleUploadedFile(name, data), encoding=encoding
        )
    ofsted_import.refresh_from_db()
    return ofsted_import


def confirm(ofsted_import, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services_import.do_confirm_ofsted_import(ofsted_import=ofsted_import, confirmed_by=user)
    ofsted_import.refresh_from_db()
    return ofsted_import


# --- Reading the file --------------------------------------------------------------------


def test_header_is_found_after_the_title_lines_whatever_its_case():
    data = to_csv([row("EY400001")])
    assert data.startswith(b"Childcare providers and inspections")
    assert "PROVIDER NAME" in FILE_HEADER and "provider type" in FILE_HEADER
    rows = list(importer.read_rows(io.BytesIO(data), "utf-8-sig"))
    assert len(rows) == 1
    parsed = rows[0]
    assert parsed.line == 5 and parsed.urn == "EY400001" and parsed.errors == []
    assert parsed.values["name"] == "Nursery EY400001"
    assert parsed.values["provider_type"] == ProviderType.NON_DOMESTIC
    assert "district" not in parsed.values  # Ofsted publishes no district: never changed
    assert parsed.values["registration_date"] == datetime.date(2010, 9, 1)


def test_a_district_column_is_used_when_the_file_has_one():
    data = to_csv(
        [{**row("EY400001"), "District": "Canterbury"}], header=[*FILE_HEADER, "District"]
    )
    (parsed,) = importer.read_rows(io.BytesIO(data), "utf-8-sig")
    assert parsed.values["district"] == "Canterbury"
    assert parsed.values["local_authority"] == "Kent"


def test_redacted_details_are_unknown_not_blank():
    (parsed,) = importer.read_rows(io.BytesIO(to_csv([childminder("EY400002")])), "utf-8-sig")
    assert parsed.errors == []
    for name in ("name", "address", "postcode", "town", "registered_person_name"):
        assert name not in parsed.values
    assert parsed.sector == Sector.CHILDMINDER
    assert parsed.values["provider_type"] == ProviderType.CHILDMINDER


@pytest.mark.parametrize(
    ("when", "framework"),
    [
        ("05/06/2018", Framework.CIF_2015),
        ("31/08/2019", Framework.CIF_2015),
        ("01/09/2019", Framework.EIF_2019),
        ("14/03/2024", Framework.EIF_2019),
    ],
)
def test_the_framework_of_an_oeif_cif_inspection_follows_its_date(when, framework):
    (parsed,) = importer.read_rows(
        io.BytesIO(to_csv([row("EY400001", **eif(when, "1"))])), "utf-8-sig"
    )
    assert parsed.errors == []
    (inspection,) = parsed.inspections
    assert inspection.framework == framework
    assert inspection.overall == Grade.OUTSTANDING


def test_a_separate_oeif_block_and_the_home_childcarer_type_are_understood():
    header = [
        "Provider URN",
        "Provider type",
        "EYR OEIF: Most recent: Full inspection date",
        "EYR OEIF: Most recent: Overall effectiveness",
    ]
    data = to_csv(
        [
            {
                "Provider URN": "EY400001",
                "Provider type": "Home childcarer",
                "EYR OEIF: Most recent: Full inspection date": "01/10/2022",
                "EYR OEIF: Most recent: Overall effectiveness": "Requires Improvement",
            }
        ],
        header=header,
    )
    (parsed,) = importer.read_rows(io.BytesIO(data), "utf-8-sig")
    assert parsed.errors == []
    assert parsed.sector == Sector.CHILDMINDER
    assert parsed.values == {"provider_type": ProviderType.HOME_CHILDCARER}  # nothing else known
    assert parsed.inspections[0].overall == Grade.REQUIRES_IMPROVEMENT


def test_inspect_file_accepts_windows_encoding_and_refuses_other_files():
    cp1252 = to_csv([row("EY400001", **{"Provider name": "Café Crèche"})]).decode().encode("cp1252")
    assert importer.inspect_file(io.BytesIO(cp1252)) == "cp1252"
    (parsed,) = importer.read_rows(io.BytesIO(cp1252), "cp1252")
    assert parsed.values["name"] == "Café Crèche"
    with pytest.raises(importer.ImportFileError, match="must be a CSV"):
        importer.inspect_file(io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
    with pytest.raises(importer.ImportFileError, match="Provider URN"):
        importer.inspect_file(io.BytesIO(b"Name,Town\r\nAcorns,Canterbury\r\n"))


# --- Preview, confirmation and import ------------------------------------------------------


def test_preview_counts_each_kind_of_row_and_writes_nothing(
    manager, django_capture_on_commit_callbacks
):
    register_before()
    before_settings, before_inspections = Setting.objects.count(), Inspection.objects.count()
    before_history = history_counts()

    ofsted_import = upload(to_csv(sample_rows()), manager, django_capture_on_commit_callbacks)

    assert ofsted_import.status == ImportStatus.PREVIEWED
    assert (ofsted_import.to_create, ofsted_import.to_update) == (4, 2)
    assert (ofsted_import.unchanged, ofsted_import.rejected) == (1, 6)
    assert (ofsted_import.inspections_to_create, ofsted_import.inspections_to_update) == (5, 0)
    assert ofsted_import.rows_total == ofsted_import.rows_processed == 13
    reasons = {r["line"]: (r["urn"], " ".join(r["reasons"])) for r in ofsted_import.rejected_rows}
    assert sorted(reasons) == [7, 8, 9, 13, 14, 17]
    assert "Registration date: 31/13/2020 is not a real date." in reasons[7][1]
    assert reasons[8] == ("XY12", "“XY12” is not an Ofsted URN (such as EY123456 or 2512345).")
    assert reasons[9][1] == "URN EY400001 is also on line 5."
    assert "“Very good” is not an Ofsted grade" in reasons[13][1]
    assert reasons[14][1] == "Provider type is missing."
    assert "Satisfactory is not a grade of the Education inspection framework" in reasons[17][1]

    # Nothing reached the register.
    assert Setting.objects.count() == before_settings
    assert Inspection.objects.count() == before_inspections
    assert history_counts() == before_history
    assert Setting.objects.get(urn="EY400006").name == "Old Name Nursery"


def test_confirmed_import_writes_the_valid_rows_with_their_audit_trail(
    manager, django_capture_on_commit_callbacks
):
    register_before()
    ofsted_import = upload(to_csv(sample_rows()), manager, django_capture_on_commit_callbacks)
    ofsted_import = confirm(ofsted_import, manager, django_capture_on_commit_callbacks)

    assert ofsted_import.status == ImportStatus.IMPORTED, ofsted_import.error_message
    assert ofsted_import.confirmed_by == manager and ofsted_import.finished_at
    assert (ofsted_import.to_create, ofsted_import.to_update, ofsted_import.unchanged) == (4, 2, 1)
    assert not Setting.objects.filter(urn__in=["EY400003", "XY12", "EY400009", "EY400010"]).exists()

    nursery = Setting.objects.get(urn="EY400001")
    assert nursery.name == "Nursery EY400001"  # not the duplicate's name
    assert nursery.sector == Sector.PVI and nursery.provider_type == ProviderType.NON_DOMESTIC
    assert (nursery.address, nursery.town, nursery.postcode) == (
        "1 High Street",
        "Canterbury",
        "CT1 1AA",
    )
    # Ofsted's files carry no district: the import leaves it as it was (blank for a new one).
    assert (nursery.local_authority, nursery.district, nursery.places) == ("Kent", "", 40)
    (inspection,) = nursery.inspections.all()
    assert inspection.framework == Framework.EIF_2019 and inspection.source == Source.IMPORT
    assert inspection.inspection_date == datetime.date(2022, 3, 14)
    assert inspection.overall_effectiveness == Grade.GOOD
    assert inspection.judgements == {
        "quality_of_education": Grade.GOOD,
        "behaviour_and_attitudes": Grade.OUTSTANDING,
        "personal_development": Grade.OUTSTANDING,
        "leadership_and_management": Grade.GOOD,
    }
    inspection.full_clean()  # stored on its framework's own terms

    minder = Setting.objects.get(urn="EY400002")
    assert minder.sector == Sector.CHILDMINDER and minder.name == "" and minder.postcode == ""
    assert minder.inspections.get().framework == Framework.CIF_2015

    maintained = Setting.objects.get(urn="EY400006")
    assert maintained.name == "Nursery EY400006"
    assert maintained.sector == Sector.MAINTAINED  # the manager's sector is kept

    named = Setting.objects.get(urn="EY400008")
    assert (named.name, named.address, named.postcode) == ("Jo Bloggs", "2 Mill Lane", "CT2 2BB")
    assert named.inspections.get().overall_effectiveness == Grade.REQUIRES_IMPROVEMENT

    renewed = Setting.objects.get(urn="EY400011").inspections.get()
    assert renewed.framework == Framework.RENEWED_2025
    assert (renewed.overall_effectiveness, renewed.safeguarding) == ("", Grade.MET)
    assert renewed.judgements == {
        "curriculum_and_teaching": Grade.STRONG,
        "leadership_and_governance": Grade.EXPECTED,
    }
    renewed.full_clean()
    childcare = Setting.objects.get(urn="EY400012").inspections.get()
    assert childcare.register == Register.CR and childcare.overall_effectiveness == Grade.NOT_MET

    # The audit trail names the confirming manager and the import.
    record = nursery.history.get()
    assert record.history_user == manager and record.history_type == "+"
    assert record.history_change_reason == f"Ofsted data import {ofsted_import.pk}"
    changed = maintained.history.latest()
    assert changed.history_type == "~" and changed.history_user == manager
    assert Setting.objects.get(urn="EY400007").history.count() == 1  # unchanged: no new row


def test_reimporting_the_same_file_changes_nothing(manager, django_capture_on_commit_callbacks):
    register_before()
    data = to_csv(sample_rows())
    confirm(
        upload(data, manager, django_capture_on_commit_callbacks),
        manager,
        django_capture_on_commit_callbacks,
    )
    settings_before = {s.urn: s.updated_at for s in Setting.objects.all()}
    history_before = history_counts()

    again = upload(data, manager, django_capture_on_commit_callbacks)
    assert (again.to_create, again.to_update, again.unchanged, again.rejected) == (0, 0, 7, 6)
    again = confirm(again, manager, django_capture_on_commit_callbacks)

    assert again.status == ImportStatus.IMPORTED
    assert (again.to_create, again.to_update, again.unchanged) == (0, 0, 7)
    assert (again.inspections_to_create, again.inspections_to_update) == (0, 0)
    assert history_counts() == history_before
    assert {s.urn: s.updated_at for s in Setting.objects.all()} == settings_before


def test_a_changed_grade_updates_the_stored_inspection(manager, django_capture_on_commit_callbacks):
    setting = SettingFactory(urn="EY400001", name="Nursery EY400001")
    stored = InspectionFactory(
        setting=setting,
        inspection_date=datetime.date(2022, 3, 14),
        overall_effectiveness=Grade.GOOD,
        source=Source.MANUAL,
    )
    data = to_csv([row("EY400001", **eif("14/03/2022", "Outstanding"))])
    ofsted_import = upload(data, manager, django_capture_on_commit_callbacks)
    assert (ofsted_import.to_update, ofsted_import.inspections_to_update) == (1, 1)
    confirm(ofsted_import, manager, django_capture_on_commit_callbacks)
    updated = Inspection.objects.get(pk=stored.pk)
    assert updated.overall_effectiveness == Grade.OUTSTANDING
    # Key judgements the file does not give are kept as they were entered.
    assert updated.judgements["personal_development"] == Grade.OUTSTANDING
    assert updated.history.latest().history_user == manager


def test_an_import_stopped_part_way_resumes_to_completion_when_confirmed_again(
    manager, django_capture_on_commit_callbacks, monkeypatch
):
    use_batches(monkeypatch)
    for number in range(1, 11):
        SettingFactory(urn=f"EY{500000 + number}", name="Before the import")
    data = to_csv_of_providers(2500)
    ofsted_import = upload(data, manager, django_capture_on_commit_callbacks)
    assert (ofsted_import.to_create, ofsted_import.to_update) == (2490, 10)
    before = Setting.objects.count()

    real_batch = importer._handle_batch
    calls = []

    def failing_batch(rows, result, writer):
        if writer is not None:
            calls.append(len(rows))
            if len(calls) == 3:
                raise RuntimeError("disk full")
        real_batch(rows, result, writer)

    monkeypatch.setattr(importer, "_handle_batch", failing_batch)
    ofsted_import = confirm(ofsted_import, manager, django_capture_on_commit_callbacks)

    # Two batches were written, each in its own transaction; the third rolled back.
    assert ofsted_import.status == ImportStatus.FAILED
    assert ofsted_import.applied_through == 2000
    assert "stopped after 2,000 of 2,500 rows (disk full)" in ofsted_import.error_message
    assert "Confirm it again to finish" in ofsted_import.error_message
    assert Setting.objects.count() == before + 1990

    monkeypatch.setattr(importer, "_handle_batch", real_batch)
    ofsted_import = confirm(ofsted_import, manager, django_capture_on_commit_callbacks)

    assert ofsted_import.status == ImportStatus.IMPORTED, ofsted_import.error_message
    assert (ofsted_import.to_create, ofsted_import.to_update) == (2490, 10)
    assert ofsted_import.applied_through == 2500
    assert Setting.objects.count() == before + 2490
    # Every setting was written exactly once: one "added" record each, none twice.
    assert Setting.history.filter(history_type="+").count() == before + 2490
    assert Setting.objects.get(urn="EY500001").name == "Little Acorns Nursery 1"
    assert Inspection.objects.count() == Inspection.history.filter(history_type="+").count()


def test_an_import_failed_before_any_batch_was_written_changed_nothing(
    manager, django_capture_on_commit_callbacks, monkeypatch
):
    use_batches(monkeypatch)
    ofsted_import = upload(to_csv_of_providers(30), manager, django_capture_on_commit_callbacks)
    before = Setting.objects.count()

    def failing_batch(rows, result, writer):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_handle_batch", failing_batch)
    ofsted_import = confirm(ofsted_import, manager, django_capture_on_commit_callbacks)
    assert ofsted_import.status == ImportStatus.FAILED
    assert "nothing was changed on the register: disk full" in ofsted_import.error_message
    assert Setting.objects.count() == before


def test_a_run_that_finds_another_run_ahead_of_it_stops_and_writes_nothing(
    manager, django_capture_on_commit_callbacks, monkeypatch
):
    use_batches(monkeypatch)
    ofsted_import = upload(to_csv_of_providers(30), manager, django_capture_on_commit_callbacks)
    services_import.do_confirm_ofsted_import(
        ofsted_import=ofsted_import, confirmed_by=manager, run_in_background=False
    )
    real_batch = importer._handle_batch
    before = Setting.objects.count()

    def racing_batch(rows, result, writer):
        real_batch(rows, result, writer)
        if writer is not None:  # another delivery of the task recorded this batch first
            OfstedImport.objects.filter(pk=ofsted_import.pk).update(applied_through=30)

    monkeypatch.setattr(importer, "_handle_batch", racing_batch)
    late = services_import.do_apply_ofsted_import(import_id=ofsted_import.pk)
    assert late is not None
    assert late.status == ImportStatus.IMPORTING  # left to the run that is ahead
    assert Setting.objects.count() == before  # this run's batch was rolled back
    assert late.error_message == ""


def test_progress_is_visible_while_the_import_runs(
    manager, django_capture_on_commit_callbacks, monkeypatch
):
    use_batches(monkeypatch)
    ofsted_import = upload(to_csv_of_providers(2500), manager, django_capture_on_commit_callbacks)
    seen = []
    real_batch = importer._handle_batch

    def watching_batch(rows, result, writer):
        if writer is not None:
            # What another process (the progress page) reads while the transaction is open.
            fresh = OfstedImport.objects.get(pk=ofsted_import.pk)
            progress = selectors_import.import_progress(fresh)
            seen.append((progress["status"], progress["processed"], progress["total"]))
        real_batch(rows, result, writer)

    monkeypatch.setattr(importer, "_handle_batch", watching_batch)
    confirm(ofsted_import, manager, django_capture_on_commit_callbacks)
    assert seen == [
        (ImportStatus.IMPORTING, 0, 2500),
        (ImportStatus.IMPORTING, 1000, 2500),
        (ImportStatus.IMPORTING, 2000, 2500),
    ]
    finished = selectors_import.import_progress(OfstedImport.objects.get(pk=ofsted_import.pk))
    assert (finished["processed"], finished["percent"], finished["in_progress"]) == (
        2500,
        100,
        False,
    )


def to_csv_of_providers(count: int) -> bytes:
    out = io.StringIO()
    ofsted_csv.write_csv(out, ofsted_csv.providers(count))
    return out.getvalue().encode()


def test_ten_thousand_rows_import_in_batches_with_bounded_queries(
    manager, django_capture_on_commit_callbacks
):
    count = 10_000
    data = to_csv_of_providers(count)
    before = Setting.objects.count()
    started = time.monotonic()
    with CaptureQueriesContext(connection) as preview_queries:
        ofsted_import = upload(data, manager, django_capture_on_commit_callbacks)
    assert (ofsted_import.to_create, ofsted_import.rejected) == (count, 0)
    with CaptureQueriesContext(connection) as import_queries:
        ofsted_import = confirm(ofsted_import, manager, django_capture_on_commit_callbacks)
    elapsed = time.monotonic() - started

    assert ofsted_import.status == ImportStatus.IMPORTED, ofsted_import.error_message
    assert Setting.objects.count() == before + count
    assert Setting.history.count() == before + count
    assert Inspection.objects.count() == ofsted_import.inspections_to_create > count
    batches = count // importer.BATCH_SIZE
    # The preview reads each batch's settings in one query, whatever the batch holds.
    assert len(preview_queries) <= batches * 2 + 20, len(preview_queries)
    # The import's inserts are split only by the database's limit on parameters per query
    # (999 on SQLite), never per row: a constant number of queries per batch.
    per_batch = 100 if connection.vendor == "sqlite" else 12
    assert len(import_queries) <= batches * per_batch + 20, len(import_queries)
    assert elapsed < 60


def test_the_tasks_are_idempotent(manager, django_capture_on_commit_callbacks):
    ofsted_import = upload(to_csv([row("EY400001")]), manager, django_capture_on_commit_callbacks)
    history = ofsted_import.history.count()
    assert tasks.preview_ofsted_import(ofsted_import.pk) == ImportStatus.PREVIEWED
    assert ofsted_import.history.count() == history  # already previewed: nothing done
    confirm(ofsted_import, manager, django_capture_on_commit_callbacks)
    settings_history = history_counts()
    assert tasks.apply_ofsted_import(ofsted_import.pk) == ImportStatus.IMPORTED
    assert history_counts() == settings_history
    assert tasks.apply_ofsted_import(999999) == "missing"


def test_an_import_stuck_in_checking_is_checked_again(manager):
    ofsted_import = services_import.do_upload_ofsted_import(
        uploaded_by=manager,
        upload=SimpleUploadedFile("ofsted.csv", to_csv([row("EY400001")])),
        encoding="utf-8-sig",
        check_now=False,
    )
    ofsted_import.transition(ImportStatus.PREVIEWING)  # a worker stopped half-way
    assert tasks.preview_ofsted_import(ofsted_import.pk) == ImportStatus.PREVIEWED


def test_an_unreadable_stored_file_fails_the_preview(manager):
    ofsted_import = services_import.do_upload_ofsted_import(
        uploaded_by=manager,
        upload=SimpleUploadedFile("ofsted.csv", to_csv([row("EY400001")])),
        encoding="utf-8-sig",
        check_now=False,
    )
    Path(ofsted_import.file.path).unlink()
    assert tasks.preview_ofsted_import(ofsted_import.pk) == ImportStatus.FAILED
    ofsted_import.refresh_from_db()
    assert ofsted_import.error_message.startswith("The file could not be checked")


def test_uploads_are_stored_under_imports_with_a_name_of_our_own(manager, settings):
    ofsted_import = services_import.do_upload_ofsted_import(
        uploaded_by=manager,
        upload=SimpleUploadedFile("../../etc/passwd.csv", to_csv([row("EY400001")])),
        encoding="utf-8-sig",
        check_now=False,
    )
    path = Path(ofsted_import.file.path)
    assert path.parent == Path(settings.MEDIA_ROOT) / "imports"
    assert ofsted_import.original_name == "passwd.csv"


# --- The command ---------------------------------------------------------------------------


def test_command_dry_run_prints_the_preview_and_changes_nothing(tmp_path, capsys):
    register_before()
    path = write_file(tmp_path / "ofsted.csv", sample_rows())
    before = (Setting.objects.count(), *history_counts())
    call_command("import_ofsted", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "Settings to add:" in out and "Rows rejected:" in out
    for label, value in [("to add", 4), ("to change", 2), ("unchanged", 1), ("rejected", 6)]:
        assert any(
            line.split(":")[0].endswith(label) and line.split()[-1] == str(value)
            for line in out.splitlines()
        ), label
    assert "line 8, URN XY12: “XY12” is not an Ofsted URN" in out
    assert "Dry run: nothing was changed" in out
    assert (Setting.objects.count(), *history_counts()) == before


def test_command_without_yes_asks_and_imports_nothing_when_not_confirmed(tmp_path, capsys):
    path = write_file(tmp_path / "ofsted.csv", [row("EY400001")])
    call_command("import_ofsted", str(path))  # stdin is not a terminal: no answer
    assert "Nothing was imported" in capsys.readouterr().out
    assert not Setting.objects.exists()
    assert OfstedImport.objects.get().status == ImportStatus.PREVIEWED


def test_command_interactive_confirmation(tmp_path, capsys, monkeypatch):
    path = write_file(tmp_path / "ofsted.csv", [row("EY400001")])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda question: "yes")
    call_command("import_ofsted", str(path))
    assert "Imported." in capsys.readouterr().out
    assert Setting.objects.filter(urn="EY400001").exists()


def test_command_with_yes_imports_through_the_same_steps(tmp_path, capsys, manager):
    register_before()
    path = write_file(tmp_path / "ofsted.csv", sample_rows())
    call_command("import_ofsted", str(path), "--yes", "--user", manager.email)
    out = capsys.readouterr().out
    assert "Imported." in out
    ofsted_import = OfstedImport.objects.get()
    assert ofsted_import.status == ImportStatus.IMPORTED
    assert ofsted_import.uploaded_by == ofsted_import.confirmed_by == manager
    assert Setting.objects.get(urn="EY400001").history.get().history_user == manager
    # Again: every row unchanged, nothing written.
    history = history_counts()
    call_command("import_ofsted", str(path), "--yes")
    assert OfstedImport.objects.order_by("-pk")[0].unchanged == 7
    assert history_counts() == history


def test_command_refuses_a_file_without_the_header(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("Name,Town\nAcorns,Canterbury\n")
    with pytest.raises(CommandError, match="Provider URN"):
        call_command("import_ofsted", str(path))
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_ofsted", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="No active KQM manager"):
        call_command("import_ofsted", str(path), "--user", "nobody@example.org")
    assert not OfstedImport.objects.exists()
