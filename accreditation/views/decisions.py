"""The end of the year: the setting submits, the evaluator recommends, the KQM manager decides.

Each page explains plainly when its step cannot be taken yet (and why), and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest, add_service_errors
from kqm.models import Role, User

from .. import selectors
from ..forms.decisions import DecisionForm, RecommendationForm
from ..models import Accreditation, Outcome, Status
from ..pipeline import recommendation_refusal, submit_refusal
from ..selectors_tasks import accreditation_tasks
from ..services.decisions import (
    current_recommendation,
    current_submission,
    do_decide,
    do_recommend,
    do_submit_accreditation,
)


@require_http_methods(["GET", "POST"])
@role_required(Role.SETTING_MANAGER)
def accreditation_submit(request: AuthenticatedHttpRequest, accreditation_id: int) -> HttpResponse:
    """Check your answers: the whole task list, then submit the year's work."""
    user = request.user
    accreditation = selectors.access_accreditation_by_id(user, accreditation_id)
    groups = accreditation_tasks(accreditation, user)
    unfinished = [task for group in groups for task in group.tasks if not task.done]
    # The list of unfinished tasks is shown on the page itself, so only other reasons here.
    refusal = "" if unfinished else submit_refusal(accreditation, user, groups)
    if request.method == "POST":
        try:
            do_submit_accreditation(accreditation=accreditation, submitted_by=user)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            messages.success(
                request,
                "The year's work is submitted. Your evaluator will now write their "
                "recommendation to the KQM manager.",
            )
            return redirect(accreditation)
    return render(
        request,
        "accreditation/decisions/submit.html",
        {
            "accreditation": accreditation,
            "task_groups": groups,
            "unfinished": unfinished,
            "refusal": refusal,
        },
    )


def _recommendation_page(
    request: HttpRequest,
    accreditation: Accreditation,
    form: RecommendationForm | None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "accreditation/decisions/recommend.html",
        {"accreditation": accreditation, "form": form, "refusal": refusal},
        status=status,
    )


def _recommendation_refusal(accreditation: Accreditation, user: User) -> str:
    if accreditation.evaluator_id != user.pk:
        return "Only the evaluator assigned to this setting can recommend."
    submission = current_submission(accreditation)
    if submission is None:
        return (
            "The setting has not submitted its year's work: a recommendation can only be "
            "written once it has."
        )
    if current_recommendation(accreditation) is not None:
        return "You have already recommended an outcome for this submission."
    return ""


@require_http_methods(["GET", "POST"])
@role_required(Role.EVALUATOR)
def accreditation_recommend(
    request: AuthenticatedHttpRequest, accreditation_id: int
) -> HttpResponse:
    user = request.user
    accreditation = selectors.access_accreditation_by_id(user, accreditation_id)
    refusal = _recommendation_refusal(accreditation, user)
    if refusal:
        return _recommendation_page(request, accreditation, None, refusal)
    if request.method != "POST":
        return _recommendation_page(request, accreditation, RecommendationForm())
    form = RecommendationForm(request.POST)
    if not form.is_valid():
        return _recommendation_page(request, accreditation, form)
    try:
        do_recommend(
            accreditation=accreditation,
            outcome=form.cleaned_data["outcome"],
            summary=form.cleaned_data["summary"],
            written_by=user,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _recommendation_page(request, accreditation, form)
    messages.success(request, "Your recommendation has been sent to the KQM manager.")
    return redirect(accreditation)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def accreditation_decide(request: AuthenticatedHttpRequest, accreditation_id: int) -> HttpResponse:
    user = request.user
    accreditation = selectors.access_accreditation_by_id(user, accreditation_id)
    recommendation = current_recommendation(accreditation)
    refusal = ""
    if accreditation.status != Status.SUBMITTED:
        refusal = (
            f"The accreditation is “{accreditation.get_status_display()}”: only a submitted "
            "accreditation can be decided."
        )
    else:  # the pipeline's own guard, in its own words
        refusal = recommendation_refusal(accreditation, user, {})
    form: DecisionForm | None = None
    if not refusal:
        form = DecisionForm(request.POST if request.method == "POST" else None)
    if form is not None and request.method == "POST" and form.is_valid():
        outcome = form.cleaned_data["outcome"]
        try:
            do_decide(
                accreditation=accreditation,
                outcome=outcome,
                decided_by=user,
                award_date=form.cleaned_data["award_date"],
                feedback=form.cleaned_data["feedback"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if outcome == Outcome.ACCREDIT:
                text = "Accredited. The award is granted and its certificate is being prepared."
            else:
                text = "Recorded as not yet met; the accreditation is back in progress."
            messages.success(request, text)
            return redirect(accreditation)
    return render(
        request,
        "accreditation/decisions/decide.html",
        {
            "accreditation": accreditation,
            "recommendation": recommendation,
            "form": form,
            "refusal": refusal,
        },
    )


urlpatterns = [
    path(
        "accreditations/<int:accreditation_id>/submit/",
        accreditation_submit,
        name="accreditation-submit",
    ),
    path(
        "accreditations/<int:accreditation_id>/recommendation/",
        accreditation_recommend,
        name="accreditation-recommend",
    ),
    path(
        "accreditations/<int:accreditation_id>/decision/",
        accreditation_decide,
        name="accreditation-decide",
    ),
]
