"""The PPEL parent partnership audit: the change from the start to the end of the year."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest

from .. import policy
from ..charts import Chart, Series, grouped_bar_chart
from ..ppel import PpelChange
from ..selectors import ppel as selectors


def change_chart(change: PpelChange) -> Chart:
    rows = [*change.subscales, change.overall]
    scale = change.scale_values or [1, 4]
    return grouped_bar_chart(
        title="PPEL mean ratings at the start and the end of the year",
        description="For each subscale, and for all statements together, the first bar is the "
        "mean rating at the start of the year and the second the mean at the end.",
        categories=[f"{row.number}. {row.name}" if row.number else row.name for row in rows],
        series=[
            Series("Start of the year", [row.start for row in rows]),
            Series("End of the year", [row.end for row in rows]),
        ],
        minimum=min(scale),
        maximum=max(scale),
        ticks=scale,
        chart_id="ppel-change",
        category_header="Subscale",
    )


@require_GET
@role_required(*policy.AUDIT_READERS)
def ppel_change(request: AuthenticatedHttpRequest, accreditation_id: int) -> HttpResponse:
    user = request.user
    accreditation = selectors.access_accreditation_for_ppel(user, accreditation_id)
    page = selectors.ppel_page(user, accreditation)
    return render(
        request,
        "audits/ppel/change.html",
        {
            "accreditation": accreditation,
            "page": page,
            "change": page.change,
            "chart": change_chart(page.change) if page.change else None,
        },
    )


urlpatterns = [
    path(
        "ppel/accreditations/<int:accreditation_id>/",
        ppel_change,
        name="ppel-change",
    ),
]
