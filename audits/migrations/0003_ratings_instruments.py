"""Load the instrument library shipped in audits/instruments/ (item numbers and short titles)."""

from django.db import migrations


def load(apps, schema_editor):
    from audits.definitions import Models, load_shipped_instruments

    load_shipped_instruments(models=Models.from_apps(apps))


class Migration(migrations.Migration):
    dependencies = [("audits", "0002_ratings_engine")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
