"""Load the instrument definitions shipped in ``audits/instruments/``.

The data migration does the same on ``migrate``; this command loads definitions added
to the folder later. A version already in the database is left alone.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audits.definitions import DefinitionError, load_shipped_instruments


class Command(BaseCommand):
    help = "Load the shipped instrument definitions (item numbers and short titles)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                results = load_shipped_instruments()
        except DefinitionError as error:
            raise CommandError("\n".join(error.errors)) from None
        for result in results:
            state = "loaded" if result.created else "already loaded"
            self.stdout.write(f"{result.code} ({result.version}): {state}")
        created = sum(r.created for r in results)
        self.stdout.write(self.style.SUCCESS(f"{created} of {len(results)} versions loaded."))
