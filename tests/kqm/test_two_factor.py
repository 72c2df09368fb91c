"""The second factor (issue 19): required for KQM managers and evaluators, offered to
everyone; TOTP with recovery codes; a manager's reset with an audit trail; the admin."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_otp import user_has_device
from django_otp.oath import totp

from kqm import two_factor
from kqm.models import Role
from tests.factories import TEST_PASSWORD, UserFactory

from .two_factor_helpers import code_for, enrol, next_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _enforced(settings):
    settings.KQM_REQUIRE_SECOND_FACTOR = True


def _sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return response


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EVALUATOR])
def test_managers_and_evaluators_must_enrol_before_any_page(client, users, role):
    _sign_in(client, users[role])
    for path in ("/", "/programme/accreditations/", "/users/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two-factor-setup"))


@pytest.mark.parametrize("role", [Role.SETTING_MANAGER, Role.PRACTITIONER, Role.VIEWER])
def test_other_roles_are_offered_it_but_not_forced(client, users, role):
    _sign_in(client, users[role])
    assert client.get("/").status_code == 200
    assert "Sign-in security" in client.get("/").content.decode()
    page = client.get(reverse("two-factor")).content.decode()
    assert "Set up an authenticator app" in page


def test_enrolment_shows_a_key_then_recovery_codes_once(client, manager):
    _sign_in(client, manager)
    page = client.get(reverse("two-factor-setup") + "?next=/users/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    key = client.session["two_factor_setup_key"]
    response = client.post(reverse("two-factor-setup") + "?next=/users/", {"code": "000000"})
    assert "The code is not right" in response.content.decode()
    assert not user_has_device(manager, confirmed=True)
    response = client.post(
        reverse("two-factor-setup") + "?next=/users/", {"code": code_for(key)}, follow=True
    )
    html = response.content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", html)
    assert len(codes) == two_factor.RECOVERY_CODES
    assert "They are shown only now" in html
    assert client.get("/users/").status_code == 200
    assert "<li><code>" not in client.get(reverse("two-factor-codes")).content.decode()


def test_sign_in_asks_for_the_code_and_refuses_without_it(client, manager, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code makes the next wait a second
    device, _ = enrol(manager)
    _sign_in(client, manager)
    response = client.get("/users/")
    assert response["Location"] == reverse("two-factor-verify") + "?next=%2Fusers%2F"
    # Setting up a new app needs the current one first.
    assert client.get(reverse("two-factor-setup"))["Location"] == reverse("two-factor-verify")
    response = client.post(reverse("two-factor-verify"), {"code": "123456"})
    assert "The code is not right" in response.content.decode()
    assert client.get("/users/").status_code == 302
    response = client.post(
        reverse("two-factor-verify") + "?next=/users/",
        {"code": next_code(device)},
    )
    assert response["Location"] == "/users/"
    assert client.get("/users/").status_code == 200


def test_a_recovery_code_works_once(client, manager):
    _, codes = enrol(manager)
    _sign_in(client, manager)
    response = client.post(reverse("two-factor-verify"), {"code": codes[0].upper()}, follow=True)
    assert "You signed in with a recovery code. You have 9 left" in response.content.decode()
    client.post(reverse("logout"))
    _sign_in(client, manager)
    response = client.post(reverse("two-factor-verify"), {"code": codes[0]})
    assert "The code is not right, or has been used" in response.content.decode()


def test_a_sign_in_after_an_enrolment_that_crossed_a_step_is_accepted(client, manager):
    """The enrolment's code was shown in the step that had just ended, so the device keeps
    a step of drift; the next sign-in's code still works (and the test helper gives it)."""
    key = two_factor.new_secret()
    late = str(totp(bytes.fromhex(key), step=30, t0=0, digits=6, drift=-1)).zfill(6)
    enrolled = two_factor.do_enrol_totp(user=manager, hex_key=key, token=late)
    assert enrolled is not None
    device, _ = enrolled
    _sign_in(client, manager)
    response = client.post(reverse("two-factor-verify"), {"code": next_code(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_the_next_address_stays_on_kqm(client, manager):
    device, _ = enrol(manager)
    _sign_in(client, manager)
    response = client.post(
        reverse("two-factor-verify") + "?next=https://evil.example/",
        {"code": next_code(device)},
    )
    assert response["Location"] == reverse("dashboard")


def test_a_manager_resets_another_users_second_factor_with_a_trail(client, manager, users):
    evaluator = users[Role.EVALUATOR]
    enrol(evaluator)
    client.force_login(manager)
    session = client.session
    enrol(manager)
    # force_login does not give the second code: the manager verifies like anyone else.
    assert client.get(reverse("users:detail", args=[evaluator.pk])).status_code == 302
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=manager)
    client.post(reverse("two-factor-verify"), {"code": next_code(device)})
    detail = client.get(reverse("users:detail", args=[evaluator.pk])).content.decode()
    assert "Reset second factor" in detail
    url = reverse("users:reset-second-factor", args=[evaluator.pk])
    assert "Reset the second factor of" in client.get(url).content.decode()
    client.post(url)
    assert not user_has_device(evaluator, confirmed=None)
    evaluator.refresh_from_db()
    entry = evaluator.history.first()
    assert entry.second_factor_reset_at is not None
    assert entry.history_user == manager
    assert session is not None


def test_only_managers_may_reset(client, users):
    client.force_login(users[Role.SETTING_MANAGER])
    url = reverse("users:reset-second-factor", args=[users[Role.EVALUATOR].pk])
    assert client.get(url).status_code == 403


def test_the_admin_moved_and_needs_the_second_factor(client, settings):
    superuser = UserFactory(role=Role.MANAGER, is_staff=True, is_superuser=True)
    device, _ = enrol(superuser)
    assert reverse("admin:index") == "/" + settings.KQM_ADMIN_PATH
    assert client.get("/admin/").status_code in (302, 404)
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 302  # to the code page
    client.post(reverse("two-factor-verify"), {"code": next_code(device)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_suite_turns_enforcement_off_for_other_tests(settings, client, manager):
    settings.KQM_REQUIRE_SECOND_FACTOR = False
    client.force_login(manager)
    assert client.get("/users/").status_code == 200
