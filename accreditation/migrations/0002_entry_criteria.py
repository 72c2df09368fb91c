"""The entry criteria of the Kent Quality Mark, editable by the KQM manager in the admin."""

from django.db import migrations

from accreditation.shipped import add_entry_criteria

class Migration(migrations.Migration):
    dependencies = [("accreditation", "0001_initial")]

    operations = [migrations.RunPython(add_entry_criteria, migrations.RunPython.noop)]
