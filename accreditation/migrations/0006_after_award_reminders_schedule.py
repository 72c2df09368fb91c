"""Send the award reminders every morning, from beat's database schedule."""

from django.db import migrations

from kqm.schedules import installing


class Migration(migrations.Migration):
    dependencies = [
        ("accreditation", "0006_after_award_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [installing("Award reminders")]
