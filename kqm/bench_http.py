"""Real requests for ``manage.py bench``: gunicorn on 127.0.0.1 and a bounded threaded client.

``serve()`` starts gunicorn (sync workers, persistent database connections) on the
benchmark's throwaway database with ``kqm.bench_settings``, so KQM's pages and the anchors
of ``kqm.bench_site`` go through the same middleware. ``signed_in_cookie()`` makes a
session as a sign-in with the second factor would. ``load()`` sends requests from a few
threads for a fixed number of seconds and gives requests per second and percentiles.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection

WORKERS = 2
CLIENTS = 4
STARTUP_SECONDS = 60


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url() -> str:
    """The URL of the database this process uses now (the benchmark's throwaway copy)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"


@contextmanager
def serve(workdir: Path) -> Iterator[Server]:
    """gunicorn with ``WORKERS`` sync workers on a free port of 127.0.0.1, stopped after."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kqm.bench_settings",
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "CONN_MAX_AGE": "60",
        "KQM_VAR_DIR": str(workdir / "var"),
        "MEDIA_ROOT": str(workdir / "media"),
        "LOG_LEVEL": "WARNING",
    }
    log = (workdir / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "kqm.wsgi",
            f"--workers={WORKERS}",
            f"--bind=127.0.0.1:{port}",
            "--worker-class=sync",
            "--log-level=warning",
        ],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                status, _ = get(port, "/account/login/", "")
                if status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {workdir / 'gunicorn.log'}")
            time.sleep(0.2)
        yield Server(port, process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def signed_in_cookie(user: Any) -> str:
    """A session cookie for ``user``, as after signing in with their authenticator app."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True)
    store = import_module(django_settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["otp_device_id"] = device.persistent_id
    store.save()
    return f"{django_settings.SESSION_COOKIE_NAME}={store.session_key}"


def get(port: int, path: str, cookie: str) -> tuple[int, bytes]:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        client.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = client.getresponse()
        return response.status, response.read()
    finally:
        client.close()


@dataclass
class Load:
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: int) -> float:
        """The latency (seconds) under which ``p`` percent of the requests finished."""
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]

    def summary(self) -> str:
        return (
            f"{self.per_second:.1f} req/s, p50 {self.percentile(50) * 1000:.0f} ms, "
            f"p95 {self.percentile(95) * 1000:.0f} ms, p99 {self.percentile(99) * 1000:.0f} ms"
            f" ({self.requests} requests{f', {self.errors} FAILED' if self.errors else ''})"
        )


def merged(loads: list[Load]) -> Load:
    return Load(
        sum(one.requests for one in loads),
        sum(one.seconds for one in loads),
        [latency for one in loads for latency in one.latencies],
        sum(one.errors for one in loads),
    )


def paired(
    port: int, path: str, anchors: list[str], cookie: str, seconds: float, rounds: int = 3
) -> tuple[Load, dict[str, Load]]:
    """``path`` and its anchors loaded in turns (``rounds`` slices each, ``seconds`` in all
    per path), so that a swing in the machine's load weighs on both sides of a ratio."""
    page: list[Load] = []
    floor: dict[str, list[Load]] = {anchor: [] for anchor in anchors}
    for _ in range(rounds):
        for anchor in anchors:
            floor[anchor].append(load(port, anchor, cookie, seconds / rounds))
        page.append(load(port, path, cookie, seconds / rounds))
    return merged(page), {anchor: merged(loads) for anchor, loads in floor.items()}


def load(port: int, path: str, cookie: str, seconds: float, clients: int = CLIENTS) -> Load:
    """``clients`` threads request ``path`` back to back for ``seconds`` (after one warm-up
    request per worker); every answer must be 200."""
    for _ in range(WORKERS):
        status, body = get(port, path, cookie)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}: {body[:300]!r}")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        mine: list[float] = []
        failed = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                status, _ = get(port, path, cookie)
            except OSError:
                status = 0
            mine.append(time.perf_counter() - started)
            failed += status != 200
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(len(latencies), time.monotonic() - started, latencies, errors[0])
