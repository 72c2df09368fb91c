"""Beat's database scheduler comes back by itself after a database outage."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler as StockScheduler

from kqm.beat import DatabaseScheduler
from kqm.celery import app as celery_app

# Real commits: the scheduler closes its connection when the database fails.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def schedule():
    """Two jobs, as the migrations store them (a transactional test starts empty)."""
    every_minute = IntervalSchedule.objects.create(every=60, period="seconds")
    for name, task in (
        ("Worker heartbeat", "kqm.tasks.record_heartbeat"),
        ("Outbox sweep", "kqm.tasks.publish_outbox"),
    ):
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "interval": every_minute}
        )


class Outage:
    """The database is down until ``up()``."""

    def __init__(self, monkeypatch) -> None:
        self.down = True
        real = StockScheduler.all_as_schedule

        def all_as_schedule(scheduler):
            if self.down:
                raise OperationalError("could not connect to server: Connection refused")
            return real(scheduler)

        monkeypatch.setattr(StockScheduler, "all_as_schedule", all_as_schedule)

    def up(self) -> None:
        self.down = False


def test_beat_starts_with_the_database_down_and_runs_once_it_is_back(monkeypatch, caplog):
    outage = Outage(monkeypatch)
    sent: list[str] = []
    monkeypatch.setattr(
        DatabaseScheduler, "apply_entry", lambda self, entry, producer=None: sent.append(entry.name)
    )
    scheduler = DatabaseScheduler(app=celery_app, lazy=False)  # the stock one dies here
    assert "the database is unavailable" in caplog.text
    assert scheduler.tick() == scheduler.retry_interval
    assert scheduler.tick() == scheduler.retry_interval
    outage.up()
    scheduler.tick()
    assert {"Worker heartbeat", "Outbox sweep"} <= set(scheduler.schedule)


def test_the_database_going_away_later_does_not_stop_beat(monkeypatch):
    scheduler = DatabaseScheduler(app=celery_app, lazy=False)
    assert "Outbox sweep" in scheduler.schedule
    outage = Outage(monkeypatch)
    scheduler._initial_read = True  # the next tick reads the whole schedule again
    assert scheduler.tick() == scheduler.retry_interval
    outage.up()
    assert scheduler.tick() >= 0
    assert "Outbox sweep" in scheduler.schedule


def test_the_settings_and_compose_use_it():
    from pathlib import Path

    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULER == "kqm.beat:DatabaseScheduler"
    compose = (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()
    assert "kqm.beat:DatabaseScheduler" in compose
