"""Processes for the scale-out test: gunicorn web servers and a lone Celery beat.

Each runs on 127.0.0.1 against the test database, in a session of its own, with its output
in a log file; leaving the ``with`` block stops it (SIGTERM, then SIGKILL).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.celery_worker import ROOT, wait_for


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Process:
    log_path: Path
    url: str = ""

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextmanager
def process(
    command: list[str], env: dict[str, str], log_path: Path, ready: Callable[[Process], bool]
) -> Iterator[Process]:
    handle = Process(log_path=log_path)
    with log_path.open("w") as log_file:
        child = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(
                lambda: child.poll() is not None or ready(handle), 90, str(command[:4]), handle.log
            )
            assert child.poll() is None, f"{command[:4]} exited early:\n{handle.log()}"
            yield handle
        finally:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
    except urllib.error.HTTPError:
        return True  # an answer, if not a 200
    except OSError:
        return False
    return True


@contextmanager
def gunicorn(env: dict[str, str], log_path: Path) -> Iterator[Process]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "kqm.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--timeout",
        "60",
    ]
    url = f"http://127.0.0.1:{port}"
    with process(command, env, log_path, lambda _: _answers(f"{url}/account/login/")) as web:
        web.url = url
        yield web


@contextmanager
def beat(env: dict[str, str], tmp_path: Path) -> Iterator[Process]:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "kqm",
        "beat",
        "--loglevel",
        "INFO",
        "--scheduler",
        "kqm.beat:DatabaseScheduler",
        "--schedule",
        str(tmp_path / "beat-schedule"),
    ]
    with process(command, env, tmp_path / "beat.log", lambda p: "beat" in p.log().lower()) as b:
        yield b


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)
