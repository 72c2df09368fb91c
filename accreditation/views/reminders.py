"""Reminders: the ones sent to you (all of them for the KQM manager) and their rules."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest
from kqm.models import Role

from .. import selectors_reminders
from ..forms.reminders import ReminderSettingsForm
from ..models import ReminderKind, ReminderSettings
from ..services.reminders import do_update_reminder_settings

PAGE_SIZE = 25


@require_GET
@role_required(Role.MANAGER, Role.SETTING_MANAGER)
def reminder_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    search = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if kind not in ReminderKind.values:
        kind = ""
    reminders = selectors_reminders.reminder_list(user, search=search, kind=kind)
    page = Paginator(reminders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accreditation/reminders/list.html",
        {
            "page_obj": page,
            "q": search,
            "kind": kind,
            "kinds": ReminderKind.choices,
            "filtered": bool(search or kind),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def reminder_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    rules = ReminderSettings.load()
    form = ReminderSettingsForm(request.POST or None, instance=rules)
    if request.method == "POST" and form.is_valid():
        do_update_reminder_settings(rules=form.instance, actor=request.user)
        messages.success(request, "Reminder settings saved")
        return redirect("accreditation:reminder-list")
    return render(request, "accreditation/reminders/settings.html", {"form": form, "rules": rules})


@require_GET
@role_required(Role.MANAGER)
def reminder_preview(request: HttpRequest) -> HttpResponse:
    """What the daily job will send in the next 30 days, and how its last runs went."""
    rows = selectors_reminders.reminder_preview()
    return render(
        request,
        "accreditation/reminders/preview.html",
        {
            "rows": rows,
            "missing": [row for row in rows if not row.recipients],
            "days": selectors_reminders.PREVIEW_DAYS,
            "runs": selectors_reminders.recent_runs(),
        },
    )


urlpatterns = [
    path("reminders/", reminder_list, name="reminder-list"),
    path("reminders/preview/", reminder_preview, name="reminder-preview"),
    path("reminders/settings/", reminder_settings, name="reminder-settings"),
]
