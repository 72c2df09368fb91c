"""Re-accreditation pages: the task list of seven requirements, each requirement's evidence and
judgement, the visit, submitting, and the KQM manager's decision (renew or lapse).

Read by the KQM manager, the setting's evaluator and the setting's staff (practitioners
read only); viewers get 403 and another setting's re-accreditation is a 404.
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
from kqm.models import Role

from .. import policy, requirements, selectors_awards
from .. import selectors_reaccreditation as selectors
from ..forms.reaccreditation import (
    LAPSE,
    JudgementForm,
    ReaccreditationDecisionForm,
    ReaccreditationVisitForm,
    RequirementEvidenceForm,
    ReturnForm,
)
from ..models import Reaccreditation, ReaccreditationStatus, Requirement
from ..services import reaccreditation as services

PAGE_SIZE = 25


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _requirement_url(reaccreditation: Reaccreditation, requirement: Requirement) -> str:
    return reverse(
        "accreditation:reaccreditation-requirement",
        args=[reaccreditation.pk, requirements.spec_of(requirement.kind).slug],
    )


# --- The list and the task list ----------------------------------------------------------------


@require_GET
@role_required(*policy.REACCREDITATION_READERS)
def reaccreditation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.reaccreditation_list(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "accreditation/reaccreditation/list.html", {"page_obj": page})


@require_GET
@role_required(*policy.REACCREDITATION_READERS)
def reaccreditation_detail(
    request: AuthenticatedHttpRequest, reaccreditation_id: int
) -> HttpResponse:
    user = request.user
    reaccreditation = selectors.access_reaccreditation_by_id(user, reaccreditation_id)
    progress = requirements.Progress(requirements.requirement_rows(reaccreditation))
    return render(
        request,
        "accreditation/reaccreditation/detail.html",
        {
            "reaccreditation": reaccreditation,
            "progress": progress,
            "visit_done": selectors.visit_has_taken_place(reaccreditation),
            "can_edit": services.can_edit_evidence(user, reaccreditation),
            "can_judge": services.can_judge(user, reaccreditation),
            "can_submit": reaccreditation.status == ReaccreditationStatus.OPEN
            and services.can_edit_evidence(user, reaccreditation),
            "can_decide": user.role == Role.MANAGER and reaccreditation.status in services.LIVE,
            "can_return": reaccreditation.status == ReaccreditationStatus.SUBMITTED
            and services.can_judge(user, reaccreditation),
        },
    )


@require_http_methods(["POST"])
@role_required(Role.MANAGER)
def reaccreditation_open(request: AuthenticatedHttpRequest, award_id: int) -> HttpResponse:
    """The KQM manager opens an award's re-accreditation early, from the award's page."""
    user = request.user
    award = selectors_awards.access_award_by_id(user, award_id)
    try:
        reaccreditation = services.do_open_reaccreditation(award=award, opened_by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(award)
    messages.success(
        request,
        "Re-accreditation is open. The setting's managers and the evaluator have been told.",
    )
    return redirect(reaccreditation)


# --- One requirement ---------------------------------------------------------------------------


def _record_context(reaccreditation: Reaccreditation, requirement: Requirement) -> dict[str, Any]:
    """What the requirement's page shows beside the evidence (its spec's figures)."""
    return requirements.spec_of(requirement.kind).figures(reaccreditation)


@require_GET
@role_required(*policy.REACCREDITATION_READERS)
def requirement_detail(
    request: AuthenticatedHttpRequest, reaccreditation_id: int, kind: str
) -> HttpResponse:
    user = request.user
    reaccreditation, requirement = selectors.access_requirement(user, reaccreditation_id, kind)
    return render(
        request,
        "accreditation/reaccreditation/requirement.html",
        {
            "reaccreditation": reaccreditation,
            "requirement": requirement,
            "row": requirements.requirement_row(requirement),
            "can_edit": services.can_edit_evidence(user, reaccreditation),
            "can_judge": services.can_judge(user, reaccreditation),
            "sees_unit_b": user.role != Role.PRACTITIONER,
            **_record_context(reaccreditation, requirement),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.REACCREDITATION_EVIDENCE_EDITORS)
def requirement_edit(
    request: AuthenticatedHttpRequest, reaccreditation_id: int, kind: str
) -> HttpResponse:
    user = request.user
    reaccreditation, requirement = selectors.access_requirement(user, reaccreditation_id, kind)
    back = _requirement_url(reaccreditation, requirement)
    if not services.can_edit_evidence(user, reaccreditation):
        messages.info(
            request,
            f"This re-accreditation is “{reaccreditation.get_status_display()}”: its evidence "
            "can no longer change.",
        )
        return redirect(back)
    records = _record_context(reaccreditation, requirement)
    spec = requirements.spec_of(requirement.kind)
    audits = records.get("audits") if spec.record == "audit" else None
    initial = {
        "evidence": requirement.evidence,
        "audit": str(requirement.audit_id) if requirement.audit_id else "",
    }
    form = RequirementEvidenceForm(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        initial=initial,
        audits=audits,
        has_file=bool(requirement.evidence_file),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_save_requirement_evidence(
                actor=user,
                requirement=requirement,
                evidence=form.cleaned_data["evidence"],
                checked=form.cleaned_data.get("file"),
                remove_file=bool(form.cleaned_data.get("remove_file")),
                audit=form.chosen_audit(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{requirement.get_kind_display()}” is saved.")
            return redirect(reaccreditation)
    return render(
        request,
        "accreditation/reaccreditation/requirement_edit.html",
        {
            "reaccreditation": reaccreditation,
            "requirement": requirement,
            "row": requirements.requirement_row(requirement),
            "form": form,
            "sees_unit_b": True,
            **records,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.REACCREDITATION_JUDGES)
def requirement_judge(
    request: AuthenticatedHttpRequest, reaccreditation_id: int, kind: str
) -> HttpResponse:
    user = request.user
    reaccreditation, requirement = selectors.access_requirement(user, reaccreditation_id, kind)
    back = _requirement_url(reaccreditation, requirement)
    if not services.can_judge(user, reaccreditation):
        messages.info(
            request,
            "Only the setting's evaluator or the KQM manager judges, while the "
            "re-accreditation is open or submitted.",
        )
        return redirect(back)
    initial = {"judgement": requirement.judgement, "judgement_note": requirement.judgement_note}
    form = JudgementForm(
        _posted(request),
        initial=initial,
        has_previous_note=bool(requirement.judgement and requirement.judgement_note),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_judge_requirement(
                actor=user,
                requirement=requirement,
                judgement=form.cleaned_data["judgement"],
                note=form.cleaned_data["judgement_note"],
                keep_previous_note=form.keep_previous_note,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"“{requirement.get_kind_display()}” is judged "
                f"{'met' if form.cleaned_data['judgement'] == 'met' else 'not met'}.",
            )
            return redirect(reaccreditation)
    return render(
        request,
        "accreditation/reaccreditation/judge.html",
        {
            "reaccreditation": reaccreditation,
            "requirement": requirement,
            "row": requirements.requirement_row(requirement),
            "form": form,
        },
    )


@require_GET
@role_required(*policy.REACCREDITATION_READERS)
def requirement_file(
    request: AuthenticatedHttpRequest, reaccreditation_id: int, kind: str
) -> FileResponse:
    user = request.user
    _reaccreditation, requirement = selectors.access_requirement(user, reaccreditation_id, kind)
    if not requirement.evidence_file:
        raise Http404("This requirement has no file.")
    return private_download(
        requirement.evidence_file,
        filename=requirement.original_name or "evidence",
        content_type=requirement.content_type or "application/octet-stream",
    )


# --- The visit, submitting and deciding -------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*policy.REACCREDITATION_JUDGES)
def reaccreditation_visit(
    request: AuthenticatedHttpRequest, reaccreditation_id: int
) -> HttpResponse:
    user = request.user
    reaccreditation = selectors.access_reaccreditation_by_id(user, reaccreditation_id)
    if reaccreditation.visit is not None:
        messages.info(request, "The re-accreditation visit is already booked.")
        return redirect(reaccreditation.visit)
    if not services.can_judge(user, reaccreditation):
        messages.info(
            request,
            "Only the setting's evaluator or the KQM manager books the visit, while the "
            "re-accreditation is open or submitted.",
        )
        return redirect(reaccreditation)
    form = ReaccreditationVisitForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.do_schedule_reaccreditation_visit(
                actor=user,
                reaccreditation=reaccreditation,
                date=form.cleaned_data["date"],
                start_time=form.cleaned_data["start_time"],
                end_time=form.cleaned_data["end_time"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"The re-accreditation visit is booked for {visit.date:%-d %B %Y}. "
                "The setting's managers have been told.",
            )
            return redirect(reaccreditation)
    return render(
        request,
        "accreditation/reaccreditation/visit.html",
        {"reaccreditation": reaccreditation, "form": form},
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.REACCREDITATION_SUBMITTERS)
def reaccreditation_submit(
    request: AuthenticatedHttpRequest, reaccreditation_id: int
) -> HttpResponse:
    """Check your answers: every requirement with its evidence, then submit."""
    user = request.user
    reaccreditation = selectors.access_reaccreditation_by_id(user, reaccreditation_id)
    if reaccreditation.status != ReaccreditationStatus.OPEN:
        messages.info(
            request,
            f"This re-accreditation is “{reaccreditation.get_status_display()}”: "
            "there is nothing to submit.",
        )
        return redirect(reaccreditation)
    refusal = ""
    if request.method == "POST":
        try:
            services.do_submit_reaccreditation(actor=user, reaccreditation=reaccreditation)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            messages.success(
                request,
                "The evidence is submitted. The evaluator and the KQM manager have been told.",
            )
            return redirect(reaccreditation)
    progress = requirements.Progress(requirements.requirement_rows(reaccreditation))
    return render(
        request,
        "accreditation/reaccreditation/submit.html",
        {"reaccreditation": reaccreditation, "progress": progress, "refusal": refusal},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def reaccreditation_decide(
    request: AuthenticatedHttpRequest, reaccreditation_id: int
) -> HttpResponse:
    user = request.user
    reaccreditation = selectors.access_reaccreditation_by_id(user, reaccreditation_id)
    if reaccreditation.status not in services.LIVE:
        messages.info(
            request,
            f"This re-accreditation is already “{reaccreditation.get_status_display()}”.",
        )
        return redirect(reaccreditation)
    form = ReaccreditationDecisionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == LAPSE:
                services.do_lapse_award(
                    actor=user, reaccreditation=reaccreditation, reason=form.cleaned_data["note"]
                )
                outcome = "The award will lapse: the setting's managers have been told."
            else:
                award = services.do_renew_award(
                    actor=user, reaccreditation=reaccreditation, note=form.cleaned_data["note"]
                )
                outcome = (
                    f"The award is renewed as {award.number}. Its certificate is being prepared."
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, outcome)
            return redirect(reaccreditation)
    today_problems = services.renewal_problems(reaccreditation, timezone.localdate())
    return render(
        request,
        "accreditation/reaccreditation/decide.html",
        {
            "reaccreditation": reaccreditation,
            "form": form,
            "progress": requirements.Progress(requirements.requirement_rows(reaccreditation)),
            "problems": today_problems,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.REACCREDITATION_JUDGES)
def reaccreditation_return(
    request: AuthenticatedHttpRequest, reaccreditation_id: int
) -> HttpResponse:
    """Send submitted evidence back to the setting, saying what is still needed."""
    user = request.user
    reaccreditation = selectors.access_reaccreditation_by_id(user, reaccreditation_id)
    if reaccreditation.status != ReaccreditationStatus.SUBMITTED or not services.can_judge(
        user, reaccreditation
    ):
        messages.info(request, "Only submitted evidence can be returned to the setting.")
        return redirect(reaccreditation)
    form = ReturnForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.do_return_reaccreditation(
                actor=user, reaccreditation=reaccreditation, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "The evidence is back with the setting. Its managers have been told."
            )
            return redirect(reaccreditation)
    return render(
        request,
        "accreditation/reaccreditation/return.html",
        {"reaccreditation": reaccreditation, "form": form},
    )


BASE = "reaccreditations/<int:reaccreditation_id>/"
REQUIREMENT = BASE + "requirements/<slug:kind>/"

urlpatterns = [
    path("reaccreditations/", reaccreditation_list, name="reaccreditation-list"),
    path(BASE, reaccreditation_detail, name="reaccreditation-detail"),
    path(
        "awards/<int:award_id>/reaccreditation/open/",
        reaccreditation_open,
        name="reaccreditation-open",
    ),
    path(REQUIREMENT, requirement_detail, name="reaccreditation-requirement"),
    path(REQUIREMENT + "edit/", requirement_edit, name="reaccreditation-requirement-edit"),
    path(REQUIREMENT + "judge/", requirement_judge, name="reaccreditation-requirement-judge"),
    path(REQUIREMENT + "file/", requirement_file, name="reaccreditation-requirement-file"),
    path(BASE + "visit/", reaccreditation_visit, name="reaccreditation-visit"),
    path(BASE + "submit/", reaccreditation_submit, name="reaccreditation-submit"),
    path(BASE + "decide/", reaccreditation_decide, name="reaccreditation-decide"),
    path(BASE + "return/", reaccreditation_return, name="reaccreditation-return"),
]
