"""Report exports built in the background: requested from a report's page, built by a
Celery task with progress, stored under exports/, emailed, downloaded by the requester
or the KQM manager."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accreditation.models.exports import ExportStatus, ReportExport
from accreditation.services import exports as services
from accreditation.tasks import build_report_export
from kqm.models import Role, SentEmail
from tests.access import assert_access
from tests.factories import SettingFactory, UserFactory
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def register(db):
    """Five PVI settings in Kent and two maintained ones in Medway (and the ``setting``
    fixture's PVI setting, Little Acorns Day Nursery, through ``users``)."""
    for n in range(5):
        SettingFactory(name=f"Acorn {n}", sector="pvi", local_authority="Kent")
    for n in range(2):
        SettingFactory(name=f"Beech {n}", sector="maintained", local_authority="Medway")


def request_export(client, user, report: str, fmt: str, query: str = "", capture=None):
    client.force_login(user)
    data = {"report": report, "format": fmt, "query": query}
    if capture is None:
        return client.post(reverse("accreditation:report-export-request"), data)
    with capture(execute=True):
        return client.post(reverse("accreditation:report-export-request"), data)


def file_text(export: ReportExport) -> str:
    with export.file.open("rb") as handle:
        return handle.read().decode("utf-8-sig")


# --- Requesting ---------------------------------------------------------------------------------


def test_who_may_request_each_export(client, users):
    url = reverse("accreditation:report-export-request")
    for report, fmt, allowed in (
        ("outcomes", "csv", [Role.MANAGER, Role.VIEWER]),
        ("outcomes", "pdf", [Role.MANAGER, Role.VIEWER]),
        ("programme", "csv", [Role.MANAGER, Role.VIEWER]),
        ("register", "csv", [Role.MANAGER]),
    ):
        assert_access(
            client,
            url,
            users,
            allowed,
            method="POST",
            data={"report": report, "format": fmt},
            ok_status=302,
            wrong_method="GET",
        )
        assert set(
            ReportExport.objects.filter(report=report, format=fmt).values_list(
                "requested_by__role", flat=True
            )
        ) == set(allowed)


def test_a_request_is_recorded_with_the_pages_filters_and_queued_on_commit(
    client, users, register, django_capture_on_commit_callbacks
):
    manager = users[Role.MANAGER]
    client.force_login(manager)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("accreditation:report-export-request"),
            {
                "report": "register",
                "format": "csv",
                "query": "sector=pvi&sort=-name&page=2&evil=1",
            },
        )
    export = ReportExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("accreditation:report-export-detail", args=[export.pk])
    assert export.params == {"sector": ["pvi"], "sort": ["-name"]}
    assert export.status == ExportStatus.QUEUED
    assert export.requested_by == manager
    assert export.history.first().history_user == manager
    assert len(callbacks) == 1  # the build, queued once the request's transaction commits


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"report": "outcomes", "format": "xlsx"}, "cannot be exported in that format"),
        ({"report": "nonsense", "format": "csv"}, "cannot be exported in that format"),
        (
            {"report": "outcomes", "format": "csv", "query": "start_0=40&start_1=2&start_2=2020"},
            "filters are not valid",
        ),
    ],
)
def test_a_bad_request_says_why_and_saves_nothing(client, users, data, message):
    client.force_login(users[Role.MANAGER])
    response = client.post(reverse("accreditation:report-export-request"), data, follow=True)
    assert message in response.content.decode()
    assert not ReportExport.objects.exists()


def test_the_report_pages_offer_the_export_buttons(client, users, register):
    client.force_login(users[Role.MANAGER])
    page = client.get(reverse("settings:list") + "?sector=pvi").content.decode()
    assert 'name="report" value="register"' in page
    assert 'name="query" value="sector=pvi"' in page
    client.force_login(users[Role.VIEWER])
    page = client.get(reverse("accreditation:report-outcomes")).content.decode()
    assert 'name="report" value="outcomes"' in page
    assert 'name="format" value="pdf"' in page


# --- Building -----------------------------------------------------------------------------------


def test_the_register_export_is_built_with_its_filters_and_emailed_once(
    client, users, register, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://kqm.example.gov.uk"
    manager = users[Role.MANAGER]
    request_export(
        client,
        manager,
        "register",
        "csv",
        "sector=pvi&sort=-name",
        django_capture_on_commit_callbacks,
    )
    export = ReportExport.objects.get()
    assert export.status == ExportStatus.READY
    assert export.file.name.startswith("exports/")
    assert export.file.name.endswith(".csv")
    assert (export.rows_done, export.rows_total) == (6, 6)
    assert export.percent == 100
    assert export.started_at and export.finished_at
    rows = list(csv.reader(io.StringIO(file_text(export))))
    assert rows[0][:2] == ["Ofsted URN", "Name"]
    assert [row[1] for row in rows[1:]] == [
        "Little Acorns Day Nursery",
        *(f"Acorn {n}" for n in (4, 3, 2, 1, 0)),
    ]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [manager.email]
    assert "The register of settings" in message.subject
    detail = reverse("accreditation:report-export-detail", args=[export.pk])
    assert f"https://kqm.example.gov.uk{detail}" in message.body
    # Idempotent: running the task again changes nothing and sends nothing.
    file_name = export.file.name
    assert build_report_export.delay(export.pk).get() is False
    export.refresh_from_db()
    assert export.file.name == file_name
    assert len(mail.outbox) == 1
    assert SentEmail.objects.filter(template="report_export_ready").count() == 1


def test_progress_is_saved_every_n_rows(users, register, monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    export = ReportExport.objects.create(
        report="register", format="csv", requested_by=users[Role.MANAGER]
    )
    with CaptureQueriesContext(connection) as queries:
        assert services.do_build_export(export_id=export.pk)
    updates = [q["sql"] for q in queries.captured_queries if 'SET "rows_done"' in q["sql"]]
    # 0 at the start, after rows 2, 4, 6 and 8, and at the end (8 settings).
    assert len(updates) == 6
    export.refresh_from_db()
    assert (export.rows_done, export.rows_total) == (8, 8)


def test_the_outcomes_report_exports_as_csv_and_as_pdf(
    client, users, register, django_capture_on_commit_callbacks
):
    viewer = users[Role.VIEWER]
    request_export(
        client, viewer, "outcomes", "csv", "sector=pvi", django_capture_on_commit_callbacks
    )
    request_export(
        client, viewer, "outcomes", "pdf", "sector=pvi", django_capture_on_commit_callbacks
    )
    csv_export = ReportExport.objects.get(format="csv")
    pdf_export = ReportExport.objects.get(format="pdf")
    assert csv_export.status == pdf_export.status == ExportStatus.READY
    text = file_text(csv_export)
    assert "Overall effectiveness" in text
    assert text.splitlines()[0].startswith("Sector")
    assert pdf_export.file.name.endswith(".pdf")
    pdf = pdf_text(pdf_export.file.path)
    assert "Overall effectiveness" in pdf
    assert [m.to for m in mail.outbox] == [[viewer.email], [viewer.email]]


def test_the_programme_report_names_evaluators_for_the_kqm_manager_only(
    client, users, django_capture_on_commit_callbacks
):
    from tests.factories import AccreditationFactory, EvaluatorFactory

    AccreditationFactory(evaluator=EvaluatorFactory(full_name="Evelyn Evaluator"))
    for role in (Role.MANAGER, Role.VIEWER):
        request_export(
            client, users[role], "programme", "csv", "", django_capture_on_commit_callbacks
        )
    manager_export = ReportExport.objects.get(requested_by=users[Role.MANAGER])
    viewer_export = ReportExport.objects.get(requested_by=users[Role.VIEWER])
    assert manager_export.status == viewer_export.status == ExportStatus.READY
    assert "Evelyn Evaluator" in file_text(manager_export)
    assert "Evelyn Evaluator" not in file_text(viewer_export)


def test_a_failed_build_is_recorded_and_shown(client, users):
    export = ReportExport.objects.create(
        report="outcomes",
        format="csv",
        params={"start_0": ["40"], "start_1": ["2"], "start_2": ["2020"]},
        requested_by=users[Role.VIEWER],
    )
    assert services.do_build_export(export_id=export.pk) is False
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert "not valid" in export.error
    assert not mail.outbox
    client.force_login(users[Role.VIEWER])
    page = client.get(reverse("accreditation:report-export-detail", args=[export.pk]))
    assert "The export did not finish" in page.content.decode()


def test_a_requester_who_lost_access_gets_no_file(users):
    viewer = users[Role.VIEWER]
    export = ReportExport.objects.create(report="register", format="csv", requested_by=viewer)
    assert services.do_build_export(export_id=export.pk) is False
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert not export.file


# --- Status, download, list ---------------------------------------------------------------


def test_the_status_page_shows_a_progress_bar_until_ready(client, users, register):
    manager = users[Role.MANAGER]
    request_export(client, manager, "register", "csv")  # not built: nothing runs the task
    export = ReportExport.objects.get()
    url = reverse("accreditation:report-export-detail", args=[export.pk])
    page = client.get(url).content.decode()
    assert "<progress" in page
    assert 'http-equiv="refresh"' in page  # without JavaScript
    assert "import-progress.js" in page
    assert "Waiting to start" in page
    status = client.get(reverse("accreditation:report-export-status", args=[export.pk]))
    assert json.loads(status.content) == {
        "in_progress": True,
        "percent": 0,
        "message": "Waiting to start",
    }
    ReportExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, rows_done=1000, rows_total=4000
    )
    status = json.loads(
        client.get(reverse("accreditation:report-export-status", args=[export.pk])).content
    )
    assert status == {"in_progress": True, "percent": 25, "message": "1,000 of 4,000 rows written"}
    download = reverse("accreditation:report-export-download", args=[export.pk])
    assert client.get(download).status_code == 404  # not ready yet
    services.do_build_export(export_id=export.pk)
    page = client.get(url).content.decode()
    assert "<progress" not in page
    assert download in page


def test_only_the_requester_and_the_kqm_manager_download(
    client, users, register, django_capture_on_commit_callbacks
):
    viewer = users[Role.VIEWER]
    request_export(client, viewer, "outcomes", "csv", "", django_capture_on_commit_callbacks)
    export = ReportExport.objects.get()
    other_viewer = UserFactory(role=Role.VIEWER)
    for name in (
        "accreditation:report-export-detail",
        "accreditation:report-export-status",
        "accreditation:report-export-download",
    ):
        url = reverse(name, args=[export.pk])
        assert_access(client, url, users, [Role.MANAGER, Role.VIEWER], wrong_method="POST")
        client.force_login(other_viewer)
        assert client.get(url).status_code == 404
    client.force_login(viewer)
    response = client.get(reverse("accreditation:report-export-download", args=[export.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert b"Overall effectiveness" in b"".join(response.streaming_content)


def test_your_exports_lists_only_your_own_in_constant_queries(client, users):
    viewer, manager = users[Role.VIEWER], users[Role.MANAGER]
    ReportExport.objects.create(report="outcomes", format="pdf", requested_by=manager)
    url = reverse("accreditation:report-export-list")
    assert_access(client, url, users, [Role.MANAGER, Role.VIEWER])

    def add(count: int) -> None:
        for _ in range(count):
            ReportExport.objects.create(report="outcomes", format="csv", requested_by=viewer)

    client.force_login(viewer)
    add(2)
    with CaptureQueriesContext(connection) as small:
        page = client.get(url).content.decode()
    assert page.count("Outcomes against Ofsted") == 2
    assert "PDF" not in page.split("<tbody")[1]
    add(10)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small.captured_queries) == len(large.captured_queries)


# --- Through a real worker -------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_export_and_emails_the_requester(tmp_path, settings):
    from django.http import QueryDict

    from kqm.celery import app as celery_app
    from tests.celery_worker import celery_worker, wait_for

    site_url = "https://kqm.example.gov.uk"
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.SITE_URL = site_url
    manager = UserFactory(role=Role.MANAGER, email="kim@kqm.example")
    for n in range(3):
        SettingFactory(name=f"Worker Nursery {n}", sector="pvi")
    SettingFactory(name="Maintained School", sector="maintained")

    def ready() -> bool:
        return ReportExport.objects.filter(status=ExportStatus.READY).exists()

    with celery_worker(
        tmp_path, extra_env={"MEDIA_ROOT": str(media), "SITE_URL": site_url}
    ) as worker:
        celery_app.conf.task_always_eager = False
        previous_queue = celery_app.conf.task_default_queue
        celery_app.conf.task_default_queue = worker.queue
        try:
            export = services.do_request_export(
                user=manager,
                report="register",
                export_format="csv",
                filters=QueryDict("sector=pvi"),
            )
            wait_for(ready, 90, "the export", worker.log)
            wait_for(worker.mail_files, 60, "the email", worker.log)
        finally:
            celery_app.conf.task_default_queue = previous_queue

    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert (export.rows_done, export.rows_total) == (3, 3)
    path = media / export.file.name
    assert path.parent == media / "exports"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert sorted(row[1] for row in rows[1:]) == [f"Worker Nursery {n}" for n in range(3)]
    mails = worker.mail_files()
    assert len(mails) == 1
    message = mails[0].read_text()
    assert "To: kim@kqm.example" in message
    assert f"{site_url}/programme/exports/{export.pk}/" in message
    assert SentEmail.objects.filter(template="report_export_ready").count() == 1
