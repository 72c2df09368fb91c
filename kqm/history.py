"""The audit trail of a record as rows a person can read: who, when, what changed.

Values are shown as people know them: a related record by its name ("Decided by:
Morgan Patel", resolved in one query per related model, not per row), a choice by its
label, a date or time in local time, yes or no, and a many-to-many field by the names
of the records it links to.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Field, ForeignKey, ManyToManyField, Model
from django.utils import timezone
from django.utils.formats import date_format

HISTORY_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}
BLANK = "(blank)"


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryRow:
    when: datetime.datetime
    who: str
    action: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def _field(model: type[Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def _label(model: type[Model], name: str) -> str:
    found = _field(model, name)
    if found is None:
        return name.replace("_", " ").capitalize()
    return str(getattr(found, "verbose_name", name)).capitalize()


def _related_ids(found: Any, value: Any) -> list[Any]:
    """The primary keys of the records a foreign key or many-to-many value points at."""
    if isinstance(found, ForeignKey):
        return [value] if value not in (None, "") else []
    if isinstance(found, ManyToManyField) and isinstance(value, list):
        target = found.m2m_reverse_field_name()
        return [row.get(target) for row in value if isinstance(row, dict)]
    return []


def show_value(
    found: Field[Any, Any] | Any | None, value: Any, names: dict[tuple[Any, Any], str]
) -> str:
    """A field's value as a person reads it; ``names`` maps (model, pk) to a record's name."""
    if value is None or value == "":
        return BLANK
    if isinstance(found, ManyToManyField):
        model = found.related_model
        shown = [names.get((model, pk), "a removed record") for pk in _related_ids(found, value)]
        return ", ".join(shown) or "(none)"
    if isinstance(found, ForeignKey):
        return names.get((found.related_model, value), "a removed record")
    choices = getattr(found, "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(moment, "j M Y H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j M Y")
    if isinstance(value, dict):
        return "; ".join(f"{key}: {show_value(None, item, names)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(show_value(None, item, names) for item in value) or "(none)"
    return str(value)


def _names(model: type[Model], deltas: list[Any]) -> dict[tuple[Any, Any], str]:
    """Every related record the changes mention, named with one query per related model."""
    wanted: dict[Any, set[Any]] = defaultdict(set)
    for delta in deltas:
        for change in delta.changes:
            found = _field(model, change.field)
            if isinstance(found, ForeignKey | ManyToManyField):
                for value in (change.old, change.new):
                    wanted[found.related_model].update(_related_ids(found, value))
    names: dict[tuple[Any, Any], str] = {}
    for related, pks in wanted.items():
        for record in related._default_manager.filter(pk__in=pks - {None}):
            names[(related, record.pk)] = str(record)
    return names


def history_rows(obj: Model, limit: int = 50) -> list[HistoryRow]:
    """Newest first. Each change names the field with its old and new value."""
    model = type(obj)
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[  # type: ignore[attr-defined]
            : limit + 1
        ]
    )
    deltas: list[Any] = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changed = previous is not None and record.history_type == "~"
        deltas.append(record.diff_against(previous) if changed else None)
    names = _names(model, [delta for delta in deltas if delta is not None])
    rows: list[HistoryRow] = []
    for record, delta in zip(records[:limit], deltas, strict=True):
        changes = [
            Change(
                _label(model, change.field),
                show_value(_field(model, change.field), change.old, names),
                show_value(_field(model, change.field), change.new, names),
            )
            for change in (delta.changes if delta is not None else [])
        ]
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
