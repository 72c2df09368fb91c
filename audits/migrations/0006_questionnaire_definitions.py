"""Load the shipped staff and parent questionnaires (idempotent)."""

from django.db import migrations


def load(apps, schema_editor):
    from audits.services.questionnaires import load_shipped_questionnaires

    load_shipped_questionnaires(apps)


class Migration(migrations.Migration):
    dependencies = [("audits", "0005_questionnaires")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
