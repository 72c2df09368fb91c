"""The Ofsted import through a real Celery worker: queued on commit, progress seen from outside."""

from __future__ import annotations

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from kqm.celery import app as celery_app
from settings import ofsted_csv, selectors_import, services_import
from settings.models import ImportStatus, OfstedImport, Setting
from tests.celery_worker import celery_worker, wait_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROWS = 5000


def test_worker_checks_then_imports_while_the_progress_is_visible(tmp_path):
    manager = UserFactory(role="manager")
    out = io.StringIO()
    ofsted_csv.write_csv(out, ofsted_csv.providers(ROWS))
    data = out.getvalue().encode()
    with celery_worker(tmp_path) as worker:
        celery_app.conf.task_always_eager = False
        previous_queue = celery_app.conf.task_default_queue
        celery_app.conf.task_default_queue = worker.queue
        try:
            ofsted_import = services_import.do_upload_ofsted_import(
                uploaded_by=manager,
                upload=SimpleUploadedFile("ofsted.csv", data),
                encoding="utf-8-sig",
            )
            wait_for(
                lambda: OfstedImport.objects.get(pk=ofsted_import.pk).status
                == ImportStatus.PREVIEWED,
                60,
                "the preview",
                worker.log,
            )
            assert not Setting.objects.exists()
            checked = OfstedImport.objects.get(pk=ofsted_import.pk)
            assert (checked.to_create, checked.rejected) == (ROWS, 0)

            services_import.do_confirm_ofsted_import(ofsted_import=checked, confirmed_by=manager)
            seen: set[int] = set()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                current = OfstedImport.objects.get(pk=ofsted_import.pk)
                progress = selectors_import.import_progress(current)
                if not progress["in_progress"]:
                    break
                seen.add(progress["processed"])
                time.sleep(0.05)
        finally:
            celery_app.conf.task_default_queue = previous_queue
    done = OfstedImport.objects.get(pk=ofsted_import.pk)
    assert done.status == ImportStatus.IMPORTED, done.error_message or worker.log()
    assert Setting.objects.count() == ROWS
    assert seen, "the import was never seen in progress"
    if connection.vendor == "sqlite":
        # The batches' progress, written inside the worker's open transaction, was read
        # from this process. (On PostgreSQL the rows are written by a few set-based
        # statements in one go: the page shows the phase, not a count.)
        assert any(0 < processed < ROWS for processed in seen), seen
