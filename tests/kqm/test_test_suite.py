"""Rules for the test suite itself (the parametrize-versus-fixture rule is in conftest.py)."""

from __future__ import annotations

import ast
from pathlib import Path

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
