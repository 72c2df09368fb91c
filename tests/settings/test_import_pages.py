"""The Ofsted data import's pages: upload, progress, preview and confirmation, list."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kqm.models import Role
from settings import services_import
from settings.models import ImportStatus, Inspection, OfstedImport, Setting
from tests.access import assert_access, assert_field_error, assert_not_found

from .ofsted_files import childminder, eif, row, to_csv

pytestmark = pytest.mark.django_db


def stored_import(user, rows, *, status=ImportStatus.UPLOADED, **fields) -> OfstedImport:
    ofsted_import = services_import.do_upload_ofsted_import(
        uploaded_by=user,
        upload=SimpleUploadedFile("ofsted.csv", to_csv(rows)),
        encoding="utf-8-sig",
        check_now=False,
    )
    OfstedImport.objects.filter(pk=ofsted_import.pk).update(status=status, **fields)
    ofsted_import.refresh_from_db()
    return ofsted_import


def previewed_import(user, rows) -> OfstedImport:
    ofsted_import = stored_import(user, rows)
    services_import.do_preview_ofsted_import(import_id=ofsted_import.pk)
    ofsted_import.refresh_from_db()
    assert ofsted_import.status == ImportStatus.PREVIEWED
    return ofsted_import


GOOD_ROWS = [row("EY400001", **eif("14/03/2022", "Good")), childminder("EY400002")]
WITH_REJECTED = [*GOOD_ROWS, row("XY12"), row("EY400003", **{"Registration date": "2020-01-01"})]


# --- Who may use each page -----------------------------------------------------------------


def test_list_and_upload_pages_are_for_the_kqm_manager_only(client, users):
    assert_access(client, reverse("settings:import-list"), users, allowed=[Role.MANAGER])
    assert_access(client, reverse("settings:import-new"), users, allowed=[Role.MANAGER])


def test_detail_and_status_pages_are_for_the_kqm_manager_only(client, users, manager):
    ofsted_import = previewed_import(manager, GOOD_ROWS)
    for name in ("settings:import-detail", "settings:import-status"):
        assert_access(client, reverse(name, args=[ofsted_import.pk]), users, allowed=[Role.MANAGER])


def test_confirm_is_a_post_for_the_kqm_manager_only(
    client, users, manager, django_capture_on_commit_callbacks
):
    ofsted_import = previewed_import(manager, GOOD_ROWS)
    url = reverse("settings:import-confirm", args=[ofsted_import.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert_access(
            client,
            url,
            users,
            allowed=[Role.MANAGER],
            method="POST",
            ok_status=302,
            wrong_method="GET",
        )
    ofsted_import.refresh_from_db()
    assert ofsted_import.status == ImportStatus.IMPORTED
    assert ofsted_import.confirmed_by == manager


def test_an_import_that_does_not_exist_is_not_found(client, manager):
    for name in ("settings:import-detail", "settings:import-status"):
        assert_not_found(client, reverse(name, args=[999999]), [manager])
    assert_not_found(client, reverse("settings:import-confirm", args=[999999]), [manager], "POST")


# --- Upload ------------------------------------------------------------------------------


def test_upload_checks_the_file_and_shows_the_preview(
    client, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    page = client.get(reverse("settings:import-new"))
    assert 'enctype="multipart/form-data"' in page.content.decode()
    upload = SimpleUploadedFile("childcare_providers.csv", to_csv(WITH_REJECTED), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("settings:import-new"), {"file": upload})
    ofsted_import = OfstedImport.objects.get()
    assert response.status_code == 302 and response["Location"] == ofsted_import.get_absolute_url()
    assert ofsted_import.uploaded_by == manager
    assert ofsted_import.original_name == "childcare_providers.csv"

    html = client.get(response["Location"]).content.decode()
    assert "What the import will do" in html
    assert 'data-testid="to-create">2<' in html and 'data-testid="rejected">2<' in html
    assert "“XY12” is not an Ofsted URN" in html
    assert "Registration date: “2020-01-01” is not a date in the form DD/MM/YYYY." in html
    assert "Only the valid rows will be imported" in html
    assert "I understand that the 2 rejected rows will not be imported" in html
    assert not Setting.objects.filter(urn__in=["EY400001", "EY400002"]).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "The selected file must be a CSV"),
        ("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "The selected file must be a CSV"),
        ("other.csv", b"Name,Town\r\nAcorns,Canterbury\r\n", "has no “Provider URN” column"),
        ("empty.csv", b"", "The selected file is empty"),
    ],
)
def test_a_file_that_is_not_ofsteds_csv_is_refused_beside_the_field(
    client, manager, name, content, message
):
    client.force_login(manager)
    response = client.post(
        reverse("settings:import-new"), {"file": SimpleUploadedFile(name, content)}
    )
    assert_field_error(response, "file", message)
    assert not OfstedImport.objects.exists()


def test_no_file_is_refused_beside_the_field(client, manager):
    client.force_login(manager)
    response = client.post(reverse("settings:import-new"), {})
    assert_field_error(response, "file", "Select the Ofsted CSV file")
    assert not OfstedImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, manager, settings):
    settings.OFSTED_IMPORT_MAX_BYTES = 1024 * 1024
    data = to_csv([row(f"EY{400000 + n}") for n in range(5000)])
    assert len(data) > 1024 * 1024
    client.force_login(manager)
    response = client.post(
        reverse("settings:import-new"), {"file": SimpleUploadedFile("big.csv", data)}
    )
    assert_field_error(response, "file", "The selected file must be smaller than 1 MB")
    assert not OfstedImport.objects.exists()


# --- Progress ------------------------------------------------------------------------------


def test_progress_page_refreshes_itself_and_shows_the_bar(client, manager):
    ofsted_import = stored_import(
        manager, GOOD_ROWS, status=ImportStatus.PREVIEWING, rows_total=8000
    )
    services_import.record_progress(ofsted_import, 2000)
    client.force_login(manager)
    html = client.get(ofsted_import.get_absolute_url()).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert '<progress id="import-progress"' in html and 'value="25"' in html
    assert "Checking the file against the register: 2,000 of 8,000 rows (25%)" in html
    assert "Refresh the page" in html and "import-progress.js" in html

    status = client.get(reverse("settings:import-status", args=[ofsted_import.pk])).json()
    assert status == {
        "status": "previewing",
        "status_label": "Checking the file",
        "in_progress": True,
        "processed": 2000,
        "total": 8000,
        "percent": 25,
        "message": "Checking the file against the register: 2,000 of 8,000 rows",
        "url": ofsted_import.get_absolute_url(),
    }


def test_a_finished_import_does_not_refresh(client, manager):
    ofsted_import = previewed_import(manager, GOOD_ROWS)
    client.force_login(manager)
    html = client.get(ofsted_import.get_absolute_url()).content.decode()
    assert "http-equiv" not in html and "<progress" not in html
    assert (
        client.get(reverse("settings:import-status", args=[ofsted_import.pk])).json()["in_progress"]
        is False
    )


def test_a_failed_import_says_why(client, manager):
    ofsted_import = stored_import(
        manager,
        GOOD_ROWS,
        status=ImportStatus.FAILED,
        error_message="The import stopped and nothing was changed on the register: disk full",
    )
    client.force_login(manager)
    html = client.get(ofsted_import.get_absolute_url()).content.decode()
    assert "The import did not finish" in html and "disk full" in html


# --- Preview and confirmation ------------------------------------------------------------


def test_rejected_rows_are_paginated(client, manager):
    bad = [row(f"BAD{n}") for n in range(30)]
    ofsted_import = previewed_import(manager, [*GOOD_ROWS, *bad])
    assert ofsted_import.rejected == 30
    client.force_login(manager)
    first = client.get(ofsted_import.get_absolute_url()).content.decode()
    assert "“BAD0” is not an Ofsted URN" in first and "“BAD24” is not" in first
    assert "“BAD25” is not" not in first
    assert 'class="govuk-pagination"' in first
    second = client.get(ofsted_import.get_absolute_url(), {"page": 2}).content.decode()
    assert "“BAD25” is not" in second and "“BAD29” is not" in second
    assert "“BAD0” is not" not in second


def test_confirming_with_rejected_rows_needs_the_box_ticked(
    client, manager, django_capture_on_commit_callbacks
):
    ofsted_import = previewed_import(manager, WITH_REJECTED)
    url = reverse("settings:import-confirm", args=[ofsted_import.pk])
    client.force_login(manager)
    response = client.post(url, {})
    assert_field_error(
        response, "valid_rows_only", "Confirm that only the valid rows will be imported"
    )
    ofsted_import.refresh_from_db()
    assert ofsted_import.status == ImportStatus.PREVIEWED
    assert not Setting.objects.filter(urn="EY400001").exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"valid_rows_only": "on"})
    assert response.status_code == 302
    ofsted_import.refresh_from_db()
    assert ofsted_import.status == ImportStatus.IMPORTED
    assert Setting.objects.filter(urn__in=["EY400001", "EY400002"]).count() == 2
    assert Inspection.objects.filter(setting__urn="EY400001").count() == 1
    html = client.get(response["Location"]).content.decode()
    assert "The import has started." in html and "What the import did" in html
    assert "Settings added" in html and "History" in html


def test_an_import_cannot_be_confirmed_twice(client, manager, django_capture_on_commit_callbacks):
    ofsted_import = previewed_import(manager, GOOD_ROWS)
    url = reverse("settings:import-confirm", args=[ofsted_import.pk])
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    history = Setting.history.count()
    response = client.post(url, follow=True)
    assert "This import is not waiting for confirmation." in response.content.decode()
    assert Setting.history.count() == history


def test_a_preview_that_changes_nothing_says_so(
    client, manager, django_capture_on_commit_callbacks
):
    done = previewed_import(manager, GOOD_ROWS)
    with django_capture_on_commit_callbacks(execute=True):
        services_import.do_confirm_ofsted_import(ofsted_import=done, confirmed_by=manager)
    again = previewed_import(manager, GOOD_ROWS)
    client.force_login(manager)
    html = client.get(again.get_absolute_url()).content.decode()
    assert "Every row matches the register: confirming changes nothing." in html
    assert "valid_rows_only" not in html


# --- The list of imports -------------------------------------------------------------------


def test_the_list_is_empty_at_first(client, manager):
    client.force_login(manager)
    html = client.get(reverse("settings:import-list")).content.decode()
    assert "No Ofsted data has been imported yet." in html
    assert reverse("settings:import-new") in html


@pytest.mark.parametrize("count", [3, 12])
def test_the_list_runs_a_constant_number_of_queries(
    client, manager, django_assert_num_queries, count
):
    for _ in range(count):
        stored_import(manager, GOOD_ROWS, status=ImportStatus.IMPORTED, to_create=2)
    client.force_login(manager)
    # session, user, count, page of imports
    with django_assert_num_queries(4):
        response = client.get(reverse("settings:import-list"))
    html = response.content.decode()
    assert html.count("ofsted.csv") == min(count, 25)
    assert "Imported" in html
