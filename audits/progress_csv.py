"""Learning progress in and out as CSV: a setting's tracking system export uploaded (all
or nothing, every row's problems listed) and a checkpoint's export.

The column layout (``docs/learning-progress-csv.md`` and the upload page say the same):

- a header row is required; columns are found by their header, in any order, matched
  without regard to case, spaces or punctuation; other columns are ignored;
- ``Child code`` (required): the pseudonymous code KQM gave the child;
- ``Age band`` (optional): a Development Matters age band, by name (“3 and 4-year-olds”)
  or code (``dm21-3-4``);
- one column per area of learning, named in full or by its usual initials: ``CL``
  (Communication and language), ``PSED``, ``PD``, ``L`` (Literacy), ``M``
  (Mathematics, also “Maths”), ``UW`` and ``EAD``; at least one is needed;
- each judgement is ``below``, ``expected`` or ``above`` (also ``B``/``E``/``A``, and
  the tracking-system words ``emerging`` for below and ``exceeding`` for above); a blank
  cell means “not judged”. An area without a column is left as it is.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from .leuven_csv import RowError, _csv, _delimiter, row_code_is_new
from .models import AREAS, DevelopmentBand, Judgement
from .selectors.progress import CheckpointRow

MAX_UPLOAD_ROWS = 500
BAND = "band"

WORDS: dict[str, str] = {
    "below": Judgement.BELOW,
    "b": Judgement.BELOW,
    "emerging": Judgement.BELOW,
    "expected": Judgement.EXPECTED,
    "e": Judgement.EXPECTED,
    "above": Judgement.ABOVE,
    "a": Judgement.ABOVE,
    "exceeding": Judgement.ABOVE,
}


def _squash(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


HEADERS: dict[str, str] = {
    "childcode": "code",
    "code": "code",
    "child": "code",
    "ageband": BAND,
    "band": BAND,
    "developmentmattersband": BAND,
    "maths": "maths",
    **{_squash(area.label): area.field for area in AREAS},
    **{_squash(area.short): area.field for area in AREAS},
}


@dataclass
class ParsedProgress:
    rows: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> field -> value
    errors: list[RowError] = field(default_factory=list)


def _band_lookup(bands: Collection[DevelopmentBand]) -> dict[str, str]:
    lookup = {}
    for band in bands:
        lookup[_squash(band.code)] = band.code
        lookup[_squash(band.label)] = band.code
    return lookup


def parse_progress(
    text: str, known_codes: Collection[str], group_name: str, bands: Collection[DevelopmentBand]
) -> ParsedProgress:
    """Every problem is listed with its row; the caller saves nothing when there is one."""
    result = ParsedProgress()
    text = text.lstrip("\ufeff")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        result.errors.append(RowError(0, "The upload is empty: choose a file with judgements"))
        return result
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(lines[0]))
    band_codes = _band_lookup(bands)
    known = {code.upper() for code in known_codes}
    columns: dict[str, int] | None = None
    seen: dict[str, int] = {}
    rows = 0
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if columns is None:
            columns = {}
            for index, cell in enumerate(cells):
                name = HEADERS.get(_squash(cell))
                if name is not None and name not in columns:
                    columns[name] = index
            if "code" not in columns:
                result.errors.append(
                    RowError(line, f"Row {line}: the header row has no “Child code” column")
                )
                return result
            if not set(columns) - {"code", BAND}:
                result.errors.append(
                    RowError(
                        line,
                        f"Row {line}: the header row names no area of learning (for example "
                        "“CL” or “Communication and language”)",
                    )
                )
                return result
            continue
        rows += 1
        if rows > MAX_UPLOAD_ROWS:
            result.errors.append(RowError(line, f"Upload at most {MAX_UPLOAD_ROWS} rows at a time"))
            break
        padded = [*cells, *([""] * len(columns))]
        code = padded[columns["code"]].strip().upper()
        if not row_code_is_new(code, line, known, seen, group_name, result.errors):
            continue
        values: dict[str, str] = {}
        ok = True
        for name, index in columns.items():
            if name == "code":
                continue
            raw = padded[index].strip()
            if name == BAND:
                value = band_codes.get(_squash(raw), "") if raw else ""
                if raw and not value:
                    ok = False
                    result.errors.append(
                        RowError(
                            line,
                            f"Row {line}: “{raw}” is not a Development Matters age band",
                        )
                    )
                values[BAND] = value
                continue
            judgement = WORDS.get(raw.lower(), "") if raw else ""
            if raw and not judgement:
                ok = False
                label = next(a.label for a in AREAS if a.field == name)
                result.errors.append(
                    RowError(
                        line,
                        f"Row {line}: {label} must be below, expected or above, not “{raw}”",
                    )
                )
            values[name] = judgement
        if ok:
            result.rows[code] = values
    if columns is not None and not result.rows and not result.errors:
        result.errors.append(RowError(0, "The upload has a header but no children"))
    return result


# --- Export -------------------------------------------------------------------------------

EXPORT_COLUMNS = ["Child code", "Age band", *(area.short for area in AREAS)]


def checkpoint_csv(rows: list[CheckpointRow], bands: Mapping[str, DevelopmentBand]) -> str:
    """One row per child in the upload layout, so it can be uploaded again as it is."""
    body: list[list[object]] = [list(EXPORT_COLUMNS)]
    for row in rows:
        band = bands.get(row.value(BAND))
        body.append(
            [
                row.child.code,
                band.label if band else "",
                *(row.value(area.field) for area in AREAS),
            ]
        )
    return _csv(body)
