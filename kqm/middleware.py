"""Middleware of KQM's own: request guards, and the notice when queued work is delayed.

Request guards run before any view (``RequestGuardMiddleware``):

* A body larger than ``KQM_MAX_REQUEST_BYTES`` is refused (413) from its ``Content-Length``,
  before a byte of it is read. The reverse proxy should refuse it first (docs/security.md).
* A null byte in a query string, a form field or a JSON body is refused (400): no page
  stores one, and PostgreSQL refuses them in text, which would otherwise be a 500.

``OutboxMiddleware`` tells the person when work their change started could not be queued
straight away (the outbox publishes it later).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.loader import render_to_string

from . import outbox
from .parsing import parse_int

log = logging.getLogger(__name__)

JSON_NULLS = (b"\\u0000", b"\x00")


def _refuse(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    body = render_to_string(
        "request_refused.html", {"title": title, "message": message}, request=request
    )
    return HttpResponse(body, status=status)


def _null_in(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


def _has_null(request: HttpRequest) -> bool:
    if _null_in(request.GET):
        return True
    if request.method not in ("POST", "PUT", "PATCH"):
        return False
    content_type = request.content_type or ""
    if content_type == "application/json":
        return any(marker in request.body for marker in JSON_NULLS)
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return _null_in(request.POST)  # the text fields; uploaded files are not checked
    return False


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = parse_int(request.META.get("CONTENT_LENGTH") or "0", minimum=0)
        limit = settings.KQM_MAX_REQUEST_BYTES
        if length is None or length > limit:
            log.warning("Refused a request body of %s bytes to %s", length, request.path)
            return _refuse(
                request,
                413,
                "The file or form is too large",
                f"Send less than {limit // (1024 * 1024)} MB at a time.",
            )
        if _has_null(request):
            return _refuse(
                request,
                400,
                "Sorry, there is a problem with what was sent",
                "It contained characters KQM cannot store. Go back, check the text and try again.",
            )
        return self.get_response(request)


DELAYED = (
    "Your change is saved. The work that follows it (such as an email or a document) "
    "could not start straight away: it will start by itself within a few minutes."
)


class OutboxMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        outbox.reset_publish_failures()
        response = self.get_response(request)
        if outbox.publish_failed():
            # Signed-in people only: to a visitor (a password reset) it would tell whether
            # the address has an account.
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                messages.warning(request, DELAYED, fail_silently=True)
            outbox.reset_publish_failures()
        return response
