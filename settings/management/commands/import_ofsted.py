"""Import Ofsted's childcare providers file (CSV, XLSX or ODS) from the command line.

The same steps, formats, size limit and messages as the browser upload: the file is
stored as an import, checked against the register (the preview), and applied only
when confirmed, with ``--yes`` or by answering the question. ``--dry-run`` stops
after the preview. ``--resume ID`` finishes an import that stopped part-way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kqm.models import Role, User
from settings import importer, services_import
from settings.forms_import import check_name, too_large_message
from settings.models import ImportStatus, OfstedImport

SHOW_REJECTED = 1000


class Command(BaseCommand):
    help = "Check Ofsted's childcare providers file against the register, then import it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", nargs="?", help="the provider-level file from GOV.UK (CSV, XLSX or ODS)"
        )
        parser.add_argument(
            "--resume", type=int, metavar="ID", help="finish the import ID that stopped part-way"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change; change nothing"
        )
        parser.add_argument("--yes", action="store_true", help="import without asking")
        parser.add_argument(
            "--user",
            help="email of the KQM manager the audit trail names (default: the command line)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options.get("user"))
        if options.get("resume"):
            self._resume(options["resume"], user)
            return
        if not options.get("path"):
            raise CommandError("Give the file to import, or --resume ID.")
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        problem = too_large_message(path.stat().st_size) or check_name(path.name)
        if problem:
            raise CommandError(problem)
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
        self._apply(checked, user)

    def _apply(self, ofsted_import: OfstedImport, user: User | None) -> None:
        services_import.do_confirm_ofsted_import(
            ofsted_import=ofsted_import, confirmed_by=user, run_in_background=False
        )
        done = services_import.do_apply_ofsted_import(import_id=ofsted_import.pk)
        assert done is not None
        if done.status != ImportStatus.IMPORTED:
            raise CommandError(
                f"{done.error_message} (import_ofsted --resume {done.pk} finishes it)"
                if done.applied_through
                else done.error_message
            )
        self.stdout.write(self.style.SUCCESS("Imported."))
        self._report(done, preview=False)

    def _resume(self, import_id: int, user: User | None) -> None:
        ofsted_import = OfstedImport.objects.filter(pk=import_id).first()
        if ofsted_import is None:
            raise CommandError(f"No Ofsted import has the number {import_id}.")
        if ofsted_import.status != ImportStatus.FAILED or ofsted_import.confirmed_at is None:
            raise CommandError("Only an import that stopped while importing can be resumed.")
        self._apply(ofsted_import, user)

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
        if preview:
            used = [name for name, meaning in ofsted_import.column_map if "ignored" not in meaning]
            ignored = [name for name, meaning in ofsted_import.column_map if "ignored" in meaning]
            self.stdout.write(f"Columns used: {len(used)} of {len(ofsted_import.column_map)}.")
            if ignored:
                self.stdout.write(f"Columns ignored: {', '.join(ignored)}")
            if ofsted_import.as_at:
                self.stdout.write(f"Data as at: {ofsted_import.as_at:%d/%m/%Y}")
        figures = [
            ("Provider rows", ofsted_import.rows_total),
            (f"Settings {verbs[0]}", ofsted_import.to_create),
            (f"Settings {verbs[1]}", ofsted_import.to_update),
            ("Settings unchanged", ofsted_import.unchanged),
            ("Rows rejected", ofsted_import.rejected),
            ("Rows outside the local authorities", ofsted_import.out_of_scope),
            ("Warnings", ofsted_import.warnings_count),
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
        if preview and ofsted_import.warnings_count:
            self.stdout.write("Warnings:")
            for warning in ofsted_import.warnings:
                self.stdout.write(
                    f"  line {warning['line']}, URN {warning['urn'] or '(none)'}: "
                    f"{warning['message']}"
                )
        if preview:
            for label, file in (
                ("Every change", ofsted_import.changes_file),
                ("Every rejected row", ofsted_import.rejected_file),
                ("Every warning", ofsted_import.warnings_file),
            ):
                if file:
                    self.stdout.write(f"{label}: {file.path}")
