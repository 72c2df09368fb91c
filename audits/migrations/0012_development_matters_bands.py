"""Load the Development Matters age bands (``audits/data/development-matters-bands.json``)."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parents[1] / "data" / "development-matters-bands.json"


def load_bands(apps, schema_editor):
    DevelopmentBand = apps.get_model("audits", "DevelopmentBand")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for edition in data["editions"]:
        for order, band in enumerate(edition["bands"], start=1):
            DevelopmentBand.objects.update_or_create(
                code=band["code"],
                defaults={
                    "edition": edition["edition"],
                    "label": band["label"],
                    "short": band["short"],
                    "from_months": band["from_months"],
                    "to_months": band["to_months"],
                    "is_current": edition["current"],
                    "order": order,
                },
            )


def remove_bands(apps, schema_editor):
    apps.get_model("audits", "DevelopmentBand").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("audits", "0011_learning_progress")]

    operations = [migrations.RunPython(load_bands, remove_bands)]
