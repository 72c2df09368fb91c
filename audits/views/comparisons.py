"""Comparisons of rating audits: one setting over the years, and a cohort's distribution."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest
from kqm.models import Role

from .. import policy
from ..models import ScaleValue
from ..ratings_reports import cohort_chart, cohort_csv, comparison_chart
from ..scoring import results_for
from ..selectors import ratings as selectors

PAGE_SIZE = 25


@require_GET
@role_required(*policy.AUDIT_READERS)
def setting_comparison(request: AuthenticatedHttpRequest, setting_id: int) -> HttpResponse:
    user = request.user
    setting = selectors.access_setting_for_comparison(user, setting_id)
    comparison = selectors.setting_comparison(
        user,
        setting,
        instrument_code=request.GET.get("instrument", ""),
        before_id=request.GET.get("before", ""),
        after_id=request.GET.get("after", ""),
    )
    return render(
        request,
        "audits/ratings/setting_comparison.html",
        {
            "setting": setting,
            "comparison": comparison,
            "chart": comparison_chart(comparison),
            "history": [
                (audit, comparison.means_of(audit), comparison.results[audit.pk].total_mean)
                for audit in comparison.audits
            ],
        },
    )


@require_GET
@role_required(Role.MANAGER, Role.VIEWER)
def cohort_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.cohorts_with_audits(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audits/ratings/cohort_list.html", {"page_obj": page})


@require_GET
@role_required(Role.MANAGER, Role.VIEWER)
def cohort_comparison(request: AuthenticatedHttpRequest, cohort_id: int) -> HttpResponse:
    user = request.user
    cohort = selectors.access_cohort_by_id(user, cohort_id)
    comparison = selectors.cohort_comparison(
        cohort, instrument_code=request.GET.get("instrument", "")
    )
    scale_values: list[int] = []
    if comparison.instrument is not None:
        scale_values = list(
            ScaleValue.objects.filter(
                version__instrument=comparison.instrument, version__is_current=True
            )
            .order_by("value")
            .values_list("value", flat=True)
        )
    return render(
        request,
        "audits/ratings/cohort_comparison.html",
        {
            "cohort": cohort,
            "comparison": comparison,
            "chart": cohort_chart(comparison, scale_values),
            # Viewers see aggregates only, never one setting's scores.
            "show_settings": user.role == Role.MANAGER,
        },
    )


@require_GET
@role_required(Role.MANAGER)
def cohort_audits_csv(request: AuthenticatedHttpRequest, cohort_id: int) -> HttpResponse:
    user = request.user
    cohort = selectors.access_cohort_by_id(user, cohort_id)
    instruments = selectors.cohort_instruments(cohort)
    code = request.GET.get("instrument", "")
    instrument = next((i for i in instruments if i.code == code), None)
    if instrument is None and instruments:
        instrument = instruments[0]
    audits = list(selectors.cohort_audits(cohort, instrument)) if instrument else []
    response = HttpResponse(cohort_csv(audits, results_for(audits)), content_type="text/csv")
    name = slugify(f"{cohort.name} {instrument.code if instrument else 'audits'}")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


urlpatterns = [
    path(
        "ratings/settings/<int:setting_id>/comparison/",
        setting_comparison,
        name="setting-comparison",
    ),
    path("ratings/cohorts/", cohort_list, name="cohort-list"),
    path("ratings/cohorts/<int:cohort_id>/", cohort_comparison, name="cohort-comparison"),
    path("ratings/cohorts/<int:cohort_id>/audits.csv", cohort_audits_csv, name="cohort-csv"),
]
