"""Load the questionnaire definitions shipped in ``audits/questionnaires/``.

The data migration does the same on ``migrate``; this command loads definitions added
to the folder later. A version already in the database is left alone, and a newly
loaded version becomes the one new rounds use.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audits.services.questionnaires import (
    QuestionnaireDefinitionError,
    load_shipped_questionnaires,
)


class Command(BaseCommand):
    help = "Load the shipped staff and parent questionnaire definitions."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                results = load_shipped_questionnaires()
        except QuestionnaireDefinitionError as error:
            raise CommandError("\n".join(error.errors)) from None
        for code, version, created in results:
            self.stdout.write(f"{code} ({version}): {'loaded' if created else 'already loaded'}")
        loaded = sum(created for _, _, created in results)
        self.stdout.write(self.style.SUCCESS(f"{loaded} of {len(results)} questionnaires loaded."))
