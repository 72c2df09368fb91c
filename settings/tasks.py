"""Background work of the register: the Ofsted data import's preview and apply steps.

Both take the import's ID, are queued on commit, and are idempotent: the import's
status says whether the step still has to run.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from . import services_import

LONG = {
    "soft_time_limit": settings.LONG_TASK_TIME_LIMIT - 60,
    "time_limit": settings.LONG_TASK_TIME_LIMIT,
}


@shared_task(**LONG)
def preview_ofsted_import(import_id: int) -> str:
    ofsted_import = services_import.do_preview_ofsted_import(import_id=import_id)
    return ofsted_import.status if ofsted_import else "missing"


@shared_task(**LONG)
def apply_ofsted_import(import_id: int) -> str:
    ofsted_import = services_import.do_apply_ofsted_import(import_id=import_id)
    return ofsted_import.status if ofsted_import else "missing"
