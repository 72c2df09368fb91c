"""A registry of named benchmarks for ``manage.py bench``.

An app adds benchmarks in its own ``benchmarks.py`` module::

    from kqm.bench import Figures, benchmark

    @benchmark("ofsted_import_70k", "Ofsted import of 70,000 providers: preview and apply")
    def ofsted_import_70k(workdir: Path) -> Figures:
        ...
        return [("preview", "12.3 s"), ...]

Each benchmark runs against a throwaway database and gets a temporary directory;
it returns its figures as (label, value) pairs for the command to print. Numbers worth
comparing between runs are also recorded with ``metric`` (``bench --json`` writes them).
``size(full, quick)`` is the size of a data set: ``quick`` under ``bench --quick``, which
exercises every step cheaply (the tests run it), ``full`` otherwise.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.utils.module_loading import autodiscover_modules

Figures = list[tuple[str, str]]


Run = Callable[[Path], Figures]


@dataclass(frozen=True)
class Benchmark:
    name: str
    description: str
    run: Run


BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str, description: str) -> Callable[[Run], Run]:
    """Register the decorated function as the benchmark ``name``."""

    def register(run: Run) -> Run:
        if name in BENCHMARKS:
            raise ValueError(f"A benchmark called {name!r} is already registered.")
        BENCHMARKS[name] = Benchmark(name, description, run)
        return run

    return register


@dataclass
class RunOptions:
    quick: bool = False
    seconds: float = 5.0  # how long each load phase lasts


OPTIONS = RunOptions()
METRICS: dict[str, dict[str, float]] = {}
_current: list[str] = []


def size(full: int, quick: int) -> int:
    return quick if OPTIONS.quick else full


def metric(key: str, value: float) -> float:
    """Record ``value`` under the running benchmark for ``bench --json``; returns it."""
    METRICS.setdefault(_current[-1] if _current else "", {})[key] = round(value, 6)
    return value


@contextmanager
def running(name: str) -> Iterator[None]:
    _current.append(name)
    try:
        yield
    finally:
        _current.pop()


def discover() -> dict[str, Benchmark]:
    autodiscover_modules("benchmarks")
    return BENCHMARKS


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB.

    Linux's ``VmHWM``: the peak of this program's own memory. ``ru_maxrss`` is the
    fallback, but a process started by a large one inherits its parent's peak in it.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kilobytes
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


@dataclass
class Timing:
    seconds: float = 0.0


@contextmanager
def timed() -> Iterator[Timing]:
    timing = Timing()
    started = time.perf_counter()
    try:
        yield timing
    finally:
        timing.seconds = time.perf_counter() - started
