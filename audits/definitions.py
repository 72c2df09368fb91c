"""Instrument definitions as data: read, check and load them.

A definition is a dict (a JSON file in ``audits/instruments/``, an uploaded JSON or CSV
file, or a copy of an existing version) holding one version of one instrument::

    {"code": "ecers-3", "name": "ECERS-3", "kind": "rating_scale", "version": "2015",
     "publisher": "...", "licence_note": "...", "description": "...",
     "scale": [{"value": 1, "label": "Inadequate"}, {"value": 2, "label": ""}, ...],
     "subscales": [{"number": 1, "name": "Space and furnishings",
                    "items": [{"number": 1, "title": "Indoor space", "na_allowed": false}]}]}

Only item numbers and short titles are held: the indicators are the publishers'
copyright. :func:`check_definition` lists every problem so that nothing half-valid is
loaded; :func:`create_version` writes one version (with the models passed in, so the data
migration can use its historical models); :func:`load_shipped_instruments` loads every
file shipped with KQM and is shared by the data migration and ``manage.py load_instruments``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"

KINDS = ("rating_scale", "leadership", "partnership", "questionnaire")
CODE_PATTERN = re.compile(r"^[-a-z0-9_]+$")
MAX_NAME = 200
MAX_LABEL = 50
MAX_SCALE_LABEL = 100
MAX_TITLE = 200
MAX_ERRORS = 20

INSTRUMENT_FIELDS = ("code", "name", "kind", "publisher", "licence_note", "description")
CSV_COLUMNS = ("subscale_number", "subscale_name", "item_number", "short_title", "na_allowed")
TRUE_WORDS = {"yes", "y", "true", "1", "n/a allowed", "x"}
FALSE_WORDS = {"no", "n", "false", "0", ""}


class DefinitionError(ValueError):
    """A definition that cannot be loaded; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def check_definition(data: Any) -> list[str]:
    """Every problem with a definition, in words a KQM manager can act on (empty when valid)."""
    if not isinstance(data, dict):
        return ["The definition must be a JSON object with the instrument's details."]
    errors: list[str] = []
    code = _text(data.get("code"))
    if not code:
        errors.append("Give the instrument a code, for example “ecers-3”.")
    elif not CODE_PATTERN.match(code) or len(code) > 40:
        errors.append(f"The code “{code}” must be up to 40 lower-case letters, digits and hyphens.")
    name = _text(data.get("name"))
    if not name or len(name) > MAX_NAME:
        errors.append(f"Give the instrument a name of up to {MAX_NAME} characters.")
    if data.get("kind") not in KINDS:
        errors.append(f"The kind must be one of: {', '.join(KINDS)}.")
    label = _text(data.get("version"))
    if not label or len(label) > MAX_LABEL:
        errors.append(f"Give the version a label of up to {MAX_LABEL} characters, e.g. “2015”.")

    scale = data.get("scale")
    values: list[int] = []
    if not isinstance(scale, list) or len(scale) < 2:
        errors.append("The scale needs at least two values, e.g. 1 to 7.")
    else:
        for position, point in enumerate(scale, start=1):
            value = point.get("value") if isinstance(point, dict) else None
            if not _is_int(value):
                errors.append(f"Scale point {position}: the value must be a whole number.")
                continue
            if value in values:
                errors.append(f"Scale value {value} appears more than once.")
            values.append(value)
            if len(_text(point.get("label", ""))) > MAX_SCALE_LABEL:
                errors.append(f"Scale value {value}: the label is too long.")

    subscales = data.get("subscales")
    if not isinstance(subscales, list) or not subscales:
        errors.append("The instrument needs at least one subscale with items.")
        return errors[:MAX_ERRORS]
    subscale_numbers: set[int] = set()
    item_numbers: set[int] = set()
    for position, subscale in enumerate(subscales, start=1):
        if not isinstance(subscale, dict):
            errors.append(f"Subscale {position} must be an object with a number, name and items.")
            continue
        number = subscale.get("number")
        where = f"Subscale {number if _is_int(number) else position}"
        if not _is_int(number) or number < 1:
            errors.append(f"{where}: the number must be a whole number from 1.")
        elif number in subscale_numbers:
            errors.append(f"{where}: this subscale number is used twice.")
        else:
            subscale_numbers.add(number)
        subscale_name = _text(subscale.get("name"))
        if not subscale_name or len(subscale_name) > MAX_NAME:
            errors.append(f"{where}: give it a name of up to {MAX_NAME} characters.")
        items = subscale.get("items")
        if not isinstance(items, list) or not items:
            errors.append(f"{where} has no items: every subscale needs at least one.")
            continue
        for item in items:
            if not isinstance(item, dict):
                errors.append(f"{where}: each item must have a number and a title.")
                continue
            item_number = item.get("number")
            if not _is_int(item_number) or item_number < 1:
                errors.append(f"{where}: an item number must be a whole number from 1.")
                continue
            if item_number in item_numbers:
                errors.append(f"Item {item_number} appears more than once.")
            item_numbers.add(item_number)
            title = _text(item.get("title"))
            if not title or len(title) > MAX_TITLE:
                errors.append(
                    f"Item {item_number}: give it a short title of up to {MAX_TITLE} characters."
                )
            if not isinstance(item.get("na_allowed", False), bool):
                errors.append(f"Item {item_number}: “na_allowed” must be true or false.")
    if len(errors) > MAX_ERRORS:
        errors = [*errors[:MAX_ERRORS], f"…and {len(errors) - MAX_ERRORS} more problems."]
    return errors


def parse_json(raw: bytes | str) -> dict[str, Any]:
    """A definition from JSON text; raises DefinitionError when unreadable or invalid."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DefinitionError([f"The file is not valid JSON ({error})."]) from None
    errors = check_definition(data)
    if errors:
        raise DefinitionError(errors)
    return data


def _flag(value: str, row: int) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise DefinitionError([f"Row {row}: na_allowed must be yes or no, not “{value}”."])


def parse_items_csv(raw: bytes, *, base: dict[str, Any], label: str) -> dict[str, Any]:
    """A new version of ``base``'s instrument with the items listed in a CSV file.

    Columns (header row required, any order, case-insensitive): subscale_number,
    subscale_name, item_number, short_title, na_allowed. The scale comes from ``base``.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DefinitionError(["The CSV file must be saved as UTF-8."]) from None
    reader = csv.DictReader(io.StringIO(text))
    headers = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
    missing = [c for c in CSV_COLUMNS if c not in headers and c != "na_allowed"]
    if missing:
        raise DefinitionError(
            [f"The CSV file needs a header row with the columns: {', '.join(CSV_COLUMNS)}."]
        )
    subscales: dict[int, dict[str, Any]] = {}
    errors: list[str] = []
    for row_number, row in enumerate(reader, start=2):
        cells = {key: (row.get(original) or "").strip() for key, original in headers.items()}
        if not any(cells.values()):
            continue
        try:
            subscale_number = int(cells["subscale_number"])
            item_number = int(cells["item_number"])
        except ValueError:
            errors.append(f"Row {row_number}: subscale_number and item_number must be numbers.")
            continue
        try:
            na_allowed = _flag(cells.get("na_allowed", ""), row_number)
        except DefinitionError as error:
            errors.extend(error.errors)
            continue
        subscale = subscales.setdefault(
            subscale_number,
            {"number": subscale_number, "name": cells["subscale_name"], "items": []},
        )
        if cells["subscale_name"] and cells["subscale_name"] != subscale["name"]:
            errors.append(
                f"Row {row_number}: subscale {subscale_number} is named "
                f"“{subscale['name']}” in an earlier row."
            )
        subscale["items"].append(
            {"number": item_number, "title": cells["short_title"], "na_allowed": na_allowed}
        )
    if errors:
        raise DefinitionError(errors[:MAX_ERRORS])
    data = {
        **{k: base[k] for k in INSTRUMENT_FIELDS},
        "version": label,
        "scale": base["scale"],
        "subscales": [subscales[n] for n in sorted(subscales)],
    }
    problems = check_definition(data)
    if problems:
        raise DefinitionError(problems)
    return data


@dataclass(frozen=True)
class Models:
    """The model classes to write with: the real ones, or a migration's historical ones."""

    Instrument: Any
    InstrumentVersion: Any
    ScaleValue: Any
    Subscale: Any
    Item: Any

    @classmethod
    def current(cls) -> Models:
        from . import models

        return cls(
            models.Instrument,
            models.InstrumentVersion,
            models.ScaleValue,
            models.Subscale,
            models.Item,
        )

    @classmethod
    def from_apps(cls, apps: Any) -> Models:
        return cls(*(apps.get_model("audits", name) for name in cls.__dataclass_fields__))


def _with_history_user(obj: Any, user: Any) -> Any:
    if user is not None:
        obj._history_user = user
    return obj


def create_version(
    data: dict[str, Any],
    *,
    models: Models | None = None,
    make_current: bool = True,
    user: Any = None,
    based_on: Any = None,
) -> Any:
    """Write one checked definition as a new version (creating the instrument if new).

    Call inside a transaction. Raises DefinitionError if the definition is invalid or the
    instrument already has a version with this label.
    """
    errors = check_definition(data)
    if errors:
        raise DefinitionError(errors)
    m = models or Models.current()
    instrument = m.Instrument.objects.filter(code=data["code"]).first()
    if instrument is None:
        instrument = _with_history_user(
            m.Instrument(
                code=data["code"],
                name=data["name"].strip(),
                kind=data["kind"],
                publisher=_text(data.get("publisher")),
                licence_note=_text(data.get("licence_note")),
                description=_text(data.get("description")),
            ),
            user,
        )
        instrument.save()
    label = data["version"].strip()
    if m.InstrumentVersion.objects.filter(instrument=instrument, label=label).exists():
        raise DefinitionError([f"{instrument.name} already has a version labelled “{label}”."])
    has_current = m.InstrumentVersion.objects.filter(
        instrument=instrument, is_current=True
    ).exists()
    if make_current and has_current:
        for current in m.InstrumentVersion.objects.filter(instrument=instrument, is_current=True):
            current.is_current = False
            _with_history_user(current, user).save(update_fields=["is_current"])
    version = _with_history_user(
        m.InstrumentVersion(
            instrument=instrument,
            label=label,
            is_current=make_current or not has_current,
            based_on=based_on,
        ),
        user,
    )
    version.save()
    m.ScaleValue.objects.bulk_create(
        m.ScaleValue(version=version, value=p["value"], label=_text(p.get("label", "")))
        for p in data["scale"]
    )
    for subscale_data in sorted(data["subscales"], key=lambda s: s["number"]):
        subscale = m.Subscale.objects.create(
            version=version, number=subscale_data["number"], name=subscale_data["name"].strip()
        )
        m.Item.objects.bulk_create(
            m.Item(
                version=version,
                subscale=subscale,
                number=item["number"],
                short_title=item["title"].strip(),
                na_allowed=bool(item.get("na_allowed", False)),
            )
            for item in subscale_data["items"]
        )
    from accreditation.reports import cache as reports_cache

    reports_cache.data_changed(reports_cache.PROGRAMME)  # bulk writes send no signal
    return version


def definition_of(version: Any) -> dict[str, Any]:
    """An existing version as a definition (for copying, downloading and editing)."""
    instrument = version.instrument
    subscales = list(version.subscales.order_by("number"))
    items = list(version.items.order_by("number"))
    return {
        "code": instrument.code,
        "name": instrument.name,
        "kind": instrument.kind,
        "description": instrument.description,
        "publisher": instrument.publisher,
        "licence_note": instrument.licence_note,
        "version": version.label,
        "scale": [{"value": p.value, "label": p.label} for p in version.scale.order_by("value")],
        "subscales": [
            {
                "number": subscale.number,
                "name": subscale.name,
                "items": [
                    {"number": i.number, "title": i.short_title, "na_allowed": i.na_allowed}
                    for i in items
                    if i.subscale_id == subscale.pk
                ],
            }
            for subscale in subscales
        ],
    }


def shipped_definitions(directory: Path = INSTRUMENTS_DIR) -> list[dict[str, Any]]:
    """Every definition file shipped with KQM, checked, in file-name order."""
    definitions = []
    for path in sorted(directory.glob("*.json")):
        try:
            definitions.append(parse_json(path.read_bytes()))
        except DefinitionError as error:
            raise DefinitionError([f"{path.name}: {e}" for e in error.errors]) from None
    return definitions


@dataclass(frozen=True)
class LoadResult:
    code: str
    version: str
    created: bool


def load_shipped_instruments(
    *, models: Models | None = None, directory: Path = INSTRUMENTS_DIR
) -> list[LoadResult]:
    """Load each shipped definition whose version is not in the database yet.

    Idempotent: a version already present is left alone, so audits recorded against it
    never change. Used by the data migration and ``manage.py load_instruments``.
    """
    m = models or Models.current()
    results = []
    for data in shipped_definitions(directory):
        exists = m.InstrumentVersion.objects.filter(
            instrument__code=data["code"], label=data["version"]
        ).exists()
        if not exists:
            # A shipped version becomes current only for a new instrument: a KQM manager
            # may have made their own version current since.
            create_version(data, models=m, make_current=False)
        results.append(LoadResult(data["code"], data["version"], created=not exists))
    return results
