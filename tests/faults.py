"""Fault injection for the ``slow`` tests: a Redis of the test's own (on a free port, never
the system one), a mail server that can hang before answering QUIT, and pointing this
process's Celery app at that Redis."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kombu import pools as kombu_pools

from kqm.celery import app as celery_app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def redis_missing() -> str | None:
    return None if shutil.which("redis-server") else "redis-server is not installed"


class RedisServer:
    """``redis-server`` on its own port and folder, with every write on disk (AOF), so that
    a kill and a restart lose nothing that was acknowledged."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        self.kill()


@contextmanager
def redis_server(folder: Path) -> Iterator[RedisServer]:
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def celery_broker(url: str, queue: str) -> Iterator[None]:
    """This process publishes to ``url`` (as the web process would), into ``queue``."""
    conf = celery_app.conf
    saved = (
        conf.broker_url,
        conf.broker_transport_options,
        conf.task_default_queue,
        conf.task_always_eager,
    )

    def reset_pools() -> None:
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        # kombu keeps producer pools per broker address for the whole process: one left
        # holding the closed connection pool would fail every later test's publish.
        kombu_pools.reset()

    reset_pools()
    conf.broker_url = url
    conf.broker_transport_options = {
        "socket_connect_timeout": 1,
        "socket_timeout": 2,
        "visibility_timeout": 3600,
    }
    conf.task_default_queue = queue
    conf.task_always_eager = False
    try:
        yield
    finally:
        reset_pools()
        (
            conf.broker_url,
            conf.broker_transport_options,
            conf.task_default_queue,
            conf.task_always_eager,
        ) = saved


def kill_group(pid: int) -> None:
    """Kill a worker and its pool processes at once, as a crash or an OOM kill would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def pool_processes(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    text = children.read_text() if children.exists() else ""
    return [int(child) for child in text.split()]


# A mail server --------------------------------------------------------------------------------


@dataclass
class MailServer:
    """Accepts every message; while ``hang_quit`` is set, never answers QUIT, so the sender
    stays between "the server accepted it" and whatever it does next."""

    port: int = field(default_factory=free_port)
    messages: list[bytes] = field(default_factory=list)
    hang_quit: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def message_ids(self) -> list[str]:
        found = []
        for message in self.messages:
            for line in message.decode(errors="replace").splitlines():
                if line.lower().startswith("message-id:"):
                    found.append(line.split(":", 1)[1].strip())
        return found


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())
        self.wfile.flush()

    def handle(self) -> None:
        mail = self.server.mail
        self.reply("220 kqm-test ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 kqm-test")
            elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                body = []
                while True:
                    data = self.rfile.readline()
                    if data in (b".\r\n", b".\n", b""):
                        break
                    body.append(data)
                mail.messages.append(b"".join(body))
                self.reply("250 OK: queued")
            elif command == "QUIT":
                if mail.hang_quit.is_set():
                    mail.release.wait(60)
                    return
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    mail: MailServer


@contextmanager
def mail_server() -> Iterator[MailServer]:
    mail = MailServer()
    server = _Server(("127.0.0.1", mail.port), _Handler)
    server.mail = mail
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield mail
    finally:
        mail.release.set()
        server.shutdown()
        server.server_close()
