"""GOV.UK Notify: an email backend, and the delivery receipts Notify sends back.

``EMAIL_URL=notify://`` sends every email through one Notify email template whose subject is
``((subject))`` and whose message is ``((body))``: our subject and plain-text body (the
``emails/<name>/`` trio) become that template's personalisation; Notify renders its own
accessible HTML from the text, so our HTML part is not sent. The email's Message-ID goes as
Notify's ``reference``, and Notify's notification id is kept on the ``SentEmail`` record.

Notify then posts a delivery receipt to ``/notify/delivery-status`` (set it, with a bearer
token, as the service's callback in Notify's settings); the status (delivered, or which kind
of failure) is recorded on the same record.

Errors: a 4xx answer (an address or a template Notify refuses) is permanent and the email is
recorded as failed; a 429, a 5xx or no answer is raised as a ``ConnectionError``, which the
email task retries with back-off.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient
from requests import RequestException

from .access import bearer_token_matches, public
from .models import DeliveryStatus, SentEmail

logger = logging.getLogger(__name__)


class NotifyRejected(Exception):
    """Notify refused the email for good (a 4xx answer): sending it again cannot help."""


class NotifyUnavailable(ConnectionError):
    """Notify did not answer, or asked us to slow down: the task tries again later."""


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        if not settings.NOTIFY_API_KEY or not settings.NOTIFY_TEMPLATE_ID:
            raise ImproperlyConfigured(
                "EMAIL_URL=notify:// needs NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID."
            )
        self.client = NotificationsAPIClient(
            settings.NOTIFY_API_KEY,
            base_url=settings.NOTIFY_BASE_URL,
            timeout=settings.EMAIL_TIMEOUT,
        )

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            try:
                self._send(message)
            except Exception:
                if not self.fail_silently:
                    raise
            else:
                sent += 1
        return sent

    def _send(self, message: EmailMessage) -> None:
        # The Message-ID that ``kqm.emails.send_once`` records for this email.
        reference = message.extra_headers.get("Message-ID", "").strip("<>")
        for address in message.recipients():
            try:
                answer = self.client.send_email_notification(
                    email_address=address,
                    template_id=settings.NOTIFY_TEMPLATE_ID,
                    personalisation={"subject": message.subject, "body": message.body},
                    reference=reference or None,
                    email_reply_to_id=settings.NOTIFY_REPLY_TO_ID or None,
                )
            except HTTPError as error:
                if error.status_code == 429 or error.status_code >= 500:
                    raise NotifyUnavailable(str(error)) from error
                raise NotifyRejected(str(error)) from error
            except RequestException as error:
                raise NotifyUnavailable(repr(error)) from error
            # Read by send_once, which keeps it on the SentEmail record.
            message.notify_id = answer["id"]  # type: ignore[attr-defined]


def _receipt(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return None
    if data.get("status") not in DeliveryStatus.values:
        return None
    return data


@public
@csrf_exempt
@require_POST
def delivery_status(request: HttpRequest) -> HttpResponse:
    """Notify's delivery receipt for one email: record its status on the SentEmail record."""
    if not bearer_token_matches(request, settings.NOTIFY_CALLBACK_TOKEN):
        return JsonResponse({"error": "Unauthorised"}, status=401)
    receipt = _receipt(request.body)
    if receipt is None:
        return JsonResponse({"error": "Not a Notify delivery receipt"}, status=400)
    when = parse_datetime(str(receipt.get("completed_at") or receipt.get("sent_at") or ""))
    if when is not None and timezone.is_naive(when):
        when = timezone.make_aware(when, datetime.UTC)
    updated = SentEmail.objects.filter(notify_id=receipt["id"]).update(
        delivery_status=receipt["status"], delivery_status_at=when or timezone.now()
    )
    if not updated and receipt.get("reference"):
        message_id = f"<{receipt['reference']}>"
        updated = SentEmail.objects.filter(message_id=message_id, notify_id="").update(
            notify_id=receipt["id"],
            delivery_status=receipt["status"],
            delivery_status_at=when or timezone.now(),
        )
    if not updated:
        logger.warning("A Notify receipt for an unknown email: %s", receipt["id"])
        return JsonResponse({"error": "Unknown notification"}, status=404)
    logger.info("Notify %s: %s", receipt["id"], receipt["status"])
    return JsonResponse({"recorded": receipt["status"]})
