from __future__ import annotations

from typing import Any

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
    ("Workload", "accreditation:my-workload", (Role.EVALUATOR,)),
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
