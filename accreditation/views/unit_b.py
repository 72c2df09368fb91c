"""Unit B pages: the self-evaluation (SEF) and the SMART improvement plan of an accreditation.

Read by the setting's manager, its evaluator and the KQM manager. The SEF is written by
the setting's manager; the plan by the setting's manager and the KQM manager; review notes
also by the evaluator.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from kqm.access import role_required
from kqm.files import private_download
from kqm.http import AuthenticatedHttpRequest, add_service_errors
from kqm.models import User

from .. import policy
from .. import selectors_unit_b as selectors
from ..forms.unit_b import (
    ActionForm,
    EvidenceFileForm,
    EvidenceLinkForm,
    ReviewForm,
    SefSectionForm,
)
from ..models import Accreditation, ActionStatus, ImprovementAction
from ..models.unit_b import SEF_JUDGEMENT_BY_VALUE
from ..services import unit_b as services

PAGE_SIZE = 25
STATUS_FILTERS = [
    ("open", "Not finished"),
    ("overdue", "Overdue"),
    *ActionStatus.choices,
]


def _posted(request: HttpRequest) -> Any:
    """The submitted data, even when a POST is empty (so that it is checked, not ignored)."""
    return request.POST if request.method == "POST" else None


def _files(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None


def _refuse_if_finished(
    request: HttpRequest, accreditation: Accreditation, back: str
) -> HttpResponse | None:
    if services.is_finished(accreditation):
        messages.info(
            request,
            f"This accreditation is “{accreditation.get_status_display()}”: its "
            "self-evaluation and improvement plan can no longer change.",
        )
        return redirect(back)
    return None


# --- Self-evaluation ----------------------------------------------------------------------------


def _sef_url(accreditation_id: int) -> str:
    return reverse("accreditation:self-evaluation", args=[accreditation_id])


@require_GET
@role_required(*policy.UNIT_B_READERS)
def self_evaluation(request: AuthenticatedHttpRequest, accreditation_id: int) -> HttpResponse:
    user = request.user
    accreditation = selectors.access_unit_b_accreditation(user, accreditation_id)
    rows = selectors.sef_overview(accreditation)
    return render(
        request,
        "accreditation/unit_b/sef.html",
        {
            "accreditation": accreditation,
            "rows": rows,
            "completed": sum(1 for row in rows if row.entry),
            "can_edit": services.can_edit_sef(user, accreditation)
            and not services.is_finished(accreditation),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.SEF_EDITORS)
def self_evaluation_edit(
    request: AuthenticatedHttpRequest, accreditation_id: int, section: str
) -> HttpResponse:
    user = request.user
    accreditation, sef_section, entry = selectors.access_sef_section(
        user, accreditation_id, section
    )
    refused = _refuse_if_finished(request, accreditation, _sef_url(accreditation.pk))
    if refused:
        return refused
    initial = {"judgement": entry.judgement, "evidence": entry.evidence} if entry else None
    form = SefSectionForm(_posted(request), initial=initial, section=sef_section)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.do_save_sef_section(
                actor=user,
                accreditation=accreditation,
                section=sef_section.code,
                judgement=form.cleaned_data["judgement"],
                evidence=form.cleaned_data["evidence"],
                seen=form.seen,
            )
        except services.SectionChanged as changed:
            form.show_changed(changed)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{sef_section.title}” has been saved.")
            return redirect(_sef_url(accreditation.pk) + f"#section-{sef_section.code}")
    return render(
        request,
        "accreditation/unit_b/sef_edit.html",
        {"form": form, "accreditation": accreditation, "section": sef_section, "entry": entry},
        status=status,
    )


@require_GET
@role_required(*policy.UNIT_B_READERS)
def self_evaluation_history(
    request: AuthenticatedHttpRequest, accreditation_id: int, section: str
) -> HttpResponse:
    accreditation, sef_section, entry = selectors.access_sef_section(
        request.user, accreditation_id, section
    )
    versions = selectors.sef_versions(entry)
    for version in versions:
        judgement = SEF_JUDGEMENT_BY_VALUE.get(version.judgement)
        version.judgement_label = judgement.label if judgement else version.judgement
        version.judgement_colour = judgement.colour if judgement else "grey"
    return render(
        request,
        "accreditation/unit_b/sef_history.html",
        {"accreditation": accreditation, "section": sef_section, "versions": versions},
    )


# --- The improvement plan -----------------------------------------------------------------------


def _plan_url(accreditation_id: int) -> str:
    return reverse("accreditation:improvement-plan", args=[accreditation_id])


@require_GET
@role_required(*policy.UNIT_B_READERS)
def improvement_plan(request: AuthenticatedHttpRequest, accreditation_id: int) -> HttpResponse:
    user = request.user
    accreditation = selectors.access_unit_b_accreditation(user, accreditation_id)
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    sort = request.GET.get("sort", "")
    today = timezone.localdate()
    actions = selectors.plan_actions(
        accreditation, status=status, search=search, sort=sort, today=today
    )
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accreditation/unit_b/plan.html",
        {
            "accreditation": accreditation,
            "page_obj": page,
            "summary": selectors.plan_summary(accreditation, today),
            "q": search,
            "status": status,
            "sort": sort,
            "statuses": STATUS_FILTERS,
            "filtered": bool(search or status),
            "can_edit": services.can_edit_plan(user, accreditation)
            and not services.is_finished(accreditation),
        },
    )


def _plan_choices(accreditation: Accreditation) -> dict[str, Any]:
    audits = selectors.setting_audits(accreditation)
    return {
        "audits": audits,
        "subscales": selectors.audit_subscales(audits),
        "screenings": selectors.setting_screenings(accreditation),
    }


@require_http_methods(["GET", "POST"])
@role_required(*policy.PLAN_EDITORS)
def plan_action_new(request: AuthenticatedHttpRequest, accreditation_id: int) -> HttpResponse:
    user = request.user
    accreditation = selectors.access_unit_b_accreditation(user, accreditation_id)
    refused = _refuse_if_finished(request, accreditation, _plan_url(accreditation.pk))
    if refused:
        return refused
    form = ActionForm(_posted(request), **_plan_choices(accreditation))
    if request.method == "POST" and form.is_valid():
        try:
            action = services.do_add_action(
                actor=user, accreditation=accreditation, draft=form.draft()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The action has been added to the improvement plan.")
            return redirect(action)
    return render(
        request,
        "accreditation/unit_b/action_form.html",
        {"form": form, "accreditation": accreditation, "action": None},
    )


def _action_context(user: User, action: ImprovementAction) -> dict[str, Any]:
    accreditation = action.accreditation
    finished = services.is_finished(accreditation)
    return {
        "action": action,
        "accreditation": accreditation,
        "can_edit": services.can_edit_plan(user, accreditation) and not finished,
        "can_review": services.can_review_plan(user, accreditation) and not finished,
    }


@require_GET
@role_required(*policy.UNIT_B_READERS)
def plan_action(request: AuthenticatedHttpRequest, action_id: int) -> HttpResponse:
    user = request.user
    action = selectors.access_action_by_id(user, action_id)
    context = _action_context(user, action)
    context.update(
        {
            "reviews": selectors.action_reviews(action),
            "evidence": selectors.action_evidence(action),
        }
    )
    return render(request, "accreditation/unit_b/action.html", context)


@require_http_methods(["GET", "POST"])
@role_required(*policy.PLAN_EDITORS)
def plan_action_edit(request: AuthenticatedHttpRequest, action_id: int) -> HttpResponse:
    user = request.user
    action = selectors.access_action_by_id(user, action_id)
    refused = _refuse_if_finished(request, action.accreditation, action.get_absolute_url())
    if refused:
        return refused
    form = ActionForm(_posted(request), action=action, **_plan_choices(action.accreditation))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_action(
                actor=user, action=action, draft=form.draft(), seen_version=form.seen_version
            )
        except services.ActionChanged as changed:
            form.show_changed(changed)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The action has been saved.")
            return redirect(action)
    return render(
        request,
        "accreditation/unit_b/action_form.html",
        {"form": form, "accreditation": action.accreditation, "action": action},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.PLAN_REVIEWERS)
def plan_action_review(request: AuthenticatedHttpRequest, action_id: int) -> HttpResponse:
    user = request.user
    action = selectors.access_action_by_id(user, action_id)
    refused = _refuse_if_finished(request, action.accreditation, action.get_absolute_url())
    if refused:
        return refused
    form = ReviewForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_review(
                actor=user,
                action=action,
                reviewed_on=form.cleaned_data["reviewed_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your review note has been added.")
            return redirect(action.get_absolute_url() + "#reviews")
    return render(
        request,
        "accreditation/unit_b/review_form.html",
        {"form": form, "action": action, "accreditation": action.accreditation},
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.PLAN_EDITORS)
def plan_evidence_upload(request: AuthenticatedHttpRequest, action_id: int) -> HttpResponse:
    user = request.user
    action = selectors.access_action_by_id(user, action_id)
    refused = _refuse_if_finished(request, action.accreditation, action.get_absolute_url())
    if refused:
        return refused
    form = EvidenceFileForm(_posted(request), _files(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_evidence_file(
                actor=user,
                action=action,
                checked=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{form.cleaned_data['title']}” has been added.")
            return redirect(action.get_absolute_url() + "#evidence")
    return render(
        request,
        "accreditation/unit_b/evidence_upload.html",
        {"form": form, "action": action, "accreditation": action.accreditation},
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.PLAN_EDITORS)
def plan_evidence_link(request: AuthenticatedHttpRequest, action_id: int) -> HttpResponse:
    user = request.user
    action = selectors.access_action_by_id(user, action_id)
    refused = _refuse_if_finished(request, action.accreditation, action.get_absolute_url())
    if refused:
        return refused
    choices = _plan_choices(action.accreditation)
    form = EvidenceLinkForm(
        _posted(request), audits=choices["audits"], screenings=choices["screenings"]
    )
    if request.method == "POST" and form.is_valid():
        audit, screening = form.chosen()
        try:
            evidence = services.do_link_evidence(
                actor=user,
                action=action,
                title=form.cleaned_data["title"],
                audit=audit,
                screening=screening,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{evidence.title}” has been linked.")
            return redirect(action.get_absolute_url() + "#evidence")
    return render(
        request,
        "accreditation/unit_b/evidence_link.html",
        {
            "form": form,
            "action": action,
            "accreditation": action.accreditation,
            "nothing_to_link": not choices["audits"] and not choices["screenings"],
        },
    )


@require_GET
@role_required(*policy.UNIT_B_READERS)
def plan_evidence_file(
    request: AuthenticatedHttpRequest, action_id: int, evidence_id: int
) -> FileResponse:
    """The file itself, only to those who may read the plan; always a download."""
    evidence = selectors.access_action_evidence(request.user, action_id, evidence_id)
    if not evidence.file:
        raise Http404("This evidence is a link, not a file.")
    return private_download(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.PLAN_EDITORS)
def plan_evidence_remove(
    request: AuthenticatedHttpRequest, action_id: int, evidence_id: int
) -> HttpResponse:
    """GET asks for confirmation; POST removes the evidence (and deletes an uploaded file)."""
    user = request.user
    evidence = selectors.access_action_evidence(user, action_id, evidence_id)
    action = evidence.action
    refused = _refuse_if_finished(request, action.accreditation, action.get_absolute_url())
    if refused:
        return refused
    if request.method == "POST":
        try:
            services.do_remove_evidence(actor=user, evidence=evidence)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"“{evidence.title}” has been removed.")
        return redirect(action.get_absolute_url() + "#evidence")
    return render(
        request,
        "accreditation/unit_b/evidence_remove.html",
        {"evidence": evidence, "action": action, "accreditation": action.accreditation},
    )


SEF = "accreditations/<int:accreditation_id>/self-evaluation/"
PLAN_ACTION = "plan-actions/<int:action_id>/"

urlpatterns = [
    path(SEF, self_evaluation, name="self-evaluation"),
    path(SEF + "<slug:section>/", self_evaluation_edit, name="self-evaluation-edit"),
    path(SEF + "<slug:section>/history/", self_evaluation_history, name="self-evaluation-history"),
    path(
        "accreditations/<int:accreditation_id>/improvement-plan/",
        improvement_plan,
        name="improvement-plan",
    ),
    path(
        "accreditations/<int:accreditation_id>/improvement-plan/new/",
        plan_action_new,
        name="plan-action-new",
    ),
    path(PLAN_ACTION, plan_action, name="plan-action"),
    path(PLAN_ACTION + "edit/", plan_action_edit, name="plan-action-edit"),
    path(PLAN_ACTION + "reviews/new/", plan_action_review, name="plan-action-review"),
    path(PLAN_ACTION + "evidence/upload/", plan_evidence_upload, name="plan-evidence-upload"),
    path(PLAN_ACTION + "evidence/link/", plan_evidence_link, name="plan-evidence-link"),
    path(
        PLAN_ACTION + "evidence/<int:evidence_id>/file/",
        plan_evidence_file,
        name="plan-evidence-file",
    ),
    path(
        PLAN_ACTION + "evidence/<int:evidence_id>/remove/",
        plan_evidence_remove,
        name="plan-evidence-remove",
    ),
]
