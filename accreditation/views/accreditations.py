"""The accreditation record: the list, one setting's journey, and moving its status."""

from __future__ import annotations

import functools
from typing import Any

from crispy_forms.utils import render_crispy_form
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest, add_service_errors
from kqm.models import Role

from .. import policy, selectors
from ..forms.allowance import AllowApplicationForm
from ..forms.lifecycle import AccreditationTransitionForm
from ..models import Accreditation, Cohort, IllegalTransition, Status
from ..models.accreditation import AWARDED_STATUSES, OPEN_STATUSES
from ..pipeline import generic_moves, own_page_moves, submit_refusal
from ..reports import cache as reports_cache
from ..selectors_tasks import accreditation_tasks
from ..services.accreditations import do_change_accreditation_status
from ..services.applications import do_allow_concurrent_application
from ..services.decisions import current_recommendation

PAGE_SIZE = 25


@require_GET
@role_required(Role.MANAGER)
def accreditation_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    cohort = request.GET.get("cohort", "")
    status = request.GET.get("status", "")
    evaluator = request.GET.get("evaluator", "")
    accreditations = selectors.accreditation_list(
        search=search, cohort_id=cohort, status=status, evaluator_id=evaluator
    )
    page = Paginator(accreditations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accreditation/accreditations/list.html",
        {
            "page_obj": page,
            "q": search,
            "cohort": cohort,
            "status": status,
            "evaluator": evaluator,
            "cohorts": list(Cohort.objects.only("id", "name").order_by("-programme_year", "name")),
            "statuses": Status.choices,
            "evaluators": list(selectors.evaluators_for_filter()),
            "filtered": bool(search or cohort or status or evaluator),
        },
    )


@functools.lru_cache(maxsize=len(Status.values))
def _transition_form_html(status: str) -> SafeString:
    """The status form, not yet filled in, as HTML: its choices are the moves from
    ``status``, so it is written once for each status rather than on every page."""
    form = AccreditationTransitionForm(accreditation=Accreditation(status=status))
    return mark_safe(render_crispy_form(form))  # crispy escaped what it wrote


def _detail(
    request: AuthenticatedHttpRequest,
    accreditation: Accreditation,
    form: AccreditationTransitionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    # Kept until a record of the programme changes (the task list reads a dozen kinds).
    groups = reports_cache.cached(
        "task-list",
        repr((accreditation.pk, user.pk, timezone.localdate())),
        lambda: accreditation_tasks(accreditation, user),
        reports_cache.PROGRAMME,
    )
    context: dict[str, Any] = {
        "accreditation": accreditation,
        "changes": selectors.status_history(accreditation),
        "show_application_link": bool(accreditation.application_id)
        and user.role in (Role.MANAGER, Role.SETTING_MANAGER),
        "task_groups": groups,
        "submit_refusal": submit_refusal(accreditation, user, groups)
        if accreditation.status == Status.IN_PROGRESS
        else "",
        "can_message": user.role in (Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER),
        "can_see_time": user.role in (Role.MANAGER, Role.EVALUATOR),
        # Read only while submitted, so other statuses cost no query.
        "recommendation": current_recommendation(accreditation)
        if accreditation.status == Status.SUBMITTED and user.role in (Role.MANAGER, Role.EVALUATOR)
        else None,
    }
    context["can_allow_application"] = (
        user.role == Role.MANAGER and accreditation.status in OPEN_STATUSES
    )
    if user.role == Role.MANAGER and generic_moves(accreditation.status):
        context["form"] = form or AccreditationTransitionForm(accreditation=accreditation)
        if form is None:
            context["form_html"] = _transition_form_html(accreditation.status)
    if user.role == Role.MANAGER:
        context["own_pages"] = own_page_moves(accreditation)
    if user.role in policy.AWARD_READERS and accreditation.status in AWARDED_STATUSES:
        # After the decision: the award it granted and its certificate, one query.
        context["awards"] = list(accreditation.awards.order_by("award_date", "pk"))
    return render(request, "accreditation/accreditations/detail.html", context, status=status)


@require_GET
@role_required(Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER)
def accreditation_detail(request: AuthenticatedHttpRequest, accreditation_id: int) -> HttpResponse:
    accreditation = selectors.access_accreditation_by_id(request.user, accreditation_id)
    return _detail(request, accreditation)


@require_http_methods(["POST"])
@role_required(Role.MANAGER)
def accreditation_transition(
    request: AuthenticatedHttpRequest, accreditation_id: int
) -> HttpResponse:
    """Move the status. A move that ends the journey is confirmed on a second page first."""
    user = request.user
    accreditation = selectors.access_accreditation_by_id(user, accreditation_id)
    form = AccreditationTransitionForm(request.POST, accreditation=accreditation)
    if not form.is_valid():
        return _detail(request, accreditation, form)
    to = form.cleaned_data["to"]
    if form.moves[to].confirm and request.POST.get("confirm") != "yes":
        return render(
            request,
            "accreditation/accreditations/confirm_transition.html",
            {
                "accreditation": accreditation,
                "to": to,
                "to_label": Status(to).label,
                "reason": form.cleaned_data["reason"],
            },
        )
    try:
        do_change_accreditation_status(
            accreditation=accreditation,
            to=to,
            changed_by=user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _detail(request, accreditation, form)
    except IllegalTransition as error:
        form.add_error("to", str(error))
        return _detail(request, accreditation, form)
    messages.success(request, f"The status is now “{accreditation.get_status_display()}”.")
    return redirect(accreditation)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def allow_application(request: AuthenticatedHttpRequest, accreditation_id: int) -> HttpResponse:
    """Let the setting apply to another cohort while this accreditation is in progress."""
    user = request.user
    accreditation = selectors.access_accreditation_by_id(user, accreditation_id)
    if accreditation.status not in OPEN_STATUSES:
        raise Http404("This accreditation is not in progress.")
    form = AllowApplicationForm(
        request.POST if request.method == "POST" else None,
        cohorts=selectors.cohorts_open_for_applications().exclude(pk=accreditation.cohort_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            do_allow_concurrent_application(
                setting=accreditation.setting,
                cohort=form.cleaned_data["cohort"],
                reason=form.cleaned_data["reason"],
                allowed_by=user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{accreditation.setting.display_name} may now apply to the "
                f"{form.cleaned_data['cohort']}.",
            )
            return redirect(accreditation)
    return render(
        request,
        "accreditation/accreditations/allow_application.html",
        {"form": form, "accreditation": accreditation},
    )


urlpatterns = [
    path(
        "accreditations/<int:accreditation_id>/allow-application/",
        allow_application,
        name="allow-application",
    ),
    path("accreditations/", accreditation_list, name="accreditation-list"),
    path(
        "accreditations/<int:accreditation_id>/",
        accreditation_detail,
        name="accreditation-detail",
    ),
    path(
        "accreditations/<int:accreditation_id>/status/",
        accreditation_transition,
        name="accreditation-transition",
    ),
]
