"""Rules for the test suite itself (the parametrize-versus-fixture rule is in conftest.py)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.longest_first import longest_first

TESTS = Path(__file__).resolve().parents[1]


def _imports_of_test_modules(path: Path, root: Path = TESTS.parent) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[-1].startswith("test_"):
                found.append(f"{path.relative_to(root)}:{node.lineno} {node.module}")
        elif isinstance(node, ast.Import):
            found += [
                f"{path.relative_to(root)}:{node.lineno} {alias.name}"
                for alias in node.names
                if alias.name.split(".")[-1].startswith("test_")
            ]
    return found


def test_helpers_shared_by_test_modules_live_in_helper_modules():
    """A test module imports nothing from another test module (helpers go in tests/)."""
    offenders = [line for path in TESTS.rglob("*.py") for line in _imports_of_test_modules(path)]
    assert offenders == []


def test_the_rule_finds_an_import_from_a_test_module(tmp_path):
    module = tmp_path / "helpers.py"
    module.write_text("from .test_other import helper\nimport tests.kqm.test_users\n")
    found = _imports_of_test_modules(module, tmp_path)
    assert found == ["helpers.py:1 test_other", "helpers.py:2 tests.kqm.test_users"]


class _Item:
    """What ``longest_first`` reads of a collected test."""

    def __init__(self, nodeid: str, *markers: str) -> None:
        self.nodeid, self.markers = nodeid, markers

    def get_closest_marker(self, name: str) -> str | None:
        return name if name in self.markers else None


def test_the_longest_tests_run_first_and_unknown_slow_ones_count_as_the_median():
    items = [
        _Item("unit_a"),
        _Item("journey", "browser"),
        _Item("new_journey", "browser"),
        _Item("fault", "slow"),
        _Item("unit_b"),
        _Item("query_counts"),
        _Item("worker", "worker"),
    ]
    durations = {"journey": 90.0, "fault": 11.0, "worker": 30.0, "query_counts": 20.0}
    ordered = longest_first(items, durations)
    assert [item.nodeid for item in ordered] == [
        "journey",
        "new_journey",  # unknown: the median of the known slow ones (30 s), ties kept in order
        "worker",
        "query_counts",
        "fault",
        "unit_a",  # unknown and not slow: last, in collection order
        "unit_b",
    ]


def test_each_kind_of_page_is_checked_at_other_widths_by_one_worker_of_the_run(
    tmp_path, monkeypatch
):
    from tests.browser.helpers import CheckedKinds

    monkeypatch.setenv("KQM_TEST_RUN_DIR", str(tmp_path))
    first, second = CheckedKinds(), CheckedKinds()  # two workers of one run
    assert first.claim("audits:score as Evaluator") is True
    assert first.claim("audits:score as Evaluator") is False
    assert second.claim("audits:score as Evaluator") is False
    assert second.claim("kqm:dashboard as Viewer") is True
    first.release("audits:score as Evaluator")  # its page went away before the check
    assert second.claim("audits:score as Evaluator") is True
    assert (tmp_path / "checked-page-kinds.txt").read_text().splitlines() == [
        "kqm:dashboard as Viewer",
        "audits:score as Evaluator",
    ]
