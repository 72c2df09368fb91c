"""A local stand-in for GOV.UK Notify's API: the endpoint KQM calls, on 127.0.0.1.

It checks what the real API checks for ``POST /v2/notifications/email`` (the JWT signed with
the API key's secret, issued by its service id, and the required fields) and answers as Notify
does: 201 with the notification, or Notify's error bodies. ``fail_next`` makes it answer the
next request with an error status instead.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"kqm_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"


@dataclass
class FakeNotify:
    base_url: str = ""
    sent: list[dict[str, Any]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)


def _handler(notify: FakeNotify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, kind: str, message: str) -> None:
            self._answer(
                status,
                {"status_code": status, "errors": [{"error": kind, "message": message}]},
            )

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path != "/v2/notifications/email":
                self._error(404, "NotFound", "Not found")
                return
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            try:
                if get_token_issuer(token) != SERVICE_ID:
                    raise TokenError("Invalid token: service not found")
                decode_jwt_token(token, SECRET)
            except TokenError as error:
                self._error(403, "AuthError", error.message)
                return
            if notify.fail_next:
                status = notify.fail_next.pop(0)
                self._error(status, "Error", f"Failing with {status} as asked")
                return
            data = json.loads(body)
            if data.get("template_id") != TEMPLATE_ID:
                self._error(400, "BadRequestError", "Template not found")
                return
            address = str(data.get("email_address", ""))
            if "@" not in address:
                self._error(400, "ValidationError", "email_address Not a valid email address")
                return
            personalisation = data.get("personalisation") or {}
            missing = {"subject", "body"} - set(personalisation)
            if missing:
                self._error(400, "BadRequestError", f"Missing personalisation: {sorted(missing)}")
                return
            notification_id = str(uuid.uuid4())
            notify.sent.append({"id": notification_id, **data})
            self._answer(
                201,
                {
                    "id": notification_id,
                    "reference": data.get("reference"),
                    "content": {
                        "subject": personalisation["subject"],
                        "body": personalisation["body"],
                        "from_email": "kqm@notifications.service.gov.uk",
                    },
                    "uri": f"{notify.base_url}/v2/notifications/{notification_id}",
                    "template": {
                        "id": TEMPLATE_ID,
                        "version": 1,
                        "uri": f"{notify.base_url}/v2/template/{TEMPLATE_ID}",
                    },
                },
            )

    return Handler


@pytest.fixture(name="fake_notify")
def fake_notify_fixture(settings: Any) -> Iterator[FakeNotify]:
    """A fake Notify on a free port, and the email settings of ``EMAIL_URL=notify://``."""
    notify = FakeNotify()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(notify))
    notify.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "kqm.notify.NotifyEmailBackend"
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_TEMPLATE_ID = TEMPLATE_ID
    settings.NOTIFY_BASE_URL = notify.base_url
    settings.NOTIFY_CALLBACK_TOKEN = "callback-token-for-tests-0123456789"
    try:
        yield notify
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
