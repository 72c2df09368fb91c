"""Helpers for tests of the second factor (enforcement is off elsewhere: tests/conftest.py)."""

from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kqm import two_factor
from kqm.models import User


def code_for(hex_key: str, *, step_ahead: int = 0) -> str:
    """The 6-digit code an authenticator app shows for ``hex_key`` now, or ``step_ahead``
    30-second steps later (a code is accepted once, and one step either side of now)."""
    return str(totp(bytes.fromhex(hex_key), step=30, t0=0, digits=6, drift=step_ahead)).zfill(6)


def enrol(user: User) -> tuple[TOTPDevice, list[str]]:
    """Give ``user`` an authenticator app and recovery codes, as the enrolment page does."""
    key = two_factor.new_secret()
    enrolled = two_factor.do_enrol_totp(user=user, hex_key=key, token=code_for(key))
    assert enrolled is not None
    return enrolled
