"""Every page is protected unless it is deliberately public.

The test walks every URL pattern of the project. A new page that forgets
protection fails here: anonymous visitors must be redirected to sign in, and
every view of our own apps must declare the roles that may use it.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.urls import reverse

from tests.urlwalk import walk

# Pages that anonymous visitors may open. Adding one here is a deliberate decision.
PUBLIC = {
    "login",
    "healthz",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "accept-invitation",
    "invitation_complete",
    "admin:login",
    # An evaluator's visits as iCalendar for their calendar app, which cannot sign in: the
    # unguessable, regenerable token in the URL is the key (tests/accreditation/test_visits.py).
    "accreditation:calendar-feed",
    # Anyone may check a certificate and see who holds the mark (accreditation/views/public.py).
    "verify",
    "verify-award",
    "public-register",
    # The accessibility statement is for everyone, before signing in too.
    "accessibility",
    # Staff and parents answer questionnaires through a single-use link, with no account
    # (tests/audits/test_questionnaires.py).
    "audits:questionnaire-answer",
    "audits:questionnaire-thanks",
    # Machines with a bearer token of their own, not a session: the Prometheus scraper
    # (tests/kqm/test_observability.py) and Notify's delivery receipts (tests/kqm/test_notify.py).
    "metrics",
    "notify-delivery-status",
}
OUR_APPS = ("kqm.", "settings.", "accreditation.", "audits.")


def test_public_views_are_exactly_the_allowed_list():
    public = {
        route.name for route in walk() if getattr(route.callback, "login_required", True) is False
    }
    assert public == PUBLIC


@pytest.mark.django_db
def test_every_non_public_url_redirects_anonymous_visitors_to_sign_in(client):
    login_path = reverse(settings.LOGIN_URL)
    admin_login_path = reverse("admin:login")
    checked = 0
    for route in walk():
        if route.name in PUBLIC or route.url is None:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(route.url)
            # 405 for a wrong method is only allowed after authentication.
            assert response.status_code == 302, (
                f"{method.upper()} {route.url} ({route.name}) gave {response.status_code}"
            )
            # The admin sends visitors to its own sign-in page (staff only).
            expected = (
                {login_path, admin_login_path} if route.name.startswith("admin:") else {login_path}
            )
            location = urlparse(response["Location"]).path
            assert location in expected, f"{route.url} redirects to {response['Location']}"
        checked += 1
    assert checked >= 5


def test_every_view_of_our_apps_declares_its_roles():
    undeclared = []
    for route in walk():
        module = getattr(route.callback, "__module__", "")
        if not module.startswith(OUR_APPS) or route.name in PUBLIC:
            continue
        if not getattr(route.callback, "kqm_roles", None):
            undeclared.append(route.name)
    assert undeclared == [], f"views without role_required: {undeclared}"
