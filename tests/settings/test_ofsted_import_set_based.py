"""The set-based apply on PostgreSQL (``settings.importer_sql``): the staged rows written with
a few statements, all or nothing, leaving the register and its audit trail exactly as the
batched engine (SQLite's) leaves them."""

from __future__ import annotations

import datetime
import io
import json
import re
from collections import Counter
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from settings import importer, importer_sql, ofsted_csv, services_import
from settings.models import ImportStatus, Inspection, OfstedImport, Sector, Setting
from settings.ofsted import Framework, Grade
from tests.factories import InspectionFactory, SettingFactory

from .ofsted_files import childminder, eif, row, to_csv, use_batches

pytestmark = pytest.mark.django_db

REIF = {
    "EYR REIF: Most recent: Inspection date": "20/01/2026",
    "EYR REIF: Most recent: Safeguarding standards met?": "Met",
    "EYR REIF: Most recent: Curriculum and teaching": "Strong standard",
}


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the set-based apply runs on PostgreSQL; SQLite applies in batches")


def previewed(data: bytes, user) -> OfstedImport:
    ofsted_import = services_import.do_upload_ofsted_import(
        uploaded_by=user,
        upload=SimpleUploadedFile("ofsted.csv", data),
        encoding=importer.inspect_file(io.BytesIO(data)),
        check_now=False,
    )
    checked = services_import.do_preview_ofsted_import(import_id=ofsted_import.pk)
    assert checked is not None and checked.status == ImportStatus.PREVIEWED, checked
    return checked


def applied(data: bytes, user) -> OfstedImport:
    checked = previewed(data, user)
    services_import.do_confirm_ofsted_import(
        ofsted_import=checked, confirmed_by=user, run_in_background=False
    )
    done = services_import.do_apply_ofsted_import(import_id=checked.pk)
    assert done is not None
    return done


def register_before() -> None:
    SettingFactory(urn="EY400006", name="Old Name Nursery", sector=Sector.MAINTAINED)
    SettingFactory(urn="EY400008", name="Jo Bloggs", address="2 Mill Lane", postcode="CT2 2BB")
    merged = SettingFactory(urn="EY400020", name="Nursery EY400020")
    InspectionFactory(
        setting=merged,
        inspection_date=datetime.date(2022, 3, 14),
        framework=Framework.EIF_2019,
        overall_effectiveness=Grade.GOOD,
        judgements={"personal_development": Grade.OUTSTANDING},
        inspection_number="123456",
    )
    moved = SettingFactory(urn="EY400021", name="Nursery EY400021")
    InspectionFactory(  # entered under the wrong framework for its date
        setting=moved,
        inspection_date=datetime.date(2019, 6, 1),
        framework=Framework.EIF_2019,
        overall_effectiveness=Grade.GOOD,
        judgements={"personal_development": Grade.OUTSTANDING},
    )


FIRST = [
    row("EY400001", **eif("14/03/2022", "2", quality="2", behaviour="1", personal="Outstanding")),
    childminder("EY400002", **eif("05/06/2018", "Good")),
    row("EY400003", **{"Registration date": "31/13/2020"}),
    row("EY400001", **{"Provider name": "Duplicate Nursery"}),
    row("EY400006"),
    childminder("EY400008", **eif("10/10/2023", "Requires improvement")),
    row("EY400011", **REIF),
    row("EY400012", **{"CR: Most recent: Inspection date": "03/03/2023", "CR: Compliance": "Met"}),
    row("EY400020", **eif("14/03/2022", "Outstanding", quality="1")),
    row("EY400021", **eif("01/06/2019", "Good", leadership="2"), Places=""),
]
SECOND = [
    row("EY400001", **eif("14/03/2022", "Requires improvement"), **{"Provider name": "Renamed"}),
    childminder("EY400002", **eif("05/06/2018", "Good")),
    row("EY400006"),
    row(
        "EY400012",
        **{"CR: Most recent: Inspection date": "03/03/2023", "CR: Compliance": "Not met"},
    ),
    row("EY400020", **eif("14/03/2022", "Outstanding", quality="1")),
]


def register_state() -> dict[str, Any]:
    """Everything the import writes, without ids, times or the import's own number."""
    urns = dict(Setting.objects.values_list("pk", "urn"))
    skip = {"id", "created_at", "updated_at"}
    setting_fields = [f.attname for f in Setting._meta.concrete_fields if f.attname not in skip]
    inspection_fields = [
        f.attname
        for f in Inspection._meta.concrete_fields
        if f.attname not in skip | {"setting_id", "judgements"}
    ]

    def reason(text: str | None) -> str:
        return re.sub(r"\d+", "N", text or "")

    return {
        "settings": sorted(
            tuple(str(value) for value in values)
            for values in Setting.objects.values_list(*setting_fields)
        ),
        "inspections": sorted(
            (
                urns[i.setting_id],
                json.dumps(i.judgements, sort_keys=True),
                *(str(getattr(i, name)) for name in inspection_fields),
            )
            for i in Inspection.objects.all()
        ),
        "setting history": Counter(
            (h.urn, h.name, h.history_type, h.history_user_id, reason(h.history_change_reason))
            for h in Setting.history.all()
        ),
        "inspection history": Counter(
            (
                urns.get(h.setting_id),
                h.inspection_date,
                h.overall_effectiveness,
                json.dumps(h.judgements, sort_keys=True),
                h.history_type,
                h.history_user_id,
                reason(h.history_change_reason),
            )
            for h in Inspection.history.all()
        ),
    }


def test_the_register_and_its_audit_trail_end_as_the_batched_engine_leaves_them(
    manager, monkeypatch
):
    register_before()
    results: dict[str, Any] = {}
    for engine in ("batches", "set-based"):
        with transaction.atomic(), monkeypatch.context() as patch:
            if engine == "batches":
                use_batches(patch)
            counts = []
            for data in (to_csv(FIRST), to_csv(SECOND)):
                done = applied(data, manager)
                assert done.status == ImportStatus.IMPORTED, done.error_message
                assert done.applied_through == done.rows_total
                counts.append({name: getattr(done, name) for name in services_import.COUNT_FIELDS})
            results[engine] = (counts, register_state())
            transaction.set_rollback(True)

    assert results["set-based"] == results["batches"]
    counts, state = results["set-based"]
    assert counts[0] | {"warnings_count": 0} == {
        "to_create": 4,
        "to_update": 4,
        "unchanged": 0,
        "rejected": 2,
        "inspections_to_create": 5,
        "inspections_to_update": 2,
        "out_of_scope": 0,
        "warnings_count": 0,
    }
    assert (counts[1]["to_update"], counts[1]["unchanged"], counts[1]["rejected"]) == (2, 3, 0)
    assert counts[1]["inspections_to_update"] == 2
    assert len(state["setting history"]) > 5 and len(state["inspection history"]) > 6


def test_a_failure_part_way_writes_nothing_and_confirming_again_imports_it_whole(
    manager, monkeypatch
):
    register_before()
    checked = previewed(to_csv(FIRST), manager)
    before = (Setting.objects.count(), Inspection.objects.count(), Setting.history.count())

    def no_disk(model):
        raise RuntimeError("disk full")  # after the settings and inspections were written

    monkeypatch.setattr(importer_sql, "_history_columns", no_disk)
    services_import.do_confirm_ofsted_import(
        ofsted_import=checked, confirmed_by=manager, run_in_background=False
    )
    stopped = services_import.do_apply_ofsted_import(import_id=checked.pk)
    assert stopped is not None and stopped.status == ImportStatus.FAILED
    assert "nothing was changed on the register: disk full" in stopped.error_message
    assert (Setting.objects.count(), Inspection.objects.count(), Setting.history.count()) == before

    monkeypatch.undo()
    services_import.do_confirm_ofsted_import(
        ofsted_import=stopped, confirmed_by=manager, run_in_background=False
    )
    done = services_import.do_apply_ofsted_import(import_id=checked.pk)
    assert done is not None
    assert done.status == ImportStatus.IMPORTED, done.error_message
    assert Setting.objects.count() == before[0] + done.to_create == before[0] + 4
    assert Setting.history.filter(history_type="+", urn="EY400001").count() == 1
    added = Setting.history.get(urn="EY400001")
    assert added.history_user == manager
    assert added.history_change_reason == f"Ofsted data import {checked.pk}"


def test_a_second_delivery_of_the_task_writes_nothing_more(manager):
    done = applied(to_csv(FIRST), manager)
    history = (Setting.history.count(), Inspection.history.count(), done.history.count())
    again = services_import.do_apply_ofsted_import(import_id=done.pk)
    assert again is not None and again.status == ImportStatus.IMPORTED
    assert (Setting.history.count(), Inspection.history.count(), again.history.count()) == history


def providers_csv(count: int, start: int = 1) -> bytes:
    out = io.StringIO()
    ofsted_csv.write_csv(out, ofsted_csv.providers(count, start=start))
    return out.getvalue().encode()


def test_the_apply_runs_the_same_queries_whatever_the_files_size(manager):
    queries = []
    for count, start in ((10, 1), (400, 1000)):
        checked = previewed(providers_csv(count, start), manager)
        services_import.do_confirm_ofsted_import(
            ofsted_import=checked, confirmed_by=manager, run_in_background=False
        )
        with CaptureQueriesContext(connection) as captured:
            done = services_import.do_apply_ofsted_import(import_id=checked.pk)
        assert done is not None
        assert done.to_create == count, done.error_message
        queries.append(len(captured))
    assert queries[0] == queries[1] < 50


HOSTILE = [
    row(
        "EY400031",
        **{
            "Provider name": 'Tab\there \\N back\\slash "quoted" <b>Ünïcode</b>',
            "Provider address line 1": "1 Mill Lane\\",
            "Provider address line 2": "\\.",
            "Registered person name": "Line\rbreak",
        },
    ),
    row("EY400032", **{"Registration date": "", "Places": "", "Provider town": ""}),
]


def test_text_the_staging_file_must_escape_reaches_the_register_as_the_batches_write_it(
    manager, monkeypatch
):
    SettingFactory(urn="EY400032", town="Dover", places=12)
    fields = ("name", "address", "registered_person_name", "registration_date", "places", "town")
    results = {}
    for engine in ("batches", "set-based"):
        with transaction.atomic(), monkeypatch.context() as patch:
            if engine == "batches":
                use_batches(patch)
            done = applied(to_csv(HOSTILE), manager)
            assert done.status == ImportStatus.IMPORTED, done.error_message
            written = {
                urn: tuple(values) for urn, *values in Setting.objects.values_list("urn", *fields)
            }
            results[engine] = (register_state(), written)
            transaction.set_rollback(True)

    assert results["set-based"] == results["batches"]
    written = results["set-based"][1]
    assert written["EY400031"] == (
        'Tab\there \\N back\\slash "quoted" <b>Ünïcode</b>',
        "1 Mill Lane\\\n\\.",
        "Line\rbreak",
        datetime.date(2010, 9, 1),
        40,
        "Canterbury",
    )
    # Blank cells blank the stored values; nothing is left as the factory made it.
    assert written["EY400032"][3:] == (None, None, "")


def test_an_import_staged_in_an_earlier_format_is_applied_in_batches(manager):
    before = Setting.objects.count()
    checked = previewed(to_csv(FIRST), manager)
    assert importer_sql.can_apply(checked)
    checked.staged_file.save(
        "earlier-staged.csv",
        ContentFile(b"line,urn,kind,sector,maintained_only,vals,inspections\r\n"),
        save=True,
    )
    assert not importer_sql.can_apply(checked)
    services_import.do_confirm_ofsted_import(
        ofsted_import=checked, confirmed_by=manager, run_in_background=False
    )
    done = services_import.do_apply_ofsted_import(import_id=checked.pk)
    assert done is not None
    assert done.status == ImportStatus.IMPORTED, done.error_message
    assert done.to_create == checked.to_create == Setting.objects.count() - before == 8
