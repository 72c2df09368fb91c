"""The guided notes of visit the service starts with (the KQM manager can change them)."""

from django.db import migrations

from accreditation.shipped import add_note_template, remove_note_template

class Migration(migrations.Migration):
    dependencies = [("accreditation", "0003_accreditation_year")]

    operations = [migrations.RunPython(add_note_template, remove_note_template)]
