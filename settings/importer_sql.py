"""Applying a checked Ofsted import on PostgreSQL with a few set-based statements.

The preview parses and checks every row in Python once. Beside its reports it writes a
staging file: one line per row of the Ofsted file with its line number, URN, what the
preview made of it (``row`` to import, ``rejected``, ``scope``: outside the local
authorities), the setting's values as JSON (only the fields the file says, as the
row-by-row engine has them) and its inspections as a JSON array.

The apply loads that file into a temporary table with ``COPY`` and changes the register
with ``INSERT ... SELECT`` and ``UPDATE ... FROM`` against it, the history rows
(``simple_history``'s tables: who, when, why, the values after the change) included, in
one transaction: all or nothing. It compares with the register as it stands when it is
applied, with the same rules as ``importer._handle_batch`` (kept for SQLite and for
imports checked before the staging file existed): a field the file does not carry, or
has as ``REDACTED``, is kept; an inspection under the same framework keeps the grades
the file leaves out and merges its judgements; one now under another framework takes
the file's values; an unchanged row writes nothing.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import IO, Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from .models import Inspection, InspectionType, ProviderType, Sector, Setting, Source

STAGED_HEADER = ("line", "urn", "kind", "sector", "maintained_only", "vals", "inspections")
ROW, REJECTED, SCOPE = "row", "rejected", "scope"
TEMPORARY_TABLES = (
    "kqm_stage",
    "kqm_rows",
    "kqm_changed_settings",
    "kqm_inspections",
    "kqm_changed_inspections",
    "kqm_added_inspections",
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


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def staged_row(row: Any, kind: str) -> list[Any]:
    """One line of the staging file for a parsed row (``importer.ParsedRow``)."""
    if kind != ROW:
        return [row.line, row.urn[:50], kind, "", "f", "{}", "[]"]
    values = {name: _json(value) for name, value in row.values.items()}
    inspections = [
        {
            "register": parsed.register,
            "inspection_date": parsed.inspection_date.isoformat(),
            "framework": parsed.framework,
            "overall": parsed.overall,
            "safeguarding": parsed.safeguarding,
            "judgements": parsed.judgements,
            "inspection_number": parsed.inspection_number,
            "inspection_type": parsed.inspection_type,
        }
        for parsed in row.inspections
    ]
    return [
        row.line,
        row.urn,
        ROW,
        row.sector,
        "t" if row.maintained_only else "f",
        json.dumps(values, ensure_ascii=False),
        json.dumps(inspections, ensure_ascii=False),
    ]


def can_apply(ofsted_import: Any) -> bool:
    """PostgreSQL, a staging file from the preview, and nothing written yet by the batches."""
    return (
        connection.vendor == "postgresql"
        and bool(ofsted_import.staged_file)
        and not ofsted_import.applied_through
    )


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


def _chunks(source: IO[bytes]) -> Iterator[bytes]:
    while chunk := source.read(1 << 20):
        yield chunk


def apply_staged(staged: IO[bytes], *, user_id: int | None, reason: str) -> dict[str, int]:
    """Write the staged rows to the register; the counts of what was written.

    Runs inside the caller's transaction (the temporary tables go with it).
    """
    now = timezone.now()
    setting_table = Setting._meta.db_table
    inspection_table = Inspection._meta.db_table
    with connection.cursor() as cursor:

        def run(sql: str, params: Any = None) -> int:
            cursor.execute(sql, params)
            return int(cursor.rowcount)

        def scalar(sql: str, params: Any = None) -> int:
            cursor.execute(sql, params)
            return int(cursor.fetchone()[0] or 0)

        # One commit of many rows: no need to wait for the disk. Should the server stop in
        # the instant after, the whole transaction is lost with the import's own status,
        # and the stuck-work sweep runs it again.
        run("SET LOCAL synchronous_commit TO OFF")
        run(f"DROP TABLE IF EXISTS {', '.join(TEMPORARY_TABLES)}")  # inside a caller's transaction
        run(
            "CREATE TEMPORARY TABLE kqm_stage (line integer, urn text, kind text, sector text,"
            " maintained_only boolean, vals jsonb, inspections jsonb) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY kqm_stage FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            for chunk in _chunks(staged):
                copy.write(chunk)
        rejected = scalar("SELECT count(*) FROM kqm_stage WHERE kind = %s", [REJECTED])
        out_of_scope = scalar("SELECT count(*) FROM kqm_stage WHERE kind = %s", [SCOPE])

        # A school's row grades only a setting the register has as maintained.
        outside = "st.maintained_only AND (s.id IS NULL OR s.sector <> %s)"
        out_of_scope += scalar(
            f"SELECT count(*) FROM kqm_stage st LEFT JOIN {setting_table} s ON s.urn = st.urn"
            f" WHERE st.kind = %s AND {outside}",
            [ROW, Sector.MAINTAINED],
        )
        # The rows to import, each with its setting: on the register, or a new one taking
        # its id from the table's own sequence, in the file's order.
        run(
            "CREATE TEMPORARY TABLE kqm_rows ON COMMIT DROP AS"
            " SELECT st.line, st.urn, st.sector, st.vals, st.inspections,"
            f" COALESCE(s.id, nextval(pg_get_serial_sequence('{setting_table}', 'id')))"
            " AS setting_id, s.id IS NULL AS added"
            f" FROM kqm_stage st LEFT JOIN {setting_table} s ON s.urn = st.urn"
            f" WHERE st.kind = %s AND NOT COALESCE({outside}, false) ORDER BY st.line",
            [ROW, Sector.MAINTAINED],
        )
        run("ANALYZE kqm_rows (setting_id, added)")

        # Settings already on the register: each field the file says, where it differs.
        def value(name: str) -> str:
            return f"(r.vals ->> '{name}')::{SETTING_TYPES[name]}"

        target = ", ".join(
            f"CASE WHEN r.vals ? '{name}' THEN {value(name)} ELSE s.{name} END AS {name}"
            for name in SETTING_TYPES
        )
        new_row = ", ".join(f"t.{name}" for name in SETTING_TYPES)
        old_row = ", ".join(f"s.{name}" for name in SETTING_TYPES)
        run("CREATE TEMPORARY TABLE kqm_changed_settings (id bigint) ON COMMIT DROP")
        run(
            f"WITH target AS (SELECT s.id, {target} FROM kqm_rows r"
            f" JOIN {setting_table} s ON s.id = r.setting_id),"
            f" changed AS (UPDATE {setting_table} s SET "
            + ", ".join(f"{name} = t.{name}" for name in SETTING_TYPES)
            + f", updated_at = %s FROM target t WHERE s.id = t.id"
            f" AND ROW({new_row}) IS DISTINCT FROM ROW({old_row}) RETURNING s.id)"
            " INSERT INTO kqm_changed_settings SELECT id FROM changed",
            [now],
        )

        # New settings, in the file's order.
        defaults = _defaults(Setting, {*SETTING_TYPES, "urn", "sector", "created_at", "updated_at"})
        text_value = {
            name: f"COALESCE({value(name)}, '')"
            for name, kind in SETTING_TYPES.items()
            if kind == "text"
        }
        text_value["provider_type"] = f"COALESCE(NULLIF({value('provider_type')}, ''), %s)"
        columns = ["id", "urn", "sector", *SETTING_TYPES, "created_at", "updated_at", *defaults]
        selected = [
            "r.setting_id",
            "r.urn",
            "COALESCE(NULLIF(r.sector, ''), %s)",
            *(text_value.get(name, value(name)) for name in SETTING_TYPES),
            "%s",
            "%s",
            *("%s" for _ in defaults),
        ]
        params = [Sector.PVI, ProviderType.OTHER, now, now, *defaults.values()]
        to_create = run(
            f"INSERT INTO {setting_table} ({', '.join(columns)})"
            f" SELECT {', '.join(selected)} FROM kqm_rows r WHERE r.added ORDER BY r.line",
            params,
        )

        # Their inspections, each keyed like the register's rule: setting, register, date.
        run(
            "CREATE TEMPORARY TABLE kqm_inspections ON COMMIT DROP AS"
            " SELECT r.setting_id, r.added, r.line, x.register, x.inspection_date, x.framework,"
            " x.overall, x.safeguarding, COALESCE(x.judgements, '{}'::jsonb) AS judgements,"
            " x.inspection_number, x.inspection_type"
            " FROM kqm_rows r CROSS JOIN LATERAL jsonb_to_recordset(r.inspections) AS x("
            "register text, inspection_date date, framework text, overall text,"
            " safeguarding text, judgements jsonb, inspection_number text, inspection_type text)"
        )
        run("ANALYZE kqm_inspections (setting_id, register, inspection_date)")
        other = "i.framework <> n.framework"
        stored_judgements = (
            "CASE WHEN jsonb_typeof(i.judgements) = 'object' THEN i.judgements ELSE '{}' END"
        )
        inspection_target = (
            "n.framework AS framework,"
            f" CASE WHEN {other} THEN COALESCE(n.overall, '')"
            " ELSE COALESCE(n.overall, i.overall_effectiveness) END AS overall_effectiveness,"
            f" CASE WHEN {other} THEN COALESCE(n.safeguarding, '')"
            " ELSE COALESCE(n.safeguarding, i.safeguarding) END AS safeguarding,"
            f" CASE WHEN {other} THEN n.judgements"
            f" ELSE {stored_judgements} || n.judgements END AS judgements,"
            " COALESCE(n.inspection_number, i.inspection_number) AS inspection_number,"
            " COALESCE(n.inspection_type, i.inspection_type) AS inspection_type"
        )
        run("CREATE TEMPORARY TABLE kqm_changed_inspections (id bigint) ON COMMIT DROP")
        inspections_to_update = run(
            f"WITH target AS (SELECT i.id, {inspection_target} FROM kqm_inspections n"
            f" JOIN {inspection_table} i ON i.setting_id = n.setting_id"
            " AND i.register = n.register AND i.inspection_date = n.inspection_date"
            " WHERE NOT n.added),"
            f" changed AS (UPDATE {inspection_table} i SET "
            + ", ".join(f"{name} = t.{name}" for name in INSPECTION_WRITTEN)
            + ", updated_at = %s FROM target t WHERE i.id = t.id AND ROW("
            + ", ".join(f"t.{name}" for name in INSPECTION_WRITTEN)
            + ") IS DISTINCT FROM ROW("
            + ", ".join(f"i.{name}" for name in INSPECTION_WRITTEN)
            + ") RETURNING i.id) INSERT INTO kqm_changed_inspections SELECT id FROM changed",
            [now],
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
        run("CREATE TEMPORARY TABLE kqm_added_inspections (id bigint) ON COMMIT DROP")
        inspection_columns = [*written, *inspection_defaults]
        inspections_to_create = run(
            f"WITH added AS (INSERT INTO {inspection_table} ({', '.join(inspection_columns)})"
            " SELECT n.setting_id, n.register, n.inspection_date, n.framework,"
            " COALESCE(n.overall, ''), COALESCE(n.safeguarding, ''), n.judgements,"
            " COALESCE(n.inspection_number, ''), COALESCE(n.inspection_type, %s), %s, %s, %s"
            + "".join(", %s" for _ in inspection_defaults)
            + " FROM kqm_inspections n WHERE n.added OR NOT EXISTS (SELECT 1"
            f" FROM {inspection_table} i WHERE i.setting_id = n.setting_id"
            " AND i.register = n.register AND i.inspection_date = n.inspection_date)"
            " ORDER BY n.line, n.inspection_date RETURNING id)"
            " INSERT INTO kqm_added_inspections SELECT id FROM added",
            [InspectionType.FULL, Source.IMPORT, now, now, *inspection_defaults.values()],
        )

        # The audit trail: one historical row per setting or inspection added or changed.
        for model, table, changes in (
            (
                Setting,
                setting_table,
                (
                    ("+", "SELECT setting_id FROM kqm_rows WHERE added"),
                    ("~", "SELECT id FROM kqm_changed_settings"),
                ),
            ),
            (
                Inspection,
                inspection_table,
                (
                    ("+", "SELECT id FROM kqm_added_inspections"),
                    ("~", "SELECT id FROM kqm_changed_inspections"),
                ),
            ),
        ):
            history_table = model.history.model._meta.db_table
            copied = _history_columns(model)
            for history_type, ids in changes:
                run(
                    f"INSERT INTO {history_table} ({', '.join(copied)}, history_date,"
                    " history_change_reason, history_type, history_user_id)"
                    f" SELECT {', '.join(f'x.{name}' for name in copied)}, %s, %s, %s, %s"
                    f" FROM {table} x WHERE x.id IN ({ids}) ORDER BY x.id",
                    [now, reason, history_type, user_id],
                )

        # A setting counts as changed if a field or one of its inspections changed.
        to_update = scalar(
            "SELECT count(*) FROM kqm_rows r WHERE NOT r.added AND ("
            " r.setting_id IN (SELECT id FROM kqm_changed_settings)"
            f" OR r.setting_id IN (SELECT setting_id FROM {inspection_table} WHERE id IN"
            " (SELECT id FROM kqm_changed_inspections UNION ALL"
            " SELECT id FROM kqm_added_inspections)))"
        )
        existing = scalar("SELECT count(*) FROM kqm_rows WHERE NOT added")
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
