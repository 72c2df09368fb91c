"""Checking a certificate in Chromium: the public register, the check page and the form,
an unknown code, the rate limit, and the KQM manager revoking the award; each page axe-clean."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from accreditation.models import Award
from kqm.models import Role, User
from settings.models import Setting
from tests.accreditation.award_factories import AwardFactory
from tests.factories import SettingFactory

from .conftest import A11yPage

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"browser-verify-{uuid.uuid4()}",
        }
    }


@pytest.fixture
def award(transactional_db: None, users: dict[str, User], setting: Setting, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    setting.town = "Canterbury"
    setting.postcode = "CT1 2AB"
    setting.save()
    SettingFactory(name="Bramble Pre-school")  # not on the public register: no award
    award = AwardFactory(
        accreditation__setting=setting,
        award_date=datetime.date.today() - datetime.timedelta(days=30),
        verification_code="7KQ3M9XP2T",
        granted_by=users[Role.MANAGER],
    )
    award.certificate.save(f"{award.number}.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    return award


def test_a_parent_checks_a_certificate_then_the_manager_revokes_it(
    a11y_page: A11yPage, users: dict[str, User], award: Award, settings
) -> None:
    page = a11y_page.page

    # The public register, searched by postcode.
    a11y_page.goto("/register/", "public register")
    expect(page.get_by_role("cell", name="Little Acorns Day Nursery Ofsted URN")).to_be_visible()
    expect(page.get_by_text("Bramble Pre-school")).to_have_count(0)
    page.get_by_label("Setting name, town or postcode").fill("ct12ab")
    page.get_by_role("button", name="Search").click()
    a11y_page.check("public register, searched")
    expect(page.get_by_role("heading", name="1 setting found")).to_be_visible()
    page.get_by_role("link", name="Check the award of Little Acorns Day Nursery").click()
    a11y_page.check("certificate check: valid")
    expect(page.get_by_role("heading", name="Little Acorns Day Nursery")).to_be_visible()
    expect(page.locator(".kqm-verdict .govuk-tag")).to_have_text("Valid")

    # The accessibility statement, from the footer.
    page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement").click()
    a11y_page.check("accessibility statement")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement for KQM")

    # The form: nothing typed, then the code as a person might type it.
    a11y_page.goto("/verify/", "check form")
    page.get_by_role("button", name="Check the certificate").click()
    a11y_page.check("check form with an error")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the verification code from the certificate"
    )
    page.get_by_label("Verification code").fill("7kq3 m9xp 2t")
    page.get_by_role("button", name="Check the certificate").click()
    assert page.url.endswith("/verify/7KQ3-M9XP-2T/")
    expect(page.locator(".kqm-verdict .govuk-tag")).to_have_text("Valid")

    # A code no award has.
    response = a11y_page.goto("/verify/AAAA-BBBB-CC/", "code not found")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Verification code not found")).to_be_visible()

    # The KQM manager finds the award and revokes it, after a mistake.
    a11y_page.login(users[Role.MANAGER])
    a11y_page.goto("/programme/awards/", "award list")
    page.get_by_role("link", name=award.number).click()
    a11y_page.check("award page")
    page.get_by_role("link", name="Revoke the award").click()
    a11y_page.check("revoke confirmation")
    page.get_by_role("button", name="Revoke the award").click()
    a11y_page.check("revoke confirmation with an error")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the reason for revoking the award"
    )
    page.get_by_label("Why is the award being revoked?").fill("Safeguarding concern upheld")
    page.get_by_role("button", name="Revoke the award").click()
    a11y_page.check("award page, revoked")
    expect(page.get_by_text(f"{award.number} has been revoked.")).to_be_visible()

    # The certificate now verifies as revoked, and the register no longer lists the setting.
    page.get_by_role("link", name="See the public verification page").click()
    a11y_page.check("certificate check: revoked")
    expect(page.locator(".kqm-verdict .govuk-tag")).to_have_text("Revoked")
    expect(page.get_by_text("Safeguarding concern upheld")).to_have_count(0)
    a11y_page.goto("/register/", "public register, nobody holds the mark")
    expect(page.get_by_text("No setting holds the award at the moment.")).to_be_visible()


def test_the_setting_manager_downloads_the_certificate_and_a_busy_visitor_is_paused(
    a11y_page: A11yPage, users: dict[str, User], award: Award, settings
) -> None:
    page = a11y_page.page
    a11y_page.login(users[Role.SETTING_MANAGER])
    a11y_page.goto("/programme/awards/", "award list, setting manager")
    page.get_by_role("link", name=award.number).click()
    a11y_page.check("award page, setting manager")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the certificate (PDF)").click()
    assert download.value.suggested_filename == f"{award.number}-certificate.pdf"

    settings.VERIFY_RATE_LIMIT = 2
    for _ in range(2):
        page.goto(a11y_page.url("/verify/7KQ3-M9XP-2T/"))
    response = a11y_page.goto("/verify/7KQ3-M9XP-2T/", "too many checks")
    assert response is not None and response.status == 429
    expect(page.get_by_role("heading", name="Too many certificate checks")).to_be_visible()
