"""The Ofsted data import: upload, watch the check, read the preview, confirm. KQM manager only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kqm.access import role_required
from kqm.files import private_download
from kqm.models import Role, User

from . import importer, selectors_import, services_import
from .forms_import import ConfirmImportForm, OfstedUploadForm, max_upload_bytes
from .models import IllegalImportMove, ImportStatus, OfstedImport

PAGE_SIZE = 25


@require_GET
@role_required(Role.MANAGER)
def import_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors_import.import_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "settings/import/list.html", {"page_obj": page})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def import_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = OfstedUploadForm(request.POST, request.FILES)
        if form.is_valid():
            ofsted_import = services_import.do_upload_ofsted_import(
                uploaded_by=request.user,
                upload=form.cleaned_data["file"],
                encoding=form.encoding,
            )
            return redirect(ofsted_import)
    else:
        form = OfstedUploadForm()
    return render(
        request,
        "settings/import/new.html",
        {"form": form, "max_mb": f"{max_upload_bytes() / (1024 * 1024):g}"},
    )


def _detail(
    request: HttpRequest, ofsted_import: OfstedImport, form: ConfirmImportForm | None = None
) -> HttpResponse:
    context: dict[str, Any] = {
        "ofsted_import": ofsted_import,
        "progress": selectors_import.import_progress(ofsted_import),
        "stuck": services_import.is_stuck(ofsted_import),
    }
    if ofsted_import.status in (ImportStatus.PREVIEWED, ImportStatus.IMPORTED):
        rejected = Paginator(ofsted_import.rejected_rows, PAGE_SIZE)
        context["page_obj"] = rejected.get_page(request.GET.get("page"))
    if ofsted_import.status == ImportStatus.PREVIEWED:
        context["form"] = form or ConfirmImportForm(rejected=ofsted_import.rejected)
    context["can_resume"] = (
        ofsted_import.status == ImportStatus.FAILED and ofsted_import.confirmed_at is not None
    )
    context["local_authorities"] = importer.local_authority_names()
    context["mapped_columns"] = sum(
        1 for _name, meaning in ofsted_import.column_map if not meaning.startswith("ignored")
    )
    return render(request, "settings/import/detail.html", context)


@require_GET
@role_required(Role.MANAGER)
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return _detail(request, selectors_import.access_ofsted_import_by_id(user, import_id))


@require_GET
@role_required(Role.MANAGER)
def import_status(request: HttpRequest, import_id: int) -> JsonResponse:
    """For the progress bar's script: how far the check or the import has got."""
    user: User = request.user  # type: ignore[assignment]
    ofsted_import = selectors_import.access_ofsted_import_by_id(user, import_id)
    return JsonResponse(selectors_import.import_progress(ofsted_import))


@require_POST
@role_required(Role.MANAGER)
def import_confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ofsted_import = selectors_import.access_ofsted_import_by_id(user, import_id)
    resuming = ofsted_import.status == ImportStatus.FAILED and ofsted_import.confirmed_at
    if ofsted_import.status != ImportStatus.PREVIEWED and not resuming:
        messages.error(request, "This import is not waiting for confirmation.")
        return redirect(ofsted_import)
    if not resuming:
        form = ConfirmImportForm(request.POST, rejected=ofsted_import.rejected)
        if not form.is_valid():
            return _detail(request, ofsted_import, form)
    try:
        services_import.do_confirm_ofsted_import(ofsted_import=ofsted_import, confirmed_by=user)
    except (IllegalImportMove, ValidationError) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, "The import has resumed." if resuming else "The import has started."
        )
    return redirect(ofsted_import)


@require_POST
@role_required(Role.MANAGER)
def import_restart(request: HttpRequest, import_id: int) -> HttpResponse:
    """Start a stuck step again: the check, or the import of a confirmed file."""
    user: User = request.user  # type: ignore[assignment]
    ofsted_import = selectors_import.access_ofsted_import_by_id(user, import_id)
    try:
        services_import.do_restart_stuck_import(ofsted_import=ofsted_import, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The import has been started again")
    return redirect(ofsted_import)


DOWNLOADS = {
    "changes": ("changes_file", "changes"),
    "rejected": ("rejected_file", "rejected-rows"),
    "warnings": ("warnings_file", "warnings"),
}


@require_GET
@role_required(Role.MANAGER)
def import_download(request: HttpRequest, import_id: int, kind: str) -> HttpResponseBase:
    """Every change, rejected row or warning the preview found, as CSV (no cap)."""
    user: User = request.user  # type: ignore[assignment]
    ofsted_import = selectors_import.access_ofsted_import_by_id(user, import_id)
    if kind not in DOWNLOADS:
        raise Http404("No such download.")
    field_name, label = DOWNLOADS[kind]
    file = getattr(ofsted_import, field_name)
    if not file:
        raise Http404("The file has not been checked yet.")
    return private_download(
        file, filename=f"ofsted-import-{ofsted_import.pk}-{label}.csv", content_type="text/csv"
    )


urlpatterns = [
    path("imports/", import_list, name="import-list"),
    path("imports/new/", import_new, name="import-new"),
    path("imports/<int:import_id>/", import_detail, name="import-detail"),
    path("imports/<int:import_id>/status/", import_status, name="import-status"),
    path("imports/<int:import_id>/confirm/", import_confirm, name="import-confirm"),
    path("imports/<int:import_id>/restart/", import_restart, name="import-restart"),
    path(
        "imports/<int:import_id>/download/<slug:kind>.csv",
        import_download,
        name="import-download",
    ),
]
