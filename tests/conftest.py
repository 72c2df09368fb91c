from __future__ import annotations

import uuid

import pytest

from kqm.celery import app as celery_app
from kqm.models import Role, User
from settings.models import Setting

from .factories import SettingFactory, UserFactory


@pytest.fixture(autouse=True)
def _eager_celery():
    """Unit tests run tasks in-process; tests marked ``worker`` use real processes."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _no_lockouts_between_tests(settings):
    settings.AXES_ENABLED = True


@pytest.fixture(autouse=True)
def _second_factor_not_enforced(settings):
    """Tests about other things sign in with a password only; the tests of the second factor
    (tests/kqm/test_two_factor.py, tests/browser/test_two_factor.py) turn it back on."""
    settings.KQM_REQUIRE_SECOND_FACTOR = False


@pytest.fixture(autouse=True)
def _own_cache(request, settings):
    """A cache of each test's own: rate-limit counts never carry over between tests.

    Tests with a real worker keep the shared cache: the worker reports progress through it.
    """
    if request.node.get_closest_marker("worker"):
        return
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }


@pytest.fixture
def setting(db) -> Setting:
    return SettingFactory(name="Little Acorns Day Nursery")


@pytest.fixture
def other_setting(db) -> Setting:
    return SettingFactory(name="Other Setting Nursery")


@pytest.fixture
def users(db, setting) -> dict[str, User]:
    """One active user per role; setting staff belong to ``setting``."""
    result: dict[str, User] = {}
    for role in Role.values:
        kwargs = (
            {"settings": [setting]} if role in (Role.SETTING_MANAGER, Role.PRACTITIONER) else {}
        )
        result[role] = UserFactory(role=role, full_name=f"{Role(role).label} user", **kwargs)
    return result


@pytest.fixture
def manager(users) -> User:
    return users[Role.MANAGER]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
