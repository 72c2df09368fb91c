"""``bench ofsted_import_70k`` runs each import in a process of its own: the figures are that
import's, and the peak memory is the import's own, not what the bench process had grown to."""

from __future__ import annotations

import pytest
from django.db import connection

from kqm.bench import peak_rss_mb
from settings import benchmarks
from settings.models import ImportStatus, OfstedImport, Setting
from settings.ofsted_csv import providers, write_csv

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BALLAST_MB = 400


def test_an_import_in_its_own_process_reports_its_own_figures_and_memory(tmp_path):
    path = tmp_path / "providers.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        write_csv(out, providers(30))
    ballast = bytearray(BALLAST_MB * 2**20)  # the bench process, grown by earlier benchmarks
    for page in range(0, len(ballast), 4096):
        ballast[page] = 1
    assert peak_rss_mb() > BALLAST_MB

    result = benchmarks._in_own_process(path, tmp_path, anchors=2)

    assert result["rows"] == 30 and result["counts"]["to_create"] == 30
    assert Setting.objects.count() == 30  # written by the other process, on this database
    assert OfstedImport.objects.get().status == ImportStatus.IMPORTED
    assert 0 < result["peak_rss_after_preview_mb"] <= result["peak_rss_mb"] < BALLAST_MB / 2
    postgresql = connection.vendor == "postgresql"
    assert result["engine"] == ("set-based SQL" if postgresql else "batches of 1,000")
    assert len(result["copy_s"]) == (2 if postgresql else 0)
    assert all(seconds > 0 for seconds in result["copy_s"])
    assert result["preview_s"] > 0 and result["apply_s"] > 0
