"""Links in emails and certificates point where ``bin/dev run`` serves, unless SITE_URL is set."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings as django_settings

DEV = Path(django_settings.BASE_DIR) / "bin" / "dev"


def _site_url(tmp_path: Path, env_file: str = "", **env: str) -> str:
    (tmp_path / "bin").mkdir(exist_ok=True)
    shutil.copy(DEV, tmp_path / "bin" / "dev")
    if env_file:
        (tmp_path / ".env").write_text(env_file)
    clean = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "HOST", "PORT")}
    result = subprocess.run(
        [str(tmp_path / "bin" / "dev"), "site-url"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return result.stdout.strip()


def test_run_links_to_the_host_and_port_it_serves_on(tmp_path):
    assert _site_url(tmp_path) == "http://127.0.0.1:8000"
    assert _site_url(tmp_path, PORT="8121") == "http://127.0.0.1:8121"
    assert _site_url(tmp_path, HOST="0.0.0.0", PORT="8121") == "http://0.0.0.0:8121"


def test_a_site_url_that_is_set_wins(tmp_path):
    assert _site_url(tmp_path, PORT="8121", SITE_URL="https://kqm.example") == "https://kqm.example"
    env_file = "DEBUG=on\nSITE_URL='https://kqm.example.gov.uk'\n"
    assert _site_url(tmp_path, env_file, PORT="8121") == "https://kqm.example.gov.uk"
