"""Run real Celery worker (and beat) processes against the test database.

Over Redis when REDIS_URL is set, over the embedded filesystem broker otherwise.
Each run consumes its own queue, so a developer's running worker never takes
the test's messages.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def test_database_url() -> str:
    """A DATABASE_URL for the test database this process is using."""
    return database_url(connection.settings_dict)


def database_url(db: Any) -> str:
    """A DATABASE_URL for a database given as Django connection settings."""
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "localhost"
    port = db["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


@dataclass
class WorkerProcess:
    queue: str
    hostname: str
    mail_dir: Path
    log_path: Path
    pid: int = 0

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def mail_files(self) -> list[Path]:
        return sorted(self.mail_dir.glob("*.log")) if self.mail_dir.exists() else []


def wait_for(
    condition: Callable[[], object],
    timeout: float = 60,
    what: str = "condition",
    log: Callable[[], str] | None = None,
) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"Timed out waiting for {what}.\n{log() if log else ''}")


@contextmanager
def celery_worker(
    tmp_path: Path,
    *,
    beat: bool = False,
    extra_env: dict[str, str] | None = None,
    pool: str = "solo",
    queue: str = "",
    name: str = "worker",
) -> Iterator[WorkerProcess]:
    """A worker consuming its own queue (or ``queue``, to take over another's work).

    ``pool="prefork"`` runs one pool process under the main one (to kill it mid-task).
    """
    queue = queue or f"kqm-test-{uuid.uuid4().hex[:10]}"
    hostname = f"{name}-{uuid.uuid4().hex[:6]}@localhost"
    mail_dir = tmp_path / "mail"
    log_path = tmp_path / f"{name}.log"
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "kqm",
        "worker",
        "--pool",
        pool,
        *(["--concurrency", "1"] if pool == "prefork" else []),
        "--queues",
        queue,
        "--hostname",
        hostname,
        "--without-mingle",
        "--without-gossip",
        "--loglevel",
        "INFO",
    ]
    if beat:
        command += [
            "--beat",
            "--scheduler",
            "kqm.beat:DatabaseScheduler",
            "--schedule",
            str(tmp_path / "beat-schedule"),
        ]
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        worker = WorkerProcess(
            queue=queue, hostname=hostname, mail_dir=mail_dir, log_path=log_path, pid=process.pid
        )
        try:
            wait_for(
                lambda: "ready." in worker.log() or process.poll() is not None,
                90,
                "the worker to start",
                worker.log,
            )
            assert process.poll() is None, f"worker exited early:\n{worker.log()}"
            yield worker
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
