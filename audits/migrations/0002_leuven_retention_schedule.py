"""Run the children's data retention rule every night, from beat's database schedule."""

from django.db import migrations

from kqm.schedules import installing


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [installing("Children's data retention")]
