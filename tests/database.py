"""The test database: migrated once into a template, then cloned for each test process.

Running the migrations takes about a minute of CPU (Django re-renders the model state after
each operation, and every model is related to every other through the users and their
history). So a run migrates once into a *template*, named after a hash of every migration
file of every installed app, and keeps it for later runs: a changed migration makes a new
template. Each pytest process (each pytest-xdist worker) then gets its own copy:

- SQLite, tests that need no second process: an in-memory database filled from the template
  file with SQLite's backup API;
- SQLite, when a test of the run starts a real Celery worker (marker ``worker``): a file,
  copied from the template, that the worker process opens too;
- PostgreSQL: ``CREATE DATABASE test_… TEMPLATE kqm_tpl_…``.

The template is built by one process at a time (a file lock), in a subprocess running
``manage.py migrate``, exactly as a deployment would migrate.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

from .celery_worker import ROOT, database_url

CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kqm" / "test-db"


SHIPPED_DATA = (
    "kqm/schedules.py",
    "accreditation/shipped.py",
    "audits/definitions.py",
    "audits/instruments/*",
    "audits/questionnaires/*",
    "audits/data/*",
)


def migrations_key() -> str:
    """A hash of the migrations, the data they load and the database engine."""
    digest = hashlib.sha256(connection.vendor.encode())
    for app in sorted(apps.get_app_configs(), key=lambda app: app.label):
        folder = Path(app.path) / "migrations"
        for path in sorted(folder.glob("*.py")):
            digest.update(f"{app.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    # What the data migrations load from outside the migration files.
    for pattern in SHIPPED_DATA:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@contextmanager
def _locked(name: str) -> Iterator[None]:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with (CACHE_DIR / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"Migrating the test template failed:\n{result.stdout}{result.stderr}")


def sqlite_template() -> Path:
    """The migrated SQLite template file, built if this set of migrations has none yet."""
    key = migrations_key()
    path = CACHE_DIR / f"sqlite-{key}.sqlite3"
    with _locked(f"sqlite-{key}"):
        if not path.exists():
            building = path.with_suffix(f".building-{os.getpid()}")
            building.unlink(missing_ok=True)
            _migrate(f"sqlite:///{building}")
            # One self-contained file (no write-ahead log beside it), then put in place at once.
            with sqlite3.connect(building) as db:
                db.execute("PRAGMA journal_mode=DELETE")
            db.close()
            building.replace(path)
    return path


def postgres_template() -> str:
    """The name of the migrated PostgreSQL template database, built if missing."""
    key = migrations_key()
    name = f"kqm_tpl_{key}"
    with _locked(f"postgres-{key}"), connection.creation._nodb_cursor() as cursor:
        cursor.execute("SELECT datallowconn FROM pg_database WHERE datname = %s", [name])
        row = cursor.fetchone()
        if row and not row[0]:  # complete: a finished build closes it to connections
            return name
        if row:  # a build that was interrupted
            cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            _migrate(database_url({**connection.settings_dict, "NAME": name}))
        except BaseException:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            raise
        # Marks the template as complete; nobody connects to it again.
        cursor.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
    return name


def _point_connection_at(name: str) -> None:
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name


def create_test_database(*, shared_file: bool, keepdb: bool) -> str:
    """Give this process its test database, a copy of the template; return the original name."""
    original = connection.settings_dict["NAME"]
    creation = connection.creation
    if connection.vendor == "sqlite":
        template = sqlite_template()
        if shared_file:
            name = str(settings.VAR_DIR / "test-kqm.sqlite3")
            if not (keepdb and Path(name).exists()):
                for suffix in ("", "-wal", "-shm"):
                    Path(name + suffix).unlink(missing_ok=True)
                shutil.copyfile(template, name)
            _point_connection_at(name)
        else:
            _point_connection_at(creation._get_test_db_name())
            connection.ensure_connection()
            source = sqlite3.connect(template)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        return original
    name = creation._get_test_db_name()
    template_name = postgres_template()
    with creation._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if not (keepdb and exists):
            if exists:
                cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
    _point_connection_at(name)
    return original


def destroy_test_database(original: str, *, keepdb: bool) -> None:
    name = connection.settings_dict["NAME"]
    connection.close()
    if connection.vendor == "sqlite":
        if not connection.creation.is_in_memory_db(name) and not keepdb:
            for suffix in ("", "-wal", "-shm"):
                Path(name + suffix).unlink(missing_ok=True)
    elif not keepdb:
        _point_connection_at(original)
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _point_connection_at(original)
