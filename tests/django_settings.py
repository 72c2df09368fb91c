"""The settings a test run uses: the project's own, with everything it writes in a scratch folder.

pytest-django imports this module (``DJANGO_SETTINGS_MODULE`` in pyproject.toml) before any
test or conftest, so the environment prepared here reaches ``kqm.settings`` and every process
a test starts (Celery workers, ``manage.py``), which inherit it:

- each pytest process (and each pytest-xdist worker) gets its own folder for SQLite files,
  media, the filesystem broker and static files, inside one temporary folder per run; nothing
  is written under the checkout's ``var/`` (``tests/conftest.py`` fails the run if it was);
- the cache is in memory, or Redis under a key prefix of its own when ``REDIS_URL`` is set;
- the test database is cloned from a template built once (``tests/database.py``), so the
  SQLite test database has no file name here.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

# The pytest process itself (not a worker process that a test starts, which inherits all this).
if "pytest" in sys.modules:
    if not os.environ.get("KQM_TEST_RUN_DIR"):
        # The xdist controller makes the folder; its workers inherit the variable.
        os.environ["KQM_TEST_RUN_DIR"] = tempfile.mkdtemp(prefix="kqm-test-")
    os.environ["KQM_VAR_DIR"] = str(
        Path(os.environ["KQM_TEST_RUN_DIR"]) / os.environ.get("PYTEST_XDIST_WORKER", "main")
    )
    for _name in ("MEDIA_ROOT", "STATIC_ROOT", "CELERY_BROKER_DIR"):
        os.environ.pop(_name, None)

from kqm.settings import *  # noqa: F403
from kqm.settings import CACHES, DATABASES, REDIS_URL

TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
TEST_RUN = Path(os.environ.get("KQM_TEST_RUN_DIR", "kqm-test")).name

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].pop("TEST", None)
elif os.environ.get("KQM_TEST_LANE"):
    # The two lanes of `bin/dev test` run at once: each has test databases of its own.
    _lane = os.environ["KQM_TEST_LANE"]
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{_lane}"}

if REDIS_URL:
    # The project's Redis cache (with its timeouts), under a key prefix of this process's own.
    CACHES["default"]["KEY_PREFIX"] = f"{TEST_RUN}-{TEST_WORKER}"
elif os.environ.get("KQM_TEST_SHARED_CACHE"):
    # A run with real worker processes: they report progress through the cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ["KQM_TEST_SHARED_CACHE"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
