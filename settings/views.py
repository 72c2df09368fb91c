"""The register: the list with search, filters, sorting and CSV export; a setting's page."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from kqm.access import role_required
from kqm.models import Role, User

from . import selectors, services
from .filters import RegisterFilter
from .forms import SettingForm
from .models import Setting
from .register_csv import register_csv_lines

PAGE_SIZE = 25

# The list's columns in order: (sort key or "" when it does not sort, heading).
COLUMNS = [
    ("name", "Name"),
    ("urn", "URN"),
    ("postcode", "Postcode"),
    ("", "Sector and type"),
    ("", "Area"),
    ("inspected", "Latest inspection"),
    ("", "KQM status"),
]


def _filtered_register(
    request: HttpRequest, *, columns: bool = False
) -> tuple[RegisterFilter, Any, str, bool]:
    """The register as searched, filtered and sorted; ``columns``: every row with its
    computed columns in SQL (the export), else only those a filter or the sort needs."""
    base = selectors.register_rows() if columns else Setting.objects.only(*selectors.LIST_FIELDS)
    filterset = RegisterFilter(request.GET or None, queryset=base)
    key, descending = selectors.parse_register_sort(request.GET.get("sort", ""))
    searching = bool(filterset.form.is_valid() and filterset.form.cleaned_data.get("q"))
    rows = selectors.sort_register(filterset.qs, key, descending, searching=searching)
    return filterset, rows, key, descending


def _sort_headers(key: str, descending: bool) -> list[dict[str, str]]:
    """Each column's heading; a sortable one has its aria-sort and the sort its link asks for.

    A link sorts ascending, or descending when the column is already sorted ascending.
    """
    headers = []
    for column, label in COLUMNS:
        if not column:
            headers.append({"label": label, "aria_sort": "", "link_sort": ""})
            continue
        current = column == key
        headers.append(
            {
                "label": label,
                "aria_sort": ("descending" if descending else "ascending") if current else "none",
                "link_sort": f"-{column}" if current and not descending else column,
            }
        )
    return headers


class _CountedPaginator(Paginator):
    """A paginator told how many rows there are, so that it does not count them."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self._count = count

    @property
    def count(self) -> int:
        return self._count


@require_GET
@role_required(Role.MANAGER)
def setting_list(request: HttpRequest) -> HttpResponse:
    filterset, rows, key, descending = _filtered_register(request)
    applied = filterset.form.cleaned_data if filterset.is_bound else {}
    paginator = _CountedPaginator(rows, PAGE_SIZE, selectors.counted(applied, rows))
    page = paginator.get_page(request.GET.get("page"))
    if key == "inspected" or any(applied.values()):
        sort = f"-{key}" if descending else key
        rows_of_page = cast(QuerySet[Setting], page.object_list)
        page.object_list = selectors.kept_page(applied, sort, page.number, rows_of_page)
    page.object_list = selectors.add_register_columns(list(page.object_list))
    filtered = any(value for name, value in request.GET.items() if name not in ("sort", "page"))
    return render(
        request,
        "settings/list.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            "page_obj": page,
            "headers": _sort_headers(key, descending),
            "filtered": filtered,
            "export_query": request.GET.urlencode(),
        },
    )


@require_GET
@role_required(Role.MANAGER)
def setting_export(request: HttpRequest) -> StreamingHttpResponse:
    """The list as filtered and sorted on screen, every page of it, as CSV."""
    _, rows, _, _ = _filtered_register(request, columns=True)
    response = StreamingHttpResponse(
        register_csv_lines(rows), content_type="text/csv; charset=utf-8"
    )
    filename = f"kqm-register-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def setting_create(request: HttpRequest) -> HttpResponse:
    form = SettingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            setting = services.do_create_setting(
                actor=request.user,  # type: ignore[arg-type]
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{setting.display_name} has been added to the register.")
            return redirect(setting)
    return render(request, "settings/form.html", {"form": form, "setting": None})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def setting_edit(request: HttpRequest, setting_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    setting = selectors.access_setting_by_id(user, setting_id)
    # Validation writes what was typed onto the instance; the page names the saved setting.
    saved_name = setting.display_name
    form = SettingForm(request.POST if request.method == "POST" else None, instance=setting)
    if request.method == "POST" and form.is_valid():
        try:
            setting = services.do_update_setting(actor=user, setting=setting, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{setting.display_name}’s details have been saved.")
            return redirect(setting)
    return render(
        request,
        "settings/form.html",
        {"form": form, "setting": setting, "setting_name": saved_name},
    )


@require_GET
@role_required(Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER)
def setting_detail(request: HttpRequest, setting_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    setting = selectors.access_setting_by_id(user, setting_id)
    story = selectors.setting_story(user, setting)
    return render(
        request,
        "settings/detail.html",
        {"setting": setting, "story": story, "can_manage": user.role == Role.MANAGER},
    )


urlpatterns = [
    path("", setting_list, name="list"),
    path("export.csv", setting_export, name="export"),
    path("new/", setting_create, name="create"),
    path("<int:setting_id>/", setting_detail, name="detail"),
    path("<int:setting_id>/edit/", setting_edit, name="edit"),
]
