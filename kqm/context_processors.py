from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse

from . import policy
from .models import Role

# (label, url name): each shows to the roles its page's view lets in (``role_required``).
NAVIGATION: list[tuple[str, str]] = [
    ("Dashboard", "dashboard"),
    ("Settings", "settings:list"),
    ("Cohorts", "accreditation:cohort-list"),
    ("Applications", "accreditation:application-list"),
    ("Evaluators", "accreditation:evaluator-list"),
    ("Awards", "accreditation:award-list"),
    ("Reminders", "accreditation:reminder-list"),
    ("Annual reviews", "accreditation:annual-review-list"),
    ("Re-accreditation", "accreditation:reaccreditation-list"),
    ("Workshops", "accreditation:workshop-list"),
    ("Workload", "accreditation:my-workload"),
    ("Calendar", "accreditation:calendar"),
    ("Time and cost", "accreditation:budget"),
    ("Notes of visit", "accreditation:note-template"),
    ("Audits", "audits:audit-list"),
    ("Audit results", "audits:cohort-list"),
    ("Reports", "accreditation:report-index"),
    ("Leuven screenings", "audits:leuven-home"),
    ("Questionnaires", "audits:questionnaire-list"),
    ("Evaluations", "audits:evaluation-list"),
    ("Users", "users:list"),
]


# The KQM manager's pages, grouped: the service navigation shows the groups, and the
# pages of the group you are in show below it (GOV.UK service navigation, one row).
MANAGER_GROUPS: list[tuple[str, list[str]]] = [
    ("Dashboard", ["Dashboard"]),
    ("Register", ["Settings"]),
    ("Programme", ["Cohorts", "Applications", "Evaluators", "Time and cost", "Notes of visit"]),
    ("Audits", ["Audits", "Leuven screenings", "Questionnaires", "Audit results"]),
    ("After the award", ["Awards", "Annual reviews", "Re-accreditation", "Workshops", "Reminders"]),
    ("Reports", ["Reports", "Evaluations"]),
    ("Admin", ["Users"]),
]


def _is_active(path: str, url: str) -> bool:
    return path == url or (url != "/" and path.startswith(url))


@functools.lru_cache(maxsize=8)
def _addresses(urlconf: Any, prefix: str) -> dict[str, str]:
    """Each menu page's address: the same on every page (of one URLconf and script
    prefix), so worked out once rather than on every page (about 20 ``reverse`` calls)."""
    return {url_name: reverse(url_name, urlconf=urlconf) for _, url_name in NAVIGATION}


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    addresses = _addresses(get_urlconf(settings.ROOT_URLCONF), get_script_prefix())
    items = []
    for label, url_name in NAVIGATION:
        if user.role in policy.view_roles(url_name):
            url = addresses[url_name]
            items.append({"label": label, "url": url, "active": _is_active(request.path, url)})
    if user.role != Role.MANAGER:
        return {"nav_items": items}
    by_label = {item["label"]: item for item in items}
    groups, section = [], None
    for heading, labels in MANAGER_GROUPS:
        pages = [by_label[label] for label in labels]
        active = any(page["active"] for page in pages)
        groups.append({"label": heading, "url": pages[0]["url"], "active": active})
        if active and len(pages) > 1:
            section = {"label": heading, "items": pages}
    return {"nav_items": groups, "nav_section": section}


def scheme(request: HttpRequest) -> dict[str, Any]:
    """The mark's one name, from configuration (``KQM_SCHEME_NAME``), on every page."""
    return {"scheme_name": settings.KQM_SCHEME_NAME}


def can(request: HttpRequest) -> dict[str, Any]:
    """``can``: what the signed-in person may do, for templates (``kqm.policy``)."""
    return {"can": policy.Can(getattr(request, "user", None))}
