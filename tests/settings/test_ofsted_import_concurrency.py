"""Other people keep working while an Ofsted import is applied (SQLite, the embedded default).

The import writes in short batches, each its own transaction; a request that needs to
write while a batch is being written waits for it (SQLite's busy timeout), then succeeds.
"""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from kqm.models import Role
from settings import importer, ofsted_csv, services_import
from settings.models import ImportStatus, Setting
from tests.factories import TEST_PASSWORD, SettingFactory, UserFactory

from .ofsted_files import use_batches


def providers_csv(count: int) -> bytes:
    out = io.StringIO()
    ofsted_csv.write_csv(out, ofsted_csv.providers(count))
    return out.getvalue().encode()


@pytest.mark.django_db(transaction=True)
def test_people_sign_in_and_save_a_form_while_an_import_is_applied(settings, tmp_path, monkeypatch):
    use_batches(monkeypatch)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    monkeypatch.setattr(importer, "BATCH_SIZE", 100)
    importer_user = UserFactory(role=Role.MANAGER)
    colleague = UserFactory(role=Role.MANAGER, email="colleague@example.org")
    setting = SettingFactory(urn="EY199999", name="Before", address="", postcode="")

    data = providers_csv(300)
    ofsted_import = services_import.do_upload_ofsted_import(
        uploaded_by=importer_user,
        upload=SimpleUploadedFile("providers.csv", data),
        encoding=importer.inspect_file(io.BytesIO(data)),
        check_now=False,
    )
    checked = services_import.do_preview_ofsted_import(import_id=ofsted_import.pk)
    assert checked is not None
    assert checked.status == ImportStatus.PREVIEWED
    services_import.do_confirm_ofsted_import(
        ofsted_import=checked, confirmed_by=importer_user, run_in_background=False
    )

    lock_held = threading.Event()
    request_started = threading.Event()
    responses: dict[str, Any] = {}

    def colleague_works() -> None:
        try:
            client = Client()
            lock_held.wait(60)
            request_started.set()
            responses["login"] = client.post(
                reverse("login"), {"username": colleague.email, "password": TEST_PASSWORD}
            )
            responses["save"] = client.post(
                reverse("settings:edit", args=[setting.pk]),
                {
                    "urn": setting.urn,
                    "name": "Saved during the import",
                    "sector": setting.sector,
                    "provider_type": setting.provider_type,
                    "address": "",
                    "postcode": "",
                },
            )
        except Exception as error:  # reported by the assertions below
            responses["error"] = error
        finally:
            connection.close()

    colleague_thread = threading.Thread(target=colleague_works)
    real_batch = importer._handle_batch
    batches = []

    def batch_holding_the_write_lock(rows, result, writer):
        real_batch(rows, result, writer)
        batches.append(len(rows))
        if writer is not None and len(batches) == 2:
            # Inside the second batch's transaction, with its writes done: the colleague's
            # requests start now and have to wait for this batch to commit.
            colleague_thread.start()
            lock_held.set()
            assert request_started.wait(60)

    real_progress = services_import.record_progress
    mid_import = {}

    def progress_between_batches(ofsted_import, processed):
        real_progress(ofsted_import, processed)
        if processed == 200:
            # Batch two has committed; batch three has not begun. The colleague finishes
            # now, while the import is still being applied (one long transaction would
            # hold the lock here and their requests would fail with "database is locked").
            colleague_thread.join(120)
            mid_import["status"] = ofsted_import.__class__.objects.get(pk=ofsted_import.pk).status

    monkeypatch.setattr(importer, "_handle_batch", batch_holding_the_write_lock)
    monkeypatch.setattr(services_import, "record_progress", progress_between_batches)
    done = services_import.do_apply_ofsted_import(import_id=checked.pk)
    assert done is not None

    assert "error" not in responses, responses.get("error")
    assert responses["login"].status_code == 302
    assert responses["save"].status_code == 302
    assert responses["save"]["Location"] == reverse("settings:detail", args=[setting.pk])
    assert Setting.objects.get(pk=setting.pk).name == "Saved during the import"
    assert done.status == ImportStatus.IMPORTED, done.error_message
    assert mid_import["status"] == ImportStatus.IMPORTING
    assert done.to_create == 300 and [size for size in batches if size] == [100, 100, 100]
    assert Setting.objects.filter(urn__startswith="EY500").count() == 300
