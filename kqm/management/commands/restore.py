"""``manage.py restore``: rebuild an empty database and the media from a backup set."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kqm.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup set (default: the latest) into an empty database and the media "
        "storage, checking every checksum and each table's row count."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", default="latest", help="The set, or latest.")
        parser.add_argument("--from", dest="location", default="", help="Folder or s3:// URL.")
        parser.add_argument(
            "--database-url",
            default="",
            help="Restore into this (empty) database instead of DATABASE_URL: for drills.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backup = restore_backup(
                options["name"], location=options["location"], database_url=options["database_url"]
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = backup.manifest
        self.stdout.write(
            f"Restored {backup.name} (taken {manifest['created_at']}): "
            f"{len(manifest['tables'])} tables and {len(manifest['media'])} media files, "
            "every row count and checksum as backed up."
        )
