"""Leuven reports: analysis per setting and group (figures only), children's trends and
the action point list (child-level, logged), the year summary PDF and the access log.

Each page runs a fixed number of queries whatever the number of children.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest
from kqm.pdf import html_to_pdf

from .. import leuven_analysis as analysis
from .. import policy
from ..leuven_charts import year_charts
from ..selectors import leuven as selectors
from .leuven_common import PAGE_SIZE, log_child_data, programme_year


@require_GET
@role_required(*policy.LEUVEN_READERS)
def setting_analysis(request: AuthenticatedHttpRequest, setting_id: int) -> HttpResponse:
    setting = selectors.access_leuven_setting_by_id(request.user, setting_id)
    year = programme_year(request)
    data = selectors.year_data(setting, year)
    report = selectors.setting_report(data)
    return render(
        request,
        "audits/leuven/setting_analysis.html",
        {
            "setting": setting,
            "year": year,
            "years": selectors.setting_programme_years(
                setting, also=selectors.current_programme_year()
            ),
            "report": report,
            "charts": year_charts([t.figures for t in report.terms], "setting"),
            "definitions": analysis.DEFINITIONS,
        },
    )


@require_GET
@role_required(*policy.LEUVEN_READERS)
def group_analysis(request: AuthenticatedHttpRequest, group_id: int) -> HttpResponse:
    group = selectors.access_group_by_id(request.user, group_id)
    data = selectors.year_data(group.setting, group.programme_year)
    report = selectors.group_report(data, group)
    return render(
        request,
        "audits/leuven/group_analysis.html",
        {
            "group": group,
            "setting": group.setting,
            "year": group.programme_year,
            "report": report,
            "charts": year_charts([s.figures for s in report.screenings], "group"),
            "definitions": analysis.DEFINITIONS,
            "sees_children": policy.sees_children(request.user),
        },
    )


@require_GET
@role_required(*policy.CHILD_LEVEL_READERS)
def group_trends(request: AuthenticatedHttpRequest, group_id: int) -> HttpResponse:
    """Each child's scores per term and trend over the year: child-level, logged."""
    group = selectors.access_group_by_id(request.user, group_id)
    data = selectors.year_data(group.setting, group.programme_year)
    report = selectors.group_report(data, group)
    log_child_data(request, group.setting, f"Children's trends: {group}")
    return render(
        request,
        "audits/leuven/group_trends.html",
        {
            "group": group,
            "setting": group.setting,
            "report": report,
            "rows": selectors.group_trend_rows(data, report),
            "terms": [analysis.TERM_LABELS[t] for t in analysis.TERMS],
            "definitions": analysis.DEFINITIONS[:3],
        },
    )


@require_GET
@role_required(*policy.LEUVEN_READERS)
def setting_summary_pdf(request: AuthenticatedHttpRequest, setting_id: int) -> HttpResponse:
    """The setting's year as a PDF: figures only, no child codes."""
    setting = selectors.access_leuven_setting_by_id(request.user, setting_id)
    year = programme_year(request)
    data = selectors.year_data(setting, year)
    report = selectors.setting_report(data)
    html = render_to_string(
        "audits/leuven/summary_pdf.html",
        {
            "setting": setting,
            "year": year,
            "report": report,
            "charts": year_charts([t.figures for t in report.terms], "pdf"),
            "definitions": analysis.DEFINITIONS,
            "generated_at": timezone.localtime(),
            "generated_by": request.user,
        },
        request=request,
    )
    pdf = html_to_pdf(html)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="leuven-summary-{setting.urn}-{year}-{year + 1}.pdf"'
    )
    return response


@require_GET
@role_required(*policy.CHILD_LEVEL_READERS)
def setting_actions(request: AuthenticatedHttpRequest, setting_id: int) -> HttpResponse:
    """The setting's action points, open first by default: child-level, logged."""
    setting = selectors.access_leuven_setting_by_id(request.user, setting_id)
    status = request.GET.get("status", "open")
    if status not in dict(selectors.ACTION_STATUSES):
        status = "open"
    search = request.GET.get("q", "").strip()
    sort = request.GET.get("sort", "due")
    sort = sort if sort in selectors.ACTION_SORTS else "due"
    actions = selectors.setting_action_points(setting, status=status, search=search, sort=sort)
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    log_child_data(request, setting, "Action points")
    return render(
        request,
        "audits/leuven/actions.html",
        {
            "setting": setting,
            "page_obj": page,
            "status": status,
            "statuses": selectors.ACTION_STATUSES,
            "q": search,
            "sort": sort,
            "sorts": selectors.ACTION_SORT_LABELS,
            "today": timezone.localdate(),
            "can_edit": policy.scores(request.user),
        },
    )


@require_GET
@role_required(*policy.ACCESS_LOG_READERS)
def access_log(request: AuthenticatedHttpRequest, setting_id: int) -> HttpResponse:
    """Who viewed the setting's child-level data, when and on which page."""
    setting = selectors.access_leuven_setting_by_id(request.user, setting_id)
    search = request.GET.get("q", "").strip()
    log = selectors.child_data_access_log(setting, user_search=search)
    page = Paginator(log, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audits/leuven/access_log.html",
        {"setting": setting, "page_obj": page, "q": search},
    )


urlpatterns: list[URLPattern] = [
    path("leuven/settings/<int:setting_id>/analysis/", setting_analysis, name="setting-analysis"),
    path(
        "leuven/settings/<int:setting_id>/summary.pdf",
        setting_summary_pdf,
        name="setting-summary-pdf",
    ),
    path("leuven/settings/<int:setting_id>/actions/", setting_actions, name="setting-actions"),
    path("leuven/settings/<int:setting_id>/access-log/", access_log, name="access-log"),
    path("leuven/groups/<int:group_id>/analysis/", group_analysis, name="group-analysis"),
    path("leuven/groups/<int:group_id>/trends/", group_trends, name="group-trends"),
]
