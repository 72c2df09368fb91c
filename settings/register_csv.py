"""The register as CSV, streamed row by row so a national register uses bounded memory."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator

from django.db.models import QuerySet

from accreditation.models import Status

from .models import ProviderType, Sector, Setting
from .ofsted import Framework, grade_label

COLUMNS: list[tuple[str, str]] = [
    ("urn", "Ofsted URN"),
    ("name", "Name"),
    ("sector", "Sector"),
    ("provider_type", "Provider type"),
    ("provider_status", "Provider status"),
    ("address", "Address"),
    ("town", "Town"),
    ("postcode", "Postcode"),
    ("local_authority", "Local authority"),
    ("district", "District"),
    ("region", "Region"),
    ("registration_date", "Registration date"),
    ("places", "Places"),
    ("latest_inspection_date", "Latest EYR inspection date"),
    ("latest_framework", "Latest EYR inspection framework"),
    ("latest_outcome", "Latest EYR overall effectiveness"),
    ("kqm_status", "KQM status"),
]
CHUNK_SIZE = 2000
# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose ``write`` hands back the line, for ``csv.writer``."""

    def write(self, value: str) -> str:
        return value


# Stored values shown as their labels.
LABELS: dict[str, dict[str, str]] = {
    "sector": {str(k): str(v) for k, v in Sector.choices},
    "provider_type": {str(k): str(v) for k, v in ProviderType.choices},
    "latest_framework": {str(k): str(v) for k, v in Framework.choices},
    "kqm_status": {str(k): str(v) for k, v in Status.choices},
}


def _cell(name: str, value: object, framework: object) -> str:
    if value is None or value == "":
        if name == "latest_outcome" and framework == Framework.RENEWED_2025:
            return "No overall grade (renewed framework)"
        if name == "kqm_status":
            return "Never applied"
        return ""
    if name in LABELS:
        return LABELS[name].get(str(value), str(value))
    if name == "latest_outcome":
        return grade_label(str(value))
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    text = str(value).replace("\r\n", ", ").replace("\n", ", ")
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def register_csv_lines(settings: QuerySet[Setting]) -> Iterator[str]:
    """The header, then one line per setting, read from the database in chunks."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([label for _, label in COLUMNS])  # BOM: Excel reads UTF-8
    names = [name for name, _ in COLUMNS]
    framework_at = names.index("latest_framework")
    for row in settings.values_list(*names).iterator(chunk_size=CHUNK_SIZE):
        framework = row[framework_at]
        yield writer.writerow(
            [_cell(name, value, framework) for name, value in zip(names, row, strict=True)]
        )
