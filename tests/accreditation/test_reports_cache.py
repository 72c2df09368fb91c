"""The outcomes report is kept between changes and never served stale after one: a setting or
an inspection saved, an Ofsted import applied (set-based on PostgreSQL, in batches on
SQLite), a decision (an accreditation and its award)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accreditation.reports import cache
from accreditation.reports.builders import outcomes_report
from accreditation.reports.outcomes import Filters, outcomes
from settings import importer, services_import
from settings.models import ImportStatus, Sector
from settings.ofsted import Grade
from tests.accreditation.outcomes_fixtures import award, inspect, make_settings
from tests.settings.ofsted_files import eif, row, to_csv

pytestmark = pytest.mark.django_db

SNAPSHOT = datetime.date(2026, 3, 31)


def figures(report) -> list[tuple[str, int, int, int, int]]:
    return [
        (t.sector, t.kqm_total, t.benchmark_total, t.kqm_graded, t.benchmark_graded)
        for t in report.snapshot
    ]


def served() -> list[tuple[str, int, int, int, int]]:
    return figures(outcomes_report(Filters(snapshot=SNAPSHOT)))


def fresh() -> list[tuple[str, int, int, int, int]]:
    return figures(outcomes(Filters(snapshot=SNAPSHOT)))


def test_the_report_is_kept_until_what_it_reads_changes(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    make_settings(Sector.PVI, [Grade.GOOD, Grade.OUTSTANDING])
    first = served()
    with django_assert_num_queries(0):
        assert served() == first

    with django_capture_on_commit_callbacks(execute=True):
        (setting,) = make_settings(Sector.PVI, [Grade.GOOD])  # bulk: no signal of its own
        inspect(setting, Grade.INADEQUATE, day=datetime.date(2024, 5, 1))
    assert served() == fresh() != first

    before = served()
    with django_capture_on_commit_callbacks(execute=True):
        award(setting, datetime.date(2025, 7, 31))  # the decision: accredited, awarded
    assert served() == fresh() != before


def test_a_change_not_yet_committed_does_not_replace_the_kept_report(
    django_capture_on_commit_callbacks,
):
    make_settings(Sector.PVI, [Grade.GOOD])
    first = served()
    with django_capture_on_commit_callbacks(execute=False) as pending:
        (setting,) = make_settings(Sector.PVI, [Grade.GOOD])
        inspect(setting, Grade.GOOD, day=datetime.date(2024, 5, 1))
    assert pending  # the token is replaced when the transaction commits, not before
    assert served() == first
    for callback in pending:
        callback()
    assert served() == fresh() != first


def test_an_ofsted_import_makes_the_report_compute_again(
    manager, django_capture_on_commit_callbacks
):
    make_settings(Sector.PVI, [Grade.GOOD])
    first = served()
    data = to_csv([row("EY777001", **eif("14/03/2022", "Outstanding")), row("EY777002")])
    ofsted_import = services_import.do_upload_ofsted_import(
        uploaded_by=manager,
        upload=SimpleUploadedFile("ofsted.csv", data),
        encoding=importer.inspect_file(io.BytesIO(data)),
        check_now=False,
    )
    services_import.do_preview_ofsted_import(import_id=ofsted_import.pk)
    ofsted_import.refresh_from_db()
    services_import.do_confirm_ofsted_import(
        ofsted_import=ofsted_import, confirmed_by=manager, run_in_background=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        done = services_import.do_apply_ofsted_import(import_id=ofsted_import.pk)
    assert done is not None and done.status == ImportStatus.IMPORTED, done
    assert served() == fresh() != first


def test_without_a_cache_the_report_is_computed_each_time(monkeypatch):
    make_settings(Sector.PVI, [Grade.GOOD, Grade.OUTSTANDING])

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache.cache, "get", unreachable)
    assert served() == fresh()
