"""Backups that restore: the demo data backed up, restored into a fresh database and media
storage, and compared table by table and file by file."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kqm.backup import (
    backup_storage,
    complete_sets,
    database_settings,
    make_backup,
    media_checksums,
    read_set,
    restore_backup,
    table_counts,
)
from tests.celery_worker import database_url

from .s3_helpers import new_bucket, s3_server_fixture  # noqa: F401

# SQLite's online backup cannot run inside the test's open transaction; PostgreSQL's dump runs
# on a connection of its own, so there only the test whose data the dump must see commits it.
SQLITE = connection.vendor == "sqlite"


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database on the same server as the test database."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    name = f"{db['NAME']}_restore_{uuid.uuid4().hex[:8]}"[:63]
    options = {
        "host": db["HOST"] or "localhost",
        "port": db["PORT"] or 5432,
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**options) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url({**db, "NAME": name})
    finally:
        with psycopg.connect(**options) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _row_counts() -> dict[str, int]:
    """Every model's rows, counted through the ORM (independently of the backup's counts)."""
    return {
        model._meta.db_table: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


@pytest.mark.django_db(transaction=True)
def test_the_demo_data_restores_into_a_fresh_database_and_storage(
    tmp_path, settings, fresh_database, capsys
):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo")
    counts = _row_counts()
    files = media_checksums()
    assert any(name.startswith("certificates/") for name in files)  # the demo's certificates
    assert counts["accreditation_award"] > 0 and counts["kqm_user"] >= 5

    call_command("backup", "--to", str(tmp_path / "backups"))
    assert "media files." in capsys.readouterr().out

    # A new media storage and a new database, as after losing the host.
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    call_command("restore", "--from", str(tmp_path / "backups"), "--database-url", fresh_database)
    assert "every row count and checksum as backed up" in capsys.readouterr().out
    restored = table_counts(database_settings(fresh_database))
    assert {table: restored[table] for table in counts} == counts
    assert media_checksums() == files

    # Never over a database that has tables.
    with pytest.raises(CommandError, match="restore only into an empty database"):
        call_command(
            "restore", "--from", str(tmp_path / "backups"), "--database-url", fresh_database
        )


@pytest.mark.django_db(transaction=SQLITE)
def test_retention_keeps_the_newest_complete_sets(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    location = str(tmp_path / "backups")
    names = [make_backup(location, keep=2).name for _ in range(3)]
    storage = backup_storage(location)
    assert complete_sets(storage) == sorted(names)[1:]
    assert not (tmp_path / "backups" / sorted(names)[0]).exists()
    # A set without its manifest (a backup that stopped part-way) is neither kept nor used.
    storage.save("29991231T000000Z-000000/database.sqlite3", ContentFile(b"partial"))
    assert read_set(storage).name == sorted(names)[-1]


@pytest.mark.django_db(transaction=SQLITE)
def test_a_damaged_file_stops_the_restore(tmp_path, settings, fresh_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    default_storage.save("certificates/2026/KQM-2026-0001.pdf", ContentFile(b"%PDF-1.7 one"))
    backup = make_backup(str(tmp_path / "backups"))
    damaged = tmp_path / "backups" / backup.name / "media/certificates/2026/KQM-2026-0001.pdf"
    damaged.write_bytes(b"%PDF-1.7 two")
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command(
            "restore", "--from", str(tmp_path / "backups"), "--database-url", fresh_database
        )


@pytest.mark.django_db(transaction=SQLITE)
def test_backups_go_to_and_come_back_from_an_s3_bucket(
    tmp_path, settings, s3_server, fresh_database
):
    bucket = new_bucket(s3_server)
    settings.BACKUP_S3_OPTIONS = {
        "endpoint_url": bucket.endpoint,
        "region_name": "eu-west-2",
        "access_key": "kqm-test-key",
        "secret_key": "kqm-test-secret",
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    default_storage.save("exports/report.csv", ContentFile(b"setting,grade\n"))
    files = media_checksums()
    location = f"s3://{bucket.name}/kqm-backups"
    backup = make_backup(location)
    keys = bucket.keys()
    assert f"kqm-backups/{backup.name}/manifest.json" in keys
    assert f"kqm-backups/{backup.name}/media/exports/report.csv" in keys
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    restore_backup(location=location, database_url=fresh_database)
    assert media_checksums() == files
