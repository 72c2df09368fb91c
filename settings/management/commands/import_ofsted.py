"""Import Ofsted's childcare providers CSV from the command line.

The same steps as the browser: the file is stored as an import, checked against the
register (the preview), and applied only when confirmed, with ``--yes`` or by
answering the question. ``--dry-run`` stops after the preview.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kqm.models import Role, User
from settings import importer, services_import
from settings.models import ImportStatus, OfstedImport

SHOW_REJECTED = 1000


class Command(BaseCommand):
    help = "Check Ofsted's childcare providers CSV against the register, then import it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the provider-level CSV file from GOV.UK")
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change; change nothing"
        )
        parser.add_argument("--yes", action="store_true", help="import without asking")
        parser.add_argument(
            "--user",
            help="email of the KQM manager the audit trail names (default: the command line)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = self._user(options.get("user"))
        with path.open("rb") as source:
            try:
                encoding = importer.inspect_file(source)
            except importer.ImportFileError as error:
                raise CommandError(str(error)) from None
            ofsted_import = services_import.do_upload_ofsted_import(
                uploaded_by=user,
                upload=File(source, name=path.name),
                encoding=encoding,
                check_now=False,
            )
        self.stdout.write(f"Checking {path.name} (import {ofsted_import.pk})…")
        checked = services_import.do_preview_ofsted_import(import_id=ofsted_import.pk)
        assert checked is not None
        if checked.status != ImportStatus.PREVIEWED:
            raise CommandError(checked.error_message or "The file could not be checked.")
        self._report(checked, preview=True)

        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was changed on the register.")
            return
        if not options["yes"] and not self._confirmed(checked):
            self.stdout.write(
                "Nothing was imported. Run again with --yes, or confirm the import "
                f"in the browser at {checked.get_absolute_url()}."
            )
            return
        services_import.do_confirm_ofsted_import(
            ofsted_import=checked, confirmed_by=user, run_in_background=False
        )
        done = services_import.do_apply_ofsted_import(import_id=checked.pk)
        assert done is not None
        if done.status != ImportStatus.IMPORTED:
            raise CommandError(done.error_message)
        self.stdout.write(self.style.SUCCESS("Imported."))
        self._report(done, preview=False)

    def _user(self, email: str | None) -> User | None:
        if not email:
            return None
        user = User.objects.filter(email__iexact=email, role=Role.MANAGER, is_active=True).first()
        if user is None:
            raise CommandError(f"No active KQM manager has the email address {email}.")
        return user

    def _confirmed(self, ofsted_import: OfstedImport) -> bool:
        if not sys.stdin.isatty():
            return False
        question = "Import the valid rows into the register? [y/N] "
        if ofsted_import.rejected:
            rejected = f"{ofsted_import.rejected:,} rows are rejected and will not be imported."
            question = f"{rejected} {question}"
        return input(question).strip().lower() in ("y", "yes")

    def _report(self, ofsted_import: OfstedImport, *, preview: bool) -> None:
        verbs = ("to add", "to change") if preview else ("added", "changed")
        figures = [
            ("Provider rows", ofsted_import.rows_total),
            (f"Settings {verbs[0]}", ofsted_import.to_create),
            (f"Settings {verbs[1]}", ofsted_import.to_update),
            ("Settings unchanged", ofsted_import.unchanged),
            ("Rows rejected", ofsted_import.rejected),
            (f"Inspections {verbs[0]}", ofsted_import.inspections_to_create),
            (f"Inspections {verbs[1]}", ofsted_import.inspections_to_update),
        ]
        width = max(len(label) for label, _ in figures) + 2
        lines = [f"{label + ':':<{width}}{value:,}" for label, value in figures]
        self.stdout.write("\n".join(lines))
        if preview and ofsted_import.rejected:
            self.stdout.write("Rejected rows:")
            for row in ofsted_import.rejected_rows[:SHOW_REJECTED]:
                reasons = " ".join(row["reasons"])
                self.stdout.write(f"  line {row['line']}, URN {row['urn'] or '(none)'}: {reasons}")
            if ofsted_import.rejected_rows_not_shown:
                self.stdout.write(
                    f"  … and {ofsted_import.rejected_rows_not_shown:,} more rejected rows."
                )
