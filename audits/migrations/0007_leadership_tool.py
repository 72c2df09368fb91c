"""Load the KQM leadership audit tool and the PPEL parent partnership audit (Unit B).

The shared loader loads every shipped definition not yet in the database, so this
adds ``kqm-leadership.json`` and ``kqm-ppel.json`` and leaves the others alone.
"""

from django.db import migrations


def load(apps, schema_editor):
    from audits.definitions import Models, load_shipped_instruments

    load_shipped_instruments(models=Models.from_apps(apps))


class Migration(migrations.Migration):
    dependencies = [("audits", "0006_questionnaire_definitions")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
