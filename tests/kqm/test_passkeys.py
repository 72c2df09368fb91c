"""Passkeys as a second factor (issue 19, django-otp-webauthn): registered from the account
or the setup page, used instead of the app's code after the password, recorded in the
person's trail, and never a way to skip the password or another person's factor."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django_otp import user_has_device
from django_otp_webauthn.models import WebAuthnCredential

from kqm import two_factor
from kqm.models import Role, User
from tests.factories import TEST_PASSWORD

from .passkey_helpers import SoftAuthenticator
from .two_factor_helpers import enrol, next_code

pytestmark = pytest.mark.django_db

REGISTER_BEGIN = "otp_webauthn:credential-registration-begin"
REGISTER_COMPLETE = "otp_webauthn:credential-registration-complete"
SIGN_IN_BEGIN = "otp_webauthn:credential-authentication-begin"
SIGN_IN_COMPLETE = "otp_webauthn:credential-authentication-complete"


@pytest.fixture(autouse=True)
def _enforced(settings):
    settings.KQM_REQUIRE_SECOND_FACTOR = True


def _sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302


def _post(client, name, body=None, query=""):
    return client.post(
        reverse(name) + query, json.dumps(body or {}), content_type="application/json"
    )


def _register(client, authenticator, query=""):
    options = _post(client, REGISTER_BEGIN)
    assert options.status_code == 200, options.content
    return _post(client, REGISTER_COMPLETE, authenticator.register(options.json()), query)


def _use(client, authenticator, query=""):
    options = _post(client, SIGN_IN_BEGIN)
    assert options.status_code == 200, options.content
    return _post(client, SIGN_IN_COMPLETE, authenticator.sign_in(options.json()), query)


def test_a_first_passkey_is_the_enrolment_with_recovery_codes_and_a_trail(client, manager):
    _sign_in(client, manager)
    setup = client.get(reverse("two-factor-setup")).content.decode()
    assert 'id="passkey-registration-placeholder"' in setup
    assert 'id="otp_webauthn_config"' in setup
    response = _register(client, SoftAuthenticator(), "?next=/users/")
    assert response.status_code == 200, response.content
    assert response.json()["redirect_url"] == reverse("two-factor-codes") + "?next=/users/"
    passkey = WebAuthnCredential.objects.get(user=manager)
    assert passkey.confirmed
    # Registering counts as giving the second factor in this session.
    assert client.get("/users/").status_code == 200
    codes = client.get(reverse("two-factor-codes")).content.decode()
    assert codes.count("<li><code>") == two_factor.RECOVERY_CODES
    entry = manager.history.order_by("-history_date").first()
    assert entry.history_change_reason == f"Passkey added: {passkey.name}"
    assert entry.history_user_id == manager.pk
    assert entry.second_factor_changed_at is not None


def test_sign_in_with_the_passkey_instead_of_the_code(client, manager):
    authenticator = SoftAuthenticator()
    _sign_in(client, manager)
    assert _register(client, authenticator).status_code == 200
    client.logout()
    _sign_in(client, manager)
    assert client.get("/users/")["Location"].startswith(reverse("two-factor-verify"))
    verify = client.get(reverse("two-factor-verify") + "?next=/users/").content.decode()
    assert 'id="passkey-verification-placeholder"' in verify
    assert '<h1 class="govuk-heading-l">Use your passkey</h1>' in verify
    response = _use(client, authenticator, "?next=/users/")
    assert response.status_code == 200, response.content
    assert response.json()["redirect_url"] == "/users/"
    assert client.get("/users/").status_code == 200
    assert WebAuthnCredential.objects.get(user=manager).sign_count == 1


def test_a_second_passkey_needs_the_second_factor_first(client, manager):
    device, _ = enrol(manager)
    _sign_in(client, manager)
    account = client.get(reverse("two-factor")).content.decode()
    assert "passkey-registration-placeholder" not in account
    assert "give your second factor first" in account
    refused = _post(client, REGISTER_BEGIN)
    assert refused.status_code == 403
    assert not WebAuthnCredential.objects.exists()
    client.post(reverse("two-factor-verify"), {"code": next_code(device)})
    account = client.get(reverse("two-factor")).content.decode()
    assert "passkey-registration-placeholder" in account
    response = _register(client, SoftAuthenticator())
    # Recovery codes came with the app: none are made again, back to the account page.
    assert response.json()["redirect_url"] == reverse("two-factor")
    assert "Your passkey has been added." in client.get(reverse("two-factor")).content.decode()
    assert 'id="passkeys"' in client.get(reverse("two-factor")).content.decode()


def test_another_persons_passkey_does_not_sign_you_in(client, users):
    manager, evaluator = users[Role.MANAGER], users[Role.EVALUATOR]
    theirs = SoftAuthenticator()
    _sign_in(client, evaluator)
    _register(client, theirs)
    client.logout()
    enrol(manager)
    _sign_in(client, manager)
    response = _use(client, theirs)
    assert response.status_code in (400, 403), response.content
    assert client.get("/users/")["Location"].startswith(reverse("two-factor-verify"))


def test_a_passkey_never_replaces_the_password(client, manager):
    authenticator = SoftAuthenticator()
    _sign_in(client, manager)
    _register(client, authenticator)
    client.logout()
    for name in (SIGN_IN_BEGIN, REGISTER_BEGIN):
        response = _post(client, name)
        assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_a_replayed_answer_is_refused(client, manager):
    authenticator = SoftAuthenticator()
    _sign_in(client, manager)
    _register(client, authenticator)
    client.logout()
    _sign_in(client, manager)
    options = _post(client, SIGN_IN_BEGIN).json()
    answer = authenticator.sign_in(options)
    assert _post(client, SIGN_IN_COMPLETE, answer).status_code == 200
    again = _post(client, SIGN_IN_COMPLETE, answer)
    assert again.status_code == 400 and "detail" in again.json()


@pytest.mark.parametrize("body", ["{", '{"id": 5}', '"text"'])
def test_bad_answers_are_refused_plainly(client, manager, body):
    _sign_in(client, manager)
    _post(client, REGISTER_BEGIN)
    response = client.post(reverse(REGISTER_COMPLETE), body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert not WebAuthnCredential.objects.exists()


@pytest.mark.parametrize("role", list(Role))
def test_every_role_may_add_a_passkey(client, users, role):
    _sign_in(client, users[role])
    assert _register(client, SoftAuthenticator()).status_code == 200
    assert two_factor.passkeys_of(users[role]).count() == 1


def test_the_endpoints_take_only_post(client, manager):
    _sign_in(client, manager)
    for name in (REGISTER_BEGIN, REGISTER_COMPLETE, SIGN_IN_BEGIN, SIGN_IN_COMPLETE):
        assert client.get(reverse(name)).status_code == 405, name


def test_a_managers_reset_removes_passkeys_too(client, users):
    manager, evaluator = users[Role.MANAGER], users[Role.EVALUATOR]
    _sign_in(client, evaluator)
    _register(client, SoftAuthenticator())
    client.logout()
    device, _ = enrol(manager)
    _sign_in(client, manager)
    client.post(reverse("two-factor-verify"), {"code": next_code(device)})
    detail = client.get(reverse("users:detail", args=[evaluator.pk])).content.decode()
    assert "1 passkey" in detail
    two_factor.do_reset_second_factor(actor=manager, user=evaluator)
    assert not WebAuthnCredential.objects.filter(user=evaluator).exists()
    assert User.objects.get(pk=evaluator.pk).second_factor_reset_at is not None


# --- Removing one's own passkey -----------------------------------------------------------------


def _remove_url(passkey) -> str:
    return reverse("two-factor-remove-passkey", args=[passkey.pk])


def test_a_passkey_is_removed_by_its_owner_with_a_trail(client, manager):
    device, _ = enrol(manager)
    _sign_in(client, manager)
    client.post(reverse("two-factor-verify"), {"code": next_code(device)})
    _register(client, SoftAuthenticator())
    passkey = two_factor.passkeys_of(manager).get()
    assert _remove_url(passkey) in client.get(reverse("two-factor")).content.decode()
    page = client.get(_remove_url(passkey))
    assert page.status_code == 200 and "Remove the passkey" in page.content.decode()
    assert client.put(_remove_url(passkey)).status_code == 405
    response = client.post(_remove_url(passkey))
    assert response.status_code == 302 and response["Location"] == reverse("two-factor")
    assert not two_factor.passkeys_of(manager).exists()
    entry = manager.history.order_by("-history_date").first()
    assert entry.history_change_reason == f"Passkey removed: {passkey.name}"
    assert entry.history_user_id == manager.pk


def test_the_last_second_factor_of_a_role_that_needs_one_stays(client, manager):
    _sign_in(client, manager)
    _register(client, SoftAuthenticator())
    passkey = two_factor.passkeys_of(manager).get()
    response = client.post(_remove_url(passkey))
    assert response.status_code == 400
    assert "this is your only one" in response.content.decode()
    assert two_factor.passkeys_of(manager).exists()


def test_a_setting_manager_may_remove_their_only_passkey(client, users):
    person = users[Role.SETTING_MANAGER]
    _sign_in(client, person)
    _register(client, SoftAuthenticator())
    passkey = two_factor.passkeys_of(person).get()
    assert client.post(_remove_url(passkey)).status_code == 302
    assert not two_factor.passkeys_of(person).exists()
    # No second factor left (nor its recovery codes): the password alone signs in again.
    assert not user_has_device(person, confirmed=None)
    client.logout()
    _sign_in(client, person)
    assert client.get("/").status_code == 200


def test_another_persons_passkey_is_not_found_and_removing_needs_the_second_factor(client, users):
    evaluator, person = users[Role.EVALUATOR], users[Role.SETTING_MANAGER]
    _sign_in(client, evaluator)
    _register(client, SoftAuthenticator())
    theirs = two_factor.passkeys_of(evaluator).get()
    client.logout()
    _sign_in(client, person)
    assert client.get(_remove_url(theirs)).status_code == 404
    assert client.post(_remove_url(theirs)).status_code == 404
    client.logout()
    _sign_in(client, evaluator)  # the password only: the passkey not yet given
    response = client.post(_remove_url(theirs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two-factor-verify"))
    assert two_factor.passkeys_of(evaluator).exists()
