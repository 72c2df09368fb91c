"""Visits, the guided notes of visit, the action list, the notes template and calendar feeds."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings as django_settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits.models import Occasion
from kqm.access import public, role_required
from kqm.http import AuthenticatedHttpRequest, add_service_errors
from kqm.models import Role
from kqm.parsing import revision_of
from kqm.pdf import html_to_pdf

from .. import policy, selectors
from .. import selectors_visits as visit_selectors
from ..calendar import calendar_for
from ..forms.visits import (
    NoteForm,
    RescheduleVisitForm,
    RespondToNoteForm,
    TemplateSectionForm,
    VisitForm,
)
from ..models import NoteOfVisit, NoteStatus, Visit, VisitType
from ..selectors_tasks import start_audit_url
from ..services import visits as services
from ..services.common import StaleWrite
from ..services.visits import NoteConflict, actions_fingerprint

PAGE_SIZE = 25


def _saved_at(when: datetime.datetime) -> str:
    return timezone.localtime(when).strftime("%H:%M:%S")


# --- Visits ------------------------------------------------------------------------------------


@require_GET
@role_required(*policy.VISIT_READERS)
def visit_list(request: AuthenticatedHttpRequest, accreditation_id: int) -> HttpResponse:
    user = request.user
    accreditation = selectors.access_accreditation_by_id(user, accreditation_id)
    visits = visit_selectors.visits_of(accreditation)
    booked = {v.visit_type for v in visits}
    return render(
        request,
        "accreditation/visits/list.html",
        {
            "accreditation": accreditation,
            "visits": visits,
            "can_book": user.role in (Role.MANAGER, Role.EVALUATOR)
            and any(t not in booked for t in VisitType.values),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER, Role.EVALUATOR)
def visit_new(request: AuthenticatedHttpRequest, accreditation_id: int) -> HttpResponse:
    user = request.user
    accreditation = selectors.access_accreditation_by_id(user, accreditation_id)
    booked = {v.visit_type for v in visit_selectors.visits_of(accreditation)}
    available = [t for t in VisitType.values if t not in booked]
    form = VisitForm(request.POST if request.method == "POST" else None, available=available)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.do_schedule_visit(
                actor=user,
                accreditation=accreditation,
                visit_type=form.cleaned_data["visit_type"],
                date=form.cleaned_data["date"],
                start_time=form.cleaned_data["start_time"],
                end_time=form.cleaned_data["end_time"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{visit.get_visit_type_display()} booked for {visit.date:%-d %B %Y}. "
                "The setting manager has been emailed.",
            )
            return redirect(visit)
    return render(
        request,
        "accreditation/visits/form.html",
        {"form": form, "accreditation": accreditation, "available": available},
    )


# The audit each audit visit carries out, started from the visit for its accreditation.
AUDIT_VISITS: dict[str, str] = {
    VisitType.INITIAL_AUDIT: Occasion.INITIAL,
    VisitType.END_OF_YEAR_AUDIT: Occasion.END_OF_YEAR,
    VisitType.REACCREDITATION: Occasion.REACCREDITATION,
}


@require_GET
@role_required(*policy.VISIT_READERS)
def visit_detail(request: AuthenticatedHttpRequest, visit_id: int) -> HttpResponse:
    user = request.user
    visit = visit_selectors.access_visit_by_id(user, visit_id)
    note = NoteOfVisit.objects.filter(visit=visit).first()
    return render(
        request,
        "accreditation/visits/detail.html",
        {
            "visit": visit,
            "accreditation": visit.accreditation,
            "note": note,
            "note_visible": note is not None
            and (
                user.role in (Role.MANAGER, Role.EVALUATOR)
                or (user.role == Role.SETTING_MANAGER and note.status != NoteStatus.DRAFT)
            ),
            "can_write": user.role in (Role.MANAGER, Role.EVALUATOR)
            and not visit.accreditation.is_closed,
            "reschedules": visit_selectors.reschedules(visit),
            "start_audit_url": start_audit_url(visit.accreditation, AUDIT_VISITS[visit.visit_type])
            if visit.visit_type in AUDIT_VISITS
            and user.role in (Role.MANAGER, Role.EVALUATOR)
            and not visit.accreditation.is_closed
            else "",
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER, Role.EVALUATOR)
def visit_reschedule(request: AuthenticatedHttpRequest, visit_id: int) -> HttpResponse:
    user = request.user
    visit = visit_selectors.access_visit_by_id(user, visit_id)
    initial = {"date": visit.date, "start_time": visit.start_time, "end_time": visit.end_time}
    form = RescheduleVisitForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.do_reschedule_visit(
                actor=user,
                visit=visit,
                date=form.cleaned_data["date"],
                start_time=form.cleaned_data["start_time"],
                end_time=form.cleaned_data["end_time"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"The visit has moved to {visit.date:%-d %B %Y}. The setting manager has "
                "been emailed.",
            )
            return redirect(visit)
    return render(
        request,
        "accreditation/visits/reschedule.html",
        {"form": form, "visit": visit, "accreditation": visit.accreditation},
    )


# --- Notes of visit ----------------------------------------------------------------------------


def _note_or_404(request: AuthenticatedHttpRequest, visit_id: int) -> tuple[Visit, NoteOfVisit]:
    visit, note = visit_selectors.access_note_by_visit_id(request.user, visit_id)
    if note is None:
        raise Http404("No note of visit has been started for this visit.")
    return visit, note


@require_GET
@role_required(Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER)
def note_detail(request: AuthenticatedHttpRequest, visit_id: int) -> HttpResponse:
    user = request.user
    visit, note = _note_or_404(request, visit_id)
    return render(
        request,
        "accreditation/visits/note_detail.html",
        {
            "visit": visit,
            "accreditation": visit.accreditation,
            "note": note,
            "sections": visit_selectors.note_sections(note),
            "actions": visit_selectors.note_actions(note),
            "comments": visit_selectors.note_comments(note),
            "can_edit": user.role in (Role.MANAGER, Role.EVALUATOR)
            and note.status == NoteStatus.DRAFT,
            "can_respond": user.role == Role.SETTING_MANAGER and note.status == NoteStatus.SHARED,
        },
    )


@require_POST
@role_required(Role.MANAGER, Role.EVALUATOR)
def note_start(request: AuthenticatedHttpRequest, visit_id: int) -> HttpResponse:
    user = request.user
    visit = visit_selectors.access_visit_by_id(user, visit_id)
    try:
        services.do_start_note(actor=user, visit=visit)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(visit)
    return redirect("accreditation:note-edit", visit_id=visit.pk)


def _note_form(note: NoteOfVisit, data: Any = None) -> NoteForm:
    return NoteForm(
        data,
        sections=visit_selectors.note_sections(note),
        actions=visit_selectors.note_actions(note),
        initial={"revision": note.revision},
    )


def _save_note_form(
    request: AuthenticatedHttpRequest,
    note: NoteOfVisit,
    form: NoteForm,
    *,
    valid_parts: bool = False,
) -> NoteOfVisit:
    """Save, checking for conflicts section by section (and the actions as one unit).

    ``valid_parts``: store what is valid of a form with problems (the autosave).
    """
    bases = {key[5:]: str(value) for key, value in request.POST.items() if key.startswith("base:")}
    return services.do_save_note(
        actor=request.user,
        note=note,
        revision=form.cleaned_data["revision"],
        sections=form.valid_section_texts if valid_parts else form.section_texts,
        actions=form.valid_action_rows if valid_parts else form.action_rows,
        seen=form.seen(bases),
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER, Role.EVALUATOR)
def note_edit(request: AuthenticatedHttpRequest, visit_id: int) -> HttpResponse:
    """The guided form. Without JavaScript “Save draft” saves; with it, it also autosaves."""
    visit, note = _note_or_404(request, visit_id)
    if note.status != NoteStatus.DRAFT:
        messages.info(request, "This note has been shared with the setting, so it is read-only.")
        return redirect(note)
    form = _note_form(note, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            note = _save_note_form(request, note, form)
        except NoteConflict as conflict:
            form.show_conflict(conflict)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.POST.get("next") == "share":
                return redirect("accreditation:note-share", visit_id=visit.pk)
            messages.success(request, f"Draft saved at {_saved_at(note.saved_at)}.")
            return redirect("accreditation:note-edit", visit_id=visit.pk)
    return render(
        request,
        "accreditation/visits/note_form.html",
        {
            "form": form,
            "visit": visit,
            "accreditation": visit.accreditation,
            "note": note,
            "comments": visit_selectors.note_comments(note),
        },
        status=status,
    )


@require_POST
@role_required(Role.MANAGER, Role.EVALUATOR)
def note_autosave(request: AuthenticatedHttpRequest, visit_id: int) -> JsonResponse:
    """The JSON twin of “Save draft”: 200 saved, 409 a newer version exists, 400 not valid."""
    _, note = _note_or_404(request, visit_id)
    if note.status != NoteStatus.DRAFT:
        return JsonResponse(
            {"saved": False, "message": "Not saved: this note has been shared with the setting."},
            status=409,
        )
    form = _note_form(note, request.POST)
    if not form.is_valid() and "revision" in form.errors:
        return JsonResponse(
            {
                "saved": False,
                "message": f"Not saved automatically yet: {form.first_error()}.".replace("..", "."),
            },
            status=400,
        )
    # Everything valid is stored; each invalid field is named, to be marked beside it.
    problems = form.problems()
    try:
        note = _save_note_form(request, note, form, valid_parts=True)
    except NoteConflict as conflict:
        fields = {
            f"section_{pk}": {"value": theirs.value, "text": theirs.value, "by": theirs.by}
            for pk, theirs in conflict.sections.items()
        }
        if conflict.actions is not None:
            fields["action_1"] = {
                "value": conflict.actions.value,
                "text": conflict.actions.value,
                "by": conflict.actions.by,
            }
        return JsonResponse(
            {
                "saved": False,
                "conflict": True,
                "message": str(conflict),
                "fields": fields,
                "set": {"seen_actions": conflict.actions_seen} if conflict.actions else {},
            },
            status=409,
        )
    except ValidationError as error:
        return JsonResponse({"saved": False, "message": " ".join(error.messages)}, status=409)
    # The page now shows the stored actions, unless they were someone else's (kept) or a
    # typed row is incomplete (not stored yet).
    rows = form.valid_action_rows
    typed = actions_fingerprint(rows) if rows is not None else None
    stored = actions_fingerprint(visit_selectors.note_actions(note))
    return JsonResponse(
        {
            "saved": True,
            "revision": note.revision,
            "saved_at": _saved_at(note.saved_at),
            "set": {"seen_actions": typed} if typed == stored else {},
            "problems": problems,
        }
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER, Role.EVALUATOR)
def note_share(request: AuthenticatedHttpRequest, visit_id: int) -> HttpResponse:
    """GET shows the note as the setting will see it; POST shares it."""
    visit, note = _note_or_404(request, visit_id)
    if note.status != NoteStatus.DRAFT:
        return redirect(note)
    problem = ""
    if request.method == "POST":
        revision = request.POST.get("revision", "")
        try:
            services.do_share_note(
                actor=request.user,
                note=note,
                revision=revision_of(revision),
            )
        except (StaleWrite, ValidationError) as error:
            problem = str(error) if isinstance(error, StaleWrite) else " ".join(error.messages)
        else:
            messages.success(
                request, "The note has been shared. The setting manager has been emailed."
            )
            return redirect(note)
    return render(
        request,
        "accreditation/visits/note_share.html",
        {
            "visit": visit,
            "accreditation": visit.accreditation,
            "note": note,
            "sections": visit_selectors.note_sections(note),
            "actions": visit_selectors.note_actions(note),
            "problem": problem,
        },
        status=400 if problem else 200,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SETTING_MANAGER)
def note_respond(request: AuthenticatedHttpRequest, visit_id: int) -> HttpResponse:
    visit, note = _note_or_404(request, visit_id)
    if note.status != NoteStatus.SHARED:
        messages.info(request, "This note is not waiting for your agreement.")
        return redirect(note)
    form = RespondToNoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        agree = form.cleaned_data["decision"] == "agree"
        try:
            services.do_respond_to_note(
                actor=request.user, note=note, agree=agree, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if agree:
                messages.success(
                    request,
                    "You have agreed the note of visit. Its actions are on your action list.",
                )
                return redirect(note)
            # The note goes back to the evaluator as a draft, which the setting does not
            # see: confirm on the visit's page, which the setting manager can open.
            evaluator = visit.accreditation.evaluator
            who = evaluator.full_name if evaluator else "the evaluator"
            messages.success(
                request,
                f"Your comment has been sent to {who}. The note of visit is back with them "
                "to change, and you will be emailed when it is shared with you again.",
            )
            return redirect(visit)
    return render(
        request,
        "accreditation/visits/note_respond.html",
        {
            "form": form,
            "visit": visit,
            "accreditation": visit.accreditation,
            "note": note,
            "sections": visit_selectors.note_sections(note),
            "actions": visit_selectors.note_actions(note),
        },
    )


@require_GET
@role_required(Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER)
def note_pdf(request: AuthenticatedHttpRequest, visit_id: int) -> HttpResponse:
    visit, note = _note_or_404(request, visit_id)
    html = render_to_string(
        "accreditation/visits/note_pdf.html",
        {
            "visit": visit,
            "accreditation": visit.accreditation,
            "note": note,
            "sections": visit_selectors.note_sections(note),
            "actions": visit_selectors.note_actions(note),
            "comments": visit_selectors.note_comments(note),
            "printed_at": timezone.now(),
            "scheme": django_settings.KQM_SCHEME_NAME,
        },
    )
    pdf = html_to_pdf(html)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"note-of-visit-{visit.accreditation.setting.urn}-{visit.date:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- The action list ------------------------------------------------------------------------------


@require_GET
@role_required(*policy.VISIT_READERS)
def action_list(request: AuthenticatedHttpRequest, accreditation_id: int) -> HttpResponse:
    user = request.user
    accreditation = selectors.access_accreditation_by_id(user, accreditation_id)
    state = request.GET.get("state", "")
    actions = visit_selectors.action_list(accreditation, state=state)
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accreditation/visits/actions.html",
        {
            "accreditation": accreditation,
            "page_obj": page,
            "state": state,
            "today": timezone.localdate(),
            "can_close": user.role in (Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER),
        },
    )


@require_POST
@role_required(Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER)
def action_set_closed(
    request: AuthenticatedHttpRequest, action_id: int, closed: bool
) -> HttpResponse:
    action = visit_selectors.access_action_by_id(request.user, action_id)
    services.do_set_action_closed(actor=request.user, action=action, closed=closed)
    messages.success(request, "Action marked as done." if closed else "Action reopened.")
    return redirect("accreditation:action-list", accreditation_id=action.accreditation_id)


# --- The notes template (KQM manager) -----------------------------------------------------------


@require_GET
@role_required(Role.MANAGER)
def note_template(request: HttpRequest) -> HttpResponse:
    template = visit_selectors.current_note_template()
    return render(
        request,
        "accreditation/visits/template.html",
        {
            "template": template,
            "sections": visit_selectors.template_sections(template) if template else [],
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def note_template_section(
    request: AuthenticatedHttpRequest, section_id: int | None = None
) -> HttpResponse:
    user = request.user
    section = (
        visit_selectors.access_template_section_by_id(user, section_id) if section_id else None
    )
    initial = {"title": section.title, "prompt": section.prompt} if section else None
    form = TemplateSectionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_save_template_section(
                actor=user,
                section=section,
                title=form.cleaned_data["title"],
                prompt=form.cleaned_data["prompt"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Section saved. New notes of visit will use it.")
            return redirect("accreditation:note-template")
    return render(
        request, "accreditation/visits/template_section.html", {"form": form, "section": section}
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def note_template_section_delete(
    request: AuthenticatedHttpRequest, section_id: int
) -> HttpResponse:
    user = request.user
    section = visit_selectors.access_template_section_by_id(user, section_id)
    if request.method == "POST":
        try:
            services.do_delete_template_section(actor=user, section=section)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Section “{section.title}” deleted.")
        return redirect("accreditation:note-template")
    return render(
        request, "accreditation/visits/template_section_delete.html", {"section": section}
    )


@require_POST
@role_required(Role.MANAGER)
def note_template_section_move(request: AuthenticatedHttpRequest, section_id: int) -> HttpResponse:
    user = request.user
    section = visit_selectors.access_template_section_by_id(user, section_id)
    services.do_move_template_section(
        actor=user, section=section, up=request.POST.get("direction") != "down"
    )
    return redirect("accreditation:note-template")


# --- Calendar feeds ----------------------------------------------------------------------------


@require_GET
@role_required(Role.EVALUATOR)
def calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    feed = visit_selectors.feed_of(request.user)
    url = (
        request.build_absolute_uri(reverse("accreditation:calendar-feed", args=[feed.token]))
        if feed
        else ""
    )
    return render(request, "accreditation/visits/calendar.html", {"feed": feed, "feed_url": url})


@require_http_methods(["GET", "POST"])
@role_required(Role.EVALUATOR)
def calendar_regenerate(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET asks for confirmation when a feed exists; POST makes a new private address."""
    feed = visit_selectors.feed_of(request.user)
    if request.method == "POST":
        services.do_regenerate_calendar_feed(actor=request.user)
        messages.success(
            request,
            "Your calendar has a new address. Add it to your calendar app"
            + ("; the old address no longer works." if feed else "."),
        )
        return redirect("accreditation:calendar")
    return render(request, "accreditation/visits/calendar_regenerate.html", {"feed": feed})


@public
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """An evaluator's visits as iCalendar. The unguessable token is the only key, so the
    feed shows no more than a calendar needs: visit type, setting, address and times."""
    found = visit_selectors.visits_for_feed(token)
    if found is None:
        raise Http404("No calendar at this address.")
    evaluator, visits = found
    response = HttpResponse(
        calendar_for(evaluator, visits, site_url=django_settings.SITE_URL),
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("accreditations/<int:accreditation_id>/visits/", visit_list, name="visit-list"),
    path("accreditations/<int:accreditation_id>/visits/new/", visit_new, name="visit-new"),
    path("visits/<int:visit_id>/", visit_detail, name="visit-detail"),
    path("visits/<int:visit_id>/reschedule/", visit_reschedule, name="visit-reschedule"),
    path("visits/<int:visit_id>/note/", note_detail, name="note-detail"),
    path("visits/<int:visit_id>/note/start/", note_start, name="note-start"),
    path("visits/<int:visit_id>/note/edit/", note_edit, name="note-edit"),
    path("visits/<int:visit_id>/note/autosave/", note_autosave, name="note-autosave"),
    path("visits/<int:visit_id>/note/share/", note_share, name="note-share"),
    path("visits/<int:visit_id>/note/respond/", note_respond, name="note-respond"),
    path("visits/<int:visit_id>/note/pdf/", note_pdf, name="note-pdf"),
    path("accreditations/<int:accreditation_id>/actions/", action_list, name="action-list"),
    path(
        "actions/<int:action_id>/done/",
        action_set_closed,
        {"closed": True},
        name="action-close",
    ),
    path(
        "actions/<int:action_id>/reopen/",
        action_set_closed,
        {"closed": False},
        name="action-reopen",
    ),
    path("notes-of-visit/", note_template, name="note-template"),
    path("notes-of-visit/sections/new/", note_template_section, name="note-template-section-new"),
    path(
        "notes-of-visit/sections/<int:section_id>/",
        note_template_section,
        name="note-template-section-edit",
    ),
    path(
        "notes-of-visit/sections/<int:section_id>/delete/",
        note_template_section_delete,
        name="note-template-section-delete",
    ),
    path(
        "notes-of-visit/sections/<int:section_id>/move/",
        note_template_section_move,
        name="note-template-section-move",
    ),
    path("calendar/", calendar, name="calendar"),
    path("calendar/new-address/", calendar_regenerate, name="calendar-regenerate"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar-feed"),
]
