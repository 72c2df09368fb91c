"""Who sees children's Leuven scores and progress is named once, in ``audits.policy``."""

from __future__ import annotations

import pytest

from audits import policy
from kqm.models import Role, User
from kqm.policy import view_roles

# Every page that shows a child's own rows (codes, scores, judgements, action points).
CHILD_LEVEL_PAGES = [
    "audits:group-detail",
    "audits:child-detail",
    "audits:screening-export",
    "audits:group-trends",
    "audits:setting-actions",
    "audits:checkpoint-detail",
    "audits:checkpoint-export",
]
# Pages every Leuven reader opens, showing child rows only to ``sees_children``.
SHARED_PAGES = [
    "audits:leuven-setting",
    "audits:screening-detail",
    "audits:group-analysis",
    "audits:progress-setting",
]


@pytest.mark.parametrize("name", CHILD_LEVEL_PAGES)
def test_each_child_level_page_lets_in_exactly_the_child_level_readers(name: str) -> None:
    assert view_roles(name) == policy.CHILD_LEVEL_READERS


@pytest.mark.parametrize("name", SHARED_PAGES)
def test_the_shared_pages_let_in_every_leuven_reader(name: str) -> None:
    assert view_roles(name) == policy.LEUVEN_READERS
    assert policy.CHILD_LEVEL_READERS <= policy.LEUVEN_READERS


@pytest.mark.parametrize("role", Role.values)
def test_child_rows_show_to_the_child_level_readers_only(role: str) -> None:
    user = User(role=role)
    assert policy.sees_children(user) is (role in policy.CHILD_LEVEL_READERS)
    assert policy.sees_children(user) is (role in {Role.EVALUATOR, *policy.SCORERS})
    assert not policy.sees_children(None)


def test_viewers_and_the_manager_never_see_a_child() -> None:
    assert Role.VIEWER not in policy.CHILD_LEVEL_READERS | policy.LEUVEN_READERS
    assert Role.MANAGER not in policy.CHILD_LEVEL_READERS
