"""End-of-cohort evaluations: the KQM manager opens a round for a cohort (everyone asked
gets a link by email) and reads the results; viewers read the aggregated results of
closed rounds. People answer on the questionnaires' public answer page.

Nothing here shows or exports a single response, a link or who was asked which link.
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest, add_service_errors
from kqm.models import Role

from .. import policy
from ..forms_evaluation import EvaluationRoundForm
from ..selectors import questionnaires as selectors
from ..services import evaluation as services
from .questionnaires import _cell, _posted


@require_GET
@role_required(*policy.EVALUATION_READERS)
def evaluation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    rounds = list(selectors.evaluation_round_list(user))
    for questionnaire_round in rounds:
        questionnaire_round.rate = selectors.figures_of(questionnaire_round).rate  # type: ignore[attr-defined]
    return render(
        request,
        "audits/evaluation/list.html",
        {"rounds": rounds, "can_manage": user.role == Role.MANAGER},
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.EVALUATION_MANAGERS)
def evaluation_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = EvaluationRoundForm(_posted(request), cohorts=selectors.cohorts_for_evaluation())
    if request.method == "POST" and form.is_valid():
        try:
            opened = services.do_open_evaluation_round(
                actor=user,
                cohort=form.cleaned_data["cohort"],
                title=form.cleaned_data["title"],
                closes_on=form.cleaned_data["closes_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            people = "person" if opened.invited == 1 else "people"
            messages.success(
                request,
                f"“{opened.round.title}” is open: {opened.invited} {people} "
                "will get their link by email.",
            )
            return redirect("audits:evaluation-detail", round_id=opened.round.pk)
    return render(request, "audits/evaluation/new.html", {"form": form})


@require_GET
@role_required(*policy.EVALUATION_READERS)
def evaluation_detail(request: AuthenticatedHttpRequest, round_id: int) -> HttpResponse:
    user = request.user
    questionnaire_round = selectors.access_evaluation_round_by_id(user, round_id)
    is_manager = user.role == Role.MANAGER
    cohort = questionnaire_round.cohort
    return render(
        request,
        "audits/evaluation/detail.html",
        {
            "round": questionnaire_round,
            "is_open": questionnaire_round.is_open(),
            "rate": selectors.figures_of(questionnaire_round).rate,
            # Viewers see aggregates only: a comment is one person's own words.
            "results": selectors.round_results(questionnaire_round, with_comments=is_manager),
            "group_results": selectors.results_by_group(questionnaire_round),
            "not_invited": list(selectors.evaluation_not_invited(cohort))
            if is_manager and cohort is not None
            else [],
            "can_manage": is_manager,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.EVALUATION_MANAGERS)
def evaluation_close(request: AuthenticatedHttpRequest, round_id: int) -> HttpResponse:
    """GET asks for confirmation; POST closes the round now."""
    user = request.user
    questionnaire_round = selectors.access_evaluation_round_by_id(user, round_id)
    detail = redirect("audits:evaluation-detail", round_id=questionnaire_round.pk)
    if not questionnaire_round.is_open():
        messages.info(request, "This evaluation has already closed.")
        return detail
    if request.method == "POST":
        try:
            services.do_close_evaluation_round(actor=user, questionnaire_round=questionnaire_round)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"“{questionnaire_round.title}” is closed.")
        return detail
    return render(request, "audits/evaluation/close.html", {"round": questionnaire_round})


@require_GET
@role_required(*policy.EVALUATION_READERS)
def evaluation_export(request: AuthenticatedHttpRequest, round_id: int) -> HttpResponse:
    """The results as CSV: figures per statement only, never a response or a comment."""
    questionnaire_round = selectors.access_evaluation_round_by_id(request.user, round_id)
    results = selectors.round_results(questionnaire_round, with_comments=False)
    if not results.shown:
        messages.info(request, "There are no results to download yet.")
        return redirect("audits:evaluation-detail", round_id=questionnaire_round.pk)
    figures = selectors.figures_of(questionnaire_round)
    output = io.StringIO()
    writer = csv.writer(output)
    for label, value in (
        ("Round", questionnaire_round.title),
        ("Cohort", questionnaire_round.cohort.name if questionnaire_round.cohort else ""),
        ("Questionnaire", str(questionnaire_round.questionnaire)),
        ("Closed on", questionnaire_round.closed_on().strftime("%d/%m/%Y")),
        ("Links sent", figures.links_issued),
        ("Responses", results.response_count),
        ("Response rate (%)", "" if figures.rate is None else figures.rate),
    ):
        writer.writerow([label, _cell(value)])
    writer.writerow([])
    writer.writerows(
        [[_cell(value) for value in row] for row in selectors.results_csv_rows(results)]
    )
    name = slugify(questionnaire_round.title)[:60]
    response = HttpResponse(output.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="evaluation-results-{questionnaire_round.pk}-{name}.csv"'
    )
    return response


urlpatterns = [
    path("evaluations/", evaluation_list, name="evaluation-list"),
    path("evaluations/new/", evaluation_new, name="evaluation-new"),
    path("evaluations/<int:round_id>/", evaluation_detail, name="evaluation-detail"),
    path("evaluations/<int:round_id>/close/", evaluation_close, name="evaluation-close"),
    path("evaluations/<int:round_id>/results.csv", evaluation_export, name="evaluation-export"),
]
