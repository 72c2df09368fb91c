"""Reports: does the mark work? Outcomes against Ofsted, and the programme by cohort.

The outcomes report and the cohort sections hold aggregates only (no setting or child
is named), so the KQM manager and viewers see the same figures; evaluators by name are
for the KQM manager only. Figures, charts, CSV and PDF come from
``accreditation.reports.builders``, which background exports call too.
"""

from __future__ import annotations

from crispy_forms.utils import render_crispy_form
from django.conf import settings as django_settings
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from audits.progress_charts import progress_charts
from kqm.access import role_required
from kqm.models import Role

from .. import policy
from ..forms.reports import OutcomesFilterForm, ProgrammeFilterForm
from ..models import Cohort
from ..reports import cache as reports_cache
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
from ..reports.cache import OUTCOMES, PROGRAMME
from ..reports.outcomes import Filters


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@role_required(*policy.REPORT_READERS)
def report_index(request: HttpRequest) -> HttpResponse:
    return render(request, "accreditation/reports/index.html")


def _outcomes(request: HttpRequest) -> tuple[OutcomesFilterForm, OutcomesReport | None]:
    form = OutcomesFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None
    return form, outcomes_report(form.filters())


def _form_html(request: HttpRequest, name: str, form: Form, topic: str) -> SafeString:
    """A report's filter form as HTML. Its fields and choices (cohorts, local authorities)
    come from the records ``topic`` watches, so the same query gives the same form until
    they change: it is kept, for crispy takes longer to write it than the rest of the page.
    A form with errors is written afresh, the errors beside its fields."""
    if form.is_bound and not form.is_valid():
        return mark_safe(render_crispy_form(form))  # crispy escapes what it writes
    parts = f"{sorted(request.GET.lists())!r} for {django_settings.KQM_LOCAL_AUTHORITY!r}"
    html = reports_cache.cached(f"{name}-form", parts, lambda: render_crispy_form(form), topic)
    return mark_safe(html)  # crispy escaped it when it wrote it


def _bad_outcomes(request: HttpRequest, form: OutcomesFilterForm) -> HttpResponse:
    return render(
        request,
        "accreditation/reports/outcomes.html",
        {"form": form, "form_html": _form_html(request, "outcomes", form, OUTCOMES)},
        status=400,
    )


def _outcomes_html(filters: Filters) -> SafeString:
    """The report below its filters and downloads, as HTML, kept like the report it shows
    (``outcomes_report``): its tables and charts take longer to write than the report
    takes to read, and a page whose HTML is kept does not read the report at all."""

    def write() -> str:
        report = outcomes_report(filters)
        return render_to_string(
            "accreditation/reports/_outcomes_body.html",
            {"report": report, "charts": outcome_charts(report)},
        )

    parts = f"{filters!r} as at {filters.snapshot_date}"
    # The template escaped what it wrote.
    return mark_safe(reports_cache.cached("outcomes-page", parts, write, OUTCOMES))


@require_GET
@role_required(*policy.REPORT_READERS)
def outcomes_report_page(request: HttpRequest) -> HttpResponse:
    form = OutcomesFilterForm(request.GET or None)
    valid = not request.GET or form.is_valid()  # else the errors, beside the fields
    filters = form.filters() if valid else None
    return render(
        request,
        "accreditation/reports/outcomes.html",
        {
            "form": form,
            "form_html": _form_html(request, "outcomes", form, OUTCOMES),
            "filters": filters,
            "report_html": _outcomes_html(filters) if filters is not None else "",
            "query": request.GET.urlencode(),
        },
    )


@require_GET
@role_required(*policy.REPORT_READERS)
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
@role_required(*policy.REPORT_READERS)
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
        {"form": form, "form_html": _programme_form_html(request, form)},
        status=400,
    )


def _programme_form_html(request: HttpRequest, form: ProgrammeFilterForm) -> SafeString:
    # The current cohort, chosen by default, changes with the date.
    return _form_html(request, f"programme-{timezone.localdate()}", form, PROGRAMME)


def _programme_html(cohort: Cohort | None, include_evaluators: bool) -> SafeString:
    """The report below its filter and downloads, as HTML, kept until the records it reads
    change (``PROGRAMME``): a dozen grouped queries and their charts on every view would
    cost the page six times what showing it kept does."""

    def write() -> str:
        report = programme_report_for(cohort, include_evaluators=include_evaluators)
        return render_to_string(
            "accreditation/reports/_programme_body.html",
            {
                "report": report,
                "cohort": report.cohort,
                "charts": cohort_charts(report.cohort) if report.cohort is not None else {},
                "progress_charts": progress_charts(report.progress, "cohort-progress")
                if report.progress is not None
                else None,
            },
        )

    parts = repr((cohort.pk if cohort else None, include_evaluators, timezone.localdate()))
    # The template escaped what it wrote.
    return mark_safe(reports_cache.cached("programme-page", parts, write, PROGRAMME))


@require_GET
@role_required(*policy.REPORT_READERS)
def programme_report_page(request: HttpRequest) -> HttpResponse:
    """Evaluators by name for the KQM manager only; the current cohort unless one is chosen."""
    form = ProgrammeFilterForm(request.GET or None)
    valid = not request.GET or form.is_valid()  # else the error, beside the field
    is_manager = request.user.role == Role.MANAGER  # type: ignore[union-attr]
    return render(
        request,
        "accreditation/reports/programme.html",
        {
            "form": form,
            "form_html": _programme_form_html(request, form),
            "report_html": _programme_html(form.chosen_cohort(), is_manager) if valid else "",
            "query": request.GET.urlencode(),
        },
    )


@require_GET
@role_required(*policy.REPORT_READERS)
def programme_report_csv(request: HttpRequest) -> HttpResponse:
    form, report = _programme(request)
    if report is None:
        return _bad_programme(request, form)
    return _download(
        csv_bytes(programme_csv_rows(report)), "text/csv; charset=utf-8", "programme-report.csv"
    )


@require_GET
@role_required(*policy.REPORT_READERS)
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
