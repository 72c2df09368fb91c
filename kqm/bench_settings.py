"""Settings of the benchmark's gunicorn: the project's own, with the anchors' URLs added."""

from kqm.settings import *  # noqa: F403

ROOT_URLCONF = "kqm.bench_site"
