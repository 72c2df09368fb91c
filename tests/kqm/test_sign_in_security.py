"""Sign-in lockout on the normalised email, one client-address helper that believes
X-Forwarded-For only from configured proxies, and silent throttles (issue 19)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from kqm import ratelimit
from kqm.models import Role
from kqm.net import client_address
from kqm.services import do_invite_user
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _sign_in(client, email: str, password: str = "wrong", **meta: str):
    return client.post(reverse("login"), {"username": email, "password": password}, **meta)


def test_case_and_spaces_share_one_lockout_count(client, settings):
    UserFactory(email="tom@example.org")
    variants = ["Tom@example.org", " tom@example.org ", "TOM@EXAMPLE.ORG", "tom@Example.org"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, variants[n % len(variants)])
    response = _sign_in(client, "tom@example.org", TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_follows_the_account_not_the_address(client, settings):
    UserFactory(email="tom@example.org")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "tom@example.org", REMOTE_ADDR=f"203.0.113.{n + 1}")
    response = _sign_in(client, "Tom@example.org", TEST_PASSWORD, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 429


def test_other_accounts_behind_the_same_address_are_not_locked(client, settings):
    UserFactory(email="tom@example.org")
    sam = UserFactory(email="sam@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "tom@example.org")
    response = _sign_in(client, sam.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(sam.pk)


def test_an_address_failing_against_many_accounts_must_wait(client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    sam = UserFactory(email="sam@example.org")
    for n in range(3):
        _sign_in(client, f"person{n}@example.org", REMOTE_ADDR="203.0.113.5")
    response = _sign_in(client, sam.email, TEST_PASSWORD, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 200
    assert "too many failed sign-ins from your network" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address signs in as usual.
    response = _sign_in(client, sam.email, TEST_PASSWORD, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("127.0.0.1", "192.0.2.7", [], "127.0.0.1"),  # loopback is not trusted by default
        ("10.0.0.5", "192.0.2.7", [], "10.0.0.5"),  # nor a private address
        ("81.2.69.142", "192.0.2.7", ["10.0.0.0/8"], "81.2.69.142"),  # a direct visitor
        ("10.0.0.5", "192.0.2.7", ["10.0.0.0/8"], "192.0.2.7"),
        ("10.0.0.5", "6.6.6.6, 192.0.2.7", ["10.0.0.0/8"], "192.0.2.7"),  # spoofed left part
        ("10.0.0.5", "192.0.2.7, 10.0.0.9", ["10.0.0.0/8"], "192.0.2.7"),  # two proxies
        ("10.0.0.5", "not-an-address", ["10.0.0.0/8"], "10.0.0.5"),
        ("10.0.0.5", "", ["10.0.0.0/8"], "10.0.0.5"),
        ("", "192.0.2.7", [], "unknown"),
    ],
)
def test_client_address(settings, remote, forwarded, trusted, expected):
    settings.KQM_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_axes_uses_the_same_client_address(settings):
    from axes.helpers import get_client_ip_address

    settings.KQM_TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="192.0.2.7")
    assert get_client_ip_address(request) == "192.0.2.7"


def test_password_reset_is_throttled_per_account_silently(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 2
    UserFactory(email="sam@example.org")
    for n in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("password_reset"),
                {"email": " Sam@example.org" if n % 2 else "sam@example.org"},
                REMOTE_ADDR=f"203.0.113.{n + 1}",
            )
        assert response.status_code == 302
        assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 2


def test_password_reset_is_throttled_per_address_silently(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 2
    for n in range(4):
        UserFactory(email=f"user{n}@example.org")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("password_reset"), {"email": f"user{n}@example.org"})
        assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 2


def test_a_rate_limit_counts_in_process_and_logs_when_the_cache_is_down(caplog):
    broken = mock.Mock()
    broken.add.side_effect = ConnectionError("Redis is down")
    ratelimit._fallback.clear()
    with mock.patch.object(ratelimit, "cache", broken):
        assert ratelimit.hit("verify", "192.0.2.7", limit=1, window_seconds=60) is False
        assert ratelimit.hit("verify", "192.0.2.7", limit=1, window_seconds=60) is True
        assert ratelimit.count("verify", "192.0.2.7", window_seconds=60) == 0
    ratelimit._fallback.clear()
    assert "cache is unavailable" in caplog.text


def test_the_verify_page_answers_when_the_cache_is_down(client):
    broken = mock.Mock()
    broken.add.side_effect = ConnectionError("Redis is down")
    with mock.patch.object(ratelimit, "cache", broken):
        response = client.get(reverse("verify"))
    assert response.status_code == 200


def test_a_request_without_an_address_is_logged_in_by_axes_without_one(client):
    from django.http import HttpRequest

    from kqm.net import axes_client_address

    assert axes_client_address(HttpRequest()) is None
    client.force_login(UserFactory())  # axes records the sign-in; PostgreSQL refuses "unknown"


def _resend(client, person, address: str):
    return client.post(
        reverse("users:resend-invitation", args=[person.pk]), REMOTE_ADDR=address, follow=True
    )


def test_an_invitation_resend_is_throttled_per_account_silently(
    client, settings, manager, django_capture_on_commit_callbacks
):
    settings.INVITATION_RESEND_ACCOUNT_LIMIT = 2
    invited = do_invite_user(
        invited_by=manager, email="new@example.org", full_name="New Person", role=Role.VIEWER
    )
    client.force_login(manager)
    mail.outbox.clear()
    for n in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            response = _resend(client, invited, f"203.0.113.{n + 1}")
        # The same words every time: the page never says the limit was reached.
        assert "A new invitation is on its way to new@example.org" in response.content.decode()
    assert len(mail.outbox) == 2


def test_an_invitation_resend_is_throttled_per_address_silently(
    client, settings, manager, django_capture_on_commit_callbacks
):
    settings.INVITATION_RESEND_ADDRESS_LIMIT = 2
    client.force_login(manager)
    for n in range(4):
        invited = do_invite_user(
            invited_by=manager, email=f"new{n}@example.org", full_name="New", role=Role.VIEWER
        )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = _resend(client, invited, "198.51.100.9")
        assert response.status_code == 200
        assert len(mail.outbox) == (1 if n < 2 else 0), n
