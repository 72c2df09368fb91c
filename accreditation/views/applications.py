"""Applications to join a cohort: applying, the lists, judging, deciding, evidence files."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from kqm.access import role_required
from kqm.files import private_download
from kqm.http import AuthenticatedHttpRequest, add_service_errors
from kqm.models import Role, User
from settings.selectors import settings_visible_to

from .. import selectors
from ..forms.applications import (
    AddEvidenceForm,
    ApplicationForm,
    DecideApplicationForm,
    JudgeApplicationForm,
)
from ..models import Application, ApplicationStatus, Cohort, EntryCriterion
from ..services import applications as services
from ..uploads import MAX_EVIDENCE_FILES

PAGE_SIZE = 25


def _open_cohort(cohort_id: int) -> Cohort:
    try:
        return selectors.cohorts_open_for_applications().get(pk=cohort_id)
    except Cohort.DoesNotExist:
        raise Http404("No cohort with that number is taking applications.") from None


@require_GET
@role_required(Role.SETTING_MANAGER)
def application_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The cohorts taking applications, and which of the user's settings have applied."""
    user = request.user
    cohorts = list(selectors.cohorts_open_for_applications())
    my_settings = list(settings_visible_to(user).order_by("name"))
    applied = set(
        Application.objects.filter(setting__in=my_settings, cohort__in=cohorts).values_list(
            "cohort_id", "setting_id"
        )
    )
    rows = [
        {
            "cohort": cohort,
            "applied": [s for s in my_settings if (cohort.pk, s.pk) in applied],
            "can_apply": any((cohort.pk, s.pk) not in applied for s in my_settings),
        }
        for cohort in cohorts
    ]
    return render(
        request,
        "accreditation/applications/new.html",
        {"rows": rows, "my_settings": my_settings},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SETTING_MANAGER)
def application_apply(request: AuthenticatedHttpRequest, cohort_id: int) -> HttpResponse:
    user = request.user
    cohort = _open_cohort(cohort_id)
    applied = Application.objects.filter(cohort=cohort).values("setting_id")
    available = list(settings_visible_to(user).exclude(pk__in=applied).order_by("name"))
    if not available:
        messages.info(request, f"Your settings have already applied to the {cohort}.")
        return redirect("accreditation:application-new")
    criteria = list(EntryCriterion.objects.filter(active=True))
    form = ApplicationForm(
        request.POST or None, request.FILES or None, settings=available, criteria=criteria
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.do_submit_application(
                submitted_by=user,
                setting=form.chosen_setting,
                cohort=cohort,
                answers=form.answers,
                evidence=form.evidence,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("accreditation:application-confirmation", application.pk)
    return render(
        request,
        "accreditation/applications/apply.html",
        {"form": form, "cohort": cohort, "available": available},
    )


@require_GET
@role_required(Role.SETTING_MANAGER)
def application_confirmation(
    request: AuthenticatedHttpRequest, application_id: int
) -> HttpResponse:
    application = selectors.access_application_by_id(request.user, application_id)
    return render(
        request,
        "accreditation/applications/confirmation.html",
        {
            "application": application,
            "reference": services.application_reference(application),
        },
    )


@require_GET
@role_required(Role.MANAGER, Role.SETTING_MANAGER)
def application_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    search = request.GET.get("q", "").strip()
    cohort = request.GET.get("cohort", "")
    status = request.GET.get("status", "")
    applications = selectors.application_list(user, search=search, cohort_id=cohort, status=status)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accreditation/applications/list.html",
        {
            "page_obj": page,
            "q": search,
            "cohort": cohort,
            "status": status,
            "cohorts": list(Cohort.objects.only("id", "name").order_by("-programme_year", "name")),
            "statuses": [("open", "Waiting for a decision"), *ApplicationStatus.choices],
            "filtered": bool(search or cohort or status),
        },
    )


def _detail_context(application: Application, user: User) -> dict[str, Any]:
    answers = selectors.application_answers(application)
    return {
        "application": application,
        # The setting sees the judgements once the decision is made.
        "show_judgements": user.role == Role.MANAGER or not application.is_open,
        "reference": services.application_reference(application),
        "answers": answers,
        "evidence": selectors.application_evidence(application),
        "max_evidence": MAX_EVIDENCE_FILES,
        "can_remove_evidence": user.role == Role.SETTING_MANAGER and application.is_open,
        "acceptance_problems": services.acceptance_problems(application)
        if application.is_open
        else [],
        "accreditation": getattr(application, "accreditation", None)
        if application.status == ApplicationStatus.ACCEPTED
        else None,
    }


@require_GET
@role_required(Role.MANAGER, Role.SETTING_MANAGER)
def application_detail(request: AuthenticatedHttpRequest, application_id: int) -> HttpResponse:
    application = selectors.access_application_by_id(request.user, application_id)
    return render(
        request,
        "accreditation/applications/detail.html",
        _detail_context(application, request.user),
    )


@require_GET
@role_required(Role.MANAGER, Role.SETTING_MANAGER)
def application_evidence(
    request: AuthenticatedHttpRequest, application_id: int, evidence_id: int
) -> FileResponse:
    """The file itself, only to those who may see the application; always a download."""
    evidence = selectors.access_evidence_by_id(request.user, application_id, evidence_id)
    return private_download(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SETTING_MANAGER)
def application_evidence_add(
    request: AuthenticatedHttpRequest, application_id: int
) -> HttpResponse:
    user = request.user
    application = selectors.access_application_by_id(user, application_id)
    held = application.evidence.count()
    if not application.is_open or held >= MAX_EVIDENCE_FILES:
        messages.error(
            request,
            "Evidence can no longer be added to this application."
            if not application.is_open
            else f"This application already has the most evidence files ({MAX_EVIDENCE_FILES}).",
        )
        return redirect(application)
    form = AddEvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_evidence(added_by=user, application=application, evidence=form.evidence)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{form.cleaned_data['title']}” has been added.")
            return redirect(application)
    return render(
        request,
        "accreditation/applications/add_evidence.html",
        {
            "form": form,
            "application": application,
            "held": held,
            "max_evidence": MAX_EVIDENCE_FILES,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SETTING_MANAGER)
def application_evidence_remove(
    request: AuthenticatedHttpRequest, application_id: int, evidence_id: int
) -> HttpResponse:
    """Ask before removing an evidence file; remove it on POST."""
    user = request.user
    evidence = selectors.access_evidence_by_id(user, application_id, evidence_id)
    application = evidence.application
    if not application.is_open:
        messages.error(request, "Evidence can no longer be changed on this application.")
        return redirect(application)
    if request.method == "POST":
        try:
            services.do_remove_evidence(removed_by=user, evidence=evidence)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"“{evidence.title}” has been removed.")
        return redirect(application)
    return render(
        request,
        "accreditation/applications/remove_evidence.html",
        {"application": application, "item": evidence},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def application_judge(request: AuthenticatedHttpRequest, application_id: int) -> HttpResponse:
    user = request.user
    application = selectors.access_application_by_id(user, application_id)
    if not application.is_open:
        messages.error(request, "This application has been decided; its judgements are final.")
        return redirect(application)
    answers = selectors.application_answers(application)
    form = JudgeApplicationForm(request.POST or None, answers=answers)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_judge_application(
                judged_by=user, application=application, judgements=form.judgements
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your judgements have been saved.")
            return redirect(application)
    return render(
        request,
        "accreditation/applications/judge.html",
        {"form": form, "application": application},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def application_decide(request: AuthenticatedHttpRequest, application_id: int) -> HttpResponse:
    user = request.user
    application = selectors.access_application_by_id(user, application_id)
    if not application.is_open:
        messages.error(request, "This application has already been decided.")
        return redirect(application)
    form = DecideApplicationForm(request.POST or None, current_status=application.status)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.do_decide_application(
                decided_by=user,
                application=application,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{application.setting.display_name}: application "
                f"{services.DECISION_WORDS[application.status]}. "
                "The setting manager has been emailed.",
            )
            return redirect(application)
    context = _detail_context(application, user)
    context["form"] = form
    context["places_taken"] = services.places_taken(application.cohort)
    return render(request, "accreditation/applications/decide.html", context)


urlpatterns = [
    path("applications/", application_list, name="application-list"),
    path("applications/new/", application_new, name="application-new"),
    path("applications/new/<int:cohort_id>/", application_apply, name="application-apply"),
    path("applications/<int:application_id>/", application_detail, name="application-detail"),
    path(
        "applications/<int:application_id>/submitted/",
        application_confirmation,
        name="application-confirmation",
    ),
    path(
        "applications/<int:application_id>/evidence/<int:evidence_id>/",
        application_evidence,
        name="application-evidence",
    ),
    path(
        "applications/<int:application_id>/evidence/<int:evidence_id>/remove/",
        application_evidence_remove,
        name="application-evidence-remove",
    ),
    path(
        "applications/<int:application_id>/evidence/add/",
        application_evidence_add,
        name="application-evidence-add",
    ),
    path("applications/<int:application_id>/judge/", application_judge, name="application-judge"),
    path(
        "applications/<int:application_id>/decide/", application_decide, name="application-decide"
    ),
]
