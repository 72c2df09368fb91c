"""The instrument library: instruments and versions, and the KQM manager's tools to add a
version without code (copy an existing one and edit it, or upload a JSON/CSV definition)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest
from kqm.models import Role

from .. import policy
from .. import ratings_forms as forms
from ..definitions import definition_of
from ..selectors import ratings as selectors
from ..services import ratings as services


@require_GET
@role_required(*policy.AUDIT_READERS)
def instrument_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "audits/ratings/instrument_list.html",
        {"instruments": selectors.instrument_library()},
    )


@require_GET
@role_required(*policy.AUDIT_READERS)
def version_detail(request: AuthenticatedHttpRequest, version_id: int) -> HttpResponse:
    version = selectors.access_version_by_id(request.user, version_id)
    return render(
        request,
        "audits/ratings/version_detail.html",
        {"layout": selectors.version_layout(version), "version": version},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def version_copy(request: AuthenticatedHttpRequest, version_id: int) -> HttpResponse:
    user = request.user
    version = selectors.access_version_by_id(user, version_id)
    form = forms.CopyVersionForm(
        request.POST if request.method == "POST" else None, version=version
    )
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.do_copy_version(
                version=version, label=form.cleaned_data["label"], by=user
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("label", message)
        else:
            messages.success(
                request,
                f"{copy} is ready to edit. It is not current yet: audits use "
                f"{version.label} until you make it current.",
            )
            return redirect("audits:instrument-version-edit", version_id=copy.pk)
    return render(request, "audits/ratings/version_copy.html", {"form": form, "version": version})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def version_edit(request: AuthenticatedHttpRequest, version_id: int) -> HttpResponse:
    """Titles and N/A flags of a version no audit uses yet (old audits never change)."""
    user = request.user
    version = selectors.access_version_by_id(user, version_id)
    in_use = selectors.version_in_use(version)
    form = forms.EditVersionForm(
        request.POST if request.method == "POST" else None, version=version
    )
    if request.method == "POST" and not in_use and form.is_valid():
        names, titles, na = form.changes()
        try:
            changed = services.do_edit_version(
                version=version, by=user, subscale_names=names, item_titles=titles, na_allowed=na
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{changed} change{'s' if changed != 1 else ''} saved.")
            return redirect(version)
    return render(
        request,
        "audits/ratings/version_edit.html",
        {"form": form, "version": version, "in_use": in_use},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def version_make_current(request: AuthenticatedHttpRequest, version_id: int) -> HttpResponse:
    user = request.user
    version = selectors.access_version_by_id(user, version_id)
    if request.method == "POST":
        services.do_make_version_current(version=version, by=user)
        messages.success(request, f"New {version.instrument.name} audits now use {version.label}.")
        return redirect(version)
    return render(request, "audits/ratings/version_make_current.html", {"version": version})


@require_GET
@role_required(Role.MANAGER)
def version_definition(request: AuthenticatedHttpRequest, version_id: int) -> HttpResponse:
    version = selectors.access_version_by_id(request.user, version_id)
    body = json.dumps(definition_of(version), indent=2, ensure_ascii=False)
    response = HttpResponse(body + "\n", content_type="application/json")
    filename = f"{version.instrument.code}-{version.pk}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def instrument_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = forms.UploadDefinitionForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid() and form.definition is not None:
        try:
            version = services.do_load_definition(
                data=form.definition, by=user, make_current=form.cleaned_data["make_current"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            messages.success(request, f"{version} is loaded.")
            return redirect(version)
    return render(request, "audits/ratings/instrument_upload.html", {"form": form})


urlpatterns = [
    path("instruments/", instrument_list, name="instrument-list"),
    path("instruments/upload/", instrument_upload, name="instrument-upload"),
    path("instruments/versions/<int:version_id>/", version_detail, name="instrument-version"),
    path(
        "instruments/versions/<int:version_id>/copy/",
        version_copy,
        name="instrument-version-copy",
    ),
    path(
        "instruments/versions/<int:version_id>/edit/",
        version_edit,
        name="instrument-version-edit",
    ),
    path(
        "instruments/versions/<int:version_id>/make-current/",
        version_make_current,
        name="instrument-version-current",
    ),
    path(
        "instruments/versions/<int:version_id>/definition.json",
        version_definition,
        name="instrument-version-json",
    ),
]
