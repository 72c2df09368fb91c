"""The Celery application: Redis when REDIS_URL is set, the filesystem broker otherwise."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kqm.settings")

app = Celery("kqm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
