"""Backups that restore: a database dump and the media it refers to, as one set.

``manage.py backup`` writes a set to ``BACKUP_LOCATION`` (a folder, or ``s3://bucket/prefix``
on any S3-compatible store, ideally another provider or region than the media's):

1. the database, from one consistent snapshot: ``pg_dump -Fc`` on PostgreSQL (with a snapshot
   exported by a read-only repeatable-read transaction, which also counts every table's rows
   and lists the files the rows refer to), SQLite's online backup otherwise;
2. then the media: every file in the media storage, with its size and SHA-256. Taken after
   the dump, so every file the dump refers to was already there; a file deleted in between
   (its row was deleted, and the file with it once that committed) is listed as missing;
3. last, ``manifest.json`` (the row counts, the files and their checksums, the dump's
   checksum): a set without it is incomplete and is never restored nor counted as kept.

Then it deletes the oldest complete sets beyond ``BACKUP_KEEP``.

``manage.py restore`` rebuilds an *empty* database (it refuses one with tables) and the media
storage from a set, checks every checksum on the way, and compares each table's rows with the
manifest: a restore that does not match fails loudly.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import environ
from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import models
from django.utils import timezone

MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    pass


@dataclass
class BackupSet:
    name: str
    manifest: dict[str, Any] = field(default_factory=dict)


def backup_storage(location: str = "") -> Storage:
    """Where the backup sets live: a folder, or an S3-compatible bucket (``s3://b/prefix``)."""
    location = location or settings.BACKUP_LOCATION
    if location.startswith("s3://"):
        from storages.backends.s3 import S3Storage

        parts = urlsplit(location)
        options = settings.BACKUP_S3_OPTIONS
        return S3Storage(
            bucket_name=parts.netloc,
            location=parts.path.strip("/"),
            default_acl="private",
            file_overwrite=True,
            **{key: value for key, value in options.items() if value},
        )
    Path(location).mkdir(parents=True, exist_ok=True)
    return FileSystemStorage(location=location)


def _sha256(handle: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _walk(storage: Storage, folder: str = "") -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # an empty media folder, never created
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from _walk(storage, f"{folder}/{sub}" if folder else sub)


def media_checksums(storage: Storage | None = None) -> dict[str, str]:
    """Every file in a media storage and its SHA-256 (the restore drill compares these)."""
    storage = storage or default_storage
    result = {}
    for name in _walk(storage):
        with storage.open(name, "rb") as handle:
            result[name] = _sha256(handle)[0]
    return result


def _file_columns() -> list[tuple[str, str]]:
    """(table, column) of every file field: the rows that refer to media."""
    columns = []
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                columns.append((model._meta.db_table, model_field.column))
    return columns


def _database() -> dict[str, Any]:
    from django.db import connection

    return dict(connection.settings_dict)


# The database ------------------------------------------------------------------------------


def _pg_environment(db: dict[str, Any]) -> dict[str, str]:
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_arguments(db: dict[str, Any]) -> list[str]:
    arguments = [
        "--host",
        str(db.get("HOST") or "localhost"),
        "--port",
        str(db.get("PORT") or 5432),
    ]
    if db.get("USER"):
        arguments += ["--username", str(db["USER"])]
    return arguments


def _pg_connect(db: dict[str, Any]) -> Any:
    import psycopg

    return psycopg.connect(
        host=db.get("HOST") or "localhost",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
        autocommit=True,
        connect_timeout=10,
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _snapshot_facts(cursor: Any, tables: list[str]) -> tuple[dict[str, int], set[str]]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")
        counts[table] = int(cursor.fetchone()[0])
    referenced: set[str] = set()
    for table, column in _file_columns():
        if table in counts:
            cursor.execute(
                f"SELECT {_quote(column)} FROM {_quote(table)} WHERE {_quote(column)} <> ''"
            )
            referenced.update(str(row[0]) for row in cursor.fetchall())
    return counts, referenced


def _dump_postgresql(db: dict[str, Any], target: Path) -> tuple[dict[str, int], set[str]]:
    with _pg_connect(db) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "ORDER BY tablename"
            ).fetchall()
        ]
        subprocess.run(
            [
                "pg_dump",
                *_pg_arguments(db),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
                str(db["NAME"]),
            ],
            env=_pg_environment(db),
            check=True,
            capture_output=True,
            timeout=settings.BACKUP_TIMEOUT_SECONDS,
        )
        with conn.cursor() as cursor:
            facts = _snapshot_facts(cursor, tables)
        conn.execute("COMMIT")
    return facts


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [row[0] for row in rows]


def _dump_sqlite(target: Path) -> tuple[dict[str, int], set[str]]:
    from django.db import connection

    if connection.in_atomic_block:
        # SQLite's backup waits for the open transaction's locks: it would wait for ever.
        raise BackupError("Back up outside a transaction (the backup is its own snapshot).")
    connection.ensure_connection()
    source = connection.connection
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # an online, consistent copy of the whole database
        return _snapshot_facts(copy.cursor(), _sqlite_tables(copy))
    finally:
        copy.close()


# Backing up --------------------------------------------------------------------------------


def _new_set_name(now: datetime.datetime) -> str:
    return f"{now.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def _migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.values_list("app", "name"):
        latest[app] = max(latest.get(app, ""), name)
    return latest


def make_backup(location: str = "", *, keep: int | None = None) -> BackupSet:
    """Write a complete set (database, then media, then the manifest) and apply retention."""
    target = backup_storage(location)
    db = _database()
    now = timezone.now()
    name = _new_set_name(now)
    postgres = "postgresql" in db["ENGINE"]
    dump_name = "database.pgdump" if postgres else "database.sqlite3"
    with tempfile.TemporaryDirectory(prefix="kqm-backup-") as scratch:
        dump = Path(scratch) / dump_name
        counts, referenced = _dump_postgresql(db, dump) if postgres else _dump_sqlite(dump)
        with dump.open("rb") as handle:
            dump_sha, dump_size = _sha256(handle)
            handle.seek(0)
            target.save(f"{name}/{dump_name}", File(handle))

    files: list[dict[str, Any]] = []
    for media_name in _walk(default_storage):
        with default_storage.open(media_name, "rb") as source, tempfile.TemporaryFile() as spool:
            shutil.copyfileobj(source, spool, CHUNK)
            spool.seek(0)
            sha, size = _sha256(spool)
            spool.seek(0)
            target.save(f"{name}/media/{media_name}", File(spool))
        files.append({"name": media_name, "size": size, "sha256": sha})
    stored = {str(item["name"]) for item in files}
    manifest = {
        "format": 1,
        "created_at": now.isoformat(),
        "engine": "postgresql" if postgres else "sqlite",
        "database": {"file": dump_name, "size": dump_size, "sha256": dump_sha},
        "migrations": _migrations(),
        "tables": counts,
        "media": files,
        # Referred to by a row in the dump but deleted before the media were copied.
        "missing_media": sorted(referenced - stored),
    }
    with tempfile.TemporaryFile() as handle:
        handle.write(json.dumps(manifest, indent=1, sort_keys=True).encode())
        handle.seek(0)
        target.save(f"{name}/{MANIFEST}", File(handle))
    apply_retention(target, settings.BACKUP_KEEP if keep is None else keep)
    return BackupSet(name=name, manifest=manifest)


def complete_sets(storage: Storage) -> list[str]:
    """The names of the sets that have a manifest, oldest first."""
    folders, _ = storage.listdir("")
    return sorted(name for name in folders if storage.exists(f"{name}/{MANIFEST}"))


def apply_retention(storage: Storage, keep: int) -> list[str]:
    """Delete the oldest complete sets beyond ``keep`` (and nothing if keep is 0 or less)."""
    if keep <= 0:
        return []
    old = complete_sets(storage)[:-keep]
    for name in old:
        for path in list(_walk(storage, name)):
            if not path.endswith(MANIFEST):
                storage.delete(path)
        storage.delete(f"{name}/{MANIFEST}")  # last: a half-deleted set is never "complete"
        if isinstance(storage, FileSystemStorage):
            shutil.rmtree(storage.path(name), ignore_errors=True)
    return old


# Restoring ---------------------------------------------------------------------------------


def read_set(storage: Storage, name: str = "latest") -> BackupSet:
    sets = complete_sets(storage)
    if not sets:
        raise BackupError("There is no complete backup set there.")
    if name == "latest":
        name = sets[-1]
    if name not in sets:
        raise BackupError(f"No complete backup set named {name}.")
    with storage.open(f"{name}/{MANIFEST}", "rb") as handle:
        return BackupSet(name=name, manifest=json.load(handle))


def database_settings(url: str = "") -> dict[str, Any]:
    return dict(environ.Env.db_url_config(url)) if url else _database()


def table_counts(db: dict[str, Any]) -> dict[str, int]:
    """Every table's row count in a database (to compare a restore with its manifest)."""
    if "postgresql" in db["ENGINE"]:
        with _pg_connect(db) as conn:
            tables = [
                row[0]
                for row in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                ).fetchall()
            ]
            with conn.cursor() as cursor:
                return _snapshot_facts(cursor, tables)[0]
    conn = sqlite3.connect(db["NAME"])
    try:
        return _snapshot_facts(conn.cursor(), _sqlite_tables(conn))[0]
    finally:
        conn.close()


def _refuse_unless_empty(db: dict[str, Any]) -> None:
    if "postgresql" in db["ENGINE"]:
        with _pg_connect(db) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchone()[0]
    else:
        path = Path(db["NAME"])
        if not path.exists() or path.stat().st_size == 0:
            return
        conn = sqlite3.connect(path)
        try:
            tables = len(_sqlite_tables(conn))
        finally:
            conn.close()
    if tables:
        raise BackupError(
            f"The database {db['NAME']} already has {tables} tables: restore only into an "
            "empty database (create a new one, or drop and recreate it, first)."
        )


def _fetch_checked(storage: Storage, path: str, sha256: str, into: IO[bytes]) -> None:
    with storage.open(path, "rb") as source:
        shutil.copyfileobj(source, into, CHUNK)
    into.seek(0)
    if _sha256(into)[0] != sha256:
        raise BackupError(f"{path} does not match its checksum: the backup is damaged.")
    into.seek(0)


def restore_backup(
    name: str = "latest", *, location: str = "", database_url: str = ""
) -> BackupSet:
    """Rebuild an empty database and the media storage from a set, checking everything."""
    source = backup_storage(location)
    backup = read_set(source, name)
    manifest = backup.manifest
    db = database_settings(database_url)
    postgres = "postgresql" in db["ENGINE"]
    if postgres != (manifest["engine"] == "postgresql"):
        raise BackupError(f"This set holds a {manifest['engine']} database.")
    _refuse_unless_empty(db)
    # The media first: a database is only restored once its files are in place.
    for item in manifest["media"]:
        with tempfile.TemporaryFile() as spool:
            _fetch_checked(source, f"{backup.name}/media/{item['name']}", item["sha256"], spool)
            if default_storage.exists(item["name"]):
                if _sha256(default_storage.open(item["name"], "rb"))[0] != item["sha256"]:
                    raise BackupError(f"The media storage already has a different {item['name']}.")
                continue
            saved = default_storage.save(item["name"], File(spool))
            if saved != item["name"]:
                raise BackupError(f"{item['name']} was stored as {saved}.")
    dump = manifest["database"]
    with tempfile.TemporaryDirectory(prefix="kqm-restore-") as scratch:
        local = Path(scratch) / dump["file"]
        with local.open("w+b") as handle:
            _fetch_checked(source, f"{backup.name}/{dump['file']}", dump["sha256"], handle)
        if postgres:
            subprocess.run(
                [
                    "pg_restore",
                    *_pg_arguments(db),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={db['NAME']}",
                    str(local),
                ],
                env=_pg_environment(db),
                check=True,
                capture_output=True,
                timeout=settings.BACKUP_TIMEOUT_SECONDS,
            )
        else:
            Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(local, db["NAME"])
    restored = table_counts(db)
    different = {
        table: (count, restored.get(table))
        for table, count in manifest["tables"].items()
        if restored.get(table) != count
    }
    if different:
        raise BackupError(f"The restored tables do not match the backup: {different}")
    return backup
