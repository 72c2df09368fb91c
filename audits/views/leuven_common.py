"""Helpers shared by the Leuven views."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from kqm.http import AuthenticatedHttpRequest
from kqm.parsing import parse_int
from settings.models import Setting

from ..selectors import leuven as selectors
from ..services import leuven as services

PAGE_SIZE = 25


def log_child_data(request: AuthenticatedHttpRequest, setting: Setting, page: str) -> None:
    """Record that the signed-in user is viewing child-level data of ``setting``."""
    services.do_log_child_data_access(
        user=request.user, setting_id=setting.pk, page=page, path=request.get_full_path()
    )


def programme_year(request: HttpRequest) -> int:
    """``?year=`` when it is a plausible year, else the programme year under way."""
    raw = request.GET.get("year", "")
    year = parse_int(raw, minimum=2000, maximum=2100)
    if year is not None:
        return year
    return selectors.current_programme_year()


DASHBOARD_ACTIONS = 10


def dashboard_open_actions(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """Open action points for a setting manager's or practitioner's dashboard.

    They name children by code, so showing them is logged like any child-level page.
    """
    actions = selectors.open_action_points_for(request.user)
    shown = list(actions[:DASHBOARD_ACTIONS])
    total = actions.count()
    settings = {point.score.screening.group.setting for point in shown}
    for setting in sorted(settings, key=lambda s: s.pk):
        log_child_data(request, setting, "Dashboard: open action points")
    return {
        "open_actions": shown,
        "open_action_total": total,
        "several_settings": len(settings) > 1,
        "today": timezone.localdate(),
    }
