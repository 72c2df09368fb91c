"""Unit A case studies: write (with autosave), add evidence, check and submit, review, versions.

Who does what: setting managers and practitioners write the draft and add or remove
evidence; only the setting manager submits; the evaluator (or the KQM manager)
reviews; everyone at the setting, the evaluator and the KQM manager read it.
"""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import HTML, Field, Layout, Size
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits.services.leuven import do_log_child_data_access
from kqm.access import role_required
from kqm.files import private_download
from kqm.http import AuthenticatedHttpRequest, add_service_errors
from kqm.models import Role, User
from kqm.parsing import revision_of

from .. import policy
from .. import selectors_case_studies as selectors
from ..forms.case_studies import CaseStudyEvidenceForm, CaseStudyForm, ReviewForm
from ..models import SECTIONS, Accreditation, CaseStudy, CaseStudyStatus, CaseStudyVersion
from ..richtext import diff
from ..services import case_studies as services
from ..services.common import StaleWrite
from ..uploads import MAX_EVIDENCE_FILES


def _log_focus_child(
    request: AuthenticatedHttpRequest, case_study: CaseStudy | None, page: str
) -> None:
    """A focus child's scores are shown: record who saw them (the access log's service)."""
    if case_study is None or case_study.focus_child_id is None:
        return
    do_log_child_data_access(
        user=request.user,
        setting_id=case_study.accreditation.setting_id,
        page=page,
        path=request.path,
    )


def _detail_url(accreditation_id: int, number: int) -> str:
    return reverse("accreditation:case-study-detail", args=[accreditation_id, number])


def _context(
    accreditation: Accreditation, number: int, case_study: CaseStudy | None
) -> dict[str, Any]:
    return {
        "accreditation": accreditation,
        "number": number,
        "case_study": case_study,
        "sections": SECTIONS,
        "status": case_study.status if case_study else "",
        "detail_url": _detail_url(accreditation.pk, number),
    }


@require_GET
@role_required(*policy.CASE_STUDY_READERS)
def case_study_detail(
    request: AuthenticatedHttpRequest, accreditation_id: int, number: int
) -> HttpResponse:
    user = request.user
    accreditation, case_study = selectors.access_case_study(user, accreditation_id, number)
    _log_focus_child(request, case_study, f"Case study {number}")
    versions = selectors.versions_of(case_study)
    context = _context(accreditation, number, case_study)
    context.update(
        {
            "evidence": selectors.evidence_of(case_study),
            "versions": versions,
            "latest": versions[-1] if versions else None,
            "can_write": user.role in policy.CASE_STUDY_WRITERS
            and not accreditation.is_closed
            and (case_study is None or case_study.is_editable),
            "can_review": user.role in (Role.MANAGER, Role.EVALUATOR)
            and not accreditation.is_closed
            and case_study is not None
            and case_study.status == CaseStudyStatus.SUBMITTED,
            "missing": services.incomplete_parts(case_study),
        }
    )
    return render(request, "accreditation/case_studies/detail.html", context)


def _case_study_form(
    accreditation: Accreditation, case_study: CaseStudy | None, data: Any = None
) -> CaseStudyForm:
    return CaseStudyForm(
        data,
        children=selectors.children_for_case_study(
            accreditation, case_study.focus_child if case_study else None
        ),
        scores=selectors.scores_for_case_study(accreditation),
        initial=CaseStudyForm.initial_for(case_study),
    )


def _editable_or_redirect(
    request: HttpRequest, accreditation: Accreditation, number: int, case_study: CaseStudy | None
) -> HttpResponse | None:
    if accreditation.is_closed:  # the page says why, in the closed-record banner
        return redirect(_detail_url(accreditation.pk, number))
    if case_study is not None and not case_study.is_editable:
        messages.info(
            request,
            "This case study is with the evaluator."
            if case_study.status == CaseStudyStatus.SUBMITTED
            else "This case study has been accepted; it can no longer change.",
        )
        return redirect(_detail_url(accreditation.pk, number))
    return None


def _saved_at(case_study: CaseStudy) -> str:
    return timezone.localtime(case_study.saved_at).strftime("%H:%M:%S")


@require_http_methods(["GET", "POST"])
@role_required(*policy.CASE_STUDY_WRITERS)
def case_study_edit(
    request: AuthenticatedHttpRequest, accreditation_id: int, number: int
) -> HttpResponse:
    user = request.user
    accreditation, case_study = selectors.access_case_study(user, accreditation_id, number)
    blocked = _editable_or_redirect(request, accreditation, number, case_study)
    if blocked:
        return blocked
    _log_focus_child(request, case_study, f"Case study {number} (edit)")
    # A draft whose last autosave met a problem reopens with it shown beside its field.
    form = _case_study_form(
        accreditation,
        case_study,
        request.POST if request.method == "POST" else CaseStudyForm.reopened(case_study),
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            case_study = services.do_save_case_study(
                actor=user,
                accreditation=accreditation,
                number=number,
                revision=form.cleaned_data["revision"],
                draft=form.draft,
            )
        except StaleWrite as stale:
            form.add_error(None, str(stale))
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.POST.get("next") == "check":
                return redirect("accreditation:case-study-check", accreditation.pk, number)
            messages.success(request, f"Draft saved at {_saved_at(case_study)}.")
            return redirect("accreditation:case-study-edit", accreditation.pk, number)
    context = _context(accreditation, number, case_study)
    context.update({"form": form, "versions": selectors.versions_of(case_study)})
    latest = context["versions"][-1] if context["versions"] else None
    context["feedback"] = (
        {r.section: r for r in latest.reviews.all()}
        if latest and case_study and case_study.status == CaseStudyStatus.RETURNED
        else {}
    )
    context["latest"] = latest
    for key, review in context["feedback"].items():
        if review.comment and key in form.fields:
            form.fields[key].help_text = (
                f"Your evaluator's comment on version {latest.number}: {review.comment} — "  # type: ignore[union-attr]
                + str(form.fields[key].help_text)
            )
    return render(request, "accreditation/case_studies/form.html", context, status=status)


def _plain(value: str) -> str:
    return " ".join(strip_tags(value).split())


def _merge_per_field(
    posted: QueryDict, bases: dict[str, str], case_study: CaseStudy, user: User
) -> tuple[QueryDict, dict[str, str]]:
    """Check each field against what the page showed (its base), not the whole record.

    A field nobody else changed takes the typed value; a field only someone else changed
    keeps theirs; a field both changed is a conflict (theirs returned). The writer's own
    earlier save is never a conflict.
    """
    stored = {k: str(v) for k, v in CaseStudyForm.initial_for(case_study).items()}
    merged = posted.copy()
    conflicts: dict[str, str] = {}
    own = case_study.saved_by_id == user.pk
    for name, base in bases.items():
        if name == "revision" or name not in stored:
            continue
        theirs, mine = stored[name], posted.get(name, "")
        if own or _plain(theirs) == _plain(base):
            continue
        if _plain(mine) == _plain(base):
            merged[name] = theirs  # only they changed it: keep theirs
        else:
            conflicts[name] = theirs
    merged["revision"] = str(case_study.revision)
    return merged, conflicts


@require_POST
@role_required(*policy.CASE_STUDY_WRITERS)
def case_study_autosave(
    request: AuthenticatedHttpRequest, accreditation_id: int, number: int
) -> JsonResponse:
    """The JSON twin of “Save draft”: 200 saved, 409 a newer version exists, 400 not valid."""
    user = request.user
    accreditation, case_study = selectors.access_case_study(user, accreditation_id, number)
    data: QueryDict = request.POST
    bases = {key[5:]: str(value) for key, value in request.POST.items() if key.startswith("base:")}
    if bases and case_study is not None:
        merged, conflicts = _merge_per_field(request.POST, bases, case_study, user)
        if conflicts:
            who = str(case_study.saved_by) if case_study.saved_by else "Someone"
            return JsonResponse(
                {
                    "saved": False,
                    "conflict": True,
                    "message": f"Not saved: {who} changed the same part meanwhile. "
                    "Their text is shown beside it; yours is still on the page.",
                    "fields": {
                        name: {"value": value, "text": _plain(value), "by": who}
                        for name, value in conflicts.items()
                    },
                },
                status=409,
            )
        data = merged
    form = _case_study_form(accreditation, case_study, data)
    if not form.is_valid() and "revision" in form.errors:
        return JsonResponse(
            {"saved": False, "message": f"Not saved automatically yet: {form.first_error()}"},
            status=400,
        )
    # Everything valid is stored; each invalid field is named, to be marked beside it.
    problems = form.problems()
    try:
        case_study = services.do_save_case_study(
            actor=user,
            accreditation=accreditation,
            number=number,
            revision=form.cleaned_data["revision"],
            draft=form.valid_draft(case_study),
        )
    except StaleWrite as stale:
        return JsonResponse({"saved": False, "conflict": True, "message": str(stale)}, status=409)
    except ValidationError as error:
        return JsonResponse({"saved": False, "message": " ".join(error.messages)}, status=409)
    return JsonResponse(
        {
            "saved": True,
            "revision": case_study.revision,
            "saved_at": _saved_at(case_study),
            "problems": {name: p["message"] for name, p in problems.items()},
        }
    )


@require_GET
@role_required(*policy.CASE_STUDY_WRITERS)
def case_study_check(
    request: AuthenticatedHttpRequest, accreditation_id: int, number: int
) -> HttpResponse:
    """Check your answers: everything that will be submitted, each with a link to change it."""
    user = request.user
    accreditation, case_study = selectors.access_case_study(user, accreditation_id, number)
    if case_study is None:
        return redirect("accreditation:case-study-edit", accreditation.pk, number)
    blocked = _editable_or_redirect(request, accreditation, number, case_study)
    if blocked:
        return blocked
    _log_focus_child(request, case_study, f"Case study {number} (check)")
    return _check_page(request, accreditation, number, case_study)


def _check_page(
    request: AuthenticatedHttpRequest,
    accreditation: Accreditation,
    number: int,
    case_study: CaseStudy,
    problem: str = "",
) -> HttpResponse:
    context = _context(accreditation, number, case_study)
    context.update(
        {
            "evidence": selectors.evidence_of(case_study),
            "missing": services.incomplete_parts(case_study),
            "can_submit": request.user.role == Role.SETTING_MANAGER,
            "problem": problem,
            "baseline": services.score_label(case_study.baseline_score),
            "follow_up": services.score_label(case_study.follow_up_score),
            "resubmission": case_study.status == CaseStudyStatus.RETURNED,
        }
    )
    return render(
        request,
        "accreditation/case_studies/check.html",
        context,
        status=409 if problem else 200,
    )


@require_POST
@role_required(Role.SETTING_MANAGER)
def case_study_submit(
    request: AuthenticatedHttpRequest, accreditation_id: int, number: int
) -> HttpResponse:
    user = request.user
    accreditation, case_study = selectors.access_case_study(user, accreditation_id, number)
    if case_study is None:
        raise Http404("This case study has not been started.")
    revision = request.POST.get("revision", "")
    try:
        version = services.do_submit_case_study(
            actor=user,
            case_study=case_study,
            revision=revision_of(revision),
        )
    except StaleWrite as stale:
        return _check_page(request, accreditation, number, case_study, str(stale))
    except ValidationError as error:
        return _check_page(request, accreditation, number, case_study, " ".join(error.messages))
    messages.success(
        request,
        f"Case study {number} submitted"
        + (f" (version {version.number})" if version.number > 1 else "")
        + ". Your evaluator has been emailed.",
    )
    return redirect(_detail_url(accreditation.pk, number))


# --- Evidence -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*policy.CASE_STUDY_WRITERS)
def case_study_evidence_add(
    request: AuthenticatedHttpRequest, accreditation_id: int, number: int
) -> HttpResponse:
    user = request.user
    accreditation, case_study = selectors.access_case_study(user, accreditation_id, number)
    blocked = _editable_or_redirect(request, accreditation, number, case_study)
    if blocked:
        return blocked
    held = case_study.evidence.count() if case_study else 0
    form = CaseStudyEvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_case_study_evidence(
                actor=user,
                accreditation=accreditation,
                number=number,
                checked=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                effective_date=form.cleaned_data["effective_date"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{form.cleaned_data['title']}” has been added.")
            return redirect(_detail_url(accreditation.pk, number) + "#evidence")
    context = _context(accreditation, number, case_study)
    context.update({"form": form, "held": held, "max_evidence": MAX_EVIDENCE_FILES})
    return render(request, "accreditation/case_studies/evidence_add.html", context)


@require_GET
@role_required(*policy.CASE_STUDY_READERS)
def case_study_evidence(
    request: AuthenticatedHttpRequest, accreditation_id: int, number: int, evidence_id: int
) -> FileResponse:
    """The file itself, only to those who may read the case study; always a download."""
    evidence = selectors.access_case_study_evidence(
        request.user, accreditation_id, number, evidence_id
    )
    return private_download(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.CASE_STUDY_WRITERS)
def case_study_evidence_delete(
    request: AuthenticatedHttpRequest, accreditation_id: int, number: int, evidence_id: int
) -> HttpResponse:
    """GET asks for confirmation; POST deletes the file."""
    user = request.user
    evidence = selectors.access_case_study_evidence(user, accreditation_id, number, evidence_id)
    case_study = evidence.case_study
    blocked = _editable_or_redirect(request, case_study.accreditation, number, case_study)
    if blocked:
        return blocked
    if request.method == "POST":
        try:
            services.do_delete_case_study_evidence(actor=user, evidence=evidence)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"“{evidence.title}” has been deleted.")
        return redirect(_detail_url(accreditation_id, number) + "#evidence")
    context = _context(case_study.accreditation, number, case_study)
    context["evidence_item"] = evidence
    return render(request, "accreditation/case_studies/evidence_delete.html", context)


# --- Review and versions ------------------------------------------------------------------------


def _section_items(
    version: CaseStudyVersion, previous: CaseStudyVersion | None
) -> dict[str, dict[str, Any]]:
    """Per section: the text of ``version``, what changed since ``previous``, and the reviews."""
    sections = version.content.get("sections", {})
    before = previous.content.get("sections", {}) if previous else {}
    reviews = {r.section: r for r in version.reviews.all()}
    earlier = {r.section: r for r in previous.reviews.all()} if previous else {}
    items: dict[str, dict[str, Any]] = {}
    for section in SECTIONS:
        text = sections.get(section.key, "")
        old = before.get(section.key, "")
        items[section.key] = {
            "section": section,
            "html": text,
            "changed": previous is not None and old != text,
            "diff": diff(old, text) if previous is not None and old != text else "",
            "review": reviews.get(section.key),
            "previous_review": earlier.get(section.key),
        }
    return items


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER, Role.EVALUATOR)
def case_study_review(
    request: AuthenticatedHttpRequest, accreditation_id: int, number: int
) -> HttpResponse:
    user = request.user
    accreditation, case_study = selectors.access_case_study(user, accreditation_id, number)
    if case_study is None or case_study.status != CaseStudyStatus.SUBMITTED:
        messages.info(request, "This case study is not waiting for a review.")
        return redirect(_detail_url(accreditation.pk, number))
    _log_focus_child(request, case_study, f"Case study {number} (review)")
    versions = selectors.versions_of(case_study)
    version = versions[-1]
    previous = versions[-2] if len(versions) > 1 else None
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_review_case_study(
                actor=user,
                case_study=case_study,
                judgements=form.judgements,
                decision=form.cleaned_data["decision"],
                feedback=form.cleaned_data["feedback"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Case study {number} "
                + (
                    "accepted."
                    if form.cleaned_data["decision"] == "accepted"
                    else "returned with your feedback."
                )
                + " The setting manager has been emailed.",
            )
            return redirect(_detail_url(accreditation.pk, number))
    layout: list[Any] = []
    for section, verdict, comment in form.section_fields:
        layout += [
            HTML(
                '{% include "accreditation/case_studies/_review_section.html" '
                f"with item=review_items.{section.key} %}}"
            ),
            Field.radios(verdict, legend_size=Size.SMALL, inline=True),
            Field.textarea(comment),
        ]
    layout += [
        Field.radios("decision", legend_size=Size.MEDIUM, legend_tag="h2"),
        Field.textarea("feedback"),
    ]
    form.helper.layout = Layout(*layout)
    context = _context(accreditation, number, case_study)
    context.update(
        {
            "form": form,
            "version": version,
            "previous": previous,
            "review_items": _section_items(version, previous),
            "evidence": selectors.evidence_of(case_study),
        }
    )
    return render(request, "accreditation/case_studies/review.html", context)


@require_GET
@role_required(*policy.CASE_STUDY_READERS)
def case_study_version(
    request: AuthenticatedHttpRequest, accreditation_id: int, number: int, version_number: int
) -> HttpResponse:
    user = request.user
    case_study, version, previous = selectors.access_version(
        user, accreditation_id, number, version_number
    )
    _log_focus_child(request, case_study, f"Case study {number} version")
    context = _context(case_study.accreditation, number, case_study)
    context.update(
        {
            "version": version,
            "previous": previous,
            "items": list(_section_items(version, previous).values()),
        }
    )
    return render(request, "accreditation/case_studies/version.html", context)


CASE_STUDY = "accreditations/<int:accreditation_id>/case-studies/<int:number>/"

urlpatterns = [
    path(CASE_STUDY, case_study_detail, name="case-study-detail"),
    path(CASE_STUDY + "edit/", case_study_edit, name="case-study-edit"),
    path(CASE_STUDY + "autosave/", case_study_autosave, name="case-study-autosave"),
    path(CASE_STUDY + "check/", case_study_check, name="case-study-check"),
    path(CASE_STUDY + "submit/", case_study_submit, name="case-study-submit"),
    path(CASE_STUDY + "evidence/add/", case_study_evidence_add, name="case-study-evidence-add"),
    path(
        CASE_STUDY + "evidence/<int:evidence_id>/",
        case_study_evidence,
        name="case-study-evidence",
    ),
    path(
        CASE_STUDY + "evidence/<int:evidence_id>/delete/",
        case_study_evidence_delete,
        name="case-study-evidence-delete",
    ),
    path(CASE_STUDY + "review/", case_study_review, name="case-study-review"),
    path(
        CASE_STUDY + "versions/<int:version_number>/",
        case_study_version,
        name="case-study-version",
    ),
]
