"""Schedule the daily reminder job in beat's database schedule, so it shows in the admin."""

from django.db import migrations

NAME = "Award reminders"


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_morning, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="6",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "accreditation.tasks.send_due_reminders",
            "crontab": every_morning,
            "interval": None,
            "enabled": True,
            "description": "Sends every award reminder due up to today, once each; "
            "a day missed is caught up on the next run.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accreditation", "0006_after_award_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
