"""Run named benchmarks and print their figures: ``manage.py bench [NAME ...]``.

Benchmarks are registered by the apps (``<app>/benchmarks.py``, see ``kqm.bench``).
Each runs against a throwaway copy of the database (created and destroyed here, like
the test runner does) and a temporary directory, so real data is never touched.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from kqm.bench import discover


class Command(BaseCommand):
    help = "Run benchmarks against a throwaway database and print the figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
        parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")

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
                    figures = item.run(run_dir)
                    width = max((len(label) for label, _ in figures), default=0) + 2
                    for label, value in figures:
                        self.stdout.write(f"  {label + ':':<{width}}{value}")
            finally:
                connection.creation.destroy_test_db(old_name, verbosity=0)

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
