"""Tells the person when work their change started could not be queued straight away."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse

from . import outbox

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
