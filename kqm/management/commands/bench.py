"""Run named benchmarks and print their figures: ``manage.py bench [NAME ...]``.

Benchmarks are registered by the apps (``<app>/benchmarks.py``, see ``kqm.bench``).
Each runs against a throwaway copy of the database (created and destroyed here, like
the test runner does) and a temporary directory, so real data is never touched.
``--quick`` runs every benchmark on small data sets with short load phases (to check that
they work, not to measure); ``--json FILE`` writes the figures and the numbers, to compare
runs. See docs/performance.md.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from kqm import bench
from kqm.bench import discover


class Command(BaseCommand):
    help = "Run benchmarks against a throwaway database and print the figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
        parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")
        parser.add_argument(
            "--quick", action="store_true", help="small data sets and short load phases"
        )
        parser.add_argument(
            "--seconds",
            type=float,
            default=None,
            help="length of each HTTP load phase (default 5, or 1 with --quick)",
        )
        parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        benchmarks = discover()
        if options["list"]:
            for item in benchmarks.values():
                self.stdout.write(f"{item.name}: {item.description}")
            return
        names = options["names"] or list(benchmarks)
        unknown = [name for name in names if name not in benchmarks]
        if unknown:
            raise CommandError(
                f"Unknown benchmark: {', '.join(unknown)}. Known: {', '.join(benchmarks)}."
            )
        # As in production (and the test runner): no per-query logging, which costs time
        # and holds thousands of large SQL strings in memory.
        django_settings.DEBUG = False
        bench.OPTIONS.quick = options["quick"]
        bench.OPTIONS.seconds = options["seconds"] or (1.0 if options["quick"] else 5.0)
        bench.METRICS.clear()
        report: dict[str, Any] = {
            "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg(),
                "python": platform.python_version(),
                "database": connection.vendor,
            },
            "quick": bench.OPTIONS.quick,
            "benchmarks": {},
        }
        with tempfile.TemporaryDirectory(prefix="kqm-bench-") as workdir:
            old_name = self._create_database(Path(workdir))
            try:
                for name in names:
                    item = benchmarks[name]
                    self.stdout.write(
                        self.style.MIGRATE_HEADING(f"{item.name}: {item.description}")
                    )
                    run_dir = Path(workdir) / name
                    run_dir.mkdir()
                    with bench.running(name):
                        figures = item.run(run_dir)
                    report["benchmarks"][name] = {
                        "figures": dict(figures),
                        "metrics": bench.METRICS.get(name, {}),
                    }
                    width = max((len(label) for label, _ in figures), default=0) + 2
                    for label, value in figures:
                        self.stdout.write(f"  {label + ':':<{width}}{value}")
            finally:
                connection.creation.destroy_test_db(old_name, verbosity=0)
        if options["json"]:
            Path(options["json"]).write_text(json.dumps(report, indent=2) + "\n")
            self.stdout.write(f"Figures written to {options['json']}.")

    def _create_database(self, workdir: Path) -> str:
        old_name = str(connection.settings_dict["NAME"])
        test = connection.settings_dict.setdefault("TEST", {})
        if connection.vendor == "sqlite":
            test["NAME"] = str(workdir / "bench.sqlite3")
        else:
            test["NAME"] = f"{old_name}_bench"
        self.stdout.write(f"Creating a throwaway {connection.vendor} database…")
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        return old_name
