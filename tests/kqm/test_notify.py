"""GOV.UK Notify: emails through one template, and delivery receipts on the sent-email record.

Against a local server that implements the Notify endpoint KQM calls (``notify_helpers``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.urls import reverse

from kqm.emails import render_email, send_once
from kqm.models import DeliveryStatus, EmailStatus, SentEmail
from kqm.notify import NotifyRejected, NotifyUnavailable
from kqm.tasks import send_templated_email
from tests.factories import UserFactory

from .notify_helpers import TEMPLATE_ID, fake_notify_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

CONTEXT = {"inviter": "Ada <b>Lovelace</b>", "role": "Evaluator", "link": "/set-password/"}
RECEIPT_URL = "/notify/delivery-status"


def _send(key: str = "invitation:1") -> bool:
    return send_once(key=key, template="invitation", to="asha@example.org", context=CONTEXT)


def test_the_subject_and_text_become_the_templates_personalisation(fake_notify):
    assert _send() is True
    [sent] = fake_notify.sent
    subject, text, _html = render_email("invitation", CONTEXT)
    assert sent["template_id"] == TEMPLATE_ID
    assert sent["email_address"] == "asha@example.org"
    assert sent["personalisation"] == {"subject": subject, "body": text}
    assert "<html" not in sent["personalisation"]["body"]  # the text part: Notify makes the HTML
    record = SentEmail.objects.get(key="invitation:1")
    assert record.status == EmailStatus.SENT
    assert record.notify_id == sent["id"]
    assert sent["reference"] == record.message_id.strip("<>")
    # Sent once: a second run finds it sent and does not call Notify.
    assert _send() is False
    assert len(fake_notify.sent) == 1


def test_a_refused_email_fails_for_good_and_an_unavailable_notify_is_retried(fake_notify):
    fake_notify.fail_next.append(400)
    with pytest.raises(NotifyRejected):
        _send("invitation:refused")
    assert SentEmail.objects.get(key="invitation:refused").status == EmailStatus.FAILED

    for status in (500, 429):
        fake_notify.fail_next.append(status)
        with pytest.raises(NotifyUnavailable):
            _send(f"invitation:{status}")
    # NotifyUnavailable is a ConnectionError: the email task's automatic retry covers it.
    assert issubclass(NotifyUnavailable, send_templated_email.autoretry_for)
    assert not issubclass(NotifyRejected, send_templated_email.autoretry_for)
    assert _send("invitation:500") is True  # the retry goes through
    assert len(fake_notify.sent) == 1


def test_the_email_task_sends_through_notify(fake_notify):
    user = UserFactory(email="ben@example.org")
    send_templated_email.delay(
        key="invitation:task", template="invitation", user_id=user.pk, context=CONTEXT
    )
    [sent] = fake_notify.sent
    assert sent["email_address"] == "ben@example.org"
    assert SentEmail.objects.get(key="invitation:task").notify_id == sent["id"]


def _receipt(client, payload, token="callback-token-for-tests-0123456789"):
    return client.post(
        RECEIPT_URL,
        json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_delivery_receipts_are_recorded_on_the_sent_email(client, fake_notify):
    _send()
    record = SentEmail.objects.get(key="invitation:1")
    payload = {
        "id": record.notify_id,
        "reference": record.message_id.strip("<>"),
        "to": "asha@example.org",
        "status": "delivered",
        "created_at": "2026-12-07T09:00:00.000000Z",
        "completed_at": "2026-12-07T09:00:04.000000Z",
        "sent_at": "2026-12-07T09:00:01.000000Z",
        "notification_type": "email",
    }
    response = _receipt(client, payload)
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.delivery_status == DeliveryStatus.DELIVERED
    assert record.delivery_status_at is not None
    assert record.delivery_status_at.isoformat() == "2026-12-07T09:00:04+00:00"

    response = _receipt(client, {**payload, "status": "permanent-failure"})
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.get_delivery_status_display() == "Address does not exist"


def test_a_receipt_found_by_its_reference_when_the_id_was_not_recorded(client, fake_notify):
    _send()
    record = SentEmail.objects.get(key="invitation:1")
    SentEmail.objects.filter(pk=record.pk).update(notify_id="")
    payload = {
        "id": "740e5834-3a29-46b4-9a6f-16142fde533a",
        "reference": record.message_id.strip("<>"),
        "status": "temporary-failure",
    }
    assert _receipt(client, payload).status_code == 200
    record.refresh_from_db()
    assert record.notify_id == payload["id"]
    assert record.delivery_status == DeliveryStatus.TEMPORARY_FAILURE


def test_receipts_need_the_token_and_a_known_status(client, fake_notify):
    _send()
    record = SentEmail.objects.get(key="invitation:1")
    payload = {"id": record.notify_id, "status": "delivered"}
    assert _receipt(client, payload, token="wrong").status_code == 401
    assert client.post(RECEIPT_URL, payload, content_type="application/json").status_code == 401
    assert _receipt(client, {**payload, "status": "opened"}).status_code == 400
    response = client.post(
        RECEIPT_URL,
        "not json",
        content_type="application/json",
        headers={"Authorization": "Bearer callback-token-for-tests-0123456789"},
    )
    assert response.status_code == 400
    unknown = {"id": "00000000-0000-0000-0000-000000000000", "status": "delivered"}
    assert _receipt(client, unknown).status_code == 404
    assert client.get(RECEIPT_URL).status_code == 405
    record.refresh_from_db()
    assert record.delivery_status == ""


def test_receipts_are_refused_when_no_token_is_configured(client, fake_notify, settings):
    settings.NOTIFY_CALLBACK_TOKEN = ""
    assert _receipt(client, {"id": "x", "status": "delivered"}, token="").status_code == 401


def test_email_url_notify_chooses_the_notify_backend():
    env = {**os.environ, "EMAIL_URL": "notify://", "DJANGO_SETTINGS_MODULE": "kqm.settings"}
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip() == "kqm.notify.NotifyEmailBackend", out.stderr
    assert reverse("notify-delivery-status") == RECEIPT_URL
