"""The audit trail of a record as rows a person can read: who, when, what changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Model

HISTORY_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryRow:
    when: datetime
    who: str
    action: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def _label(model: type[Model], name: str) -> str:
    try:
        field = model._meta.get_field(name)
    except Exception:
        return name.replace("_", " ").capitalize()
    return str(getattr(field, "verbose_name", name)).capitalize()


def _show(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, list):  # many-to-many: list of through-row dicts
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)


def history_rows(obj: Model, limit: int = 50) -> list[HistoryRow]:
    """Newest first. Each change names the field with its old and new value."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[  # type: ignore[attr-defined]
            : limit + 1
        ]
    )
    rows: list[HistoryRow] = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[Change] = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                changes.append(
                    Change(_label(type(obj), change.field), _show(change.old), _show(change.new))
                )
        rows.append(
            HistoryRow(
                when=record.history_date,
                who=str(record.history_user) if record.history_user else "System",
                action=HISTORY_TYPES.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return rows
