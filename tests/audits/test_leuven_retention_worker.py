"""The retention rule through a real Celery worker, as beat would queue it."""

from __future__ import annotations

import datetime

import pytest

from audits.models import Child, LeuvenScore
from audits.tasks import apply_child_retention
from kqm.celery import app as celery_app
from tests.celery_worker import celery_worker, wait_for
from tests.factories import SettingFactory

from .leuven_factories import ChildFactory, GroupFactory, LeuvenScoreFactory, ScreeningFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_deletes_children_past_the_retention_period(tmp_path):
    group = GroupFactory(setting=SettingFactory())
    gone = ChildFactory(group=group, left_on=datetime.date(2019, 7, 19))
    kept = ChildFactory(group=group)
    screening = ScreeningFactory(group=group)
    LeuvenScoreFactory(screening=screening, child=gone)
    LeuvenScoreFactory(screening=screening, child=kept)
    with celery_worker(tmp_path) as worker:
        celery_app.conf.task_always_eager = False
        previous_queue = celery_app.conf.task_default_queue
        celery_app.conf.task_default_queue = worker.queue
        try:
            apply_child_retention.delay()
            wait_for(
                lambda: not Child.objects.filter(pk=gone.pk).exists(),
                60,
                "the retention task",
                worker.log,
            )
        finally:
            celery_app.conf.task_default_queue = previous_queue
    assert list(Child.objects.values_list("pk", flat=True)) == [kept.pk]
    assert list(LeuvenScore.objects.values_list("child_id", flat=True)) == [kept.pk]
