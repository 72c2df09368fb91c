"""The production compose file validates, and refuses to run without a secret key.

``docker compose config`` (or the older ``docker-compose config``) resolves the
file without a Docker engine, so these tests run wherever either client is
installed and skip cleanly elsewhere.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SERVICES = {"web", "worker", "beat", "postgres", "redis"}
APP_SERVICES = {"web", "worker", "beat"}
DUMMY_SECRET = "compose-config-test-secret-key-" + "k" * 40


@pytest.fixture(scope="module")
def compose() -> list[str]:
    """The compose client: the ``docker compose`` plugin, else ``docker-compose``."""
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, timeout=60, check=False
        )
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy:
        return [legacy]
    pytest.skip("neither `docker compose` nor `docker-compose` is installed")


def run_config(
    compose: list[str],
    tmp_path: Path,
    *args: str,
    secret: str | None,
    file: Path = COMPOSE_FILE,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``config`` on the project's file, with SECRET_KEY set or removed.

    An empty ``--env-file`` keeps a developer's own ``.env`` out of the result.
    """
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    if secret is not None:
        env["SECRET_KEY"] = secret
    env.update(extra_env or {})
    return subprocess.run(
        [*compose, "--env-file", str(env_file), "--file", str(file), "config", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def parse_services_text(output: str) -> dict[str, dict[str, Any]]:
    """Services from compose's resolved YAML, read by indentation (no PyYAML needed).

    Both compose clients print two-space block YAML: ``services:`` at column 0,
    service names at 2, their keys at 4. Only what the tests check is kept: the
    healthcheck's ``test`` (and ``disable``) and the environment mapping.
    """
    services: dict[str, dict[str, Any]] = {}
    section = service = key = None
    for line in output.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        text = line.strip()
        if indent == 0:
            section, service, key = text.rstrip(":"), None, None
        elif section != "services":
            continue
        elif indent == 2 and text.endswith(":"):
            service, key = text[:-1], None
            services[service] = {}
        elif service is None:
            continue
        elif indent == 4:
            key = text.split(":", 1)[0]
            services[service].setdefault(key, {})
        elif key == "healthcheck" and text.startswith("- "):
            test = services[service]["healthcheck"].setdefault("test", [])
            if isinstance(test, list):
                test.append(_unquote(text[2:]))
        elif key == "healthcheck" and indent == 6 and ":" in text:
            name, _, value = text.partition(":")
            services[service]["healthcheck"][name] = _unquote(value) or []
        elif key == "environment" and indent == 6 and ":" in text:
            name, _, value = text.partition(":")
            services[service]["environment"][name] = _unquote(value)
    return services


def parse_services(output: str) -> dict[str, dict[str, Any]]:
    try:
        import yaml
    except ImportError:
        return parse_services_text(output)
    return yaml.safe_load(output)["services"]


def has_healthcheck(service: dict[str, Any]) -> bool:
    check = service.get("healthcheck") or {}
    if str(check.get("disable", "")).lower() == "true":
        return False
    test = check.get("test") or []
    words = test.split() if isinstance(test, str) else list(test)
    return bool(words) and words[0] != "NONE"


def test_compose_file_is_valid(compose, tmp_path):
    result = run_config(compose, tmp_path, "-q", secret=DUMMY_SECRET)
    assert result.returncode == 0, result.stderr


def test_compose_services_have_healthchecks(compose, tmp_path):
    result = run_config(compose, tmp_path, secret=DUMMY_SECRET)
    assert result.returncode == 0, result.stderr
    services = parse_services(result.stdout)

    assert set(services) >= SERVICES
    missing = sorted(name for name in SERVICES if not has_healthcheck(services[name]))
    assert not missing, f"services without a healthcheck: {missing}"
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["KQM_ENV"] == "production", name
        assert environment["SECRET_KEY"] == DUMMY_SECRET, name
        assert re.fullmatch(r"postgres://kqm:.+@postgres:5432/kqm", environment["DATABASE_URL"])
        assert environment["REDIS_URL"] == "redis://redis:6379/0", name


def test_compose_refuses_to_start_without_secret_key(compose, tmp_path):
    result = run_config(compose, tmp_path, "-q", secret=None)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_the_scale_out_file_shares_everything_but_beat(compose, tmp_path):
    """Two web replicas behind the proxy, two workers, one beat, and no media volume: every
    app container uses the shared database, Redis and the private bucket."""
    scale_file = ROOT / "docker-compose.scale.yml"
    refused = run_config(compose, tmp_path, "-q", secret=DUMMY_SECRET, file=scale_file)
    assert refused.returncode != 0
    assert "MINIO_ROOT_PASSWORD" in refused.stdout + refused.stderr
    result = run_config(
        compose,
        tmp_path,
        secret=DUMMY_SECRET,
        file=scale_file,
        extra_env={"MINIO_ROOT_PASSWORD": "object-store-secret"},
    )
    assert result.returncode == 0, result.stderr
    services = parse_services(result.stdout)
    assert set(services) >= SERVICES | {"proxy", "minio", "buckets", "migrate"}
    assert services["web"]["deploy"]["replicas"] == 2
    assert services["worker"]["deploy"]["replicas"] == 2
    assert "deploy" not in services["beat"]
    assert "ports" not in services["web"]  # only through the proxy
    assert (ROOT / "deploy/nginx-scale.conf").exists()
    for name in APP_SERVICES | {"migrate"}:
        environment = services[name]["environment"]
        assert environment["MEDIA_STORAGE"] == "s3", name
        assert environment["S3_ENDPOINT_URL"] == "http://minio:9000", name
        assert environment["REDIS_URL"] == "redis://redis:6379/0", name
        assert not services[name].get("volumes"), name
    missing = sorted(name for name in SERVICES if not has_healthcheck(services[name]))
    assert not missing


def test_text_parser_reads_compose_output():
    """The fallback parser, on output shaped like ``docker-compose config``'s."""
    output = (
        "services:\n"
        "  beat:\n"
        "    environment:\n"
        "      KQM_ENV: production\n"
        "      SECURE_SSL_REDIRECT: 'false'\n"
        "    healthcheck:\n"
        "      interval: 1m\n"
        "      test:\n"
        "      - CMD\n"
        "      - python\n"
        "      - -c\n"
        "      - 'import django; d = {''a'': 1};\n"
        "        django.setup()'\n"
        "  migrate:\n"
        "    healthcheck:\n"
        "      test:\n"
        "      - NONE\n"
        "  redis:\n"
        "    healthcheck:\n"
        "      test: redis-cli ping\n"
        "volumes:\n"
        "  media: {}\n"
    )
    services = parse_services_text(output)
    assert set(services) == {"beat", "migrate", "redis"}
    assert services["beat"]["environment"] == {
        "KQM_ENV": "production",
        "SECURE_SSL_REDIRECT": "false",
    }
    assert services["beat"]["healthcheck"]["test"][:3] == ["CMD", "python", "-c"]
    assert has_healthcheck(services["beat"])
    assert has_healthcheck(services["redis"])
    assert not has_healthcheck(services["migrate"])
