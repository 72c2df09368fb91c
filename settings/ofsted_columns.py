"""The column vocabulary of Ofsted's files, as data.

Every column the importer understands is named here once: the provider columns with
their aliases, and the inspection column *families* (one register's inspection under
one framework label, most recent or an earlier one) with their prefixes and the
fields each may hold. A column Ofsted renames next year is a one-line change here.

Header matching ignores case, runs of spaces and underscores, and the spacing around
colons: ``Most_Recent_Full : Inspection Date`` is ``most recent full: inspection date``.
The layouts this covers, as published:

1. "Childcare providers and inspections", provider level, current (2025 onward):
   ``Web link, Provider URN, ...``, ``EYR REIF: Most recent: ...``,
   ``EYR OEIF: Most recent: ...`` with ``EYR OEIF/CIF: Most recent: Overall
   effectiveness``, ``EYR OEIF NCOR: ...``, ``EYR OEIF OOSC: ...``, ``CR: ...``.
2. The same, 2018 to 2021: ``Most recent full: ...`` followed by bare area columns
   (``Quality of education``, ...), ``Second most recent full: ...``, ``Third most
   recent full: ...``, ``NCOR: ...``, ``CR: ...``.
3. "Management information, most recent inspections": ``Most Recent Full: ...``.
4. State-funded schools inspections management information (maintained nursery
   schools and nursery classes): ``URN``, ``School name``, ``Inspection start date``,
   ``Overall effectiveness``, ``Early years provision (where applicable)``, ...
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .models import Register
from .ofsted import FRAMEWORKS, Framework


def header_key(text: str) -> str:
    """A header as the vocabulary spells it: lower case, single spaces, ``": "`` between parts."""
    text = text.replace("\ufeff", "").replace("’", "'").replace("_", " ").lower()
    return ": ".join(" ".join(part.split()) for part in text.split(":")).strip()


# --- Provider columns: setting field -> the headers that carry it --------------------------
# The first alias the file has wins.

SETTING_COLUMNS: dict[str, tuple[str, ...]] = {
    "urn": ("provider urn", "urn"),
    "name": ("provider name",),
    "provider_type": ("provider type",),
    "provider_subtype": ("provider subtype",),
    "provider_status": ("provider status",),
    "address_1": ("provider address line 1",),
    "address_2": ("provider address line 2",),
    "address_3": ("provider address line 3",),
    "town": ("provider town",),
    "postcode": ("provider postcode", "postcode"),
    "registration_date": ("registration date", "provider registration date"),
    "register_combination": ("individual register combinations",),
    "places": ("places",),
    "places_estimate": ("places including estimates",),  # used where "Places" is blank
    "registered_person_name": ("registered person name",),
    "registered_person_urn": ("registered person urn",),
    "local_authority": ("local authority", "provider local authority"),
    # Ofsted's files have no district; a file that has one (a council's own) sets it.
    "district": ("district", "local authority district"),
    "region": ("region", "ofsted region", "provider region"),
}

# Columns Ofsted publishes that KQM knowingly does not keep (shown as "not kept").
NOT_KEPT = frozenset(
    {
        "web link",
        "provider early years register flag",
        "provider compulsory childcare register flag",
        "provider voluntary childcare register flag",
        "parliamentary constituency",
        "deprivation band",
        "telephone number",
        "ccr requirements suitability",
        "vcr requirements suitability",
        "laestab",
        "ofsted phase",
    }
)


# --- Inspection columns --------------------------------------------------------------------

# The part of a header after its family's prefix -> what it holds.
INSPECTION_FIELDS: dict[str, str] = {
    "inspection date": "date",
    "full inspection date": "date",
    "date of inspection": "date",
    "inspection start date": "date",
    "inspection number": "number",
    "full inspection number": "number",
    "inspection visit type": "visit_type",
    "overall effectiveness": "overall",
    "outcome": "overall",
    "inspection outcome": "overall",
    "compliance": "overall",
    "safeguarding": "safeguarding",
    "safeguarding is effective?": "safeguarding",
    "safeguarding is effective": "safeguarding",
    "safeguarding standards met?": "safeguarding",
    "safeguarding standards met": "safeguarding",
}

# Unprefixed columns of the 2018-2021 layout that belong to its most recent full inspection
# (besides the area judgements below).
BARE_FIELDS: dict[str, str] = {
    "safeguarding is effective?": "safeguarding",
    "safeguarding is effective": "safeguarding",
}

# Area judgement headers -> (framework, area key). A header may name an area of several
# frameworks; the inspection's framework decides which applies.
AREA_ALIASES: dict[str, dict[str, str]] = {}
for _framework, _spec in FRAMEWORKS.items():
    for _key, _label in _spec.areas:
        AREA_ALIASES.setdefault(header_key(_label), {})[_framework] = _key
for _alias, _framework, _key in (
    ("leadership and management", Framework.EIF_2019, "leadership_and_management"),
    ("effectiveness of leadership and management", Framework.EIF_2019, "leadership_and_management"),
    ("leadership and management", Framework.CIF_2015, "leadership_and_management"),
    (
        "behaviour, attitudes and establishing routines",
        Framework.RENEWED_2025,
        "behaviour_attitudes_routines",
    ),
    ("children's welfare and wellbeing", Framework.RENEWED_2025, "welfare_and_wellbeing"),
    ("welfare and wellbeing", Framework.RENEWED_2025, "welfare_and_wellbeing"),
    ("early years provision (where applicable)", Framework.EIF_2019, "early_years_provision"),
    ("early years provision (where applicable)", Framework.CIF_2015, "early_years_provision"),
):
    AREA_ALIASES.setdefault(_alias, {})[_framework] = _key


@dataclass(frozen=True)
class Family:
    """One register's inspection columns under one label: most recent, or an earlier one."""

    key: str
    label: str  # for the preview and messages
    prefixes: tuple[str, ...]  # header_key prefixes; "" for the schools file's bare columns
    register: str
    frameworks: tuple[str, ...]  # the frameworks its inspections may be under; () any
    occurrence: int = 1  # 1 the most recent, 2 the second most recent, ...
    bare_areas: bool = False  # unprefixed area columns belong to it (the 2018-2021 layout)


FAMILIES: tuple[Family, ...] = (
    Family(
        "eyr_reif",
        "Early Years Register, renewed framework, most recent",
        ("eyr reif: most recent",),
        Register.EYR,
        (Framework.RENEWED_2025,),
    ),
    Family(
        "eyr_oeif",
        "Early Years Register, education (or common) inspection framework, most recent full",
        ("eyr oeif: most recent", "eyr oeif/cif: most recent", "eyr cif: most recent"),
        Register.EYR,
        (Framework.CIF_2015, Framework.EIF_2019),
    ),
    Family(
        "eyr_ncor",
        "Early Years Register, no children on roll, most recent",
        ("eyr oeif ncor: most recent", "ncor", "ncor: most recent"),
        Register.NCOR,
        (),
    ),
    Family(
        "eyr_oosc",
        "Early Years Register, out-of-school care, most recent",
        ("eyr oeif oosc: most recent",),
        Register.OOSC,
        (Framework.CIF_2015, Framework.EIF_2019),
    ),
    Family(
        "eyr_full_1",
        "Early Years Register, most recent full",
        ("most recent full", "eyr: most recent"),
        Register.EYR,
        (),
        occurrence=1,
        bare_areas=True,
    ),
    Family(
        "eyr_full_2",
        "Early Years Register, second most recent full",
        ("second most recent full",),
        Register.EYR,
        (),
        occurrence=2,
    ),
    Family(
        "eyr_full_3",
        "Early Years Register, third most recent full",
        ("third most recent full",),
        Register.EYR,
        (),
        occurrence=3,
    ),
    Family(
        "cr",
        "Childcare Register, most recent",
        ("cr: most recent", "cr"),
        Register.CR,
        (),
    ),
)
PREFIXES: dict[str, Family] = {prefix: f for f in FAMILIES for prefix in f.prefixes}

# State-funded schools inspection management information: maintained nursery schools and
# nursery classes are inspected as schools. Its columns have no prefix; the file is told
# apart by its date column. Only settings the register marks as maintained take its
# inspections, and it changes none of their details.
SCHOOL_FAMILY = Family(
    "school",
    "School inspection, most recent graded",
    (),
    Register.EYR,
    (),
)
SCHOOL_FIELDS: dict[str, str] = {
    "inspection number": "number",
    "inspection number of latest oeif graded inspection": "number",
    "inspection start date": "date",
    "inspection start date of latest oeif graded inspection": "date",
    "inspection type": "visit_type",
    "overall effectiveness": "overall",
    "latest oeif overall effectiveness": "overall",
    "safeguarding is effective?": "safeguarding",
    "latest oeif safeguarding is effective?": "safeguarding",
}
SCHOOL_DATES = frozenset(key for key, what in SCHOOL_FIELDS.items() if what == "date")
SCHOOL_AREA_PREFIX = "latest oeif "  # "Latest OEIF quality of education"

# Words that make an unrecognised column look like an inspection column (for the refusal).
INSPECTION_WORDS = ("inspection", "effectiveness", "most recent", "safeguarding", "judgement")

# Title lines: "Most recent inspections data as at 31 August 2025" or "as at 31/08/2025".
AS_AT_FORMATS = ("%d %B %Y", "%d/%m/%Y", "%d %b %Y")


def as_at_date(title: str) -> datetime.date | None:
    lowered = title.lower()
    at = lowered.find("as at")
    if at < 0:
        return None
    words = title[at + 5 :].strip(" :.,").split()
    for length in (3, 1):
        text = " ".join(words[:length]).strip(" .,")
        for pattern in AS_AT_FORMATS:
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
    return None
