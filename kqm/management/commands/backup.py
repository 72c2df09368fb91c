"""``manage.py backup``: a database dump and the media, as one set (see ``kqm/backup.py``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kqm.backup import make_backup


class Command(BaseCommand):
    help = "Back up the database and then the media to BACKUP_LOCATION, keeping BACKUP_KEEP sets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", default="", help="A folder or s3://bucket/prefix.")
        parser.add_argument("--keep", type=int, default=None, help="Complete sets to keep.")

    def handle(self, *args: Any, **options: Any) -> None:
        backup = make_backup(options["to"], keep=options["keep"])
        manifest = backup.manifest
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Backed up {backup.name}: {len(manifest['tables'])} tables ({rows} rows), "
            f"{len(manifest['media'])} media files."
        )
        for name in manifest["missing_media"]:
            self.stderr.write(f"Referred to but deleted before the copy: {name}")
