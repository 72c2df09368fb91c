"""Report exports built in the background: request one from a report's page, watch its
progress, download it when it is ready (the requester, or the KQM manager)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kqm.access import role_required
from kqm.files import private_download
from kqm.http import AuthenticatedHttpRequest

from .. import selectors_exports as selectors
from ..models.exports import ExportStatus
from ..services import exports as services

PAGE_SIZE = 25


@require_POST
@role_required(*services.EXPORT_ROLES)
def export_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    """From a report's "Export in the background" button: the report, the format and the
    page's filters (its query string)."""
    user = request.user
    report = request.POST.get("report", "")
    kind = services.EXPORTS.get(report)
    if kind is not None and not services.can_export(user, report):
        raise PermissionDenied("Your role does not let you export this report.")
    back = reverse(kind.page) if kind else reverse("accreditation:report-export-list")
    filters = QueryDict(request.POST.get("query", ""))
    try:
        export = services.do_request_export(
            user=user,
            report=report,
            export_format=request.POST.get("format", ""),
            filters=filters,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back + (f"?{filters.urlencode()}" if filters else ""))
    return redirect("accreditation:report-export-detail", export_id=export.pk)


@require_GET
@role_required(*services.EXPORT_ROLES)
def export_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_exports(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for export in page.object_list:
        export.title = selectors.export_title(export)
    return render(request, "accreditation/exports/list.html", {"page_obj": page})


@never_cache
@require_GET
@role_required(*services.EXPORT_ROLES)
def export_detail(request: AuthenticatedHttpRequest, export_id: int) -> HttpResponse:
    export = selectors.access_export_by_id(request.user, export_id)
    return render(
        request,
        "accreditation/exports/detail.html",
        {
            "export": export,
            "title": selectors.export_title(export),
            "progress": selectors.export_progress(export),
            "can_retry": services.can_retry(export),
            "filters": [(key, ", ".join(values)) for key, values in export.params.items()],
        },
    )


@never_cache
@require_GET
@role_required(*services.EXPORT_ROLES)
def export_status(request: AuthenticatedHttpRequest, export_id: int) -> JsonResponse:
    """For the progress bar's script: how far the export has got."""
    export = selectors.access_export_by_id(request.user, export_id)
    return JsonResponse(selectors.export_progress(export))


@require_POST
@role_required(*services.EXPORT_ROLES)
def export_retry(request: AuthenticatedHttpRequest, export_id: int) -> HttpResponse:
    """Build a failed or stuck export again (the requester, or the KQM manager)."""
    export = selectors.access_export_by_id(request.user, export_id)
    try:
        services.do_retry_export(export=export, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The export will be built again")
    return redirect("accreditation:report-export-detail", export_id=export.pk)


@require_GET
@role_required(*services.EXPORT_ROLES)
def export_download(request: AuthenticatedHttpRequest, export_id: int) -> FileResponse:
    export = selectors.access_export_by_id(request.user, export_id)
    if export.status != ExportStatus.READY or not export.file:
        raise Http404("This export is not ready.")
    return private_download(
        export.file,
        filename=services.file_name(export),
        content_type=services.CONTENT_TYPES.get(export.format, "application/octet-stream"),
    )


urlpatterns = [
    path("exports/", export_list, name="report-export-list"),
    path("exports/new/", export_request, name="report-export-request"),
    path("exports/<int:export_id>/", export_detail, name="report-export-detail"),
    path("exports/<int:export_id>/status/", export_status, name="report-export-status"),
    path("exports/<int:export_id>/retry/", export_retry, name="report-export-retry"),
    path("exports/<int:export_id>/download/", export_download, name="report-export-download"),
]
