"""Records to file: audits and rounds the ownership migration could not place."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from kqm.access import role_required
from kqm.models import Role, User

from ..forms.filing import FileRecordForm
from ..models import Accreditation, FilingKind, UnfiledRecord
from ..services.filing import do_file_record


def _record_url(record: UnfiledRecord) -> str:
    name = (
        "audits:audit-detail" if record.kind == FilingKind.AUDIT else "audits:questionnaire-detail"
    )
    try:
        return reverse(name, args=[record.record_id])
    except NoReverseMatch:
        return ""


@require_GET
@role_required(Role.MANAGER)
def unfiled_list(request: HttpRequest) -> HttpResponse:
    records = list(UnfiledRecord.objects.filter(filed_at__isnull=True).select_related("setting"))
    for record in records:
        record.url = _record_url(record)  # type: ignore[attr-defined]
    return render(request, "accreditation/filing/list.html", {"records": records})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def unfiled_file(request: HttpRequest, record_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    record = (
        UnfiledRecord.objects.select_related("setting")
        .filter(pk=record_id, filed_at__isnull=True)
        .first()
    )
    if record is None:
        raise Http404("No such record to file.")
    accreditations = list(
        Accreditation.objects.filter(setting_id=record.setting_id)
        .select_related("cohort")
        .order_by("-cohort__start_date", "-pk")
    )
    form = FileRecordForm(
        request.POST if request.method == "POST" else None, accreditations=accreditations
    )
    if request.method == "POST" and form.is_valid():
        try:
            do_file_record(record=record, accreditation=form.chosen(), filed_by=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            chosen = form.chosen()
            where = f"the {chosen.cohort} accreditation" if chosen else "no accreditation year"
            messages.success(request, f"{record.summary} is filed under {where}.")
            return redirect("accreditation:unfiled-list")
    return render(
        request,
        "accreditation/filing/file.html",
        {"form": form, "record": record, "record_url": _record_url(record)},
    )


urlpatterns = [
    path("accreditations/to-file/", unfiled_list, name="unfiled-list"),
    path("accreditations/to-file/<int:record_id>/", unfiled_file, name="unfiled-file"),
]
