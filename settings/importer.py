"""Reading Ofsted's "childcare providers and inspections: management information" CSV.

The file is streamed: rows are read one at a time through the ``csv`` module and
handled in batches, so memory stays flat whatever the file's size. The layout:
title lines first, then the header row (the first row with a ``Provider URN``
cell), then one row per provider. Headers are matched case-insensitively and
unknown columns are ignored. Dates are DD/MM/YYYY. For childminders and home
childcarers Ofsted publishes ``REDACTED`` instead of the name, address and
postcode: that means "not known", so an existing value is kept.

Inspection columns come in blocks, one per register and framework, such as
``EYR OEIF: Most recent: Full inspection date`` or ``CR: Most recent: Inspection
date``. Each block with a date gives one inspection, keyed like the register's
own rule by setting, register and date. Grades are stored on their own
framework's scale, never mapped across frameworks.

``run_import`` is the single engine: the preview runs it without writing, the
import runs it inside one transaction and writes each batch with a constant
number of queries (one to fetch the batch's settings, one for their
inspections, then bulk inserts and updates that also keep the audit trail).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kqm.parsing import is_digits, parse_int

from .models import (
    Inspection,
    ProviderType,
    Register,
    Sector,
    Setting,
    Source,
    framework_errors,
    urn_validator,
)
from .ofsted import FRAMEWORKS, Framework, FrameworkSpec, Grade

BATCH_SIZE = 1000
MAX_REJECTED_STORED = 1000
REDACTED = "redacted"
BLANK_MARKERS = frozenset({"", "null"})

# Framework start dates: the 2012 framework kept the 2008 scale until September 2012; the
# common inspection framework ran until the education inspection framework of September 2019.
FRAMEWORK_2012_START = datetime.date(2012, 9, 1)
EIF_START = datetime.date(2019, 9, 1)
RENEWED_START = datetime.date(2025, 11, 10)


class ImportFileError(Exception):
    """The file cannot be read as Ofsted's CSV; the message is for the person uploading it."""


def normalise(text: str) -> str:
    """Header and value matching: case, surrounding space, runs of space and quote marks."""
    return " ".join(text.replace("\ufeff", "").replace("’", "'").strip().lower().split())


# --- Reading the file as text, whatever object holds it -----------------------------------


class _RawReader(io.RawIOBase):
    """Lets ``io.TextIOWrapper`` read from anything with ``read(n)`` (uploads, storage files)."""

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _text(source: IO[bytes], encoding: str) -> io.TextIOWrapper:
    buffered = io.BufferedReader(_RawReader(source), buffer_size=1 << 16)
    return io.TextIOWrapper(buffered, encoding=encoding, newline="")


def detect_encoding(source: IO[bytes]) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252 as Excel saves it.

    Reads the whole file in chunks; a NUL byte means it is not a text file at all.
    """
    chunk_size = 1 << 20
    for encoding in ("utf-8-sig", "cp1252"):
        source.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := source.read(chunk_size):
                if b"\x00" in chunk:
                    raise ImportFileError("The selected file must be a CSV file.")
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            source.seek(0)
        return encoding
    raise ImportFileError("The selected file must be a CSV file saved as UTF-8.")


def _is_header(row: list[str]) -> bool:
    return any(normalise(cell) == "provider urn" for cell in row)


def inspect_file(source: IO[bytes]) -> str:
    """Check the file can be imported: its encoding, and a header row with ``Provider URN``."""
    encoding = detect_encoding(source)
    text = _text(source, encoding)
    try:
        for row in csv.reader(text):
            if _is_header(row):
                return encoding
    except csv.Error as error:
        raise ImportFileError(f"The selected file is not a readable CSV file ({error}).") from None
    finally:
        text.detach()
        source.seek(0)
    raise ImportFileError(
        "The selected file has no “Provider URN” column. Upload Ofsted's childcare providers "
        "and inspections file as CSV."
    )


# --- The columns ---------------------------------------------------------------------------

# Setting field -> the headers that carry it (normalised).
SETTING_COLUMNS: dict[str, tuple[str, ...]] = {
    "urn": ("provider urn",),
    "name": ("provider name",),
    "provider_type": ("provider type",),
    "provider_subtype": ("provider subtype",),
    "provider_status": ("provider status",),
    "address_1": ("provider address line 1",),
    "address_2": ("provider address line 2",),
    "address_3": ("provider address line 3",),
    "town": ("provider town",),
    "postcode": ("provider postcode",),
    "registration_date": ("registration date", "provider registration date"),
    "register_combination": ("individual register combinations",),
    "places": ("places", "places including estimates"),
    "registered_person_name": ("registered person name",),
    "registered_person_urn": ("registered person urn",),
    "local_authority": ("local authority", "provider local authority"),
    "district": ("district", "local authority district", "provider district"),
    "region": ("region", "provider region"),
}
HEADER_TO_FIELD = {header: name for name, headers in SETTING_COLUMNS.items() for header in headers}
TEXT_FIELDS = (
    "name",
    "provider_subtype",
    "provider_status",
    "town",
    "register_combination",
    "registered_person_name",
    "registered_person_urn",
    "local_authority",
    "region",
)
# Fields the import keeps up to date; sector is set only when a setting is added.
IMPORTED_FIELDS = (
    "name",
    "address",
    "town",
    "postcode",
    "provider_type",
    "provider_subtype",
    "provider_status",
    "local_authority",
    "district",
    "region",
    "registration_date",
    "register_combination",
    "places",
    "registered_person_name",
    "registered_person_urn",
)
FIELD_LABELS = {
    "name": "Provider name",
    "address": "Provider address",
    "town": "Provider town",
    "postcode": "Provider postcode",
    "provider_subtype": "Provider subtype",
    "provider_status": "Provider status",
    "local_authority": "Local authority",
    "district": "District",
    "region": "Region",
    "register_combination": "Individual register combinations",
    "registered_person_name": "Registered person name",
    "registered_person_urn": "Registered person URN",
}
MAX_LENGTHS: dict[str, int] = {
    name: int(limit)
    for name in FIELD_LABELS
    if (limit := getattr(Setting._meta.get_field(name), "max_length", None))
}

# Ofsted's provider types -> (provider type, sector).
PROVIDER_TYPES: dict[str, tuple[str, str]] = {
    "childminder": (ProviderType.CHILDMINDER, Sector.CHILDMINDER),
    "home childcarer": (ProviderType.HOME_CHILDCARER, Sector.CHILDMINDER),
    "childcare on non-domestic premises": (ProviderType.NON_DOMESTIC, Sector.PVI),
    "childcare on domestic premises": (ProviderType.DOMESTIC, Sector.PVI),
}
for _value, _label in ProviderType.choices:
    _sector = {
        ProviderType.CHILDMINDER: Sector.CHILDMINDER,
        ProviderType.HOME_CHILDCARER: Sector.CHILDMINDER,
        ProviderType.MAINTAINED_NURSERY_CLASS: Sector.MAINTAINED,
        ProviderType.MAINTAINED_NURSERY_SCHOOL: Sector.MAINTAINED,
    }.get(ProviderType(_value), Sector.PVI)
    PROVIDER_TYPES.setdefault(normalise(_label), (_value, _sector))
    PROVIDER_TYPES.setdefault(normalise(_value.replace("_", " ")), (_value, _sector))

INSPECTION_HEADER = re.compile(
    r"^(?P<register>eyr|cr)\b(?P<kind>[^:]*):\s*most recent\s*:\s*(?P<field>.+)$"
)
# The part after "Most recent:" -> what it holds. Area judgements are looked up by label.
INSPECTION_FIELDS = {
    "full inspection date": "date",
    "inspection date": "date",
    "date of inspection": "date",
    "full inspection: inspection date": "date",
    "overall effectiveness": "overall",
    "full inspection: overall effectiveness": "overall",
    "outcome": "outcome",
    "inspection outcome": "outcome",
    "overall outcome": "outcome",
    "safeguarding": "safeguarding",
}
AREA_COLUMNS: dict[str, str] = {}
for _spec in FRAMEWORKS.values():
    for _key, _label in _spec.areas:
        AREA_COLUMNS.setdefault(normalise(_label), _key)
AREA_COLUMNS.update(
    {
        "effectiveness of leadership and management": "leadership_and_management",
        "children's welfare and wellbeing": "welfare_and_wellbeing",
        "welfare and well-being": "welfare_and_wellbeing",
        "welfare and wellbeing": "welfare_and_wellbeing",
    }
)

GRADE_WORDS: dict[str, str] = {normalise(label): value for value, label in Grade.choices}
GRADE_WORDS.update(
    {
        "strong": Grade.STRONG,
        "expected": Grade.EXPECTED,
        "not met with actions": Grade.NOT_MET,
        "not met (with actions)": Grade.NOT_MET,
        "not met with enforcement": Grade.NOT_MET,
        "not met (with enforcement)": Grade.NOT_MET,
        "effective": Grade.MET,
        "not effective": Grade.NOT_MET,
    }
)


@dataclass
class InspectionBlock:
    """The columns of one register's most recent inspection under one framework label."""

    register: str
    kind: str  # e.g. "OEIF", "OEIF/CIF", "REIF"; empty for the Childcare Register
    label: str  # as in the file, for messages
    date: int | None = None
    overall: int | None = None
    outcome: int | None = None
    safeguarding: int | None = None
    areas: dict[str, tuple[int, str]] = field(default_factory=dict)  # key -> (column, header)

    def framework_for(self, when: datetime.date) -> str:
        """REIF columns are the renewed framework; otherwise the inspection's date decides.

        From September 2019 the education inspection framework, before it the common
        inspection framework, and before September 2012 the 2008 framework (whose
        "Satisfactory" grade no later framework has). Childcare Register inspections
        from 10 November 2025 fall under the renewed framework.
        """
        if "reif" in self.kind.lower():
            return Framework.RENEWED_2025
        if when < FRAMEWORK_2012_START:
            return Framework.EYFS_2008
        if when < EIF_START:
            return Framework.CIF_2015
        if self.register == Register.CR and when >= RENEWED_START:
            return Framework.RENEWED_2025
        return Framework.EIF_2019


@dataclass
class Layout:
    """Where each known value is in a row, worked out once from the header."""

    columns: dict[str, int]
    blocks: list[InspectionBlock]
    headers: list[str]

    @classmethod
    def from_header(cls, header: list[str]) -> Layout:
        columns: dict[str, int] = {}
        blocks: dict[tuple[str, str], InspectionBlock] = {}
        for index, cell in enumerate(header):
            name = normalise(cell)
            if name in HEADER_TO_FIELD:
                columns.setdefault(HEADER_TO_FIELD[name], index)
                continue
            match = INSPECTION_HEADER.match(name)
            if not match:
                continue  # unknown columns are ignored
            register = Register.EYR if match["register"] == "eyr" else Register.CR
            kind = match["kind"].strip()
            block = blocks.get((register, kind))
            if block is None:
                prefix = cell.strip().split(":", 1)[0].strip()
                block = blocks[(register, kind)] = InspectionBlock(register, kind, prefix)
            what = INSPECTION_FIELDS.get(match["field"])
            if what is not None:
                if getattr(block, what) is None:
                    setattr(block, what, index)
            elif match["field"] in AREA_COLUMNS:
                block.areas.setdefault(AREA_COLUMNS[match["field"]], (index, cell.strip()))
        return cls(
            columns=columns,
            blocks=[b for b in blocks.values() if b.date is not None],
            headers=[cell.strip() for cell in header],
        )


# --- Parsing one row -----------------------------------------------------------------------


@dataclass
class ParsedInspection:
    register: str
    inspection_date: datetime.date
    framework: str
    overall: str | None  # None: the file has no such column, keep what is stored
    safeguarding: str | None
    judgements: dict[str, str]


@dataclass
class ParsedRow:
    line: int
    urn: str
    values: dict[str, Any] = field(default_factory=dict)  # only what the file says
    sector: str = ""
    inspections: list[ParsedInspection] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_date(text: str) -> datetime.date:
    parts = text.strip().split("/")
    if len(parts) != 3 or len(parts[2]) != 4 or not all(is_digits(p, max_length=4) for p in parts):
        raise ValueError(text)
    return datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))


def parse_grade(text: str, scale: tuple[str, ...]) -> str:
    """A grade on ``scale``: a number 1-4 on a four-point scale, or the grade's words."""
    value = normalise(text)
    number = parse_int(value, minimum=1, maximum=4)
    if number is not None and len(scale) == 4:
        return scale[number - 1]
    grade = GRADE_WORDS.get(value.rstrip("."))
    if grade is None:
        raise ValueError(text)
    return grade


def _cell(row: list[str], index: int | None) -> str | None:
    """The cell's text; None when the column is absent or the value is REDACTED."""
    if index is None:
        return None
    text = row[index].strip() if index < len(row) else ""
    if text.lower() == REDACTED:
        return None
    return "" if text.lower() in BLANK_MARKERS else text


def _parse_inspection(
    row: list[str], block: InspectionBlock, layout: Layout, errors: list[str]
) -> ParsedInspection | None:
    date_text = _cell(row, block.date)
    if not date_text:
        return None
    try:
        when = parse_date(date_text)
    except ValueError:
        header = layout.headers[block.date]  # type: ignore[index]
        errors.append(f"{header}: “{date_text}” is not a date in the form DD/MM/YYYY.")
        return None
    framework = block.framework_for(when)
    spec: FrameworkSpec = FRAMEWORKS[framework]

    def grade(index: int | None, scale: tuple[str, ...]) -> str | None:
        text = _cell(row, index)
        if not text:
            return text
        try:
            return parse_grade(text, scale)
        except ValueError:
            errors.append(f"{layout.headers[index]}: “{text}” is not an Ofsted grade.")  # type: ignore[index]
            return ""

    overall = grade(block.overall, spec.overall_scale)
    outcome = grade(block.outcome, spec.overall_scale)
    if block.register == Register.CR:
        overall = outcome if outcome is not None else overall
    elif overall in (Grade.MET, Grade.NOT_MET):
        # An early years inspection with no children on roll is met or not met, not graded.
        overall = ""
    safeguarding = grade(block.safeguarding, ()) if spec.safeguarding else None
    judgements: dict[str, str] = {}
    area_keys = dict(spec.areas)
    for key, (index, _header) in block.areas.items():
        if key not in area_keys:
            continue  # a column of another framework in a shared block
        value = grade(index, spec.area_scale)
        if value:
            judgements[key] = value
    problems = framework_errors(
        framework,
        overall=overall or "",
        safeguarding=safeguarding or "",
        judgements=judgements,
        register=block.register,
    )
    if problems:
        for message in problems.values():
            errors.append(f"{block.label} inspection on {when:%d/%m/%Y}: {message}")
        return None
    return ParsedInspection(
        register=block.register,
        inspection_date=when,
        framework=framework,
        overall=overall,
        safeguarding=safeguarding,
        judgements=judgements,
    )


def parse_row(row: list[str], line: int, layout: Layout) -> ParsedRow:
    columns = layout.columns
    urn = (_cell(row, columns.get("urn")) or "").upper()
    parsed = ParsedRow(line=line, urn=urn)
    errors = parsed.errors
    values = parsed.values
    if not urn:
        errors.append("Provider URN is missing.")
    else:
        try:
            urn_validator(urn)
        except ValidationError:
            errors.append(f"“{urn}” is not an Ofsted URN (such as EY123456 or 2512345).")

    provider_type = _cell(row, columns.get("provider_type"))
    if not provider_type:
        errors.append("Provider type is missing.")
    else:
        values["provider_type"], parsed.sector = PROVIDER_TYPES.get(
            normalise(provider_type), (ProviderType.OTHER, Sector.PVI)
        )

    for name in TEXT_FIELDS:
        text = _cell(row, columns.get(name))
        if text is not None:
            values[name] = text
    postcode = _cell(row, columns.get("postcode"))
    if postcode is not None:
        values["postcode"] = postcode.upper()
    address_columns = [columns.get(f"address_{n}") for n in (1, 2, 3)]
    present = [index for index in address_columns if index is not None]
    if present:
        lines = [_cell(row, index) for index in present]
        if None not in lines:  # a REDACTED line: the address is not known
            values["address"] = "\n".join(text for text in lines if text)
    if "district" in columns:
        district = _cell(row, columns["district"])
        if district is not None:
            values["district"] = district
    elif "local_authority" in values:
        values["district"] = values["local_authority"]

    registered = _cell(row, columns.get("registration_date"))
    if registered is not None:
        try:
            values["registration_date"] = parse_date(registered) if registered else None
        except ValueError:
            errors.append(f"Registration date “{registered}” is not a date in the form DD/MM/YYYY.")
    places = _cell(row, columns.get("places"))
    if places is not None:
        digits = places.replace(",", "")
        if digits and not is_digits(digits, max_length=len(digits)):
            errors.append(f"Places “{places}” is not a whole number.")
        else:
            values["places"] = int(digits) if digits else None

    for name, limit in MAX_LENGTHS.items():
        text = values.get(name)
        if isinstance(text, str) and len(text) > limit:
            errors.append(f"{FIELD_LABELS[name]} is longer than {limit} characters.")

    seen: set[tuple[str, datetime.date]] = set()
    for block in layout.blocks:
        inspection = _parse_inspection(row, block, layout, errors)
        if inspection is not None:
            key = (inspection.register, inspection.inspection_date)
            if key not in seen:  # the same inspection under two framework labels
                seen.add(key)
                parsed.inspections.append(inspection)
    return parsed


def _rows_after_header(text: io.TextIOWrapper) -> Iterator[tuple[list[str], int, Layout]]:
    reader = csv.reader(text)
    layout: Layout | None = None
    for row in reader:
        if layout is None:
            if _is_header(row):
                layout = Layout.from_header(row)
            continue
        if not any(cell.strip() for cell in row):
            continue
        yield row, reader.line_num, layout
    if layout is None:
        raise ImportFileError("The file has no “Provider URN” column.")


def read_rows(source: IO[bytes], encoding: str) -> Iterator[ParsedRow]:
    """Each provider row in the file, parsed and checked on its own (not against the register)."""
    text = _text(source, encoding)
    try:
        for row, line, layout in _rows_after_header(text):
            yield parse_row(row, line, layout)
    finally:
        text.detach()


def count_rows(source: IO[bytes], encoding: str) -> int:
    """How many provider rows the file holds (for the progress bar)."""
    text = _text(source, encoding)
    try:
        return sum(1 for _ in _rows_after_header(text))
    finally:
        text.detach()


# --- Comparing with the register and writing ----------------------------------------------


@dataclass
class ImportResult:
    to_create: int = 0
    to_update: int = 0
    unchanged: int = 0
    rejected: int = 0
    inspections_to_create: int = 0
    inspections_to_update: int = 0
    rows_processed: int = 0
    rejected_rows: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "to_create": self.to_create,
            "to_update": self.to_update,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "inspections_to_create": self.inspections_to_create,
            "inspections_to_update": self.inspections_to_update,
        }

    def reject(self, row: ParsedRow) -> None:
        self.rejected += 1
        if len(self.rejected_rows) < MAX_REJECTED_STORED:
            self.rejected_rows.append({"line": row.line, "urn": row.urn, "reasons": row.errors})


@dataclass
class Writer:
    """Who the audit trail names for the import's writes, and why."""

    user: Any
    reason: str


def _inspection_target(existing: Inspection, parsed: ParsedInspection) -> dict[str, Any]:
    """The stored values after applying the file's inspection: only what the file says."""
    if existing.framework != parsed.framework:
        return {
            "framework": parsed.framework,
            "overall_effectiveness": parsed.overall or "",
            "safeguarding": parsed.safeguarding or "",
            "judgements": parsed.judgements,
        }
    return {
        "framework": existing.framework,
        "overall_effectiveness": (
            existing.overall_effectiveness if parsed.overall is None else parsed.overall
        ),
        "safeguarding": existing.safeguarding
        if parsed.safeguarding is None
        else parsed.safeguarding,
        "judgements": {**(existing.judgements or {}), **parsed.judgements},
    }


def _new_inspection(setting: Setting, parsed: ParsedInspection) -> Inspection:
    return Inspection(
        setting=setting,
        framework=parsed.framework,
        register=parsed.register,
        inspection_date=parsed.inspection_date,
        overall_effectiveness=parsed.overall or "",
        safeguarding=parsed.safeguarding or "",
        judgements=parsed.judgements,
        source=Source.IMPORT,
    )


def _handle_batch(rows: list[ParsedRow], result: ImportResult, writer: Writer | None) -> None:
    """Classify a batch of valid rows against the register; with a writer, write them."""
    if not rows:
        return
    existing = {s.urn: s for s in Setting.objects.filter(urn__in=[r.urn for r in rows]).order_by()}
    stored: dict[tuple[int, str, datetime.date], Inspection] = {}
    if existing and any(r.inspections for r in rows if r.urn in existing):
        for inspection in Inspection.objects.filter(
            setting_id__in=[s.pk for s in existing.values()]
        ).order_by():
            key = (inspection.setting_id, inspection.register, inspection.inspection_date)
            stored[key] = inspection

    now = timezone.now()
    new_settings: list[Setting] = []
    changed_settings: list[Setting] = []
    changed_fields: set[str] = set()
    new_inspections: list[tuple[Setting, ParsedInspection]] = []
    changed_inspections: list[Inspection] = []
    for row in rows:
        setting = existing.get(row.urn)
        if setting is None:
            setting = Setting(urn=row.urn, sector=row.sector, **row.values)
            new_settings.append(setting)
            new_inspections.extend((setting, parsed) for parsed in row.inspections)
            result.to_create += 1
            result.inspections_to_create += len(row.inspections)
            continue
        differs = [name for name, value in row.values.items() if getattr(setting, name) != value]
        inspections_differ = False
        for parsed in row.inspections:
            current = stored.get((setting.pk, parsed.register, parsed.inspection_date))
            if current is None:
                new_inspections.append((setting, parsed))
                result.inspections_to_create += 1
                inspections_differ = True
                continue
            target = _inspection_target(current, parsed)
            if any(getattr(current, name) != value for name, value in target.items()):
                for name, value in target.items():
                    setattr(current, name, value)
                current.updated_at = now
                changed_inspections.append(current)
                result.inspections_to_update += 1
                inspections_differ = True
        if differs:
            for name in differs:
                setattr(setting, name, row.values[name])
            setting.updated_at = now
            changed_settings.append(setting)
            changed_fields.update(differs)
        if differs or inspections_differ:
            result.to_update += 1
        else:
            result.unchanged += 1

    if writer is None:
        return
    history = {"default_user": writer.user, "default_change_reason": writer.reason}
    if new_settings:
        bulk_create_with_history(new_settings, Setting, batch_size=BATCH_SIZE, **history)
    if changed_settings:
        bulk_update_with_history(
            changed_settings,
            Setting,
            fields=[*sorted(changed_fields), "updated_at"],
            batch_size=BATCH_SIZE,
            **history,
        )
    if new_inspections:
        bulk_create_with_history(
            [_new_inspection(setting, parsed) for setting, parsed in new_inspections],
            Inspection,
            batch_size=BATCH_SIZE,
            **history,
        )
    if changed_inspections:
        bulk_update_with_history(
            changed_inspections,
            Inspection,
            fields=[
                "framework",
                "overall_effectiveness",
                "safeguarding",
                "judgements",
                "updated_at",
            ],
            batch_size=BATCH_SIZE,
            **history,
        )


Progress = Callable[[int], None]


def run_import(
    rows: Iterable[ParsedRow],
    *,
    writer: Writer | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Classify every row (create, update, unchanged, rejected); with a writer, also write.

    The caller owns the transaction: the import wraps this in one, so a failure in any
    batch leaves the register as it was. A URN seen earlier in the file is rejected.
    """
    result = ImportResult()
    first_line: dict[str, int] = {}
    batch: list[ParsedRow] = []
    pending = 0
    for row in rows:
        pending += 1
        if row.urn:
            if row.urn in first_line:
                row.errors.append(f"URN {row.urn} is also on line {first_line[row.urn]}.")
            else:
                first_line[row.urn] = row.line
        if row.errors:
            result.reject(row)
        else:
            batch.append(row)
        if pending >= batch_size:
            _handle_batch(batch, result, writer)
            result.rows_processed += pending
            batch, pending = [], 0
            if progress is not None:
                progress(result.rows_processed)
    _handle_batch(batch, result, writer)
    result.rows_processed += pending
    if progress is not None:
        progress(result.rows_processed)
    return result
