"""Background work of the register: the Ofsted data import's preview and apply steps.

Both take the import's ID, are queued on commit, and are idempotent: the import's
status says whether the step still has to run.
"""

from __future__ import annotations

from celery import shared_task

from . import services_import


@shared_task
def preview_ofsted_import(import_id: int) -> str:
    ofsted_import = services_import.do_preview_ofsted_import(import_id=import_id)
    return ofsted_import.status if ofsted_import else "missing"


@shared_task
def apply_ofsted_import(import_id: int) -> str:
    ofsted_import = services_import.do_apply_ofsted_import(import_id=import_id)
    return ofsted_import.status if ofsted_import else "missing"
