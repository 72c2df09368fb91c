"""Who may do what, named once: the role sets, and ``can`` for templates.

Templates never compare role strings. They ask ``can`` (``{% if can.run_programme %}``,
``{% if can.see_awards %}``), which answers from the sets below and, for a link to a
page, from the roles that page's view declares with ``role_required``: a link shows to
exactly those who may open it, and changing who may open a page changes its links too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, get_urlconf

from .models import SETTING_ROLES, Role

EVERYONE = frozenset(Role.values)
PROGRAMME_MANAGERS = frozenset({Role.MANAGER})
EVALUATORS = frozenset({Role.EVALUATOR})
SETTING_LEADS = frozenset({Role.SETTING_MANAGER})
SETTING_STAFF = frozenset(SETTING_ROLES)
VIEWERS = frozenset({Role.VIEWER})
# Those who assess settings for the mark: the KQM manager and the evaluators.
ASSESSORS = PROGRAMME_MANAGERS | EVALUATORS

# What a role does, for templates: ``can.<name>`` is whether the person holds one of its roles.
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    "run_programme": PROGRAMME_MANAGERS,
    "evaluate": EVALUATORS,
    "lead_setting": SETTING_LEADS,
    "assess": ASSESSORS,
}
# Pages templates link to when the person may open them: ``can.<name>`` is whether the
# page's view lets the person's role in (the roles it declares with ``role_required``).
PAGE_CAPABILITIES: dict[str, str] = {
    "see_awards": "accreditation:award-detail",
    "see_annual_reviews": "accreditation:annual-review-accreditation-list",
    "see_workshops": "accreditation:workshop-list",
    "see_leadership_records": "accreditation:self-evaluation",
}


def _patterns(
    patterns: list[URLPattern | URLResolver], namespace: str = ""
) -> Iterator[tuple[str, Callable[..., Any]]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry.url_patterns, inner)
        elif entry.name:
            yield f"{namespace}{entry.name}", entry.callback


@functools.lru_cache(maxsize=8)
def _views(urlconf: Any) -> dict[str, Callable[..., Any]]:
    """Each named URL's view, by its name with namespaces (the first of a repeated name)."""
    views: dict[str, Callable[..., Any]] = {}
    for name, view in _patterns(get_resolver(urlconf).url_patterns):
        views.setdefault(name, view)
    return views


def holds(user: Any, roles: frozenset[str]) -> bool:
    """Whether ``user`` is signed in with one of ``roles``."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in roles


def view_roles(url_name: str) -> frozenset[str]:
    """The roles the view named ``url_name`` lets in (none if it declares none)."""
    view = _views(get_urlconf(settings.ROOT_URLCONF))[url_name]
    return frozenset(getattr(view, "kqm_roles", ()))


class Can:
    """What the signed-in person may do, as templates ask it; nothing for anyone else."""

    def __init__(self, user: Any) -> None:
        self.role = str(user.role) if getattr(user, "is_authenticated", False) else ""

    def __getattr__(self, name: str) -> bool:
        if name in ROLE_CAPABILITIES:
            return self.role in ROLE_CAPABILITIES[name]
        if name in PAGE_CAPABILITIES:
            return self.role in view_roles(PAGE_CAPABILITIES[name])
        raise AttributeError(name)  # a misspelt question fails loudly in tests
