"""The Ofsted data import in Chromium: upload, preview, confirm; every page axe-clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from kqm.models import Role, User
from settings import services_import
from settings.models import ImportStatus, OfstedImport, Setting
from tests.factories import SettingFactory
from tests.settings.ofsted_files import childminder, eif, row, to_csv

from .conftest import A11yPage

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_manager_uploads_checks_and_confirms_an_ofsted_file(
    transactional_db: None, a11y_page: A11yPage, users: dict[str, User], tmp_path: Path
) -> None:
    SettingFactory(urn="EY400001", name="Old Name Nursery", district="Canterbury")
    page = a11y_page.page
    a11y_page.login(users[Role.MANAGER])
    a11y_page.goto("/settings/imports/", "import list, empty")
    page.get_by_role("link", name="Upload an Ofsted file").click()
    a11y_page.check("upload page")

    page.get_by_role("button", name="Upload and check the file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the Ofsted CSV file")
    a11y_page.check("upload page with an error")

    data = to_csv(
        [row("EY400001", **eif("14/03/2022", "Good")), childminder("EY400002"), row("XY12")]
    )
    page.get_by_label("Ofsted childcare providers file (CSV, XLSX or ODS)").set_input_files(
        {"name": "childcare_providers.csv", "mimeType": "text/csv", "buffer": data}
    )
    page.get_by_role("button", name="Upload and check the file").click()
    # The check runs on commit (in-process in tests); the page shows its result.
    expect(page.get_by_role("heading", name="What the import will do")).to_be_visible()
    expect(page.get_by_test_id("to-create")).to_have_text("1")
    expect(page.get_by_test_id("to-update")).to_have_text("1")
    expect(page.get_by_test_id("rejected")).to_have_text("1")
    expect(page.get_by_test_id("rejected-rows")).to_contain_text("“XY12” is not an Ofsted URN")
    changes = page.get_by_test_id("changes")
    expect(changes).to_contain_text("Old Name Nursery")
    expect(changes).to_contain_text("Nursery EY400001")
    expect(page.get_by_role("link", name="Download every change (CSV)")).to_be_visible()
    page.get_by_text("Columns of the file:").click()
    expect(page.get_by_test_id("column-map")).to_contain_text("ignored")
    a11y_page.check("preview")
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
    assert Setting.objects.get(urn="EY400001").name == "Old Name Nursery"

    page.get_by_role("button", name="Import into the register").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Confirm that only the valid rows will be imported"
    )
    a11y_page.check("preview with an error")
    page.get_by_label("I understand that the 1 rejected row will not be imported").check()
    page.get_by_role("button", name="Import into the register").click()
    expect(page.get_by_role("heading", name="What the import did")).to_be_visible()
    a11y_page.check("imported")
    assert Setting.objects.filter(urn__in=["EY400001", "EY400002"]).count() == 2
    assert Setting.objects.get(urn="EY400001").district == "Canterbury"

    a11y_page.goto("/settings/imports/", "import list")
    expect(page.get_by_role("link", name="childcare_providers.csv")).to_be_visible()


def test_the_progress_page_moves_and_reloads_when_the_check_is_done(
    transactional_db: None, a11y_page: A11yPage, users: dict[str, User]
) -> None:
    manager = users[Role.MANAGER]
    ofsted_import = services_import.do_upload_ofsted_import(
        uploaded_by=manager,
        upload=SimpleUploadedFile("ofsted.csv", to_csv([row("EY400001")])),
        encoding="utf-8-sig",
        check_now=False,
    )
    OfstedImport.objects.filter(pk=ofsted_import.pk).update(
        status=ImportStatus.PREVIEWING, rows_total=4000
    )
    ofsted_import.refresh_from_db()
    services_import.record_progress(ofsted_import, 1000)

    page = a11y_page.page
    a11y_page.login(manager)
    a11y_page.goto(ofsted_import.get_absolute_url(), "progress page")
    expect(page.locator("progress")).to_have_attribute("value", "25")

    services_import.record_progress(ofsted_import, 3000)
    expect(page.locator("[data-progress-text]")).to_contain_text("3,000 of 4,000 rows (75%)")

    OfstedImport.objects.filter(pk=ofsted_import.pk).update(status=ImportStatus.PREVIEWED)
    expect(page.get_by_role("heading", name="What the import will do")).to_be_visible()
