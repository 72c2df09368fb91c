"""Load the shipped end-of-cohort evaluation questionnaire (idempotent).

The loader reads every shipped definition and skips versions already loaded, so on a
new database (where 0006 has loaded all of them) this does nothing.
"""

from django.db import migrations


def load(apps, schema_editor):
    from audits.services.questionnaires import load_shipped_questionnaires

    load_shipped_questionnaires(apps)


class Migration(migrations.Migration):
    dependencies = [("audits", "0008_reviews_and_evaluation_rounds")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
