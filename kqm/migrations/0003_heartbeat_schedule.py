"""Store the worker heartbeat in beat's database schedule, so it shows in the admin."""

from django.db import migrations

from kqm.schedules import installing


class Migration(migrations.Migration):
    dependencies = [
        ("kqm", "0002_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [installing("Worker heartbeat")]
