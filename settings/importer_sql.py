"""Applying a checked Ofsted import on PostgreSQL with a few set-based statements.

The preview parses and checks every row in Python once. Beside its reports it writes a
staging file in PostgreSQL's ``COPY`` text format (tab-separated, ``\\N`` where the file
does not say): a first line naming the format, then a section with one line per row of
the Ofsted file (its line number, what the preview made of it: ``row`` to import,
``rejected``, ``scope`` for outside the local authorities; its URN and the setting's
values as the row-by-row engine has them, only the fields the file says), then a section
with one line per inspection of those rows.

The apply loads each section as it is into a temporary table of typed columns with
``COPY``, matches the rows with the register in one pass (settings by URN, inspections by
setting, register and date), keeping only what is new or differs, and writes those with
``INSERT ... SELECT`` and ``UPDATE ... FROM``, each statement writing the history rows
(``simple_history``'s tables: who, when, why, the values after the change) of the rows
it writes through ``RETURNING``; all in one transaction: all or nothing. It compares with
the register as it stands when it is applied, with the same rules as
``importer._handle_batch`` (kept for SQLite and for imports staged in an earlier format):
a field the file does not carry, or has as ``REDACTED``, is kept; an inspection under the
same framework keeps the grades the file leaves out and merges its judgements; one now
under another framework takes the file's values; an unchanged row writes nothing.
"""

from __future__ import annotations

import datetime
import io
import json
import shutil
from collections.abc import Iterator
from typing import IO, Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from .models import Inspection, InspectionType, ProviderType, Sector, Setting, Source

ROW, REJECTED, SCOPE = "row", "rejected", "scope"
TEMPORARY_TABLES = (
    "kqm_stage",
    "kqm_stage_inspections",
    "kqm_rows",
    "kqm_inspections",
    "kqm_touched",
)

# Setting fields the import writes (the keys of ``ParsedRow.values``) and their SQL types.
SETTING_TYPES = {
    "name": "text",
    "address": "text",
    "town": "text",
    "postcode": "text",
    "provider_type": "text",
    "provider_subtype": "text",
    "provider_status": "text",
    "local_authority": "text",
    "district": "text",
    "region": "text",
    "registration_date": "date",
    "register_combination": "text",
    "places": "integer",
    "registered_person_name": "text",
    "registered_person_urn": "text",
}
INSPECTION_WRITTEN = (
    "framework",
    "overall_effectiveness",
    "safeguarding",
    "judgements",
    "inspection_number",
    "inspection_type",
)
# The staging file's two sections, column by column. The setting's values are text:
# NULL keeps the stored value, '' is a blank (NULL in a date or number column).
STAGED_ROW_COLUMNS = {
    "line": "integer",
    "kind": "text",
    "urn": "text",
    "sector": "text",
    "maintained_only": "boolean",
    **dict.fromkeys(SETTING_TYPES, "text"),
}
STAGED_INSPECTION_COLUMNS = {
    "line": "integer",
    "register": "text",
    "inspection_date": "date",
    "framework": "text",
    "overall": "text",
    "safeguarding": "text",
    "judgements": "jsonb",
    "inspection_number": "text",
    "inspection_type": "text",
}
# The first line names this format and the length in bytes of the rows' section, which
# the inspections' section follows. A file staged in another format is applied in batches.
STAGED_FORMAT = "kqm-ofsted-staging-2"
WORK_MEM = "64MB"

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _field(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


def _line(columns: dict[str, str], values: dict[str, Any]) -> str:
    return "\t".join(_field(values.get(name)) for name in columns) + "\n"


def staged_lines(row: Any, kind: str) -> tuple[str, str]:
    """A parsed row (``importer.ParsedRow``) in the staging file: its line in the rows'
    section, and its lines in the inspections' section."""
    if kind != ROW:
        return _line(STAGED_ROW_COLUMNS, {"line": row.line, "kind": kind, "urn": row.urn[:50]}), ""
    said = {name: "" if value is None else value for name, value in row.values.items()}
    staged = {
        **said,
        "line": row.line,
        "kind": ROW,
        "urn": row.urn,
        "sector": row.sector,
        "maintained_only": "t" if row.maintained_only else "f",
    }
    inspections = [
        _line(
            STAGED_INSPECTION_COLUMNS,
            {
                "line": row.line,
                "register": parsed.register,
                "inspection_date": parsed.inspection_date,
                "framework": parsed.framework,
                "overall": parsed.overall,
                "safeguarding": parsed.safeguarding,
                "judgements": json.dumps(parsed.judgements, ensure_ascii=False),
                "inspection_number": parsed.inspection_number,
                "inspection_type": parsed.inspection_type,
            },
        )
        for parsed in row.inspections
    ]
    return _line(STAGED_ROW_COLUMNS, staged), "".join(inspections)


def write_staged(out: IO[bytes], rows: IO[bytes], inspections: IO[bytes]) -> None:
    """The staging file: its first line, then the two sections (read from the start)."""
    length = rows.seek(0, io.SEEK_END)
    out.write(f"{STAGED_FORMAT}\t{length}\n".encode())
    for section in (rows, inspections):
        section.seek(0)
        shutil.copyfileobj(section, out)


def rows_section_length(staged: IO[bytes]) -> int | None:
    """Read past the staging file's first line: the rows' section's length in bytes, or
    None if the file is in another format."""
    name, _, length = staged.readline().decode("utf-8", "replace").rstrip("\n").partition("\t")
    return int(length) if name == STAGED_FORMAT and length.isdigit() else None


def can_apply(ofsted_import: Any) -> bool:
    """PostgreSQL, a staging file from the preview in this format, nothing written yet."""
    if connection.vendor != "postgresql" or not ofsted_import.staged_file:
        return False
    if ofsted_import.applied_through:
        return False
    with ofsted_import.staged_file.open("rb") as staged:
        return rows_section_length(staged) is not None


def _history_columns(model: type[Model]) -> list[str]:
    """The columns a historical row copies from the live row (the model's own fields)."""
    history_model = model.history.model  # type: ignore[attr-defined]
    return [
        field.column
        for field in history_model._meta.concrete_fields
        if not field.column.startswith("history_")
    ]


def _defaults(model: type[Model], written: set[str]) -> dict[str, Any]:
    """Columns a new row needs that the import does not write: the model's defaults."""
    return {
        field.column: field.get_db_prep_save(field.get_default(), connection)
        for field in model._meta.concrete_fields
        if field.column not in written and not field.primary_key and not field.null
    }


def _chunks(source: IO[bytes], length: int | None = None) -> Iterator[bytes]:
    """The source's next ``length`` bytes (all of the rest if None), a MB at a time."""
    left = length
    while left is None or left > 0:
        chunk = source.read(1 << 20 if left is None else min(1 << 20, left))
        if not chunk:
            if left:
                raise ValueError("The staging file ends before its rows' section does.")
            return
        if left is not None:
            left -= len(chunk)
        yield chunk


def _staged(name: str) -> str:
    """The staged value of a setting's field as its column's type ('' is blank)."""
    if SETTING_TYPES[name] == "text":
        return f"r.{name}"
    return f"NULLIF(r.{name}, '')::{SETTING_TYPES[name]}"


def _kept(name: str) -> str:
    """The setting's field after the import: the staged value, or the stored one (NULL)."""
    if SETTING_TYPES[name] == "text":
        return f"COALESCE(r.{name}, s.{name})"
    return f"CASE WHEN r.{name} IS NULL THEN s.{name} ELSE {_staged(name)} END"


def _history_rows(model: type[Model], rows: str, returning: str = "") -> str:
    """``INSERT`` of one historical row per row of the CTE ``rows`` (the rows as written),
    ``RETURNING`` the columns ``returning`` names. Parameters: when, why, the type, who."""
    history_table = model.history.model._meta.db_table  # type: ignore[attr-defined]
    copied = _history_columns(model)
    return (
        f"INSERT INTO {history_table} ({', '.join(copied)}, history_date,"
        " history_change_reason, history_type, history_user_id)"
        f" SELECT {', '.join(f'x.{name}' for name in copied)}, %s, %s, %s, %s"
        f" FROM {rows} x ORDER BY x.id" + (f" RETURNING {returning}" if returning else "")
    )


def apply_staged(staged: IO[bytes], *, user_id: int | None, reason: str) -> dict[str, int]:
    """Write the staged rows to the register; the counts of what was written.

    Runs inside the caller's transaction (the temporary tables go with it).
    """
    rows_length = rows_section_length(staged)
    if rows_length is None:
        raise ValueError("The staging file is not in this version's format.")
    now = timezone.now()
    setting_table = Setting._meta.db_table
    inspection_table = Inspection._meta.db_table
    with connection.cursor() as cursor:

        def run(sql: str, params: Any = None) -> int:
            cursor.execute(sql, params)
            return int(cursor.rowcount)

        def scalars(sql: str, params: Any = None) -> list[int]:
            cursor.execute(sql, params)
            return [int(value or 0) for value in cursor.fetchone()]

        def logged(history_type: str) -> list[Any]:
            """The parameters of ``_history_rows``: when, why, the type of change, who."""
            return [now, reason, history_type, user_id]

        # One commit of many rows: no need to wait for the disk. Should the server stop in
        # the instant after, the whole transaction is lost with the import's own status,
        # and the stuck-work sweep runs it again.
        run("SET LOCAL synchronous_commit TO OFF")
        # The settings' sequence, named once (a function in the query would look it up
        # again for every row).
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [setting_table])
        (sequence,) = cursor.fetchone()
        # Memory for the hash joins and for merging the trigram indexes' pending entries
        # (with the default 4 MB that merge runs in many small passes).
        run(f"SET LOCAL work_mem TO '{WORK_MEM}'")
        run(f"DROP TABLE IF EXISTS {', '.join(TEMPORARY_TABLES)}")  # inside a caller's transaction
        for table, columns, length in (
            ("kqm_stage", STAGED_ROW_COLUMNS, rows_length),
            ("kqm_stage_inspections", STAGED_INSPECTION_COLUMNS, None),
        ):
            typed = ", ".join(f"{name} {kind}" for name, kind in columns.items())
            run(f"CREATE TEMPORARY TABLE {table} ({typed}) ON COMMIT DROP")
            with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for chunk in _chunks(staged, length):
                    copy.write(chunk)
        rejected, out_of_scope, to_import = scalars(
            "SELECT count(*) FILTER (WHERE kind = %s), count(*) FILTER (WHERE kind = %s),"
            " count(*) FILTER (WHERE kind = %s) FROM kqm_stage",
            [REJECTED, SCOPE, ROW],
        )

        # The rows to import, each with its setting: on the register, or a new one taking
        # its id from the table's own sequence, in the file's order; whether the file
        # changes a setting on the register (checked again as it is written). A school's
        # row grades only a setting the register has as maintained.
        setting_target = {name: _kept(name) for name in SETTING_TYPES}
        setting_differs = (
            f"ROW({', '.join(setting_target.values())})"
            f" IS DISTINCT FROM ROW({', '.join(f's.{name}' for name in SETTING_TYPES)})"
        )
        run(
            "CREATE TEMPORARY TABLE kqm_rows ON COMMIT DROP AS SELECT line,"
            " COALESCE(id, nextval(%s::regclass)) AS setting_id, id IS NULL AS added, changed"
            f" FROM (SELECT r.line, s.id, s.id IS NOT NULL AND {setting_differs} AS changed"
            f" FROM kqm_stage r LEFT JOIN {setting_table} s ON s.urn = r.urn WHERE r.kind = %s"
            " AND NOT (r.maintained_only AND (s.id IS NULL OR s.sector <> %s))"
            " ORDER BY r.line) AS matched",  # the ids in the file's order
            [sequence, ROW, Sector.MAINTAINED],
        )
        run("ANALYZE kqm_rows (added, changed)")
        run("CREATE TEMPORARY TABLE kqm_touched (setting_id bigint) ON COMMIT DROP")
        staged_row = "kqm_rows k JOIN kqm_stage r ON r.line = k.line"

        # Settings already on the register: each field the file says, where one differs.
        run(
            f"WITH changed AS (UPDATE {setting_table} s SET "
            + ", ".join(f"{name} = {value}" for name, value in setting_target.items())
            + f", updated_at = %s FROM {staged_row} WHERE k.changed AND s.id = k.setting_id"
            f" AND {setting_differs}"
            f" RETURNING s.*), logged AS ({_history_rows(Setting, 'changed', 'id')})"
            " INSERT INTO kqm_touched SELECT id FROM logged",
            [now, *logged("~")],
        )

        # New settings, in the file's order.
        defaults = _defaults(Setting, {*SETTING_TYPES, "urn", "sector", "created_at", "updated_at"})
        new_value = {
            name: f"COALESCE({_staged(name)}, '')" if kind == "text" else _staged(name)
            for name, kind in SETTING_TYPES.items()
        }
        new_value["provider_type"] = "COALESCE(NULLIF(r.provider_type, ''), %s)"
        new_columns = ["id", "urn", "sector", *SETTING_TYPES, "created_at", "updated_at", *defaults]
        selected = [
            "k.setting_id",
            "r.urn",
            "COALESCE(NULLIF(r.sector, ''), %s)",
            *new_value.values(),
            "%s",
            "%s",
            *("%s" for _ in defaults),
        ]
        to_create = run(
            f"WITH added AS (INSERT INTO {setting_table} ({', '.join(new_columns)})"
            f" SELECT {', '.join(selected)} FROM {staged_row} WHERE k.added ORDER BY k.line"
            f" RETURNING *) {_history_rows(Setting, 'added')}",
            [Sector.PVI, ProviderType.OTHER, now, now, *defaults.values(), *logged("+")],
        )

        # Their inspections, each keyed like the register's rule (setting, register, date):
        # those the register lacks, and those the file changes (checked again as written).
        other = "i.framework <> n.framework"
        stored_judgements = (
            "CASE WHEN jsonb_typeof(i.judgements) = 'object' THEN i.judgements ELSE '{}' END"
        )
        inspection_target = {
            "framework": "n.framework",
            "overall_effectiveness": f"CASE WHEN {other} THEN COALESCE(n.overall, '')"
            " ELSE COALESCE(n.overall, i.overall_effectiveness) END",
            "safeguarding": f"CASE WHEN {other} THEN COALESCE(n.safeguarding, '')"
            " ELSE COALESCE(n.safeguarding, i.safeguarding) END",
            "judgements": f"CASE WHEN {other} THEN n.judgements"
            f" ELSE {stored_judgements} || n.judgements END",
            "inspection_number": "COALESCE(n.inspection_number, i.inspection_number)",
            "inspection_type": "COALESCE(n.inspection_type, i.inspection_type)",
        }
        inspection_differs = (
            f"ROW({', '.join(inspection_target.values())})"
            f" IS DISTINCT FROM ROW({', '.join(f'i.{name}' for name in INSPECTION_WRITTEN)})"
        )
        run(
            "CREATE TEMPORARY TABLE kqm_inspections ON COMMIT DROP AS"
            " SELECT k.setting_id, k.added, n.line, n.register, n.inspection_date,"
            " n.framework, n.overall, n.safeguarding, n.judgements, n.inspection_number,"
            " n.inspection_type, i.id AS inspection_id"
            " FROM kqm_stage_inspections n JOIN kqm_rows k ON k.line = n.line"
            f" LEFT JOIN {inspection_table} i ON NOT k.added AND i.setting_id = k.setting_id"
            " AND i.register = n.register AND i.inspection_date = n.inspection_date"
            f" WHERE i.id IS NULL OR {inspection_differs}"
        )
        run("ANALYZE kqm_inspections (inspection_id)")
        inspections_to_update = run(
            f"WITH changed AS (UPDATE {inspection_table} i SET "
            + ", ".join(f"{name} = {value}" for name, value in inspection_target.items())
            + ", updated_at = %s FROM kqm_inspections n WHERE i.id = n.inspection_id"
            f" AND {inspection_differs}"
            f" RETURNING i.*), logged AS ({_history_rows(Inspection, 'changed', 'setting_id')})"
            " INSERT INTO kqm_touched SELECT setting_id FROM logged",
            [now, *logged("~")],
        )
        written = [
            "setting_id",
            "register",
            "inspection_date",
            *INSPECTION_WRITTEN,
            "source",
            "created_at",
            "updated_at",
        ]
        inspection_defaults = _defaults(Inspection, set(written))
        inspection_columns = [*written, *inspection_defaults]
        new_inspection = [InspectionType.FULL, Source.IMPORT, now, now]
        new_inspection += inspection_defaults.values()
        inspections_to_create = run(
            f"WITH added AS (INSERT INTO {inspection_table} ({', '.join(inspection_columns)})"
            " SELECT n.setting_id, n.register, n.inspection_date, n.framework,"
            " COALESCE(n.overall, ''), COALESCE(n.safeguarding, ''), n.judgements,"
            " COALESCE(n.inspection_number, ''), COALESCE(n.inspection_type, %s), %s, %s, %s"
            + "".join(", %s" for _ in inspection_defaults)
            + " FROM kqm_inspections n WHERE n.inspection_id IS NULL"
            " ORDER BY n.line, n.inspection_date RETURNING *)"
            f" {_history_rows(Inspection, 'added')}",
            [*new_inspection, *logged("+")],
        )

        # A setting counts as changed if a field or one of its inspections changed.
        existing, to_update = scalars(
            "SELECT count(*) FILTER (WHERE NOT added), count(*) FILTER (WHERE NOT added"
            " AND setting_id IN (SELECT setting_id FROM kqm_touched UNION ALL SELECT setting_id"
            " FROM kqm_inspections WHERE inspection_id IS NULL AND NOT added)) FROM kqm_rows"
        )
        out_of_scope += to_import - existing - to_create
        run(f"DROP TABLE {', '.join(TEMPORARY_TABLES)}")
    return {
        "to_create": to_create,
        "to_update": to_update,
        "unchanged": existing - to_update,
        "rejected": rejected,
        "inspections_to_create": inspections_to_create,
        "inspections_to_update": inspections_to_update,
        "out_of_scope": out_of_scope,
    }
