"""Reports: does the mark work? Outcomes against Ofsted, and the programme by cohort.

The outcomes report and the cohort sections hold aggregates only (no setting or child
is named), so the KQM manager and viewers see the same figures; evaluators by name are
for the KQM manager only. Figures, charts, CSV and PDF come from
``accreditation.reports.builders``, which background exports call too.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from audits.progress_charts import progress_charts
from kqm.access import role_required
from kqm.models import Role

from ..forms.reports import OutcomesFilterForm, ProgrammeFilterForm
from ..reports.builders import (
    OutcomesReport,
    ProgrammeReport,
    cohort_charts,
    csv_bytes,
    outcome_charts,
    outcomes_csv_rows,
    outcomes_report,
    programme_csv_rows,
    programme_report_for,
    render_outcomes_report_pdf,
    render_programme_report_pdf,
)

REPORT_ROLES = (Role.MANAGER, Role.VIEWER)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@role_required(*REPORT_ROLES)
def report_index(request: HttpRequest) -> HttpResponse:
    return render(request, "accreditation/reports/index.html")


def _outcomes(request: HttpRequest) -> tuple[OutcomesFilterForm, OutcomesReport | None]:
    form = OutcomesFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None
    return form, outcomes_report(form.filters())


def _bad_outcomes(request: HttpRequest, form: OutcomesFilterForm) -> HttpResponse:
    return render(
        request,
        "accreditation/reports/outcomes.html",
        {"form": form, "report": None, "query": ""},
        status=400,
    )


@require_GET
@role_required(*REPORT_ROLES)
def outcomes_report_page(request: HttpRequest) -> HttpResponse:
    form, report = _outcomes(request)
    return render(
        request,
        "accreditation/reports/outcomes.html",
        {
            "form": form,
            "report": report,
            "charts": outcome_charts(report) if report is not None else [],
            "query": request.GET.urlencode(),
        },
    )


@require_GET
@role_required(*REPORT_ROLES)
def outcomes_report_csv(request: HttpRequest) -> HttpResponse:
    form, report = _outcomes(request)
    if report is None:
        return _bad_outcomes(request, form)
    return _download(
        csv_bytes(outcomes_csv_rows(report)),
        "text/csv; charset=utf-8",
        "outcomes-against-ofsted.csv",
    )


@require_GET
@role_required(*REPORT_ROLES)
def outcomes_report_pdf(request: HttpRequest) -> HttpResponse:
    form, report = _outcomes(request)
    if report is None:
        return _bad_outcomes(request, form)
    return _download(
        render_outcomes_report_pdf(report), "application/pdf", "outcomes-against-ofsted.pdf"
    )


def _programme(request: HttpRequest) -> tuple[ProgrammeFilterForm, ProgrammeReport | None]:
    """Evaluators by name for the KQM manager only; the current cohort unless one is chosen."""
    form = ProgrammeFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None
    is_manager = request.user.role == Role.MANAGER  # type: ignore[union-attr]
    return form, programme_report_for(form.chosen_cohort(), include_evaluators=is_manager)


def _bad_programme(request: HttpRequest, form: ProgrammeFilterForm) -> HttpResponse:
    return render(
        request,
        "accreditation/reports/programme.html",
        {"form": form, "report": None, "query": ""},
        status=400,
    )


@require_GET
@role_required(*REPORT_ROLES)
def programme_report_page(request: HttpRequest) -> HttpResponse:
    form, report = _programme(request)
    cohort = report.cohort if report is not None else None
    return render(
        request,
        "accreditation/reports/programme.html",
        {
            "form": form,
            "report": report,
            "cohort": cohort,
            "charts": cohort_charts(cohort) if cohort is not None else {},
            "progress_charts": progress_charts(report.progress, "cohort-progress")
            if report is not None and report.progress is not None
            else None,
            "query": request.GET.urlencode(),
        },
    )


@require_GET
@role_required(*REPORT_ROLES)
def programme_report_csv(request: HttpRequest) -> HttpResponse:
    form, report = _programme(request)
    if report is None:
        return _bad_programme(request, form)
    return _download(
        csv_bytes(programme_csv_rows(report)), "text/csv; charset=utf-8", "programme-report.csv"
    )


@require_GET
@role_required(*REPORT_ROLES)
def programme_report_pdf(request: HttpRequest) -> HttpResponse:
    form, report = _programme(request)
    if report is None:
        return _bad_programme(request, form)
    return _download(render_programme_report_pdf(report), "application/pdf", "programme-report.pdf")


urlpatterns = [
    path("reports/", report_index, name="report-index"),
    path("reports/outcomes/", outcomes_report_page, name="report-outcomes"),
    path("reports/outcomes.csv", outcomes_report_csv, name="report-outcomes-csv"),
    path("reports/outcomes.pdf", outcomes_report_pdf, name="report-outcomes-pdf"),
    path("reports/programme/", programme_report_page, name="report-programme"),
    path("reports/programme.csv", programme_report_csv, name="report-programme-csv"),
    path("reports/programme.pdf", programme_report_pdf, name="report-programme-pdf"),
]
