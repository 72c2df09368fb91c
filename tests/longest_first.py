"""Run the longest tests first, so that no worker starts a long test when the others are done.

``bin/dev test`` hands tests to its pytest-xdist workers in collection order
(``--dist loadgroup``: each worker holds the test it runs and the next one). A lane ends
when its last test ends, so a long test collected late keeps one worker busy while the
others sit idle: in the slow lane the re-accreditation journey alone takes about 90 s.
Ordered longest first, the long tests start at once and the short ones fill in around
them (longest-processing-time scheduling).

How long each test takes is read from ``tests/durations.json`` (the tests of a second or
more, measured on the 2-core machine the suite is timed on), updated by this checkout's
pytest cache (``kqm/durations``), which every run on xdist workers writes.
``bin/dev test --store-durations`` (any pytest run with the option) rewrites the file
from the run. A test neither names counts as the median of its kind (browser, worker and
fault tests are long; others count as short). Only the order changes: every test runs.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

DURATIONS_FILE = Path(__file__).with_name("durations.json")
CACHE_KEY = "kqm/durations"
STORED_MINIMUM = 1.0  # seconds: the order of shorter tests hardly matters
SLOW_MARKERS = ("browser", "worker", "slow")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store-durations",
        action="store_true",
        help=f"write the run's tests of {STORED_MINIMUM:g} s or more to tests/durations.json",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(LongestFirst(config), "kqm-longest-first")


def _read(path: Path) -> dict[str, float]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def is_slow(item: pytest.Item) -> bool:
    return any(item.get_closest_marker(name) for name in SLOW_MARKERS)


def longest_first(items: list[pytest.Item], durations: dict[str, float]) -> list[pytest.Item]:
    """``items`` by expected duration, longest first; equal ones keep collection order."""
    slow_known = [
        durations[item.nodeid] for item in items if item.nodeid in durations and is_slow(item)
    ]
    slow_guess = statistics.median(slow_known) if slow_known else 0.0

    def expected(item: pytest.Item) -> float:
        return durations.get(item.nodeid, slow_guess if is_slow(item) else 0.0)

    return sorted(items, key=lambda item: -expected(item))


class LongestFirst:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.measured: dict[str, float] = {}

    def known(self) -> dict[str, float]:
        durations = _read(DURATIONS_FILE)
        if self.config.cache is not None:
            durations.update(self.config.cache.get(CACHE_KEY, {}))
        return durations

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        items[:] = longest_first(items, self.known())

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Setup, call and teardown added up (on the xdist controller, from every worker)."""
        self.measured[report.nodeid] = self.measured.get(report.nodeid, 0.0) + report.duration

    def pytest_sessionfinish(self) -> None:
        if hasattr(self.config, "workerinput") or not self.measured:
            return  # a worker: the controller records what every worker ran
        measured = {nodeid: round(seconds, 1) for nodeid, seconds in self.measured.items()}
        if self.config.cache is not None and self.config.pluginmanager.has_plugin("dsession"):
            self.config.cache.set(CACHE_KEY, {**self.config.cache.get(CACHE_KEY, {}), **measured})
        if self.config.getoption("store_durations"):
            stored = _read(DURATIONS_FILE)
            for nodeid, seconds in measured.items():
                if seconds >= STORED_MINIMUM:
                    stored[nodeid] = seconds
                else:
                    stored.pop(nodeid, None)
            DURATIONS_FILE.write_text(
                json.dumps(dict(sorted(stored.items())), indent=1) + "\n", encoding="utf-8"
            )
