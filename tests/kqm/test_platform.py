"""Configuration, database, health check, audit trail coverage, demo data."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from accreditation.models import (
    Accreditation,
    Application,
    ApplicationStatus,
    Award,
    BudgetLine,
    Cohort,
    DayRate,
    Status,
)
from kqm.models import Role, User, WorkerHeartbeat
from settings.models import Inspection, Sector, Setting
from settings.ofsted import Framework

ROOT = Path(__file__).resolve().parents[2]
PROJECT_APPS = ("kqm", "settings", "accreditation", "audits")
# Platform bookkeeping rows, not records people edit.
NO_HISTORY = {
    "kqm.WorkerHeartbeat",
    "kqm.SentEmail",
    "kqm.OutboxMessage",  # a queue of work to publish, not a record anyone edits
    "accreditation.AccreditationStatusChange",  # itself an append-only history of statuses
    "accreditation.Reminder",  # an append-only log of reminders sent, written by the daily job
    "accreditation.ReminderRun",  # likewise: what each run of the daily job did
    "audits.AuditStatusChange",  # likewise: completing and reopening audits, with reasons
    "audits.ChildDataAccess",  # an append-only access log
    # Anonymous questionnaires: a history row would record when a link was used or an answer
    # given, which could tie answers to a person (audits/models/questionnaires.py).
    "audits.QuestionnaireLink",
    "audits.QuestionnaireResponse",
    "audits.QuestionnaireAnswer",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "KQM_ENV", "DEBUG"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_database_matches_database_url():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor == "sqlite"


def test_deploy_check_is_clean_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        KQM_ENV="production",
        SECRET_KEY="p" * 20 + "-production-secret-for-the-deploy-check-" + "q" * 20,
        ALLOWED_HOSTS="kqm.example.gov.uk",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start():
    result = _manage("check", KQM_ENV="production", ALLOWED_HOSTS="kqm.example.gov.uk")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_every_model_keeps_an_audit_trail():
    missing = []
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label not in PROJECT_APPS or label in NO_HISTORY:
            continue
        if model.__name__.startswith("Historical"):
            continue
        if not hasattr(model, "history"):
            missing.append(label)
    assert missing == []


@pytest.mark.django_db
def test_heartbeat_task_records_the_worker():
    from kqm.tasks import record_heartbeat

    record_heartbeat.delay()
    assert WorkerHeartbeat.objects.count() == 1


@pytest.mark.django_db
def test_seed_demo_creates_one_login_per_role_and_is_idempotent(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert User.objects.count() == 8  # one per role, plus three more evaluators
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    for role in Role.values:
        login = User.objects.filter(role=role).order_by("date_joined", "pk")[0]
        assert login.email in output
        assert login.check_password("kqm-demo-2026")
    assert "kqm-demo-2026" in output
    assert Setting.objects.count() == 60
    assert set(Setting.objects.values_list("sector", flat=True)) == set(Sector.values)
    assert Cohort.objects.count() == 3
    # The seed's costs: £105 a day and £5,232 of materials for every cohort, once.
    assert DayRate.objects.get().rate == Decimal("105.00")
    assert BudgetLine.objects.filter(kind="materials", amount=Decimal("5232")).count() == 3
    # Applications in every state, inspections under every framework.
    assert set(Application.objects.values_list("status", flat=True)) == set(
        ApplicationStatus.values
    )
    assert set(Inspection.objects.values_list("framework", flat=True)) == set(Framework.values)
    # Accredited, or moved on by the demo's annual reviews and re-accreditation.
    accredited = Accreditation.objects.filter(
        status__in=[
            Status.ACCREDITED,
            Status.REVIEW_DUE,
            Status.REVIEWED,
            Status.REACCREDITATION_DUE,
        ]
    )
    assert accredited.count() >= 20
    assert Award.objects.filter(accreditation__in=accredited).count() == accredited.count()
    demo_setting = Setting.objects.get(urn="EY412345")
    evaluator = User.objects.get(email="evaluator@kqm.example")
    assert demo_setting.accreditations.get().evaluator == evaluator


def test_beat_schedule_is_stored_in_the_database(db):
    """The migrations write the heartbeat into beat's database schedule."""
    from django.apps import apps as django_apps
    from django_celery_beat.models import PeriodicTask

    from kqm import schedules

    PeriodicTask.objects.filter(name="Worker heartbeat").delete()  # may be flushed already
    schedules.install(django_apps, ("Worker heartbeat",))
    schedules.install(django_apps, ("Worker heartbeat",))  # idempotent
    task = PeriodicTask.objects.get(name="Worker heartbeat")
    assert task.task == "kqm.tasks.record_heartbeat"
    assert task.enabled
    assert task.interval.every == 60
