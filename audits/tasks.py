"""Background jobs for audits and Leuven screenings."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from .services.leuven import do_apply_child_retention


@shared_task(bind=True)
def apply_child_retention(self: Any) -> int:
    """Daily (beat): delete children who left more than CHILD_RETENTION_YEARS ago.

    Takes no arguments and is idempotent: a second run the same day deletes nothing.
    """
    return do_apply_child_retention()
