"""Walking a record's status table pair by pair (accreditation/status_table.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import models

from accreditation.status_table import StatusTable, Step


def each_pair(table: StatusTable, record: models.Model) -> Iterator[tuple[str, str, Step | None]]:
    """Every (status, move) pair: the record is put in the first status (read back afresh),
    then the pair and the table's row for it (None when the table has no such move)."""
    manager: Any = type(record)._default_manager
    for source in table.statuses.values:
        for target in table.statuses.values:
            manager.filter(pk=record.pk).update(status=source)
            record.refresh_from_db()
            yield source, target, table.pipeline.get((source, target))
