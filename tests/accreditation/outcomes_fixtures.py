"""Data for the outcomes report's tests, in one place.

* ``make_settings``, ``inspect``, ``award`` and ``join``: small worlds built with the models.
* ``build_published_kent``: the practice example's register at January 2012, built through
  the Ofsted import (``manage.py import_ofsted``) from files in Ofsted's layout, with cohort
  memberships and awards granted at the end of each programme year. Only this function
  knows the import's file layout: after the importer changes, adapt it here.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command

from accreditation.models import Accreditation, Cohort, Status
from settings.models import Inspection, Register, Sector, Setting
from settings.ofsted import Framework, Grade
from tests.accreditation.award_factories import AwardFactory
from tests.factories import AccreditationFactory, CohortFactory

_urns = itertools.count(500000)

OUT, GOOD, SAT, RI, INAD = (
    Grade.OUTSTANDING,
    Grade.GOOD,
    Grade.SATISFACTORY,
    Grade.REQUIRES_IMPROVEMENT,
    Grade.INADEQUATE,
)
AREAS_2008 = (
    "quality_of_provision",
    "being_healthy",
    "staying_safe",
    "enjoying_and_achieving",
    "positive_contribution",
    "economic_wellbeing",
    "leadership_and_management",
)


def make_settings(
    sector: str,
    grades: list[str],
    day: datetime.date = datetime.date(2010, 1, 15),
    local_authority: str = "Kent",
) -> list[Setting]:
    """One setting per grade, each inspected once on ``day`` under the 2008 framework."""
    settings = Setting.objects.bulk_create(
        [
            Setting(
                urn=f"EY{next(_urns)}",
                name=f"Setting {i}",
                sector=sector,
                provider_type="other",
                local_authority=local_authority,
            )
            for i, _ in enumerate(grades)
        ]
    )
    Inspection.objects.bulk_create(
        [
            Inspection(
                setting=s,
                framework=Framework.EYFS_2008,
                inspection_date=day,
                overall_effectiveness=g,
                judgements=dict.fromkeys(AREAS_2008, g),
            )
            for s, g in zip(settings, grades, strict=True)
        ]
    )
    return settings


def inspect(
    setting: Setting,
    grade: str,
    day: datetime.date = datetime.date(2007, 6, 1),
    framework: str = Framework.EYFS_2008,
    judgements: dict[str, str] | None = None,
    register: str = Register.EYR,
    safeguarding: str = "",
) -> Inspection:
    if judgements is None:
        judgements = dict.fromkeys(AREAS_2008, grade) if framework == Framework.EYFS_2008 else {}
    return Inspection.objects.create(
        setting=setting,
        framework=framework,
        register=register,
        inspection_date=day,
        overall_effectiveness=grade,
        judgements=judgements,
        safeguarding=safeguarding,
    )


def cohort(year: int) -> Cohort:
    found = Cohort.objects.filter(programme_year=year).first()
    return found or CohortFactory(
        name=f"{year} cohort",
        programme_year=year,
        start_date=datetime.date(year, 9, 1),
        end_date=datetime.date(year + 1, 7, 31),
    )


def join(setting: Setting, year: int, status: str = Status.IN_PROGRESS) -> Accreditation:
    """The setting takes part in the ``year`` cohort (no award)."""
    return AccreditationFactory(setting=setting, cohort=cohort(year), status=status)


def award(setting: Setting, day: datetime.date | None = None, year: int | None = None):
    """The setting is accredited: in the ``year`` cohort (by default the programme year
    ending before ``day``), awarded on ``day`` (by default the end of that programme year)."""
    if year is None:
        assert day is not None
        year = day.year - 1 if day.month <= 8 else day.year
    accreditation = join(setting, year, Status.ACCREDITED)
    return AwardFactory(
        accreditation=accreditation, award_date=day or accreditation.cohort.end_date
    )


# --- The practice example: Kent at January 2012 ----------------------------------------------

SNAPSHOT = datetime.date(2012, 1, 31)
PERIOD = (datetime.date(2009, 1, 1), datetime.date(2010, 12, 31))
AREA_HEADERS = {
    "quality_of_provision": "Quality of provision",
    "being_healthy": "Being healthy",
    "staying_safe": "Staying safe",
    "enjoying_and_achieving": "Enjoying and achieving",
    "positive_contribution": "Making a positive contribution",
    "leadership_and_management": "Leadership and management",
}
# KQM settings whose area judgement improved, of the 72 (Staying safe: of the 71 graded twice).
AREA_IMPROVED = {
    "quality_of_provision": 38,
    "being_healthy": 42,
    "staying_safe": 44,
    "enjoying_and_achieving": 42,
    "positive_contribution": 42,
    "leadership_and_management": 40,
}
HEADER = [
    "Provider URN",
    "Provider type",
    "Provider name",
    "Provider postcode",
    "Local authority",
    "Region",
    "EYR: Most recent: Inspection date",
    "EYR: Most recent: Overall effectiveness",
    *(f"EYR: Most recent: {label}" for label in AREA_HEADERS.values()),
    "CR: Most recent: Inspection date",
    "CR: Most recent: Outcome",
]
TYPE: dict[str, str] = {
    Sector.PVI: "Childcare on non-domestic premises",
    Sector.MAINTAINED: "Maintained nursery school",
}
WORSE = {OUT: GOOD, GOOD: SAT, SAT: INAD}


@dataclass
class _Row:
    urn: str
    sector: str
    local_authority: str = "Kent"
    date: datetime.date | None = None
    overall: str = ""
    areas: dict[str, str] | None = None
    cr_date: datetime.date | None = None
    cr_outcome: str = ""

    def cells(self) -> list[str]:
        label = dict(Grade.choices)
        areas = self.areas or {}
        return [
            self.urn,
            TYPE[self.sector],
            f"Nursery {self.urn}",
            "CT1 1AA",
            self.local_authority,
            "South East",
            f"{self.date:%d/%m/%Y}" if self.date else "",
            label.get(self.overall, ""),
            *(label.get(areas.get(key, ""), "") for key in AREA_HEADERS),
            f"{self.cr_date:%d/%m/%Y}" if self.cr_date else "",
            self.cr_outcome,
        ]


def _write(path: Path, as_at: str, rows: list[_Row]) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["Childcare providers and inspections: management information"])
        writer.writerow([f"Most recent inspections data as at {as_at}"])
        writer.writerow(HEADER)
        writer.writerows(row.cells() for row in rows)
    return path


@dataclass
class PublishedKent:
    kqm_urns: list[str]
    other_urns: list[str]


def build_published_kent(tmp_path: Path) -> PublishedKent:
    """Kent's register as the practice example describes it, built through the import.

    At 31 January 2012: 611 PVI settings (56 KQM), 112 of them outstanding (28 KQM) and 535
    good or outstanding (56 KQM); 122 maintained settings (16 KQM), 8 outstanding (5 KQM)
    and 80 good or outstanding (14 KQM). The 72 KQM settings were each inspected in 2009
    or 2010 while in the programme or accredited: 57 improved on their previous
    inspection, 5 by two grades, 1 declined; the area judgements as in ``AREA_IMPROVED``.
    Same-day Childcare Register inspections, later inspections, a declined applicant, next
    year's cohort and another local authority are there to be left out.
    """
    # The 72 KQM settings: (sector, grade in 2009-10, previous grade).
    pairs = (
        ([(OUT, SAT)] * 5 + [(OUT, GOOD)] * 28 + [(GOOD, SAT)] * 24 + [(GOOD, GOOD)] * 12)
        + [(GOOD, OUT)]
        + [(SAT, SAT)] * 2
    )
    outstanding = [p for p in pairs if p[0] == OUT]
    good = [p for p in pairs if p[0] == GOOD]
    kqm_plan = (
        [(Sector.PVI, p) for p in outstanding[:28] + good[:28]]
        + [(Sector.MAINTAINED, p) for p in outstanding[28:] + good[28:]]
        + [(Sector.MAINTAINED, p) for p in pairs if p[0] == SAT]
    )
    assert len(kqm_plan) == 72
    cohorts = {year: cohort(year) for year in (2008, 2009, 2010, 2012)}
    previous_rows, current_rows, later_rows = [], [], []
    kqm_members: list[tuple[str, int]] = []
    for index, (sector, (now, before)) in enumerate(kqm_plan):
        urn = f"EY{300000 + index}"
        year = (2008, 2009, 2010)[index % 3]
        start = {2008: datetime.date(2009, 2, 1), 2009: datetime.date(2009, 10, 1)}.get(
            year, datetime.date(2010, 9, 15)
        )
        span = {2008: 300, 2009: 400}.get(year, 90)
        day = start + datetime.timedelta(days=(index * 7) % span)
        improved_areas = {key for key, k in AREA_IMPROVED.items() if index < k}
        areas_now = dict.fromkeys(AREA_HEADERS, now)
        areas_before = {key: WORSE[now] if key in improved_areas else now for key in AREA_HEADERS}
        if index == 71:
            del areas_before["staying_safe"]  # not judged then
        previous_rows.append(
            _Row(
                urn,
                sector,
                date=datetime.date(2006, 3, 1) + datetime.timedelta(days=index * 9),
                overall=before,
                areas=areas_before,
            )
        )
        cr = day if index % 4 == 0 else None  # a same-day Childcare Register inspection
        current_rows.append(
            _Row(
                urn,
                sector,
                date=day,
                overall=now,
                areas=areas_now,
                cr_date=cr,
                cr_outcome="Met" if cr else "",
            )
        )
        kqm_members.append((urn, year))
    # The other settings: PVI 555 (84 outstanding, 395 good, 60 satisfactory, 16 inadequate);
    # maintained 106 (3 outstanding, 63 good, 35 satisfactory, 5 inadequate).
    others = [
        (Sector.PVI, g)
        for g, n in ((OUT, 84), (GOOD, 395), (SAT, 60), (INAD, 16))
        for _ in range(n)
    ]
    others += [
        (Sector.MAINTAINED, g)
        for g, n in ((OUT, 3), (GOOD, 63), (SAT, 35), (INAD, 5))
        for _ in range(n)
    ]
    other_urns = []
    for index, (sector, grade) in enumerate(others):
        urn = f"EY{400000 + index}"
        other_urns.append(urn)
        day = datetime.date(2008, 9, 1) + datetime.timedelta(days=(index * 13) % 1200)
        cr = day if index % 5 == 0 else None
        current_rows.append(
            _Row(
                urn,
                sector,
                date=day,
                overall=grade,
                areas=dict.fromkeys(AREA_HEADERS, grade),
                cr_date=cr,
                cr_outcome=("Not met" if index % 25 == 0 else "Met") if cr else "",
            )
        )
        if index % 3 == 0:  # a previous inspection: the comparison group
            before = SAT if index % 2 else grade
            previous_rows.append(_Row(urn, sector, date=datetime.date(2006, 5, 1), overall=before))
        if index % 40 == 1:  # inspected again after the snapshot: not counted
            later_rows.append(_Row(urn, sector, date=datetime.date(2012, 5, 1), overall=OUT))
    # Another local authority: never in Kent's figures.
    current_rows += [
        _Row(
            f"EY{450000 + i}",
            Sector.PVI,
            local_authority="Medway",
            date=datetime.date(2010, 3, 1),
            overall=OUT,
        )
        for i in range(30)
    ]
    _import(_write(tmp_path / "providers-2008.csv", "31 August 2008", previous_rows))
    _import(_write(tmp_path / "providers-2011.csv", "31 December 2011", current_rows))
    _import(_write(tmp_path / "providers-2012.csv", "31 August 2012", later_rows))

    settings = {s.urn: s for s in Setting.objects.filter(urn__startswith="EY3")}
    for urn, year in kqm_members:
        accreditation = AccreditationFactory(
            setting=settings[urn], cohort=cohorts[year], status=Status.ACCREDITED
        )
        AwardFactory(accreditation=accreditation, award_date=cohorts[year].end_date)
    other_settings = {s.urn: s for s in Setting.objects.filter(urn__in=other_urns[:5])}
    for urn in other_urns[:2]:  # applied for 2009 and declined
        AccreditationFactory(
            setting=other_settings[urn], cohort=cohorts[2009], status=Status.DECLINED
        )
    for urn in other_urns[2:5]:  # next year's cohort: not KQM in January 2012
        AccreditationFactory(
            setting=other_settings[urn], cohort=cohorts[2012], status=Status.IN_PROGRESS
        )
    return PublishedKent(kqm_urns=[urn for urn, _ in kqm_members], other_urns=other_urns)


def _import(path: Path) -> None:
    call_command("import_ofsted", str(path), "--yes", stdout=_Quiet())


class _Quiet:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass
