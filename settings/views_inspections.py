"""Ofsted inspections entered by hand, one thing per page.

Step 1 asks which inspection (framework, register, type, date); step 2 asks only
for the judgements that framework records, each on its own scale. The step 1
answers wait in the session between the two pages, so nothing needs JavaScript.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from kqm.access import role_required
from kqm.models import Role, User

from . import selectors, services
from .forms import InspectionBasicsForm, InspectionJudgementsForm
from .models import Inspection, InspectionType, Register, Setting
from .ofsted import FRAMEWORKS, Framework


def _draft_key(setting: Setting, inspection: Inspection | None) -> str:
    if inspection is not None:
        return f"inspection-draft:edit:{inspection.pk}"
    return f"inspection-draft:new:{setting.pk}"


def _read_draft(request: HttpRequest, key: str) -> dict[str, Any] | None:
    """Step 1's answers, checked again (the session may hold something stale)."""
    draft = request.session.get(key)
    if not isinstance(draft, dict):
        return None
    try:
        day = datetime.date.fromisoformat(draft["inspection_date"])
    except (KeyError, TypeError, ValueError):
        return None
    if (
        draft.get("framework") not in FRAMEWORKS
        or draft.get("register") not in Register.values
        or draft.get("inspection_type") not in InspectionType.values
    ):
        return None
    return {**draft, "inspection_date": day}


def _draft_as_initial(draft: dict[str, Any] | None) -> dict[str, Any]:
    return dict(draft) if draft else {}


def _basics_step(
    request: HttpRequest, setting: Setting, inspection: Inspection | None
) -> HttpResponse:
    key = _draft_key(setting, inspection)
    draft = _read_draft(request, key)
    if draft is None and inspection is not None:
        draft = {
            "framework": inspection.framework,
            "register": inspection.register,
            "inspection_type": inspection.inspection_type,
            "inspection_date": inspection.inspection_date,
        }
    form = InspectionBasicsForm(
        request.POST if request.method == "POST" else None,
        initial=_draft_as_initial(draft),
        setting=setting,
        inspection_pk=inspection.pk if inspection else None,
    )
    if request.method == "POST" and form.is_valid():
        request.session[key] = form.draft()
        if inspection is None:
            return redirect("settings:inspection-new-judgements", setting_id=setting.pk)
        return redirect("settings:inspection-edit-judgements", inspection_id=inspection.pk)
    return render(
        request,
        "settings/inspection_basics.html",
        {"form": form, "setting": setting, "inspection": inspection},
    )


def _judgements_step(
    request: HttpRequest, setting: Setting, inspection: Inspection | None
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    key = _draft_key(setting, inspection)
    draft = _read_draft(request, key)
    step1 = (
        reverse("settings:inspection-new", args=[setting.pk])
        if inspection is None
        else reverse("settings:inspection-edit", args=[inspection.pk])
    )
    if draft is None:
        if request.method == "POST":
            messages.error(request, "Start again: say which inspection this is first.")
        return redirect(step1)
    initial: dict[str, Any] = {}
    if (
        inspection is not None
        and inspection.framework == draft["framework"]
        and inspection.register == draft["register"]
    ):
        initial = {
            "overall_effectiveness": inspection.overall_effectiveness,
            "safeguarding": inspection.safeguarding,
            **{f"judgement_{k}": v for k, v in inspection.judgements.items()},
        }
    form = InspectionJudgementsForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        framework=draft["framework"],
        register=draft["register"],
        full=draft["inspection_type"] == InspectionType.FULL,
    )
    if request.method == "POST" and form.is_valid():
        fields = {
            "framework": draft["framework"],
            "register": draft["register"],
            "inspection_type": draft["inspection_type"],
            "inspection_date": draft["inspection_date"],
            "overall_effectiveness": form.cleaned_data.get("overall_effectiveness", ""),
            "safeguarding": form.cleaned_data.get("safeguarding", ""),
            "judgements": form.judgements(),
        }
        try:
            if inspection is None:
                saved = services.do_record_inspection(actor=user, setting=setting, **fields)
                verb = "recorded"
            else:
                saved = services.do_update_inspection(actor=user, inspection=inspection, **fields)
                verb = "saved"
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
        else:
            request.session.pop(key, None)
            messages.success(
                request, f"The inspection on {saved.inspection_date:%-d %B %Y} has been {verb}."
            )
            return redirect(setting)
    return render(
        request,
        "settings/inspection_judgements.html",
        {
            "form": form,
            "setting": setting,
            "inspection": inspection,
            "draft": draft,
            "framework_label": Framework(draft["framework"]).label,
            "register_label": Register(draft["register"]).label,
            "type_label": InspectionType(draft["inspection_type"]).label,
            "step1_url": step1,
        },
    )


def _setting_for(request: HttpRequest, setting_id: int) -> Setting:
    return selectors.access_setting_by_id(request.user, setting_id)  # type: ignore[arg-type]


def _inspection_for(request: HttpRequest, inspection_id: int) -> Inspection:
    return selectors.access_inspection_by_id(request.user, inspection_id)  # type: ignore[arg-type]


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def inspection_new(request: HttpRequest, setting_id: int) -> HttpResponse:
    return _basics_step(request, _setting_for(request, setting_id), None)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def inspection_new_judgements(request: HttpRequest, setting_id: int) -> HttpResponse:
    return _judgements_step(request, _setting_for(request, setting_id), None)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def inspection_edit(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = _inspection_for(request, inspection_id)
    return _basics_step(request, inspection.setting, inspection)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def inspection_edit_judgements(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = _inspection_for(request, inspection_id)
    return _judgements_step(request, inspection.setting, inspection)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def inspection_delete(request: HttpRequest, inspection_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes (the history keeps what it said)."""
    inspection = _inspection_for(request, inspection_id)
    setting = inspection.setting
    if request.method == "POST":
        services.do_delete_inspection(actor=request.user, inspection=inspection)  # type: ignore[arg-type]
        messages.success(
            request, f"The inspection on {inspection.inspection_date:%-d %B %Y} has been deleted."
        )
        return redirect(setting)
    return render(
        request,
        "settings/inspection_delete.html",
        {"inspection": inspection, "setting": setting},
    )


urlpatterns = [
    path("<int:setting_id>/inspections/new/", inspection_new, name="inspection-new"),
    path(
        "<int:setting_id>/inspections/new/judgements/",
        inspection_new_judgements,
        name="inspection-new-judgements",
    ),
    path("inspections/<int:inspection_id>/edit/", inspection_edit, name="inspection-edit"),
    path(
        "inspections/<int:inspection_id>/edit/judgements/",
        inspection_edit_judgements,
        name="inspection-edit-judgements",
    ),
    path("inspections/<int:inspection_id>/delete/", inspection_delete, name="inspection-delete"),
]
