"""Files in each layout Ofsted has published, written from the published column names.

Each layout is a header (as published) and title lines; rows are dicts keyed by those
names. ``to_csv``, ``to_xlsx`` and ``to_ods`` write the same rows as each format.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from settings.ofsted_csv import HEADER as CURRENT_HEADER
from settings.ofsted_csv import write_csv

CURRENT_TITLES = (
    "Childcare providers and inspections: management information",
    "Most recent inspections data as at 31 March 2026",
    "Source: Ofsted",
)

# Provider level, 2018 to 2021: bare area columns belong to the most recent full inspection.
LAYOUT_2018_HEADER = (
    "Provider URN",
    "Provider type",
    "Provider subtype",
    "Provider status",
    "Provider name",
    "Registered_Person_Name",
    "Registration date",
    "Individual register combinations",
    "Local authority",
    "Ofsted region",
    "Postcode",
    "Telephone Number",
    "Deprivation Band",
    "Places including estimates",
    "Most recent full: Inspection number",
    "Most recent full: Inspection date",
    "Most recent full: Overall effectiveness",
    "Quality of education",
    "Behaviour and attitudes",
    "Personal development",
    "Effectiveness of leadership and management",
    "Safeguarding is effective?",
    "Second most recent full: Inspection number",
    "Second most recent full: Inspection date",
    "Second most recent full: Overall effectiveness",
    "Third most recent full: Inspection number",
    "Third most recent full: Inspection date",
    "Third most recent full: Overall effectiveness",
    "NCOR: Inspection number",
    "NCOR: Inspection date",
    "NCOR: Overall effectiveness",
    "CR: Inspection number",
    "CR: Inspection date",
    "CR: Overall effectiveness",
)
LAYOUT_2018_TITLES = (
    "Childcare providers and inspections as at 31 August 2020",
    "Provider level data",
)

# Management information, most recent inspections.
MI_HEADER = (
    "Provider URN",
    "Registration Date",
    "Provider Type",
    "Provider Subtype",
    "Provider Status",
    "Provider Early Years Register Flag",
    "Provider Compulsory Childcare Register Flag",
    "Provider Voluntary Childcare Register Flag",
    "Provider Name",
    "Provider Postcode",
    "Local Authority",
    "Places",
    "Places including Estimates",
    "Most Recent Full: Inspection Date",
    "Most Recent Full: Overall Effectiveness",
)
MI_TITLES = ("Management information: most recent inspections", "Data as at 31/12/2024")

# State-funded schools inspections, management information (monthly, to August 2024).
SCHOOLS_HEADER = (
    "URN",
    "LAESTAB",
    "School name",
    "Ofsted phase",
    "Type of education",
    "Local authority",
    "Inspection number",
    "Inspection type",
    "Inspection start date",
    "Publication date",
    "Overall effectiveness",
    "Category of concern",
    "Quality of education",
    "Behaviour and attitudes",
    "Personal development",
    "Effectiveness of leadership and management",
    "Safeguarding is effective?",
    "Early years provision (where applicable)",
    "Sixth form provision (where applicable)",
)
SCHOOLS_TITLES = ("Management information - state-funded schools - as at 31 July 2024",)
# The same from September 2024, when schools stopped getting an overall grade.
SCHOOLS_2024_HEADER = (
    "URN",
    "LAESTAB",
    "School name",
    "Ofsted phase",
    "Inspection number of latest OEIF graded inspection",
    "Inspection start date of latest OEIF graded inspection",
    "Latest OEIF overall effectiveness",
    "Latest OEIF quality of education",
    "Latest OEIF behaviour and attitudes",
    "Latest OEIF personal development",
    "Latest OEIF effectiveness of leadership and management",
    "Latest OEIF  safeguarding is effective?",
    "Latest OEIF early years provision (where applicable)",
)
# The 2024 file's names for the same values (rows are written with the older names).
SCHOOLS_2024_NAMES = dict(
    zip(
        (
            "URN",
            "LAESTAB",
            "School name",
            "Ofsted phase",
            "Inspection number",
            "Inspection start date",
            "Overall effectiveness",
            "Quality of education",
            "Behaviour and attitudes",
            "Personal development",
            "Effectiveness of leadership and management",
            "Safeguarding is effective?",
            "Early years provision (where applicable)",
        ),
        SCHOOLS_2024_HEADER,
        strict=True,
    )
)

LAYOUTS = {
    "current": (CURRENT_HEADER, CURRENT_TITLES),
    "2018": (LAYOUT_2018_HEADER, LAYOUT_2018_TITLES),
    "mi": (MI_HEADER, MI_TITLES),
    "schools": (SCHOOLS_HEADER, SCHOOLS_TITLES),
    "schools_2024": (SCHOOLS_2024_HEADER, ("Management information as at 31 March 2025",)),
}


def _table(
    rows: Iterable[Mapping[str, str]], header: Sequence[str], titles: Sequence[str]
) -> list[list[str]]:
    return [
        *([title] for title in titles),
        list(header),
        *([r.get(column, "") for column in header] for r in rows),
    ]


def to_csv(
    rows: Iterable[Mapping[str, str]], header: Sequence[str], titles: Sequence[str]
) -> bytes:
    out = io.StringIO()
    write_csv(out, rows, header=header, title_lines=titles)
    return out.getvalue().encode("utf-8")


def to_xlsx(
    rows: Iterable[Mapping[str, str]],
    header: Sequence[str],
    titles: Sequence[str],
    *,
    notes_sheet: bool = True,
) -> bytes:
    """A workbook whose data sheet comes after a notes sheet, as Ofsted's do."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    if notes_sheet:
        notes = book.create_sheet("Notes")
        notes.append(["About this data"])
        notes.append(["Dates are shown as DD/MM/YYYY."])
    data = book.create_sheet("Providers")
    for line in _table(rows, header, titles):
        data.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_ods(
    rows: Iterable[Mapping[str, str]], header: Sequence[str], titles: Sequence[str]
) -> bytes:
    """A minimal OpenDocument spreadsheet: a notes table, then the data table.

    Trailing cells are padded with a repeated empty cell, as spreadsheet programs save them.
    """

    def table(name: str, lines: list[list[str]]) -> str:
        body = []
        for line in lines:
            cells = "".join(
                f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p>'
                "</table:table-cell>"
                if v
                else "<table:table-cell/>"
                for v in line
            )
            cells += '<table:table-cell table:number-columns-repeated="16000"/>'
            body.append(f"<table:table-row>{cells}</table:table-row>")
        body.append(
            '<table:table-row table:number-rows-repeated="1048000"><table:table-cell/>'
            "</table:table-row>"
        )
        return f"<table:table table:name={quoteattr(name)}>{''.join(body)}</table:table>"

    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        "<office:body><office:spreadsheet>"
        + table("Notes", [["About this data"]])
        + table("Providers", _table(rows, header, titles))
        + "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
