"""The floor the pages are measured against (``manage.py bench``, see ``kqm.benchmarks``).

Served only by the benchmark's gunicorn (``kqm.bench_settings`` makes this the URLconf),
through the project's whole middleware stack, beside every page of KQM itself:

- ``/bench/bare/``: a bare ``@login_required`` view returning 2 KB;
- ``/bench/settings/``: a plain ``ListView`` of 50 settings a page, with the count;
- ``/bench/admin/``: the stock Django admin, its changelist over ``Setting`` (100 rows a
  page, search on name, URN and postcode, two filters).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.generic import ListView

from settings.models import Setting

BARE_BODY = b"<!doctype html><title>KQM</title>" + b"x" * (2048 - 33)


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BARE_BODY)


class SettingList(ListView):
    model = Setting
    paginate_by = 50
    ordering = ["name", "pk"]
    template_name = "bench/setting_list.html"


class SettingAdmin(admin.ModelAdmin):
    list_display = ("name", "urn", "postcode", "sector", "local_authority")
    search_fields = ("name", "urn", "postcode")
    list_filter = ("sector", "provider_type")
    list_per_page = 100


site = admin.AdminSite(name="bench-admin")
site.register(Setting, SettingAdmin)

urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/settings/", login_required(SettingList.as_view()), name="bench-settings"),
    path("bench/admin/", site.urls),
    path("", include("kqm.urls")),
]
