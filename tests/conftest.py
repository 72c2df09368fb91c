from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Generator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections
from django.test import TransactionTestCase
from django.test.utils import override_settings

from kqm import outbox
from kqm.celery import app as celery_app
from kqm.models import Role, User
from settings.models import Setting

from .database import create_test_database, destroy_test_database
from .factories import SettingFactory, one_user_per_role
from .pdf import stand_in_write_pdf
from .table_reset import remember_migrated_state, restore_migrated_state

# Longest tests first (see that module); it also records how long each test took.
pytest_plugins = ["tests.longest_first"]

VAR = Path(__file__).resolve().parents[1] / "var"
_VAR_BEFORE = pytest.StashKey[dict[str, tuple[int, int]]]()


# --- One test database per process, cloned from a template migrated once -------------


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker,
    django_db_keepdb: bool,
    django_db_modify_db_settings: None,
) -> Generator[None, None, None]:
    """A copy of the migrated template: in memory, or a file when a worker process needs it."""
    shared_file = any(item.get_closest_marker("worker") for item in request.session.items)
    if shared_file and not django_settings.REDIS_URL:
        # Worker processes report progress through the cache: a folder they share with us.
        location = str(django_settings.VAR_DIR / "cache")
        os.environ["KQM_TEST_SHARED_CACHE"] = location
        shared_cache = {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": location,
        }
        override_settings(CACHES={"default": shared_cache}).enable()
    with django_db_blocker.unblock():
        original = create_test_database(shared_file=shared_file, keepdb=django_db_keepdb)
        remember_migrated_state(connection)
    yield
    with django_db_blocker.unblock():
        destroy_test_database(original, keepdb=django_db_keepdb)


def _restore_migrated_state(self: TransactionTestCase) -> None:
    """Django's ``flush`` after a transactional test, replaced: see ``tests.table_reset``."""
    for alias in self._databases_names(include_mirrors=False):
        restore_migrated_state(connections[alias])


TransactionTestCase._fixture_teardown = _restore_migrated_state


# --- Nothing a test writes lands in the checkout ----------------------------------------


def _var_listing() -> dict[str, tuple[int, int]]:
    if not VAR.exists():
        return {}
    return {
        str(path.relative_to(VAR)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in VAR.rglob("*")
        if path.is_file()
    }


def _controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_sessionstart(session: pytest.Session) -> None:
    if _controller(session.config):
        session.config.stash[_VAR_BEFORE] = _var_listing()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _controller(session.config) or _VAR_BEFORE not in session.config.stash:
        return
    before, after = session.config.stash[_VAR_BEFORE], _var_listing()
    changed = sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "The test run wrote under var/ (tests must use their own folders): " + ", ".join(
            changed[:20]
        )
        if reporter:
            reporter.write_line(message, red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    run_dir = os.environ.get("KQM_TEST_RUN_DIR")
    if _controller(config) and run_dir and Path(run_dir).name.startswith("kqm-test-"):
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(autouse=True)
def _pdfs_as_text(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint renders for real only in tests marked ``real_pdf`` (see ``tests/pdf.py``)."""
    if request.node.get_closest_marker("real_pdf") is None:
        import weasyprint

        monkeypatch.setattr(weasyprint.HTML, "write_pdf", stand_in_write_pdf)


@pytest.fixture(autouse=True)
def _broker_reachable_again() -> None:
    """A test that killed the broker leaves no pause behind: each test publishes afresh."""
    outbox._broker_down_until = 0.0
    outbox.reset_publish_failures()


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path: Path) -> None:
    """Each test uploads into a folder of its own (and has a cache of its own: ``_own_cache``)."""
    settings.MEDIA_ROOT = tmp_path / "media"


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
    return one_user_per_role(setting)


@pytest.fixture
def manager(users) -> User:
    return users[Role.MANAGER]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Rules for the suite itself ------------------------------------------------------


def pytest_collection_modifyitems(session: pytest.Session, items: list[pytest.Item]) -> None:
    """A parametrize argument must not share its name with a fixture.

    (It silently replaces the fixture, and drags in the fixture's own parameters: a
    parameter called ``page`` made plain tests run "on Chromium".)
    """
    shadowing = set()
    for item in items:
        for marker in item.iter_markers("parametrize"):
            names = marker.args[0] if marker.args else marker.kwargs.get("argnames", ())
            if isinstance(names, str):
                names = [name.strip() for name in names.split(",")]
            indirect = marker.kwargs.get("indirect", False)
            for name in names:
                if indirect is True or (isinstance(indirect, list | tuple) and name in indirect):
                    continue
                if session._fixturemanager.getfixturedefs(name, item):
                    shadowing.add(f"{item.nodeid.split('[')[0]}: {name!r}")
    if shadowing:
        raise pytest.UsageError(
            "Parametrize arguments named like fixtures:\n  " + "\n  ".join(sorted(shadowing))
        )
