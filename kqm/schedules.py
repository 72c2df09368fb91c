"""The periodic jobs Celery beat runs, as data.

Migrations install them into django-celery-beat's tables (``kqm.beat`` reads them from
there), so an operator can pause one in the admin without a deploy. Crontab times are
Europe/London.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import migrations


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    description: str
    every_seconds: int | None = None
    at: tuple[str, str] | None = None  # (minute, hour) every day


SCHEDULES = {
    schedule.name: schedule
    for schedule in [
        Schedule(
            name="Worker heartbeat",
            task="kqm.tasks.record_heartbeat",
            every_seconds=60,
            description="Records that a worker is alive; /healthz reports the last heartbeat.",
        ),
        Schedule(
            name="Outbox sweep",
            task="kqm.tasks.publish_outbox",
            every_seconds=60,
            description=(
                "Publishes background work the broker missed and queues stuck work again "
                "(certificates, imports, exports, emails)."
            ),
        ),
        Schedule(
            name="Personal data retention",
            task="kqm.tasks.apply_retention",
            at=("45", "2"),
            description="Applies the retention schedule for staff accounts, questionnaire "
            "answers, evidence files, messages and access logs (kqm/retention.py).",
        ),
        Schedule(
            name="Children's data retention",
            task="audits.tasks.apply_child_retention",
            at=("30", "2"),
            description="Deletes children who left more than CHILD_RETENTION_YEARS years ago, "
            "with their Leuven scores, action points and history.",
        ),
        Schedule(
            name="Award reminders",
            task="accreditation.tasks.send_due_reminders",
            at=("0", "6"),
            description="Sends every award reminder due up to today, once each; "
            "a day missed is caught up on the next run.",
        ),
    ]
}


def install(apps: Any, names: tuple[str, ...]) -> None:
    periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
    for name in names:
        schedule = SCHEDULES[name]
        when: dict[str, Any] = {"interval": None, "crontab": None}
        if schedule.every_seconds:
            interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
            when["interval"], _ = interval_model.objects.get_or_create(
                every=schedule.every_seconds, period="seconds"
            )
        else:
            assert schedule.at is not None
            minute, hour = schedule.at
            crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
            when["crontab"], _ = crontab_model.objects.get_or_create(
                minute=minute,
                hour=hour,
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone="Europe/London",
            )
        periodic_task.objects.update_or_create(
            name=name,
            defaults={
                "task": schedule.task,
                "enabled": True,
                "description": schedule.description,
                **when,
            },
        )


def remove(apps: Any, names: tuple[str, ...]) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()


def installing(*names: str) -> migrations.RunPython:
    """A migration operation that installs these schedules (and removes them when reversed)."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        install(apps, names)

    def backwards(apps: Any, schema_editor: Any) -> None:
        remove(apps, names)

    return migrations.RunPython(forwards, backwards)
