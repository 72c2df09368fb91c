"""``manage.py bench``: it runs on the production install, its anchors go through the
project's middleware, its load client counts what it measures, ``--json`` and ``--quick``."""

from __future__ import annotations

import http.server
import io
import json
import os
import subprocess
import sys
import threading
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from kqm import bench, bench_http
from kqm.bench_site import BARE_BODY
from kqm.benchmarks import bench_manager
from kqm.management.commands import bench as bench_command

BLOCKING_RUN = """
import runpy, sys
BLOCKED = set(sys.argv[1].split(","))
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (a test-only package)")
sys.meta_path.insert(0, Blocker())
sys.path.insert(0, ".")
sys.argv = ["manage.py", "bench", "--list"]
runpy.run_path("manage.py", run_name="__main__")
"""


def _name(requirement: str) -> str:
    for stop in "[<>=! ;":
        requirement = requirement.split(stop)[0]
    return requirement.strip().lower().replace("_", "-")


def test_the_bench_imports_no_test_only_package(tmp_path):
    """What ``pip install .`` installs is enough: every module only the dev extras bring
    is made unimportable, and the benchmarks still load."""
    project = tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text())["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    dev_only = {_name(r) for r in project["optional-dependencies"]["dev"]} - runtime
    blocked = {
        module
        for module, dists in packages_distributions().items()
        if dists and all(_name(d) in dev_only for d in dists)
    }
    assert {"pypdf", "pytest", "hypothesis"} <= blocked
    result = subprocess.run(
        [sys.executable, "-c", BLOCKING_RUN, ",".join(sorted(blocked))],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "kqm.settings", "KQM_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "pages_70k:" in result.stdout and "ofsted_import_70k:" in result.stdout


@pytest.mark.django_db
@pytest.mark.urls("kqm.bench_site")
def test_the_anchors_answer_the_bench_manager_through_the_project_middleware(client):
    user = bench_manager()
    name, value = bench_http.signed_in_cookie(user).split("=")
    for path in ("/bench/bare/", "/bench/settings/", "/settings/"):
        assert client.get(path).status_code == 302  # signed out: to the sign-in page
    client.cookies[name] = value  # signed in with the second factor, as a real sign-in
    assert client.get("/bench/bare/").content == BARE_BODY and len(BARE_BODY) == 2048
    for path in ("/bench/settings/", "/bench/admin/settings/setting/?q=Rainbow", "/settings/"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert client.get("/bench/settings/").context["paginator"].per_page == 50
    assert client.get("/bench/admin/settings/setting/").context["cl"].list_per_page == 100


class _Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 200 if self.path == "/ok" else 500
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def test_the_load_client_is_bounded_in_time_and_counts_every_answer():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        measured = bench_http.load(port, "/ok", "", seconds=0.3, clients=2)
        assert measured.requests == len(measured.latencies) > 2 and measured.errors == 0
        assert 0.3 <= measured.seconds < 3
        assert 0 < measured.percentile(50) <= measured.percentile(95) <= measured.percentile(99)
        assert "req/s" in measured.summary() and "FAILED" not in measured.summary()
        with pytest.raises(RuntimeError, match="answered 500"):
            bench_http.load(port, "/broken", "", seconds=0.1)
    finally:
        server.shutdown()
        server.server_close()


def test_quick_and_json_reach_the_benchmarks_and_the_file(tmp_path, monkeypatch):
    seen = {}

    def fake(workdir: Path) -> bench.Figures:
        seen["size"] = bench.size(70_000, 30)
        seen["seconds"] = bench.OPTIONS.seconds
        bench.metric("requests.per_second", 12.5)
        return [("rows", f"{seen['size']:,}")]

    monkeypatch.setitem(bench.BENCHMARKS, "fake", bench.Benchmark("fake", "A fake", fake))
    monkeypatch.setattr(bench, "discover", lambda: bench.BENCHMARKS)
    monkeypatch.setattr(bench_command, "discover", lambda: bench.BENCHMARKS)
    monkeypatch.setattr(bench_command.Command, "_create_database", lambda self, workdir: "same")
    monkeypatch.setattr(
        bench_command.connection.creation, "destroy_test_db", lambda *args, **kwargs: None
    )
    out = tmp_path / "figures.json"
    call_command("bench", "fake", "--quick", "--json", str(out), stdout=io.StringIO())
    assert seen == {"size": 30, "seconds": 1.0}
    report = json.loads(out.read_text())
    assert report["quick"] is True
    assert report["benchmarks"]["fake"] == {
        "figures": {"rows": "30"},
        "metrics": {"requests.per_second": 12.5},
    }
