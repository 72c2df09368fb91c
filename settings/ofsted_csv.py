"""Files in the layout of Ofsted's childcare providers management information.

Used to try the import at scale (``manage.py bench``) and by the tests: title lines
before the header, the column names as Ofsted publishes them today, REDACTED names and
addresses for childminders, and the inspection columns per register and framework.
Written as CSV (``write_csv``) or as an Excel workbook (``write_xlsx``, streamed).
"""

from __future__ import annotations

import csv
import datetime
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import IO

TITLE_LINES = (
    "Childcare providers and inspections: management information",
    "Most recent inspections data as at 31 March 2026",
    "Source: Ofsted. Published under the Open Government Licence v3.0.",
)

# The provider-level layout Ofsted publishes today (2025 onward), column names as published.
REIF = "EYR REIF: Most recent: "
OEIF = "EYR OEIF: Most recent: "
OEIF_CIF = "EYR OEIF/CIF: Most recent: "
NCOR = "EYR OEIF NCOR: Most recent: "
OOSC = "EYR OEIF OOSC: Most recent: "
HEADER = (
    "Web link",
    "Provider URN",
    "Provider type",
    "Provider subtype",
    "Provider status",
    "Provider name",
    "Registration date",
    "Provider Early Years Register flag",
    "Provider Compulsory Childcare Register flag",
    "Provider Voluntary Childcare Register flag",
    "Individual register combinations",
    "Registered person URN",
    "Registered person name",
    "Provider address line 1",
    "Provider address line 2",
    "Provider address line 3",
    "Provider town",
    "Provider postcode",
    "Local authority",
    "Region",
    "Parliamentary constituency",
    "Deprivation band",
    "Places",
    REIF + "Inspection date",
    REIF + "Inspection visit type",
    REIF + "Inspection number",
    REIF + "Safeguarding standards met?",
    REIF + "Inclusion",
    REIF + "Curriculum and teaching",
    REIF + "Achievement",
    REIF + "Behaviour, attitudes and establishing routines",
    REIF + "Children's welfare and wellbeing",
    REIF + "Leadership and governance",
    OEIF + "Full inspection number",
    OEIF + "Full inspection date",
    OEIF_CIF + "Overall effectiveness",
    OEIF + "Quality of education",
    OEIF + "Behaviour and attitudes",
    OEIF + "Personal development",
    OEIF_CIF + "Effectiveness of leadership and management",
    OEIF + "Safeguarding is effective?",
    NCOR + "Inspection date",
    NCOR + "Overall effectiveness",
    OOSC + "Inspection date",
    OOSC + "Overall effectiveness",
    OOSC + "Safeguarding is effective?",
    "CR: Most recent: Inspection date",
    "CR: Compliance",
    "CCR requirements suitability",
    "VCR requirements suitability",
)

GRADES = ("Outstanding", "Good", "Requires improvement", "Inadequate")
REIF_GRADES = ("Exceptional", "Strong standard", "Expected standard", "Needs attention")
LOCAL_AUTHORITIES = ("Kent", "Medway", "East Sussex", "Surrey")


def provider(number: int) -> dict[str, str]:
    """A plausible provider row; every fifth is a childminder with REDACTED details."""
    childminder = number % 5 == 0
    inspected = datetime.date(2016, 1, 4) + datetime.timedelta(days=(number * 37) % 3400)
    row = {
        "Web link": f"https://reports.ofsted.gov.uk/provider/16/EY{500000 + number}",
        "Provider URN": f"EY{500000 + number}",
        "Provider type": "Childminder" if childminder else "Childcare on non-domestic premises",
        "Provider subtype": "Childminder" if childminder else "Full day care",
        "Provider status": "Active",
        "Provider name": "REDACTED" if childminder else f"Little Acorns Nursery {number}",
        "Registered person URN": f"RP{100000 + number}",
        "Registered person name": "REDACTED" if childminder else f"Acorns Childcare Ltd {number}",
        "Provider address line 1": "REDACTED" if childminder else f"{number % 200 + 1} High Street",
        "Provider address line 2": "REDACTED" if childminder else "",
        "Provider address line 3": "REDACTED" if childminder else "",
        "Provider town": "REDACTED" if childminder else "Canterbury",
        "Provider postcode": "REDACTED" if childminder else f"CT{number % 20 + 1} {number % 9}AB",
        "Local authority": LOCAL_AUTHORITIES[number % len(LOCAL_AUTHORITIES)],
        "Region": "South East",
        "Parliamentary constituency": "Canterbury",
        "Deprivation band": str(number % 5 + 1),
        "Registration date": f"{number % 28 + 1:02d}/{number % 12 + 1:02d}/{2005 + number % 18}",
        "Provider Early Years Register flag": "Y",
        "Individual register combinations": "EYR and both parts of the CR",
        "Places": str(6 if childminder else 20 + number % 80),
        OEIF + "Full inspection number": str(10000000 + number),
        OEIF + "Full inspection date": f"{inspected:%d/%m/%Y}",
        OEIF_CIF + "Overall effectiveness": str(number % 4 + 1)
        if number % 2
        else GRADES[number % 4],
    }
    if inspected >= datetime.date(2019, 9, 1):
        row.update(
            {
                OEIF + "Quality of education": GRADES[(number + 1) % 4],
                OEIF + "Behaviour and attitudes": GRADES[number % 3],
                OEIF + "Personal development": GRADES[number % 2],
                OEIF_CIF + "Effectiveness of leadership and management": GRADES[number % 4],
                OEIF + "Safeguarding is effective?": "Yes" if number % 11 else "No",
            }
        )
    if number % 7 == 0:
        row.update(
            {
                REIF + "Inspection date": f"{number % 28 + 1:02d}/01/2026",
                REIF + "Inspection visit type": "Full inspection",
                REIF + "Inspection number": str(20000000 + number),
                REIF + "Safeguarding standards met?": "Yes",
                REIF + "Curriculum and teaching": REIF_GRADES[number % 4],
                REIF + "Leadership and governance": REIF_GRADES[(number + 1) % 4],
            }
        )
    if number % 3 == 0:
        row.update(
            {
                "CR: Most recent: Inspection date": f"{number % 28 + 1:02d}/03/2023",
                "CR: Compliance": "Met" if number % 6 else "Not met",
            }
        )
    return row


def providers(count: int, start: int = 1) -> Iterator[dict[str, str]]:
    for number in range(start, start + count):
        yield provider(number)


def write_csv(
    out: IO[str],
    rows: Iterable[Mapping[str, str]],
    *,
    header: Iterable[str] = HEADER,
    title_lines: Iterable[str] = TITLE_LINES,
) -> int:
    """Write the title lines, the header and the rows (missing cells blank); returns rows."""
    columns = list(header)
    writer = csv.writer(out, lineterminator="\r\n")
    for title in title_lines:
        writer.writerow([title])
    writer.writerow(columns)
    written = 0
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
        written += 1
    return written


def write_xlsx(
    path: str | os.PathLike[str],
    rows: Iterable[Mapping[str, str]],
    *,
    header: Iterable[str] = HEADER,
    title_lines: Iterable[str] = TITLE_LINES,
) -> int:
    """The same as ``write_csv``, as a workbook written row by row (openpyxl write-only)."""
    from openpyxl import Workbook

    columns = list(header)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Providers")
    for title in title_lines:
        sheet.append([title])
    sheet.append(columns)
    written = 0
    for row in rows:
        sheet.append([row.get(column, "") for column in columns])
        written += 1
    book.save(path)
    return written
