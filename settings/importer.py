"""Reading Ofsted's files: every published layout, as CSV or as a spreadsheet.

The file is streamed: rows are read one at a time (``csv``, openpyxl's read-only
mode for ``.xlsx``, an ``iterparse`` of the ``.ods`` content) and handled in
batches, so memory stays flat whatever the file's size. The layout: title lines
first (one may say "as at 31 August 2025"), then the header row (the first row
with a ``Provider URN`` or ``URN`` cell), then one row per provider. Which column
means what is data, in ``ofsted_columns``; anything else is ignored and the
preview says so. Dates are DD/MM/YYYY. For childminders Ofsted publishes
``REDACTED`` instead of the name and address: "not known", so a stored value is
kept. A field the file has no column for is never changed.

Inspection columns come in families (``ofsted_columns.FAMILIES``): one register's
inspection under one framework label, most recent or an earlier one. Each family
with a date gives one inspection, keyed like the register's own rule by setting,
register and date; its framework follows the date (``ofsted.FRAMEWORK_PERIODS``)
within the frameworks the family may hold, and a date outside them, or after the
file's "as at" date, is a warning on the row. Grades stay on their framework's scale.

Public entry points (used by the services, the command, the bench and other apps'
tests): ``inspect_file``, ``read_rows``, ``count_rows``, ``read_layout``,
``run_import``, ``Writer``, ``ImportResult``, ``ImportFileError``, ``parse_date``.
``inspect_file`` returns how to read the file: a text encoding for CSV, or
``"xlsx"`` / ``"ods"``; pass that string to the others.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree.ElementTree import iterparse

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kqm.parsing import is_digits, parse_int

from . import importer_sql
from .models import (
    MET_ONLY_REGISTERS,
    Inspection,
    InspectionType,
    ProviderType,
    Register,
    Sector,
    Setting,
    Source,
    framework_errors,
    urn_validator,
)
from .ofsted import (
    FRAMEWORKS,
    PERIODS,
    REQUIRES_IMPROVEMENT_FROM,
    Framework,
    FrameworkSpec,
    Grade,
    framework_on,
    grade_label,
    period_text,
)
from .ofsted_columns import (
    AREA_ALIASES,
    BARE_FIELDS,
    FAMILIES,
    INSPECTION_FIELDS,
    INSPECTION_WORDS,
    NOT_KEPT,
    PREFIXES,
    SCHOOL_AREA_PREFIX,
    SCHOOL_DATES,
    SCHOOL_FAMILY,
    SCHOOL_FIELDS,
    SETTING_COLUMNS,
    Family,
    as_at_date,
    header_key,
)

BATCH_SIZE = 1000
MAX_REJECTED_STORED = 1000  # on the page; the download has every rejected row
MAX_CHANGES_SHOWN = 50  # on the page; the download has every change
MAX_WARNINGS_STORED = 200
HEADER_SEARCH_ROWS = 100  # the header is among a sheet's first rows
REDACTED = "redacted"
BLANK_MARKERS = frozenset({"", "null"})
SPREADSHEETS = ("xlsx", "ods")
FORMATS_MESSAGE = (
    "The selected file must be a CSV file, an Excel workbook (.xlsx) or an OpenDocument "
    "spreadsheet (.ods)."
)


class ImportFileError(Exception):
    """The file cannot be read as Ofsted's data; the message is for the person uploading it."""


def normalise(text: str) -> str:
    """Value matching: case, surrounding space, runs of space and quote marks."""
    return " ".join(text.replace("\ufeff", "").replace("’", "'").strip().lower().split())


# --- Reading the file, whatever its format and whatever object holds it --------------------


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


def _spreadsheet_kind(source: IO[bytes]) -> str | None:
    """ "xlsx" or "ods" for a zip file holding one; None for anything that is not a zip."""
    source.seek(0)
    magic = source.read(4)
    source.seek(0)
    if magic != b"PK\x03\x04":
        return None
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and archive.read("mimetype").strip() == (
                b"application/vnd.oasis.opendocument.spreadsheet"
            ):
                return "ods"
    except zipfile.BadZipFile:
        pass
    finally:
        source.seek(0)
    raise ImportFileError(FORMATS_MESSAGE)


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
                    raise ImportFileError(FORMATS_MESSAGE)
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            source.seek(0)
        return encoding
    raise ImportFileError("The selected file must be a CSV file saved as UTF-8.")


def _is_header(row: list[str]) -> bool:
    return any(header_key(cell) in ("provider urn", "urn") for cell in row)


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the CSV would have it (dates DD/MM/YYYY, whole numbers bare)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _csv_rows(source: IO[bytes], encoding: str) -> Iterator[tuple[list[str], int]]:
    text = _text(source, encoding)
    try:
        reader = csv.reader(text)
        for row in reader:
            yield row, reader.line_num
    except csv.Error as error:
        raise ImportFileError(f"The selected file is not a readable CSV file ({error}).") from None
    finally:
        text.detach()


def _xlsx_header_sheet(workbook: Any) -> tuple[Any, int] | None:
    """The sheet holding the header, and the header's row number."""
    for sheet in workbook.worksheets:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > HEADER_SEARCH_ROWS:
                break
            if _is_header([_cell_text(v) for v in values]):
                return sheet, number
    return None


def _open_xlsx(source: IO[bytes]) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(source, read_only=True, data_only=True)
    except Exception as error:
        raise ImportFileError(
            f"The selected file is not a readable Excel workbook ({error})."
        ) from None


def _xlsx_rows(source: IO[bytes]) -> Iterator[tuple[list[str], int]]:
    """The rows of the sheet holding the header, streamed by openpyxl's read-only mode."""
    workbook = _open_xlsx(source)
    try:
        found = _xlsx_header_sheet(workbook)
        if found is not None:
            for number, values in enumerate(found[0].iter_rows(values_only=True), start=1):
                yield [_cell_text(v) for v in values], number
    finally:
        workbook.close()


def estimate_rows(source: IO[bytes], how: str) -> int:
    """How many provider rows the file holds, for the progress bar.

    A workbook says how many rows its sheet has, so it is not read twice for this; a
    CSV or ODS file is counted.
    """
    if how == "xlsx":
        workbook = _open_xlsx(source)
        try:
            found = _xlsx_header_sheet(workbook)
            # Excel records each sheet's extent; a writer that does not leaves it unknown.
            if found is not None and (found[0].max_row or 0) > found[1]:
                return int(found[0].max_row) - found[1]
        finally:
            workbook.close()
            source.seek(0)
    return count_rows(source, how)


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
MAX_REPEAT = 1000  # repeated cells or rows materialised; longer runs are blank padding


def _ods_cell(element: Any) -> str:
    kind = element.get(f"{_ODS_OFFICE}value-type")
    if kind == "date":
        value = element.get(f"{_ODS_OFFICE}date-value", "")[:10]
        try:
            return f"{datetime.date.fromisoformat(value):%d/%m/%Y}"
        except ValueError:
            return value
    if kind in ("float", "percentage", "currency"):
        return _cell_text(float(element.get(f"{_ODS_OFFICE}value", "0")))
    return "\n".join("".join(p.itertext()) for p in element if p.tag.endswith("}p"))


def _ods_tables(source: IO[bytes]) -> Iterator[tuple[int, list[str], int]]:
    """(table number, cells, row number) for each non-blank row of content.xml, streamed."""
    source.seek(0)
    with zipfile.ZipFile(source) as archive, archive.open("content.xml") as content:
        table = -1
        number = 0
        table_element: Any = None
        for event, element in iterparse(content, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == f"{_ODS_TABLE}table":
                    table += 1
                    number = 0
                    table_element = element
                continue
            if tag != f"{_ODS_TABLE}table-row":
                continue
            cells: list[str] = []
            blank_run = 0
            for cell in element:
                if not cell.tag.endswith("table-cell"):
                    continue
                repeat = int(cell.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
                text = _ods_cell(cell)
                if not text:
                    blank_run += repeat
                    continue
                cells.extend([""] * min(blank_run, MAX_REPEAT))
                blank_run = 0
                cells.extend([text] * min(repeat, MAX_REPEAT))
            repeat_rows = int(element.get(f"{_ODS_TABLE}number-rows-repeated", "1"))
            if any(cells):
                for _ in range(min(repeat_rows, MAX_REPEAT)):
                    number += 1
                    yield table, cells, number
            else:
                number += repeat_rows
            element.clear()
            if table_element is not None:
                table_element.clear()  # drop the rows already read: memory stays flat


def _ods_rows(source: IO[bytes]) -> Iterator[tuple[list[str], int]]:
    """The rows of the table holding the header: a first pass finds it, a second reads it."""
    try:
        wanted = next(
            (
                table
                for table, cells, number in _ods_tables(source)
                if number <= HEADER_SEARCH_ROWS and _is_header(cells)
            ),
            None,
        )
    except (zipfile.BadZipFile, KeyError, SyntaxError) as error:
        raise ImportFileError(
            f"The selected file is not a readable ODS spreadsheet ({error})."
        ) from None
    if wanted is None:
        return
    for table, cells, number in _ods_tables(source):
        if table == wanted:
            yield cells, number
        elif table > wanted:
            return


def _raw_rows(source: IO[bytes], how: str) -> Iterator[tuple[list[str], int]]:
    """Every row of the file (or of the sheet holding the header) with its line number."""
    if how == "xlsx":
        return _xlsx_rows(source)
    if how == "ods":
        return _ods_rows(source)
    return _csv_rows(source, how)


NO_HEADER = (
    "The selected file has no “Provider URN” column. Upload Ofsted's childcare providers "
    "and inspections file (CSV, XLSX or ODS)."
)


def inspect_file(source: IO[bytes]) -> str:
    """Check the file can be imported and say how to read it: an encoding, "xlsx" or "ods".

    The format is found from the file's content, not its name. A file with no
    ``Provider URN`` header, or with inspection columns none of which is understood,
    is refused with a message saying why.
    """
    how = _spreadsheet_kind(source) or detect_encoding(source)
    try:
        read_layout(source, how)
    finally:
        source.seek(0)
    return how


# --- The columns ---------------------------------------------------------------------------

HEADER_TO_FIELD = {alias: name for name, aliases in SETTING_COLUMNS.items() for alias in aliases}
TEXT_FIELDS = (
    "name",
    "provider_subtype",
    "provider_status",
    "town",
    "register_combination",
    "registered_person_name",
    "registered_person_urn",
    "local_authority",
    "district",
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
    "urn": "Ofsted URN",
    "name": "Provider name",
    "address": "Provider address",
    "address_1": "Provider address (line 1)",
    "address_2": "Provider address (line 2)",
    "address_3": "Provider address (line 3)",
    "town": "Provider town",
    "postcode": "Provider postcode",
    "provider_type": "Provider type",
    "provider_subtype": "Provider subtype",
    "provider_status": "Provider status",
    "local_authority": "Local authority",
    "district": "District",
    "region": "Region",
    "registration_date": "Registration date",
    "register_combination": "Individual register combinations",
    "places": "Places",
    "places_estimate": "Places (where “Places” is blank)",
    "registered_person_name": "Registered person name",
    "registered_person_urn": "Registered person URN",
}
MAX_LENGTHS: dict[str, int] = {
    name: int(limit)
    for name in (*TEXT_FIELDS, "postcode")
    if (limit := getattr(Setting._meta.get_field(name), "max_length", None))
}
WHAT_LABELS = {
    "date": "inspection date",
    "number": "inspection number",
    "visit_type": "visit type",
    "overall": "overall effectiveness (or outcome)",
    "safeguarding": "safeguarding",
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

GRADE_WORDS: dict[str, str] = {normalise(label): value for value, label in Grade.choices}
GRADE_WORDS.update(
    {
        "strong": Grade.STRONG,
        "expected": Grade.EXPECTED,
        "requirements met": Grade.MET,
        "not met with actions": Grade.NOT_MET,
        "not met (with actions)": Grade.NOT_MET,
        "not met with enforcement": Grade.NOT_MET,
        "not met (with enforcement)": Grade.NOT_MET,
        "requirements not met": Grade.NOT_MET,
        "effective": Grade.MET,
        "not effective": Grade.NOT_MET,
    }
)
SAFEGUARDING_WORDS = {
    "yes": Grade.MET,
    "met": Grade.MET,
    "effective": Grade.MET,
    "no": Grade.NOT_MET,
    "not met": Grade.NOT_MET,
    "not effective": Grade.NOT_MET,
}


ORDER = {family.key: number for number, family in enumerate(FAMILIES, start=1)}


@dataclass
class FamilyColumns:
    """Where one inspection family's values are in a row."""

    family: Family
    fields: dict[str, int] = field(default_factory=dict)  # what -> column
    areas: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # column, fw -> key


@dataclass
class Layout:
    """Where each known value is in a row, worked out once from the header."""

    columns: dict[str, int]
    families: list[FamilyColumns]
    headers: list[str]
    mapping: list[tuple[str, str]]  # each column of the file -> what it maps to, or "ignored"
    as_at: datetime.date | None = None
    unrecognised: list[str] = field(default_factory=list)  # inspection-like, not understood
    schools: bool = False  # the state-funded schools file: maintained settings' inspections

    @classmethod
    def from_header(cls, header: list[str], as_at: datetime.date | None = None) -> Layout:
        columns: dict[str, int] = {}
        found: dict[str, FamilyColumns] = {}
        mapping: list[tuple[str, str]] = []
        bare: list[tuple[int, str]] = []
        unrecognised: list[str] = []
        schools = any(header_key(cell) in SCHOOL_DATES for cell in header)
        for index, cell in enumerate(header):
            key = header_key(cell)
            meaning = cls._match_school(index, key, found) if schools else None
            if meaning is None:
                meaning = cls._match(index, key, columns, found, bare)
            if meaning is None:
                if key in NOT_KEPT:
                    meaning = "ignored (not kept by KQM)"
                else:
                    meaning = "ignored"
                    if any(word in key for word in INSPECTION_WORDS):
                        unrecognised.append(cell.strip())
            mapping.append((cell.strip(), meaning))
        families = [f for f in found.values() if "date" in f.fields]
        owner = next((f for f in families if f.family.bare_areas), None)
        for index, key in bare:
            if owner is not None and key in BARE_FIELDS:
                owner.fields.setdefault(BARE_FIELDS[key], index)
                mapping[index] = (mapping[index][0], f"{owner.family.label}: {key}")
            elif owner is not None:
                owner.areas.append((index, AREA_ALIASES[key]))
                mapping[index] = (mapping[index][0], f"{owner.family.label}: {key}")
            else:
                mapping[index] = (mapping[index][0], "ignored")
                unrecognised.append(header[index].strip())
        for columns_of in found.values():
            if "date" not in columns_of.fields:
                for index, (name, _meaning) in enumerate(mapping):
                    if _meaning.startswith(columns_of.family.label + ":"):
                        mapping[index] = (name, "ignored (no inspection date column)")
        return cls(
            columns=columns,
            families=sorted(families, key=lambda f: ORDER.get(f.family.key, 0)),
            headers=[cell.strip() for cell in header],
            mapping=mapping,
            as_at=as_at,
            unrecognised=unrecognised,
            schools=schools,
        )

    @staticmethod
    def _match_school(index: int, key: str, found: dict[str, FamilyColumns]) -> str | None:
        columns_of = found.setdefault(SCHOOL_FAMILY.key, FamilyColumns(SCHOOL_FAMILY))
        if key in SCHOOL_FIELDS:
            what = SCHOOL_FIELDS[key]
            if what in columns_of.fields:
                return "ignored (a second column for the same value)"
            columns_of.fields[what] = index
            return f"{SCHOOL_FAMILY.label}: {WHAT_LABELS[what]}"
        area = key.removeprefix(SCHOOL_AREA_PREFIX)
        if area in AREA_ALIASES:
            columns_of.areas.append((index, AREA_ALIASES[area]))
            return f"{SCHOOL_FAMILY.label}: {area}"
        return None

    @staticmethod
    def _match(
        index: int,
        key: str,
        columns: dict[str, int],
        found: dict[str, FamilyColumns],
        bare: list[tuple[int, str]],
    ) -> str | None:
        if key in HEADER_TO_FIELD:
            name = HEADER_TO_FIELD[key]
            if name in columns:
                return f"ignored (the file's earlier “{FIELD_LABELS[name]}” column is used)"
            columns[name] = index
            return FIELD_LABELS[name]
        parts = key.split(": ")
        for cut in range(len(parts) - 1, 0, -1):
            prefix, rest = ": ".join(parts[:cut]), ": ".join(parts[cut:])
            family = PREFIXES.get(prefix)
            if family is None:
                continue
            columns_of = found.setdefault(family.key, FamilyColumns(family))
            if rest in INSPECTION_FIELDS:
                what = INSPECTION_FIELDS[rest]
                if what in columns_of.fields:
                    return "ignored (a second column for the same value)"
                columns_of.fields[what] = index
                return f"{family.label}: {WHAT_LABELS[what]}"
            if rest in AREA_ALIASES:
                columns_of.areas.append((index, AREA_ALIASES[rest]))
                return f"{family.label}: {rest}"
        if key in AREA_ALIASES or key in BARE_FIELDS:
            bare.append((index, key))
            return "pending"
        return None

    def check(self) -> None:
        """Refuse a file whose inspection columns are all unrecognised, naming them."""
        if "urn" not in self.columns:
            raise ImportFileError(NO_HEADER)
        if self.families:
            return
        if self.unrecognised:
            names = ", ".join(f"“{name}”" for name in self.unrecognised[:12])
            more = len(self.unrecognised) - 12
            raise ImportFileError(
                f"None of the file's inspection columns is recognised: {names}"
                f"{f' and {more} more' if more > 0 else ''}. Nothing was imported: upload "
                "one of Ofsted's published layouts, or ask for the new column names to be added."
            )
        raise ImportFileError(
            "The file has no inspection columns (such as “Most recent full: Inspection date”), "
            "so it would add settings without their inspections. Upload Ofsted's childcare "
            "providers and inspections file."
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
    inspection_number: str | None = None
    inspection_type: str | None = None


@dataclass
class ParsedRow:
    line: int
    urn: str
    values: dict[str, Any] = field(default_factory=dict)  # only what the file says
    sector: str = ""
    inspections: list[ParsedInspection] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    local_authority: str | None = None  # as in the file, for the local authority scope
    maintained_only: bool = False  # applies only to a setting the register has as maintained


class DateError(ValueError):
    """The text is not a date; ``str()`` says why, for the person who uploaded the file."""


def parse_date(text: str) -> datetime.date:
    """DD/MM/YYYY (spreadsheet dates are read as such); an impossible day says so."""
    text = text.strip()
    parts = text.split("/")
    if len(parts) != 3 or len(parts[2]) != 4 or not all(is_digits(p, max_length=4) for p in parts):
        raise DateError(f"“{text}” is not a date in the form DD/MM/YYYY")
    try:
        return datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise DateError(f"{text} is not a real date") from None


def parse_grade(text: str, scale: tuple[str, ...], when: datetime.date | None = None) -> str:
    """A grade on ``scale``: a number 1-4 on a four-point scale, or the grade's words."""
    value = normalise(text)
    if parse_int(value, minimum=1, maximum=4) is not None and len(scale) in (4, 5):
        numbered = list(scale)
        if len(scale) == 5:  # the 2012 framework: grade 3 changed its name in November 2013
            third = (
                Grade.SATISFACTORY
                if when is not None and when < REQUIRES_IMPROVEMENT_FROM
                else Grade.REQUIRES_IMPROVEMENT
            )
            numbered = [Grade.OUTSTANDING, Grade.GOOD, third, Grade.INADEQUATE]
        return numbered[int(value) - 1]
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


def _framework_for(family: Family, when: datetime.date, warnings: list[str]) -> str:
    by_date = framework_on(when)
    if not family.frameworks or by_date in family.frameworks:
        return by_date
    chosen = (
        family.frameworks[0]
        if when < PERIODS[family.frameworks[0]].first_day
        else (family.frameworks[-1])
    )
    names = " or ".join(f"the {Framework(f).label} ({period_text(f)})" for f in family.frameworks)
    warnings.append(
        f"{family.label}: the inspection on {when:%d/%m/%Y} is outside {names}; "
        f"it is kept under the {Framework(chosen).label}."
    )
    return chosen


def _visit_type(text: str | None) -> str | None:
    if not text:
        return None
    lowered = text.lower()
    if "monitor" in lowered:
        return InspectionType.MONITORING
    if "full" in lowered or "graded" in lowered or "standard" in lowered:
        return InspectionType.FULL
    return InspectionType.OTHER


def _parse_inspection(
    row: list[str], columns: FamilyColumns, layout: Layout, parsed: ParsedRow
) -> ParsedInspection | None:
    family = columns.family
    errors, warnings = parsed.errors, parsed.warnings
    date_text = _cell(row, columns.fields["date"])
    if not date_text:
        return None
    header = layout.headers[columns.fields["date"]]
    try:
        when = parse_date(date_text)
    except DateError as error:
        errors.append(f"{header}: {error}.")
        return None
    framework = _framework_for(family, when, warnings)
    if layout.as_at is not None and when > layout.as_at:
        warnings.append(
            f"{header}: {when:%d/%m/%Y} is after the file's “as at” date, {layout.as_at:%d/%m/%Y}."
        )
    spec: FrameworkSpec = FRAMEWORKS[framework]

    def grade(index: int | None, scale: tuple[str, ...]) -> str | None:
        text = _cell(row, index)
        if not text:
            return text
        try:
            return parse_grade(text, scale, when)
        except ValueError:
            errors.append(f"{layout.headers[index]}: “{text}” is not an Ofsted grade.")  # type: ignore[index]
            return ""

    overall = grade(columns.fields.get("overall"), spec.overall_scale)
    register = family.register
    if register not in MET_ONLY_REGISTERS and overall in (Grade.MET, Grade.NOT_MET):
        # An inspection with no children on roll is met or not met, not graded.
        register = Register.NCOR
    safeguarding: str | None = None
    safeguarding_index = columns.fields.get("safeguarding")
    safeguarding_text = _cell(row, safeguarding_index)
    if safeguarding_text is not None and register not in MET_ONLY_REGISTERS:
        if spec.safeguarding or spec.safeguarding_optional:
            safeguarding = (
                SAFEGUARDING_WORDS.get(normalise(safeguarding_text).rstrip("."), "")
                if safeguarding_text
                else ""
            )
            if safeguarding_text and not safeguarding:
                errors.append(
                    f"{layout.headers[safeguarding_index]}: “{safeguarding_text}” is not "  # type: ignore[index]
                    "yes, no, met or not met."
                )
                return None
        elif safeguarding_text:
            warnings.append(
                f"{layout.headers[safeguarding_index]}: the {Framework(framework).label} "  # type: ignore[index]
                "records no separate safeguarding judgement; ignored."
            )
    judgements: dict[str, str] = {}
    for index, keys in columns.areas:
        key = keys.get(framework)
        if key is None:
            if _cell(row, index):
                warnings.append(
                    f"{layout.headers[index]}: not a judgement of the "
                    f"{Framework(framework).label}; ignored."
                )
            continue
        value = grade(index, spec.area_scale)
        if value:
            judgements[key] = value
    if register in MET_ONLY_REGISTERS:
        judgements = {}
    problems = framework_errors(
        framework,
        overall=overall or "",
        safeguarding=safeguarding or "",
        judgements=judgements,
        register=register,
    )
    if problems:
        for message in problems.values():
            errors.append(f"{family.label}, inspection on {when:%d/%m/%Y}: {message}")
        return None
    return ParsedInspection(
        register=register,
        inspection_date=when,
        framework=framework,
        overall=overall,
        safeguarding=safeguarding,
        judgements=judgements,
        inspection_number=_cell(row, columns.fields.get("number")),
        inspection_type=_visit_type(_cell(row, columns.fields.get("visit_type"))),
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
    if "provider_type" in columns and not provider_type and not layout.schools:
        errors.append("Provider type is missing.")
    elif provider_type:
        values["provider_type"], parsed.sector = PROVIDER_TYPES.get(
            normalise(provider_type), (ProviderType.OTHER, Sector.PVI)
        )

    for name in TEXT_FIELDS:
        text = _cell(row, columns.get(name))
        if text is not None:
            values[name] = text
    parsed.local_authority = values.get("local_authority")
    postcode = _cell(row, columns.get("postcode"))
    if postcode is not None:
        values["postcode"] = postcode.upper()
    address_columns = [columns.get(f"address_{n}") for n in (1, 2, 3)]
    present = [index for index in address_columns if index is not None]
    if present:
        lines = [_cell(row, index) for index in present]
        if None not in lines:  # a REDACTED line: the address is not known
            values["address"] = "\n".join(text for text in lines if text)

    registered = _cell(row, columns.get("registration_date"))
    if registered is not None:
        try:
            values["registration_date"] = parse_date(registered) if registered else None
        except DateError as error:
            errors.append(f"Registration date: {error}.")
    places = _cell(row, columns.get("places"))
    if not places:
        places = _cell(row, columns.get("places_estimate")) or places
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

    if layout.schools:
        # A school's row changes none of the setting's details, only its inspections.
        parsed.values.clear()
        parsed.maintained_only = True

    seen: set[tuple[str, datetime.date]] = set()
    for family_columns in layout.families:
        inspection = _parse_inspection(row, family_columns, layout, parsed)
        if inspection is not None:
            key = (inspection.register, inspection.inspection_date)
            if key not in seen:  # the same inspection under two framework labels
                seen.add(key)
                parsed.inspections.append(inspection)
    return parsed


def _rows_after_header(source: IO[bytes], how: str) -> Iterator[tuple[list[str], int, Layout]]:
    layout: Layout | None = None
    as_at: datetime.date | None = None
    for row, line in _raw_rows(source, how):
        if layout is None:
            if _is_header(row):
                layout = Layout.from_header(row, as_at)
                layout.check()
            else:
                for cell in row:
                    as_at = as_at or (as_at_date(cell) if cell else None)
            continue
        if not any(cell.strip() for cell in row if cell):
            continue
        yield row, line, layout
    if layout is None:
        raise ImportFileError(NO_HEADER)


def read_layout(source: IO[bytes], how: str) -> Layout:
    """The file's layout (its columns and their meaning), from its title lines and header."""
    as_at: datetime.date | None = None
    rows = _raw_rows(source, how)
    try:
        for row, _line in rows:
            if _is_header(row):
                layout = Layout.from_header(row, as_at)
                layout.check()
                return layout
            for cell in row:
                as_at = as_at or (as_at_date(cell) if cell else None)
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
        source.seek(0)
    raise ImportFileError(NO_HEADER)


def read_rows(source: IO[bytes], how: str) -> Iterator[ParsedRow]:
    """Each provider row in the file, parsed and checked on its own (not against the register)."""
    for row, line, layout in _rows_after_header(source, how):
        yield parse_row(row, line, layout)


def count_rows(source: IO[bytes], how: str) -> int:
    """How many provider rows the file holds (for the progress bar)."""
    return sum(1 for _ in _rows_after_header(source, how))


def local_authority_names() -> list[str]:
    """``KQM_LOCAL_AUTHORITIES`` as configured (a list, or one comma-separated string)."""
    names = getattr(django_settings, "KQM_LOCAL_AUTHORITIES", ()) or ()
    if isinstance(names, str):
        names = names.split(",")
    return [name.strip() for name in names if name.strip()]


def local_authority_scope() -> frozenset[str]:
    """The configured local authorities, normalised; empty means every local authority."""
    return frozenset(normalise(name) for name in local_authority_names())


# --- Comparing with the register and writing ----------------------------------------------


class Sink:
    """Where every change, rejected row and warning goes (the preview's CSV downloads)."""

    def change(self, urn: str, name: str, action: str, what: str, old: str, new: str) -> None:
        """One field of one setting or inspection: old -> new."""

    def rejected(self, line: int, urn: str, reasons: list[str]) -> None:
        """One row that cannot be imported."""

    def warning(self, line: int, urn: str, message: str) -> None:
        """One warning on a row."""

    def stage(self, row: ParsedRow, kind: str) -> None:
        """Every row as parsed, with what became of it (``importer_sql.ROW``, ``REJECTED``
        or ``SCOPE``): the set-based apply reads these instead of the file."""


@dataclass
class ImportResult:
    to_create: int = 0
    to_update: int = 0
    unchanged: int = 0
    rejected: int = 0
    inspections_to_create: int = 0
    inspections_to_update: int = 0
    out_of_scope: int = 0
    warnings_count: int = 0
    rows_processed: int = 0
    rejected_rows: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)  # the first settings to change
    warnings: list[dict[str, Any]] = field(default_factory=list)
    sink: Sink = field(default_factory=Sink)

    def counts(self) -> dict[str, int]:
        return {
            "to_create": self.to_create,
            "to_update": self.to_update,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "inspections_to_create": self.inspections_to_create,
            "inspections_to_update": self.inspections_to_update,
            "out_of_scope": self.out_of_scope,
            "warnings_count": self.warnings_count,
        }

    def add_counts(self, counts: dict[str, int]) -> None:
        for name, value in counts.items():
            setattr(self, name, getattr(self, name) + value)

    def reject(self, row: ParsedRow) -> None:
        self.rejected += 1
        if len(self.rejected_rows) < MAX_REJECTED_STORED:
            self.rejected_rows.append({"line": row.line, "urn": row.urn, "reasons": row.errors})
        self.sink.rejected(row.line, row.urn, row.errors)

    def warn(self, row: ParsedRow) -> None:
        for message in row.warnings:
            self.warnings_count += 1
            if len(self.warnings) < MAX_WARNINGS_STORED:
                self.warnings.append({"line": row.line, "urn": row.urn, "message": message})
            self.sink.warning(row.line, row.urn, message)

    def record_change(
        self, setting: Setting, action: str, fields: list[tuple[str, str, str]]
    ) -> None:
        for what, old, new in fields:
            self.sink.change(setting.urn, setting.name, action, what, old, new)
        if len(self.changes) < MAX_CHANGES_SHOWN:
            self.changes.append(
                {
                    "urn": setting.urn,
                    "name": setting.name,
                    "action": action,
                    "fields": [list(item) for item in fields],
                }
            )


@dataclass
class Writer:
    """Who the audit trail names for the import's writes, and why."""

    user: Any
    reason: str


def _shown(name: str, value: Any) -> str:
    """A stored or imported value as the preview shows it."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    if name == "provider_type":
        return str(ProviderType(value).label) if value in ProviderType.values else str(value)
    if name in ("overall_effectiveness", "safeguarding"):
        return grade_label(value)
    if name == "framework":
        return str(Framework(value).label)
    if name == "judgements":
        return "; ".join(f"{key}: {grade_label(grade)}" for key, grade in sorted(value.items()))
    return str(value).replace("\n", ", ")


INSPECTION_FIELDS_WRITTEN = importer_sql.INSPECTION_WRITTEN
INSPECTION_LABELS = {
    "framework": "framework",
    "overall_effectiveness": "overall effectiveness",
    "safeguarding": "safeguarding",
    "judgements": "judgements",
    "inspection_number": "inspection number",
    "inspection_type": "type",
}


def _inspection_target(existing: Inspection, parsed: ParsedInspection) -> dict[str, Any]:
    """The stored values after applying the file's inspection: only what the file says."""
    number = (
        existing.inspection_number
        if parsed.inspection_number is None
        else (parsed.inspection_number)
    )
    kind = existing.inspection_type if parsed.inspection_type is None else parsed.inspection_type
    if existing.framework != parsed.framework:
        return {
            "framework": parsed.framework,
            "overall_effectiveness": parsed.overall or "",
            "safeguarding": parsed.safeguarding or "",
            "judgements": parsed.judgements,
            "inspection_number": number,
            "inspection_type": kind,
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
        "inspection_number": number,
        "inspection_type": kind,
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
        inspection_number=parsed.inspection_number or "",
        inspection_type=parsed.inspection_type or InspectionType.FULL,
        source=Source.IMPORT,
    )


def _inspection_name(parsed: ParsedInspection) -> str:
    return f"Inspection {parsed.inspection_date:%d/%m/%Y} ({Register(parsed.register).label})"


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
        if row.maintained_only and (setting is None or setting.sector != Sector.MAINTAINED):
            result.out_of_scope += 1  # a school that is not a maintained setting on the register
            continue
        if setting is None:
            setting = Setting(urn=row.urn, sector=row.sector or Sector.PVI, **row.values)
            if not setting.provider_type:
                setting.provider_type = ProviderType.OTHER
            new_settings.append(setting)
            new_inspections.extend((setting, parsed) for parsed in row.inspections)
            result.to_create += 1
            result.inspections_to_create += len(row.inspections)
            fields = [
                (FIELD_LABELS[name], "", _shown(name, value))
                for name, value in row.values.items()
                if _shown(name, value)
            ]
            fields += [(_inspection_name(p), "", "added") for p in row.inspections]
            result.record_change(setting, "add", fields)
            continue
        differs = [name for name, value in row.values.items() if getattr(setting, name) != value]
        fields = [
            (
                FIELD_LABELS[name],
                _shown(name, getattr(setting, name)),
                _shown(name, row.values[name]),
            )
            for name in differs
        ]
        for parsed in row.inspections:
            current = stored.get((setting.pk, parsed.register, parsed.inspection_date))
            if current is None:
                new_inspections.append((setting, parsed))
                result.inspections_to_create += 1
                fields.append((_inspection_name(parsed), "", "added"))
                continue
            target = _inspection_target(current, parsed)
            moved = [name for name, value in target.items() if getattr(current, name) != value]
            if moved:
                for name in moved:
                    fields.append(
                        (
                            f"{_inspection_name(parsed)}: {INSPECTION_LABELS[name]}",
                            _shown(name, getattr(current, name)),
                            _shown(name, target[name]),
                        )
                    )
                    setattr(current, name, target[name])
                current.updated_at = now
                changed_inspections.append(current)
                result.inspections_to_update += 1
        if differs:
            for name in differs:
                setattr(setting, name, row.values[name])
            setting.updated_at = now
            changed_settings.append(setting)
            changed_fields.update(differs)
        if fields:
            result.to_update += 1
            result.record_change(setting, "change", fields)
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
            fields=[*INSPECTION_FIELDS_WRITTEN, "updated_at"],
            batch_size=BATCH_SIZE,
            **history,
        )


Progress = Callable[[int], None]
# Called inside each batch's transaction with the rows done so far and the running result;
# the apply step records its place there, so a resumed import starts after it.
BatchDone = Callable[[int, ImportResult], None]


def run_import(
    rows: Iterable[ParsedRow],
    *,
    writer: Writer | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    skip: int = 0,
    batch_done: BatchDone | None = None,
    sink: Sink | None = None,
    scope: frozenset[str] | None = None,
) -> ImportResult:
    """Classify every row (create, update, unchanged, rejected, out of scope); with a writer, write.

    With a writer each batch is written in its own short transaction (so on SQLite other
    people's requests wait a moment, never fail), and ``batch_done`` records the place
    inside it. ``skip`` rows already written by an interrupted run are read (for the
    duplicate check) but not written again. A URN seen earlier in the file is rejected.
    Rows outside ``scope`` (normalised local authority names; default the
    ``KQM_LOCAL_AUTHORITIES`` setting; empty means all) are counted and skipped.
    """
    result = ImportResult(sink=sink or Sink())
    scope = local_authority_scope() if scope is None else scope
    first_line: dict[str, int] = {}
    batch: list[ParsedRow] = []
    pending = 0
    seen = 0

    def flush() -> None:
        nonlocal batch, pending
        if writer is None:
            _handle_batch(batch, result, None)
            result.rows_processed += pending
        else:
            with transaction.atomic():
                _handle_batch(batch, result, writer)
                result.rows_processed += pending
                if batch_done is not None:
                    batch_done(skip + result.rows_processed, result)
        batch, pending = [], 0
        if progress is not None:
            progress(skip + result.rows_processed)

    for row in rows:
        seen += 1
        if row.urn:
            if row.urn in first_line:
                row.errors.append(f"URN {row.urn} is also on line {first_line[row.urn]}.")
            else:
                first_line[row.urn] = row.line
        if seen <= skip:
            continue
        pending += 1
        if scope and normalise(row.local_authority or "") not in scope:
            result.out_of_scope += 1
            result.sink.stage(row, importer_sql.SCOPE)
        elif row.errors:
            result.reject(row)
            result.warn(row)
            result.sink.stage(row, importer_sql.REJECTED)
        else:
            result.warn(row)
            result.sink.stage(row, importer_sql.ROW)
            batch.append(row)
        if pending >= batch_size:
            flush()
    flush()
    return result
