"""Trigram indexes for the register's search (PostgreSQL only; SQLite scans, as before).

The search matches ``UPPER(column::text) LIKE UPPER('%...%')`` (Django's ``icontains``)
on the name, the URN and the postcode without its spaces; a GIN index over the same
expressions with ``gin_trgm_ops`` answers it without reading every setting.
``name`` also gets a plain index, for the register's default order.
"""

from django.db import migrations

INDEXES = {
    "settings_setting_name_trgm": "UPPER((name)::text)",
    "settings_setting_urn_trgm": "UPPER((urn)::text)",
    "settings_setting_postcode_squashed_trgm": "UPPER((REPLACE((postcode)::text, ' ', ''))::text)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON settings_setting"
            f" USING gin (({expression}) gin_trgm_ops)"
        )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS settings_setting_name_urn ON settings_setting (name, urn)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in (*INDEXES, "settings_setting_name_urn"):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("settings", "0005_ofsted_import_staged_file")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
