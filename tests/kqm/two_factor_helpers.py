"""Helpers for tests of the second factor (enforcement is off elsewhere: tests/conftest.py)."""

from __future__ import annotations

from django_otp.oath import hotp, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kqm import two_factor
from kqm.models import User


def code_for(hex_key: str) -> str:
    """The 6-digit code an authenticator app shows for ``hex_key`` now."""
    return str(totp(bytes.fromhex(hex_key), step=30, t0=0, digits=6)).zfill(6)


def next_code(device: TOTPDevice) -> str:
    """The code of the 30-second step after the one ``device`` last accepted.

    A code is accepted once, within one step of now as the device counts (its clock drift
    included), so this is the code a second sign-in can use. It is computed from the
    device's own record, not the clock: a step that ended between enrolling and signing in
    (which leaves the device a step of drift) would make "the code after now" too late.
    """
    device.refresh_from_db()
    return str(hotp(device.bin_key, device.last_t + 1, digits=6)).zfill(6)


def enrol(user: User) -> tuple[TOTPDevice, list[str]]:
    """Give ``user`` an authenticator app and recovery codes, as the enrolment page does."""
    key = two_factor.new_secret()
    enrolled = two_factor.do_enrol_totp(user=user, hex_key=key, token=code_for(key))
    assert enrolled is not None
    return enrolled
