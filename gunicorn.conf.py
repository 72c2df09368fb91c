"""gunicorn's settings beyond the command line (it reads this file from the working folder)."""

from __future__ import annotations

import os
from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    """A finished worker's live gauges leave /metrics (``PROMETHEUS_MULTIPROC_DIR`` only)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
