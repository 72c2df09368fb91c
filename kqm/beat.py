"""Beat's scheduler: django-celery-beat's database schedule, surviving database outages.

The stock scheduler reads its schedule once at start; a database that is down at that
moment kills beat for good. This one logs the error, waits a few seconds and reads it
again, at start and at every tick, so beat comes back by itself with the database.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.db import DatabaseError, InterfaceError, close_old_connections, connection
from django_celery_beat.schedulers import DatabaseScheduler as BaseDatabaseScheduler

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (DatabaseError, InterfaceError)


class DatabaseScheduler(BaseDatabaseScheduler):
    #: Seconds between two attempts while the database is unreachable.
    retry_interval = 5.0
    _schedule_read = False

    def setup_schedule(self) -> None:
        try:
            super().setup_schedule()
        except DATABASE_ERRORS as error:
            self._database_down("read its schedule", error)
        else:
            self._schedule_read = True

    def tick(self, *args: Any, **kwargs: Any) -> float:
        try:
            if not self._schedule_read:
                self.setup_schedule()
                if not self._schedule_read:
                    return self.retry_interval
            return float(super().tick(*args, **kwargs))
        except DATABASE_ERRORS as error:
            self._database_down("tick", error)
            return self.retry_interval

    def _database_down(self, doing: str, error: Exception) -> None:
        logger.warning(
            "Beat could not %s: the database is unavailable (%s). Trying again in %.0f s.",
            doing,
            error,
            self.retry_interval,
        )
        self._initial_read = True  # read the whole schedule again once it is back
        self._schedule_read = False
        close_old_connections()
        with contextlib.suppress(*DATABASE_ERRORS):
            connection.close()
