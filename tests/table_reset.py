"""After a transactional test: put the database back as migrated, touching only what changed.

A test that commits (``live_server``, ``transactional_db``, real workers) cannot be rolled
back, so Django empties every table afterwards (``flush``), then sends ``post_migrate``
to recreate content types and permissions, and the suite put back the rows the
migrations load (instruments, questionnaires, schedules). On PostgreSQL that ``flush``
is a ``TRUNCATE`` of some 160 tables, each given new files: 1.3 s on an idle machine
and 10–18 s while four browser tests run beside it, after every browser test.

Instead, when the test database is made, each table that the migrations filled is copied
aside once. After a transactional test one query names the tables that differ from that
state (rows in a table that should be empty; a filled table whose rows are not exactly
its copy); only those are emptied with ``DELETE`` and the filled ones refilled from their
copies, in one transaction (the foreign keys are checked at its end). A test that wrote
into three tables costs three deletes, and the next test starts from the migrated state
exactly as before: ids, rows and all.
"""

from __future__ import annotations

import threading
import time

from django.db import OperationalError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

# Where the copies live: a schema of their own on PostgreSQL; tables with this prefix on
# SQLite (which has no schemas in one file, and no limit on names).
SCHEMA = "kqm_initial"
PREFIX = "kqm_initial__"

_FILLED: dict[str, list[str]] = {}  # database name -> the tables the migrations filled


def _tables(db: BaseDatabaseWrapper) -> list[str]:
    return sorted(db.introspection.django_table_names(only_existing=True, include_views=False))


def _copy(db: BaseDatabaseWrapper, table: str) -> str:
    quote = db.ops.quote_name
    if db.vendor == "postgresql":
        return f"{quote(SCHEMA)}.{quote(table)}"
    return quote(PREFIX + table)


def _union(selects: list[str]) -> str:
    return " UNION ALL ".join(selects)


def remember_migrated_state(db: BaseDatabaseWrapper = connection) -> None:
    """Copy aside every table that holds rows now, as the test database was made."""
    quote = db.ops.quote_name
    tables = _tables(db)
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(f"DROP SCHEMA IF EXISTS {quote(SCHEMA)} CASCADE")
            cursor.execute(f"CREATE SCHEMA {quote(SCHEMA)}")
        else:
            for table in db.introspection.table_names(cursor):
                if table.startswith(PREFIX):
                    cursor.execute(f"DROP TABLE {quote(table)}")
        cursor.execute(
            _union([f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(t)})" for t in tables]),
            tables,
        )
        filled = sorted(row[0] for row in cursor.fetchall())
        for table in filled:
            cursor.execute(f"CREATE TABLE {_copy(db, table)} AS SELECT * FROM {quote(table)}")
    _FILLED[db.settings_dict["NAME"]] = filled


def changed_tables(db: BaseDatabaseWrapper = connection) -> list[str]:
    """The tables whose rows are not those of the migrated state, in one query."""
    quote = db.ops.quote_name
    filled = set(_FILLED[db.settings_dict["NAME"]])
    selects, params = [], []
    for table in _tables(db):
        if table in filled:
            # The same number of rows, and none that the copy lacks: the same rows.
            copy = _copy(db, table)
            selects.append(
                f"SELECT %s WHERE (SELECT COUNT(*) FROM {quote(table)}) <> "
                f"(SELECT COUNT(*) FROM {copy}) OR EXISTS "
                f"(SELECT * FROM {quote(table)} EXCEPT SELECT * FROM {copy})"
            )
        else:
            selects.append(f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(table)})")
        params.append(table)
    with db.cursor() as cursor:
        cursor.execute(_union(selects), params)
        return sorted(row[0] for row in cursor.fetchall())


def restore_migrated_state(db: BaseDatabaseWrapper = connection) -> list[str]:
    """Empty the tables a test changed and refill those the migrations filled; return them.

    A request the browser left behind may still be writing (an autosave sent as the test
    ended): ``wait_for_live_server_requests`` lets it finish first. Should PostgreSQL still
    pick the reset as a deadlock's victim, the reset is tried again: a table left as the
    test left it would show its rows to the next test.
    """
    wait_for_live_server_requests()
    for _ in range(2):
        try:
            return _restore(db)
        except OperationalError as error:
            if "deadlock" not in str(error):
                raise
            time.sleep(0.2)
    return _restore(db)


REQUEST_THREAD = "(process_request_thread)"


def wait_for_live_server_requests(timeout: float = 10.0) -> None:
    """Wait (a bounded time) for the live server's request threads to end.

    Each connection the browser opened is served by a thread of its own, which ends once it
    has answered the request it was reading and found the connection closed (the test's
    browser context is closed before its database is reset).
    """
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread.name.endswith(REQUEST_THREAD) and thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))


def _restore(db: BaseDatabaseWrapper) -> list[str]:
    quote = db.ops.quote_name
    changed = changed_tables(db)
    if not changed:
        return []
    filled = set(_FILLED[db.settings_dict["NAME"]])
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in changed:
            cursor.execute(f"DELETE FROM {quote(table)}")
        for table in changed:
            if table in filled:
                cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {_copy(db, table)}")
    return changed
