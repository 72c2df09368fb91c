from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from .models import Role

# (label, url name, roles that see it)
NAVIGATION: list[tuple[str, str, tuple[str, ...]]] = [
    ("Dashboard", "dashboard", tuple(Role.values)),
    ("Settings", "settings:list", (Role.MANAGER,)),
    ("Cohorts", "accreditation:cohort-list", (Role.MANAGER,)),
    ("Applications", "accreditation:application-list", (Role.MANAGER, Role.SETTING_MANAGER)),
    ("Evaluators", "accreditation:evaluator-list", (Role.MANAGER,)),
    (
        "Awards",
        "accreditation:award-list",
        (Role.MANAGER, Role.SETTING_MANAGER, Role.PRACTITIONER),
    ),
    ("Reminders", "accreditation:reminder-list", (Role.MANAGER, Role.SETTING_MANAGER)),
    ("Annual reviews", "accreditation:annual-review-list", (Role.MANAGER, Role.EVALUATOR)),
    (
        "Re-accreditation",
        "accreditation:reaccreditation-list",
        (Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER),
    ),
    ("Workshops", "accreditation:workshop-list", (Role.MANAGER, Role.SETTING_MANAGER)),
    ("Workload", "accreditation:my-workload", (Role.EVALUATOR,)),
    ("Calendar", "accreditation:calendar", (Role.EVALUATOR,)),
    ("Time and cost", "accreditation:budget", (Role.MANAGER,)),
    ("Notes of visit", "accreditation:note-template", (Role.MANAGER,)),
    (
        "Audits",
        "audits:audit-list",
        (Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER),
    ),
    ("Audit results", "audits:cohort-list", (Role.VIEWER,)),
    ("Reports", "accreditation:report-index", (Role.MANAGER, Role.VIEWER)),
    (
        "Leuven screenings",
        "audits:leuven-home",
        (Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER),
    ),
    ("Questionnaires", "audits:questionnaire-list", (Role.EVALUATOR, Role.SETTING_MANAGER)),
    ("Evaluations", "audits:evaluation-list", (Role.MANAGER, Role.VIEWER)),
    ("Users", "users:list", (Role.MANAGER,)),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, url_name, roles in NAVIGATION:
        if user.role in roles:
            url = reverse(url_name)
            active = request.path == url or (url != "/" and request.path.startswith(url))
            items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items}


def scheme(request: HttpRequest) -> dict[str, Any]:
    """The mark's one name, from configuration (``KQM_SCHEME_NAME``), on every page."""
    return {"scheme_name": settings.KQM_SCHEME_NAME}
