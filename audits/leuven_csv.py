"""Leuven screenings in and out as CSV: the bulk upload (all or nothing), a screening's
export and a child's subject access export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from kqm.parsing import parse_int

from .models import AREAS, LEUVEN_LABELS, Screening, Zone
from .selectors.leuven import ChildRecord, ScreeningRow

MAX_UPLOAD_ROWS = 500
MAX_UPLOAD_BYTES = 1_000_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ZONE_LABELS = {str(value): str(label) for value, label in Zone.choices}

# Header names people use, squashed to letters: "Child code", "Well-being", "Wellbeing"...
CODE_HEADERS = {"childcode", "code", "child"}
WELLBEING_HEADERS = {"wellbeing", "wb"}
INVOLVEMENT_HEADERS = {"involvement", "inv"}


def _squash(value: str) -> str:
    return re.sub(r"[^a-z]", "", value.lower())


@dataclass(frozen=True)
class RowError:
    row: int  # the line in the file, counting the header, as a spreadsheet numbers it
    message: str


@dataclass
class ParsedUpload:
    scores: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def decode_upload(data: bytes) -> str:
    """Text of an uploaded file: UTF-8 (with or without a byte order mark) or Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(first_line: str) -> str:
    if "\t" in first_line:
        return "\t"
    if ";" in first_line and "," not in first_line:
        return ";"
    return ","


def _score(raw: str, scale: str, row: int, errors: list[RowError]) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    score = parse_int(raw, minimum=1, maximum=5)
    if score is not None:
        return score
    errors.append(
        RowError(row, f"Row {row}: {scale} must be a whole number from 1 to 5, not “{raw}”")
    )
    return None


def row_code_is_new(
    code: str,
    line: int,
    known: Collection[str],
    seen: dict[str, int],
    group_name: str,
    errors: list[RowError],
) -> bool:
    """Whether an upload row's child code is one of the group's and not on an earlier row
    (noting it in ``seen``); otherwise the reason is added to ``errors``."""
    if not code:
        errors.append(RowError(line, f"Row {line}: enter the child’s code"))
        return False
    if code not in known:
        errors.append(RowError(line, f"Row {line}: no child in {group_name} has the code “{code}”"))
        return False
    if code in seen:
        errors.append(
            RowError(
                line, f"Row {line}: {code} is already on row {seen[code]}; give each child one row"
            )
        )
        return False
    seen[code] = line
    return True


def parse_scores(text: str, known_codes: Collection[str], group_name: str) -> ParsedUpload:
    """Child code, well-being, involvement per row; a header row is optional.

    Every problem is listed with its row; the caller saves nothing when there is one.
    A blank score means "not scored".
    """
    result = ParsedUpload()
    text = text.lstrip("\ufeff")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        result.errors.append(RowError(0, "The upload is empty: enter or choose some scores"))
        return result
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(lines[0]))
    columns = (0, 1, 2)
    first_row: int | None = None
    seen: dict[str, int] = {}
    known = {code.upper() for code in known_codes}
    rows = 0
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if first_row is None:
            first_row = line
            names = [_squash(cell) for cell in cells]
            if WELLBEING_HEADERS & set(names) and INVOLVEMENT_HEADERS & set(names):
                code_at = next((i for i, n in enumerate(names) if n in CODE_HEADERS), None)
                if code_at is None:
                    result.errors.append(
                        RowError(line, f"Row {line}: the header has no “Child code” column")
                    )
                    return result
                columns = (
                    code_at,
                    next(i for i, n in enumerate(names) if n in WELLBEING_HEADERS),
                    next(i for i, n in enumerate(names) if n in INVOLVEMENT_HEADERS),
                )
                continue
        rows += 1
        if rows > MAX_UPLOAD_ROWS:
            result.errors.append(RowError(line, f"Upload at most {MAX_UPLOAD_ROWS} rows at a time"))
            break
        padded = [*cells, "", "", ""]
        code = padded[columns[0]].strip().upper()
        if not row_code_is_new(code, line, known, seen, group_name, result.errors):
            continue
        errors_before = len(result.errors)
        wellbeing = _score(padded[columns[1]], "well-being", line, result.errors)
        involvement = _score(padded[columns[2]], "involvement", line, result.errors)
        if len(result.errors) == errors_before:
            result.scores[code] = (wellbeing, involvement)
    if not result.scores and not result.errors:
        result.errors.append(RowError(0, "The upload has a header but no scores"))
    return result


# --- Exports ---------------------------------------------------------------------------------


def _safe(value: object) -> str:
    """A cell as text; text a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _csv(rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_safe(cell) for cell in row])
    return out.getvalue()


def _label(score: int | None) -> str:
    return f"{score} {LEUVEN_LABELS[score].lower()}" if score else ""


SCREENING_COLUMNS = [
    "Child code",
    "Well-being",
    "Involvement",
    "Zone",
    "Age band",
    "Gender",
    "EAL",
    "SEND",
    "Funded two-year-old",
    "Looked after",
    "Open action points",
]


def screening_csv(rows: list[ScreeningRow]) -> str:
    """One row per child; the first three columns can be uploaded again as they are."""
    body: list[list[object]] = [[*SCREENING_COLUMNS]]
    for row in rows:
        child, score = row.child, row.score
        body.append(
            [
                child.code,
                score.wellbeing if score else None,
                score.involvement if score else None,
                ZONE_LABELS.get(str(row.zone), "") if row.zone else "Not scored",
                child.get_age_band_display(),
                child.get_gender_display(),
                child.eal,
                child.send,
                child.funded_two,
                child.looked_after,
                len(row.open_actions),
            ]
        )
    return _csv(body)


def screening_filename(screening: Screening) -> str:
    group = re.sub(r"[^A-Za-z0-9]+", "-", screening.group.name).strip("-").lower() or "group"
    return f"leuven-{group}-{screening.term}-{screening.date:%Y-%m-%d}.csv"


def child_record_csv(record: ChildRecord) -> str:
    """Everything held about one child, for a subject access request, in four parts."""
    child = record.child
    body: list[list[object]] = [
        ["Child"],
        ["Code", child.code],
        ["Setting", f"{child.setting.display_name} (Ofsted URN {child.setting.urn})"],
        ["Group", str(child.group) if child.group else ""],
        ["Age band", child.get_age_band_display()],
        ["Gender", child.get_gender_display()],
        ["English as an additional language", child.eal],
        ["Special educational needs or disabilities", child.send],
        ["Funded two-year-old", child.funded_two],
        ["Looked-after child", child.looked_after],
        ["Recorded on", f"{child.created_at:%Y-%m-%d}"],
        ["Left on", f"{child.left_on:%Y-%m-%d}" if child.left_on else ""],
        [],
        ["Scores"],
        ["Group", "Term", "Date", "Well-being", "Involvement", "Zone"],
    ]
    for score in record.scores:
        body.append(
            [
                score.screening.group.name,
                score.screening.get_term_display(),
                f"{score.screening.date:%Y-%m-%d}",
                _label(score.wellbeing),
                _label(score.involvement),
                ZONE_LABELS.get(str(score.zone), "") if score.zone else "Not scored",
            ]
        )
    body += [
        [],
        ["Action points"],
        ["Screening", "What will be done", "Who", "By when", "Follow-up outcome", "Closed on"],
    ]
    for point in record.actions:
        screening = point.score.screening
        body.append(
            [
                f"{screening.group.name}, {screening.get_term_display()} {screening.date:%Y}",
                point.action,
                point.owner,
                f"{point.due_on:%Y-%m-%d}",
                point.follow_up,
                f"{point.closed_on:%Y-%m-%d}" if point.closed_on else "",
            ]
        )
    body += [
        [],
        ["Moderation by the evaluator"],
        ["Screening", "Moderated on", "Well-being", "Involvement"],
    ]
    for item in record.moderation:
        screening = item.screening
        body.append(
            [
                f"{screening.group.name}, {screening.get_term_display()} {screening.date:%Y}",
                f"{item.moderated_on:%Y-%m-%d}",
                _label(item.wellbeing),
                _label(item.involvement),
            ]
        )
    body += [
        [],
        ["Learning progress"],
        ["Checkpoint", "Date", "Age band", *(area.label for area in AREAS)],
    ]
    for progress in record.progress:
        checkpoint = progress.checkpoint
        body.append(
            [
                f"{checkpoint.group.name}, {checkpoint.get_term_display()} {checkpoint.date:%Y}",
                f"{checkpoint.date:%Y-%m-%d}",
                progress.band.label if progress.band else "",
                *(getattr(progress, f"get_{area.field}_display")() for area in AREAS),
            ]
        )
    return _csv(body)
