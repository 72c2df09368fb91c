"""The certificate PDF: what it says, its QR code, storing it once, and the email to the setting."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from pypdf import PdfReader

from accreditation.certificates import certificate_html, render_certificate_pdf
from accreditation.models import Award, Status
from accreditation.services.awards import do_grant_award, do_revoke_award
from accreditation.tasks import render_certificate
from kqm.models import Role, SentEmail
from tests.factories import AccreditationFactory, SettingFactory, UserFactory
from tests.pdf import pdf_text

from .award_factories import AwardFactory, decode_qr_codes, qr_tools_missing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://kqm.example.gov.uk"


@pytest.fixture
def setting():
    return SettingFactory(
        name="Little Acorns Day Nursery", urn="EY412345", town="Canterbury", postcode="CT1 2AB"
    )


@pytest.fixture
def setting_managers(setting):
    return [
        UserFactory(role=Role.SETTING_MANAGER, settings=[setting], email="asha@acorns.example"),
        UserFactory(role=Role.SETTING_MANAGER, settings=[setting], email="ben@acorns.example"),
    ]


@pytest.fixture
def award(setting):
    return AwardFactory(
        accreditation__setting=setting,
        award_date=datetime.date(2026, 3, 14),
        verification_code="7KQ3M9XP2T",
        year=2026,
        sequence=42,
    )


def stored_pdf(award: Award) -> Path:
    award.refresh_from_db()
    assert award.certificate.name == "certificates/2026/KQM-2026-0042.pdf"
    return Path(award.certificate.path)


@pytest.mark.real_pdf
def test_the_certificate_says_who_holds_the_mark_when_and_how_to_check_it(award, settings):
    assert render_certificate(award.pk) is True
    path = stored_pdf(award)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT) / "certificates")
    reader = PdfReader(str(path))
    assert len(reader.pages) == 1
    # Tagged for screen readers (PDF/UA-1): marked content, a structure tree, the language.
    catalog: Any = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert "/StructTreeRoot" in catalog
    assert str(catalog["/Lang"]).startswith("en")
    assert b"pdfuaid:part" in reader.xmp_metadata.stream.get_data()  # type: ignore[union-attr]
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    text = pdf_text(path)
    for expected in (
        "Quality Mark for Early Years",
        "Little Acorns Day Nursery",
        "EY412345",
        "Canterbury, CT1 2AB",
        "14 March 2026",
        "14 March 2029",
        "KQM-2026-0042",
        "7KQ3-M9XP-2T",
        "https://kqm.example.gov.uk/verify/",
    ):
        assert expected in text, f"{expected!r} is not on the certificate"


@pytest.mark.real_pdf
def test_the_qr_code_leads_to_the_verification_page(award, tmp_path):
    render_certificate(award.pk)
    reason = qr_tools_missing()
    if reason:
        pytest.skip(reason)
    assert decode_qr_codes(stored_pdf(award), tmp_path) == [
        "https://kqm.example.gov.uk/verify/7KQ3-M9XP-2T/"
    ]


def test_the_schemes_name_is_a_setting(award, settings):
    settings.KQM_SCHEME_NAME = "Kent Quality Mark"
    text = pdf_text_of(award)
    assert "Kent Quality Mark" in text
    assert "Quality Mark for Early Years" not in text


def pdf_text_of(award: Award) -> str:
    return pdf_text(render_certificate_pdf(award))


@pytest.mark.real_pdf
def test_a_long_name_still_fits_on_one_page(settings):
    name = "The Very Long Named Community Pre-school and Out of School Club of St Mary"
    long_award = AwardFactory(accreditation__setting=SettingFactory(name=name))
    from io import BytesIO

    reader = PdfReader(BytesIO(render_certificate_pdf(long_award)))
    assert len(reader.pages) == 1
    assert "setting--s" in certificate_html(long_award)


@pytest.mark.real_pdf
def test_markup_in_a_name_is_printed_as_text_and_nothing_is_fetched(settings):
    hostile = AwardFactory(
        accreditation__setting=SettingFactory(name='Bad <img src="http://example.com/x.png">')
    )
    html = certificate_html(hostile)
    assert '<img src="http://example.com' not in html
    assert "&lt;img" in html
    assert render_certificate_pdf(hostile).startswith(b"%PDF-")


def test_the_setting_managers_are_emailed_once_however_often_it_is_rendered(
    award, setting_managers, django_capture_on_commit_callbacks
):
    UserFactory(role=Role.PRACTITIONER, settings=[award.setting])  # practitioners are not emailed
    UserFactory(role=Role.SETTING_MANAGER, settings=[award.setting], is_active=False)
    UserFactory(role=Role.SETTING_MANAGER, settings=[SettingFactory()])  # another setting's
    with django_capture_on_commit_callbacks(execute=True):
        render_certificate(award.pk)
    path = stored_pdf(award)
    first_rendered = Award.objects.get(pk=award.pk).certificate_rendered_at
    assert sorted(message.to[0] for message in mail.outbox) == [
        "asha@acorns.example",
        "ben@acorns.example",
    ]
    message = mail.outbox[0]
    assert (
        message.subject == "Your Quality Mark for Early Years certificate is ready (KQM-2026-0042)"
    )
    assert f"https://kqm.example.gov.uk/programme/awards/{award.pk}/" in message.body
    assert "Expires on: 14 March 2029" in message.body

    # Rendered again: the same file is replaced and nobody is emailed twice.
    path.write_bytes(b"an older file")
    with django_capture_on_commit_callbacks(execute=True):
        render_certificate(award.pk)
    assert stored_pdf(award) == path
    assert path.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in path.parent.iterdir()) == ["KQM-2026-0042.pdf"]
    rendered_again = Award.objects.get(pk=award.pk).certificate_rendered_at
    assert first_rendered is not None and rendered_again is not None
    assert rendered_again >= first_rendered
    assert len(mail.outbox) == 2
    assert SentEmail.objects.filter(template="certificate_ready").count() == 2


def test_granting_renders_the_certificate_and_emails_once_committed(
    setting, setting_managers, manager, django_capture_on_commit_callbacks
):
    accreditation = AccreditationFactory(setting=setting, status=Status.ACCREDITED)
    with (
        time_machine.travel(datetime.datetime(2026, 11, 25, 12, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        award = do_grant_award(
            accreditation=accreditation,
            award_date=datetime.date(2026, 11, 20),
            granted_by=manager,
        )
    award.refresh_from_db()
    assert award.has_certificate and award.certificate_rendered_at is not None
    text = pdf_text(award.certificate.path)
    assert award.verification_code_display in text and "20 November 2029" in text
    expected = set(
        setting.members.filter(role=Role.SETTING_MANAGER).values_list("email", flat=True)
    )
    assert len(expected) == 3  # the two above and the ``users`` fixture's setting manager
    assert sorted(message.to[0] for message in mail.outbox) == sorted(expected)


def test_a_revoked_or_missing_award_is_not_rendered(award, manager):
    do_revoke_award(award=award, by=manager, reason="Setting closed")
    assert render_certificate(award.pk) is False
    assert render_certificate(999999) is False
    award.refresh_from_db()
    assert not award.has_certificate
