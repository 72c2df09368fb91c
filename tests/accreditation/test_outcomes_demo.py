"""The demo data fills every section of the outcomes report, with the default filters."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from accreditation.reports.outcomes import RENEWED_ROW
from kqm.models import Role, User
from settings.models import Sector


@pytest.mark.django_db
@time_machine.travel(datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_demo_data_fills_every_section(client):
    call_command("seed_demo", "--quiet")
    call_command("seed_demo", "--quiet")  # again: nothing more is added
    client.force_login(User.objects.get(role=Role.VIEWER, email="viewer@kqm.example"))
    report = client.get(reverse("accreditation:report-outcomes")).context["report"]
    pvi = {t.sector: t for t in report.snapshot}[Sector.PVI]
    assert pvi.kqm_graded >= 10 and pvi.benchmark_graded > pvi.kqm_graded
    assert any(r.key == RENEWED_ROW and r.kqm for r in pvi.rows)
    assert any(section.kqm_total and section.benchmark_total for section in report.renewed)
    assert report.compliance.kqm_total and report.compliance.benchmark_total
    change = report.change
    assert change.compared >= 10 and change.improved and change.not_comparable
    assert change.areas
    comparison = report.comparison
    assert not comparison.too_small
    assert comparison.sentence.startswith("KQM settings improved")
    assert len(comparison.strata) >= 2 and all(s.comparison.of for s in comparison.strata)
