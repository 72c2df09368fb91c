"""Refuse to migrate a database stopped part-way through migrations that squashes replace.

The project's squashed migrations were generated afresh from the models, so they are right
for a new database and for one that applied every migration they replace, and for nothing
in between. Such a database first migrates with the last release that ships the replaced
migrations (their names are in each squash's ``replaces``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

PROJECT_APPS = ("kqm", "settings", "accreditation", "audits")


def replaced_migrations() -> set[tuple[str, str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {
        tuple(name)  # type: ignore[misc]
        for key, migration in loader.disk_migrations.items()
        if key[0] in PROJECT_APPS
        for name in migration.replaces
    }


def check_no_unfinished_squash(using: str = "default") -> None:
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return
    replaced = replaced_migrations()
    applied = replaced & set(recorder.applied_migrations())
    if applied and applied != replaced:
        missing = ", ".join(f"{app}.{name}" for app, name in sorted(replaced - applied))
        raise CommandError(
            "This database stopped part-way through migrations that this release squashed "
            f"(not applied: {missing}). Migrate it with the previous release first, "
            "then with this one."
        )


def refuse_unfinished_squash(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """pre_migrate receiver (connected once, for the ``kqm`` app)."""
    check_no_unfinished_squash(using)
