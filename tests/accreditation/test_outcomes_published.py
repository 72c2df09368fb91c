"""The practice example's published table, reproduced from data built through the import.

"At January 2012, 50% of KQM PVI settings have an overall 'outstanding' Ofsted grade
compared to 18.3% PVI in Kent generally; 100% ... 'good' or 'outstanding' in comparison to
87.6% generally; 31% of the KQM maintained settings ... compared to 6.6% maintained in Kent;
88% ... in comparison to 65.6% generally. KQM settings having Ofsted inspections between
2009 and 2010: 72 settings. 79% improved in Overall Effectiveness (7% improved by two
grades). 53% improved in Quality of Provision. 58% ... Being Healthy. 62% ... Staying Safe.
58% ... Enjoying and Achieving. 58% ... Positive Contribution. 56% ... Leadership and
Management."

The page shows one decimal place (rounded half up); the publication rounds the KQM
figures to whole percentages, so each published whole percentage is checked to be the
page's figure rounded half up.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from accreditation.reports.outcomes import Benchmark, Filters, Membership, Period, outcomes
from accreditation.reports.rounding import round_half_up
from kqm.models import Role
from settings.models import Sector
from tests.accreditation.outcomes_fixtures import PERIOD, SNAPSHOT, build_published_kent
from tests.pdf import pdf_text

# (what, page figure to one decimal place, published figure)
SNAPSHOT_FIGURES: dict[str, list[tuple[str, float, float]]] = {
    Sector.PVI: [
        ("kqm outstanding", 50.0, 50),
        ("all outstanding", 18.3, 18.3),
        ("kqm good+", 100.0, 100),
        ("all good+", 87.6, 87.6),
    ],
    Sector.MAINTAINED: [
        ("kqm outstanding", 31.3, 31),
        ("all outstanding", 6.6, 6.6),
        ("kqm good+", 87.5, 88),
        ("all good+", 65.6, 65.6),
    ],
}
AREAS = {  # label: (improved, compared, page %, published %)
    "Quality of provision": (38, 72, 52.8, 53),
    "Being healthy": (42, 72, 58.3, 58),
    "Staying safe": (44, 71, 62.0, 62),
    "Enjoying and achieving": (42, 72, 58.3, 58),
    "Making a positive contribution": (42, 72, 58.3, 58),
    "Leadership and management": (40, 72, 55.6, 56),
}
QUERY = {
    "local_authority": "Kent",
    "snapshot_0": "31",
    "snapshot_1": "1",
    "snapshot_2": "2012",
    "start_0": "1",
    "start_1": "1",
    "start_2": "2009",
    "end_0": "31",
    "end_1": "12",
    "end_2": "2010",
    "membership": "engaged",
    "benchmark": "all",
}


@pytest.fixture
def kent(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_published_kent(tmp_path)


def _published(page: float, published: float) -> bool:
    """The publication's figure is the page's, rounded half up to its own precision."""
    places = 0 if float(published).is_integer() else 1
    return round_half_up(page, places) == published


@pytest.mark.django_db
def test_published_table_from_the_models(kent):
    report = outcomes(Filters(local_authority="Kent", snapshot=SNAPSHOT, period=Period(*PERIOD)))
    tables = {t.sector: t for t in report.snapshot}
    pvi, maintained = tables[Sector.PVI], tables[Sector.MAINTAINED]
    assert (pvi.kqm_total, pvi.kqm_outstanding, pvi.kqm_good_or_better) == (56, 28, 56)
    assert (pvi.benchmark_total, pvi.benchmark_outstanding, pvi.benchmark_good_or_better) == (
        611,
        112,
        535,
    )
    assert (maintained.kqm_total, maintained.kqm_outstanding, maintained.kqm_good_or_better) == (
        16,
        5,
        14,
    )
    assert (maintained.benchmark_total, maintained.benchmark_outstanding) == (122, 8)
    assert maintained.benchmark_good_or_better == 80
    for table in (pvi, maintained):
        got = [
            table.kqm_outstanding_percent,
            table.benchmark_outstanding_percent,
            table.kqm_good_or_better_percent,
            table.benchmark_good_or_better_percent,
        ]
        assert got == [page for _, page, _ in SNAPSHOT_FIGURES[table.sector]]
        for _what, page, published in SNAPSHOT_FIGURES[table.sector]:
            assert _published(page, published)
    change = report.change
    assert change.inspected == 72
    assert (change.improved, change.same, change.declined) == (57, 14, 1)
    assert change.by_grades[2] == 5
    assert change.improved_percent == 79.2 and round_half_up(79.2, 0) == 79
    assert change.share(5) == 6.9 and round_half_up(6.9, 0) == 7
    areas = {a.label: a for a in change.areas}
    for label, (improved, compared, page, published) in AREAS.items():
        assert (areas[label].improved, areas[label].compared) == (improved, compared)
        assert areas[label].improved_percent == page
        assert round_half_up(page, 0) == published
    # Same-day Childcare Register inspections are compliance, never a second row.
    assert report.compliance.kqm_total == 18
    assert [r.label for r in report.compliance.rows] == ["Met", "Not met"]


@pytest.mark.django_db
def test_the_choices_change_what_is_counted(kent):
    period = Period(*PERIOD)
    others = outcomes(
        Filters(
            local_authority="Kent", snapshot=SNAPSHOT, period=period, benchmark=Benchmark.OTHERS
        )
    )
    pvi = {t.sector: t for t in others.snapshot}[Sector.PVI]
    assert (pvi.benchmark_total, pvi.benchmark_outstanding) == (555, 84)
    assert pvi.benchmark_outstanding_percent == 15.1
    # Accredited only, judged at the inspection date: the settings inspected during their
    # programme year drop out of the before-and-after figures.
    accredited = outcomes(
        Filters(
            local_authority="Kent",
            snapshot=SNAPSHOT,
            period=period,
            membership=Membership.ACCREDITED,
        )
    )
    assert 0 < accredited.change.inspected < 72
    # No local authority: Medway's settings join the benchmark.
    everywhere = outcomes(Filters(snapshot=SNAPSHOT, period=period))
    assert {t.sector: t for t in everywhere.snapshot}[Sector.PVI].benchmark_total == 641


def _page_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.django_db
@pytest.mark.real_pdf
def test_published_figures_on_the_page_in_the_csv_and_in_the_pdf(kent, client, users, tmp_path):
    client.force_login(users[Role.VIEWER])
    page = _page_text(client.get(reverse("accreditation:report-outcomes"), QUERY).content.decode())
    csv_rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("accreditation:report-outcomes-csv"), QUERY).content.decode()
            )
        )
    )
    response = client.get(reverse("accreditation:report-outcomes-pdf"), QUERY)
    assert response["Content-Type"] == "application/pdf"
    pdf_path = tmp_path / "outcomes.pdf"
    pdf_path.write_bytes(response.content)
    kent_pdf = re.sub(r"\s+", " ", pdf_text(pdf_path))

    for sentence in (
        "Outstanding: 50.0% of KQM settings (28 of 56), against 18.3% of the benchmark "
        "(112 of 611)",
        "Good or outstanding: 100.0% of KQM settings (56 of 56), against 87.6% of the benchmark "
        "(535 of 611)",
        "Outstanding: 31.3% of KQM settings (5 of 16), against 6.6% of the benchmark (8 of 122)",
        "Good or outstanding: 87.5% of KQM settings (14 of 16), against 65.6% of the benchmark "
        "(80 of 122)",
    ):
        assert sentence in page
    for text in (page, kent_pdf):
        for figure in ("79.2%", "6.9%", "52.8% of 72", "58.3% of 72", "62.0% of 71", "55.6% of 72"):
            assert figure in text, figure
    assert "Settings inspected 72" in page
    for figure in ("50.0%", "18.3%", "100.0%", "87.6%", "31.3%", "6.6%", "87.5%", "65.6%"):
        assert figure in kent_pdf
    assert ["Outstanding", "28", "50.0", "112", "18.3"] in csv_rows
    assert ["Good or outstanding", "56", "100.0", "535", "87.6"] in csv_rows
    assert ["Outstanding", "5", "31.3", "8", "6.6"] in csv_rows
    assert ["Good or outstanding", "14", "87.5", "80", "65.6"] in csv_rows
    assert ["Improved", "57", "79.2"] in csv_rows
    assert ["Up 2 grades", "5", "6.9"] in csv_rows
    for label, (improved, compared, page_pct, _published) in AREAS.items():
        assert any(
            len(r) == 7
            and r[0] == label
            and r[2] == str(improved)
            and r[-1] == f"{page_pct:.1f}"
            and int(r[2]) + int(r[3]) + int(r[4]) == compared
            for r in csv_rows
        ), label
    for urn in kent.kqm_urns[:5]:
        assert urn not in page and urn not in kent_pdf
