"""The certificate through a real Celery worker: granted, rendered, stored, emailed once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accreditation.models import Award, Status
from accreditation.services.awards import do_grant_award, do_request_certificate_render
from kqm.celery import app as celery_app
from kqm.models import Role, SentEmail
from tests.celery_worker import celery_worker, wait_for
from tests.factories import AccreditationFactory, SettingFactory, UserFactory
from tests.pdf import pdf_text

from .award_factories import decode_qr_codes, qr_tools_missing

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SITE_URL = "https://kqm.example.gov.uk"


def _rendered_at(award_id: int) -> datetime.datetime | None:
    return Award.objects.get(pk=award_id).certificate_rendered_at


def test_a_real_worker_renders_the_certificate_and_emails_the_setting_once(tmp_path, settings):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.SITE_URL = SITE_URL
    setting = SettingFactory(
        name="Little Acorns Day Nursery", urn="EY412345", town="Canterbury", postcode="CT1 2AB"
    )
    UserFactory(role=Role.SETTING_MANAGER, settings=[setting], email="asha@acorns.example")
    kqm_manager = UserFactory(role=Role.MANAGER)
    accreditation = AccreditationFactory(setting=setting, status=Status.ACCREDITED)
    award_date = timezone.localdate() - datetime.timedelta(days=2)

    with celery_worker(
        tmp_path, extra_env={"MEDIA_ROOT": str(media), "SITE_URL": SITE_URL}
    ) as worker:
        celery_app.conf.task_always_eager = False
        previous_queue = celery_app.conf.task_default_queue
        celery_app.conf.task_default_queue = worker.queue
        try:
            # Queued on commit by the grant, rendered and stored by the worker process.
            award = do_grant_award(
                accreditation=accreditation, award_date=award_date, granted_by=kqm_manager
            )
            wait_for(lambda: _rendered_at(award.pk), 90, "the certificate", worker.log)
            wait_for(worker.mail_files, 60, "the email", worker.log)
            first_rendered = _rendered_at(award.pk)
            assert first_rendered is not None

            # The manager's "render again": the same file is replaced, nobody is emailed again.
            do_request_certificate_render(award=award, requested_by=kqm_manager)
            wait_for(
                lambda: (_rendered_at(award.pk) or first_rendered) > first_rendered,
                90,
                "the second rendering",
                worker.log,
            )
            # Two renderings and the two email tasks they queued.
            wait_for(lambda: worker.log().count("succeeded") >= 4, 60, "every task", worker.log)
        finally:
            celery_app.conf.task_default_queue = previous_queue

    award.refresh_from_db()
    assert award.certificate.name == f"certificates/{award.year}/{award.number}.pdf"
    path = media / award.certificate.name
    assert sorted(p.name for p in path.parent.iterdir()) == [f"{award.number}.pdf"]
    text = pdf_text(path)
    for expected in (
        "Little Acorns Day Nursery",
        "EY412345",
        award.number,
        award.verification_code_display,
        f"{award.award_date:%-d %B %Y}",
        f"{award.expiry_date:%-d %B %Y}",
    ):
        assert expected in text, f"{expected!r} is not on the certificate"

    mails = worker.mail_files()
    assert len(mails) == 1, [m.read_text() for m in mails]
    message = mails[0].read_text()
    assert "To: asha@acorns.example" in message
    assert f"The certificate for award {award.number} is ready to download." in message
    assert f"{SITE_URL}/programme/awards/{award.pk}/" in message
    assert SentEmail.objects.filter(template="certificate_ready").count() == 1

    reason = qr_tools_missing()
    if reason:
        pytest.skip(reason)
    assert decode_qr_codes(path, tmp_path) == [
        f"{SITE_URL}/verify/{award.verification_code_display}/"
    ]
