"""Leuven screenings: groups and pseudonymous children, screenings and scores, action
points, moderation and exports. Reports live in ``leuven_reports``.

Who may do what (``role_required`` on each view; objects come through user-scoped
helpers, so another setting's object is a 404):

- setting manager: everything for their own settings, and the only one who keeps the
  roster (groups, children, leaving) and exports a child's data;
- practitioner: screenings, scores, uploads and action points of their own settings;
- evaluator assigned to the setting: reads every page and moderates;
- KQM manager: figures, and a screening and its moderation read-only;
- viewer: none of these pages.

Every page showing child-level rows records the view in ``ChildDataAccess``.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings as django_settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest, add_service_errors
from kqm.models import Role, User
from kqm.parsing import parse_id, parse_int, required

from .. import leuven_csv, policy
from ..leuven_forms import (
    SCORE_CHOICES,
    ActionPointForm,
    ActionPointUpdateForm,
    AddChildrenForm,
    ChildForm,
    GroupForm,
    LeaveForm,
    ModerationDateForm,
    ModerationForm,
    ScoresForm,
    ScreeningForm,
    UploadForm,
)
from ..models import AREAS, LEUVEN_LABELS, Screening, Zone, zone_for
from ..selectors import leuven as selectors
from ..services import leuven as services
from . import leuven_reports
from .leuven_common import PAGE_SIZE, log_child_data, programme_year

ZONE_LABELS = {str(value): str(label) for value, label in Zone.choices}
_year = programme_year


# --- Settings -------------------------------------------------------------------------------


@require_GET
@role_required(*policy.LEUVEN_READERS)
def leuven_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The settings whose screenings the user may open, with this year's figures."""
    search = request.GET.get("q", "").strip()
    year = _year(request)
    sort = request.GET.get("sort", "name")
    sort = sort if sort in selectors.SETTING_SORTS else "name"
    settings = selectors.leuven_setting_list(request.user, year=year, search=search, sort=sort)
    page = Paginator(settings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audits/leuven/home.html",
        {
            "page_obj": page,
            "q": search,
            "year": year,
            "sort": sort,
            "sorts": selectors.SETTING_SORT_LABELS,
        },
    )


@require_GET
@role_required(*policy.LEUVEN_READERS)
def setting_overview(request: AuthenticatedHttpRequest, setting_id: int) -> HttpResponse:
    """A setting's groups in one programme year, with each term's screening. No child rows."""
    setting = selectors.access_leuven_setting_by_id(request.user, setting_id)
    current = selectors.current_programme_year()
    year = _year(request)
    groups = selectors.year_groups(setting, year)
    for group in groups:
        by_term = {s.term: s for s in group.screenings.all()}
        group.term_screenings = [  # type: ignore[attr-defined]
            (term, label, by_term.get(term)) for term, label in selectors.TERM_CHOICES
        ]
    return render(
        request,
        "audits/leuven/setting.html",
        {
            "setting": setting,
            "year": year,
            "years": selectors.setting_programme_years(setting, also=current),
            "groups": groups,
            "can_edit": policy.scores(request.user),
            "is_setting_manager": request.user.role in policy.GROUP_KEEPERS,
            "sees_children": policy.sees_children(request.user),
            "reads_access_log": request.user.role in policy.ACCESS_LOG_READERS,
        },
    )


# --- Groups ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*policy.GROUP_KEEPERS)
def group_new(request: AuthenticatedHttpRequest, setting_id: int) -> HttpResponse:
    setting = selectors.access_leuven_setting_by_id(request.user, setting_id)
    form = GroupForm(
        request.POST if request.method == "POST" else None,
        initial={"programme_year": _year(request)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            group = services.do_save_group(actor=request.user, setting=setting, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{group.name} added. Now add its children.")
            return redirect("audits:group-detail", group_id=group.pk)
    return render(request, "audits/leuven/group_form.html", {"form": form, "setting": setting})


@require_http_methods(["GET", "POST"])
@role_required(*policy.GROUP_KEEPERS)
def group_edit(request: AuthenticatedHttpRequest, group_id: int) -> HttpResponse:
    group = selectors.access_group_by_id(request.user, group_id)
    form = GroupForm(
        request.POST if request.method == "POST" else None,
        initial={
            "name": group.name,
            "programme_year": group.programme_year,
            "age_range": group.age_range,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_save_group(
                actor=request.user, setting=group.setting, group=group, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{group.name} saved.")
            return redirect("audits:group-detail", group_id=group.pk)
    return render(
        request,
        "audits/leuven/group_form.html",
        {"form": form, "setting": group.setting, "group": group},
    )


@require_GET
@role_required(*policy.CHILD_LEVEL_READERS)
def group_detail(request: AuthenticatedHttpRequest, group_id: int) -> HttpResponse:
    """The group's children (codes and flags) and its screenings: child-level, logged."""
    group = selectors.access_group_by_id(request.user, group_id)
    children, left = selectors.group_children(group)
    screenings = selectors.group_screenings(group)
    taken = {s.term for s in screenings}
    log_child_data(request, group.setting, f"Group: {group}")
    return render(
        request,
        "audits/leuven/group.html",
        {
            "group": group,
            "setting": group.setting,
            "children": children,
            "left": left,
            "screenings": screenings,
            "terms_left": [label for term, label in selectors.TERM_CHOICES if term not in taken],
            "can_edit": policy.scores(request.user),
            "is_setting_manager": request.user.role in policy.GROUP_KEEPERS,
        },
    )


# --- Children -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*policy.GROUP_KEEPERS)
def child_new(request: AuthenticatedHttpRequest, group_id: int) -> HttpResponse:
    group = selectors.access_group_by_id(request.user, group_id)
    form = AddChildrenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            children = services.do_add_children(
                actor=request.user, group=group, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            codes = ", ".join(child.code for child in children)
            count = len(children)
            messages.success(
                request,
                f"{count} {'child' if count == 1 else 'children'} added to {group.name}: {codes}.",
            )
            return redirect("audits:group-detail", group_id=group.pk)
    return render(
        request,
        "audits/leuven/child_new.html",
        {"form": form, "group": group, "setting": group.setting},
    )


@require_GET
@role_required(*policy.CHILD_LEVEL_READERS)
def child_detail(request: AuthenticatedHttpRequest, child_id: int) -> HttpResponse:
    child = selectors.access_child_by_id(request.user, child_id)
    record = selectors.child_record(child)
    log_child_data(request, child.setting, f"Child: {child.code}")
    return render(
        request,
        "audits/leuven/child.html",
        {
            "child": child,
            "record": record,
            "areas": AREAS,
            "setting": child.setting,
            "is_setting_manager": request.user.role in policy.GROUP_KEEPERS,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.GROUP_KEEPERS)
def child_edit(request: AuthenticatedHttpRequest, child_id: int) -> HttpResponse:
    child = selectors.access_child_by_id(request.user, child_id)
    form = ChildForm(
        request.POST if request.method == "POST" else None,
        groups=selectors.setting_groups(child.setting),
        initial=ChildForm.initial_for(child),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_child(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{child.code} saved.")
            return redirect("audits:child-detail", child_id=child.pk)
    log_child_data(request, child.setting, f"Change child: {child.code}")
    return render(
        request,
        "audits/leuven/child_form.html",
        {"form": form, "child": child, "setting": child.setting},
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.GROUP_KEEPERS)
def child_leave(request: AuthenticatedHttpRequest, child_id: int) -> HttpResponse:
    """Ask when the child left, then archive them (kept until the retention rule)."""
    child = selectors.access_child_by_id(request.user, child_id)
    form = LeaveForm(
        request.POST if request.method == "POST" else None,
        initial={"left_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_archive_child(
                actor=request.user, child=child, left_on=form.cleaned_data["left_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{child.code} has left and is archived.")
            if child.group_id:
                return redirect("audits:group-detail", group_id=child.group_id)
            return redirect("audits:child-detail", child_id=child.pk)
    log_child_data(request, child.setting, f"Child leaving: {child.code}")
    return render(
        request,
        "audits/leuven/child_leave.html",
        {
            "form": form,
            "child": child,
            "setting": child.setting,
            "retention_years": django_settings.CHILD_RETENTION_YEARS,
        },
    )


@require_GET
@role_required(*policy.GROUP_KEEPERS)
def child_export(request: AuthenticatedHttpRequest, child_id: int) -> HttpResponse:
    """Everything held about one child as CSV, for a subject access request."""
    child = selectors.access_child_by_id(request.user, child_id)
    record = selectors.child_record(child)
    log_child_data(request, child.setting, f"Subject access export: {child.code}")
    response = HttpResponse(leuven_csv.child_record_csv(record), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="child-{child.code}.csv"'
    return response


# --- Screenings -------------------------------------------------------------------------------


def _screening_form(
    request: AuthenticatedHttpRequest, group: Any, screening: Screening | None
) -> ScreeningForm:
    initial: dict[str, Any] = {}
    if screening is not None:
        initial = {
            "term": screening.term,
            "date": screening.date,
            "practitioners": list(screening.practitioners.all()),
        }
    else:
        initial = {"term": request.GET.get("term", "")}
        if request.user.role == Role.PRACTITIONER:  # the practitioner is scoring
            initial["practitioners"] = [request.user]
    return ScreeningForm(
        request.POST if request.method == "POST" else None,
        group=group,
        staff=User.objects.filter(
            settings=group.setting, role__in=policy.SCORERS, is_active=True
        ).order_by("full_name", "email"),
        initial=initial,
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.SCORERS)
def screening_new(request: AuthenticatedHttpRequest, group_id: int) -> HttpResponse:
    group = selectors.access_group_by_id(request.user, group_id)
    form = _screening_form(request, group, None)
    if request.method == "POST" and form.is_valid():
        try:
            screening = services.do_save_screening(
                actor=request.user, group=group, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{screening.get_term_display()} screening of {group.name} added."
            )
            return redirect("audits:screening-scores", screening_id=screening.pk)
    return render(
        request,
        "audits/leuven/screening_form.html",
        {"form": form, "group": group, "setting": group.setting},
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.SCORERS)
def screening_edit(request: AuthenticatedHttpRequest, screening_id: int) -> HttpResponse:
    screening = selectors.access_screening_by_id(request.user, screening_id)
    group = screening.group
    form = _screening_form(request, group, screening)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_save_screening(
                actor=request.user, group=group, screening=screening, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Screening saved.")
            return redirect("audits:screening-detail", screening_id=screening.pk)
    return render(
        request,
        "audits/leuven/screening_form.html",
        {"form": form, "group": group, "setting": group.setting, "screening": screening},
    )


@require_GET
@role_required(*policy.LEUVEN_READERS)
def screening_detail(request: AuthenticatedHttpRequest, screening_id: int) -> HttpResponse:
    """Red and amber children first, with their action points; then everyone else."""
    screening = selectors.access_screening_by_id(request.user, screening_id)
    rows = selectors.rows_by_zone(selectors.screening_rows(screening))
    moderation = selectors.screening_agreement(selectors.moderation_rows(screening))
    log_child_data(request, screening.group.setting, f"Screening: {screening}")
    return render(
        request,
        "audits/leuven/screening.html",
        {
            "screening": screening,
            "group": screening.group,
            "setting": screening.group.setting,
            "practitioners": list(screening.practitioners.all()),
            "needing_action": [row for row in rows if row.needs_action],
            "green": [row for row in rows if row.zone == Zone.GREEN],
            "not_scored": [row for row in rows if row.zone is None],
            "total": len(rows),
            "agreement": moderation,
            "can_edit": policy.scores(request.user),
            "sees_children": policy.sees_children(request.user),
        },
    )


def _score_rows(form: ScoresForm, scores: dict[int, Any]) -> list[dict[str, Any]]:
    """What the table shows per child: the typed values after a failed save, else the saved."""
    rows = []
    for child in form.children:
        score = scores.get(child.pk)
        if form.is_bound:
            wellbeing = form.data.get(f"wellbeing-{child.pk}", "")
            involvement = form.data.get(f"involvement-{child.pk}", "")
        else:
            wellbeing = str(score.wellbeing or "") if score else ""
            involvement = str(score.involvement or "") if score else ""
        zone = score.zone if score and not form.is_bound else None
        well = parse_int(wellbeing, minimum=1, maximum=5)
        involved = parse_int(involvement, minimum=1, maximum=5)
        if form.is_bound and well is not None and involved is not None:
            zone = zone_for(well, involved)
        rows.append(
            {
                "child": child,
                "wellbeing": wellbeing,
                "involvement": involvement,
                "zone": zone,
                "zone_label": ZONE_LABELS.get(str(zone), "") if zone else "",
            }
        )
    return rows


def _table_errors(form: ScoresForm) -> list[tuple[str, str]]:
    """(message, id of the input to jump to) for the error summary above the table."""
    errors = []
    for name, messages_ in form.errors.items():
        anchor = f"{name}-none" if name.startswith(("wellbeing-", "involvement-")) else ""
        for message in messages_:
            if name == "revision":
                message = "This page is out of date: reload it and enter your scores again"
            errors.append((str(message), anchor))
    return errors


@require_http_methods(["GET", "POST"])
@role_required(*policy.SCORERS)
def screening_scores(request: AuthenticatedHttpRequest, screening_id: int) -> HttpResponse:
    """Enter the whole room on one page: one row per child, one form, a Save button.

    With JavaScript each change is also saved as it is made (``screening_autosave``).
    """
    screening = selectors.access_screening_by_id(request.user, screening_id)
    children = list(selectors.screening_children(screening))
    form = ScoresForm(request.POST if request.method == "POST" else None, children=children)
    revision = screening.revision
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.do_save_scores(
                actor=request.user,
                screening=screening,
                children=children,
                scores=form.scores(),
                revision=form.cleaned_data["revision"],
            )
        except services.StaleScreening as stale:
            revision = stale.current_revision
            form.add_error(
                None,
                "Someone else saved scores for this screening after you opened this page "
                f"(it is now at revision {stale.current_revision}; your page was at revision "
                f"{stale.page_revision}), so nothing was saved. The table still shows what you "
                "entered: save again to keep your scores, or reload the page to see theirs.",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Scores saved: {changed} {'child' if changed == 1 else 'children'} changed.",
            )
            return redirect("audits:screening-detail", screening_id=screening.pk)
    scores = {s.child_id: s for s in screening.scores.all()}
    log_child_data(request, screening.group.setting, f"Enter scores: {screening}")
    return render(
        request,
        "audits/leuven/scores.html",
        {
            "screening": screening,
            "group": screening.group,
            "setting": screening.group.setting,
            "form": form,
            "rows": _score_rows(form, scores),
            "errors": _table_errors(form),
            "revision": revision,
            "choices": [(value, label, value or "–") for value, label in SCORE_CHOICES],
            "labels": LEUVEN_LABELS,
            "scored": sum(1 for s in scores.values() if s.zone is not None),
        },
    )


def _json_error(message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


@require_POST
@role_required(*policy.SCORERS)
def screening_autosave(request: AuthenticatedHttpRequest, screening_id: int) -> JsonResponse:
    """Save one change from the scores page: JSON in (child, scale, value, revision), JSON out.

    409 when the page's revision is out of date, with a message saying what to do.
    """
    screening = selectors.access_screening_by_id(request.user, screening_id)
    try:
        body = json.loads(request.body)
        child_id = required(parse_id(body["child"]))
        scale = str(body["scale"])
        raw = body.get("value")
        value = None if raw in (None, "") else required(parse_int(raw, minimum=-99, maximum=99))
        revision = required(parse_int(body["revision"], minimum=0))
        # What the page showed for this child and scale: the conflict check is per unit.
        check_base = "base" in body
        base = (
            None
            if body.get("base") in (None, "")
            else required(parse_int(body["base"], minimum=-99, maximum=99))
        )
    except (ValueError, TypeError, KeyError):
        return _json_error("The change could not be read. Reload the page and try again.", 400)
    child = selectors.screening_children(screening).filter(pk=child_id).first()
    if child is None:
        return _json_error("This child is not on this screening.", 400)
    try:
        saved = services.do_save_score(
            actor=request.user,
            screening=screening,
            child=child,
            scale=scale,
            value=value,
            revision=revision,
            base=base,
            check_base=check_base,
        )
    except services.StaleScreening as stale:
        return _json_error(str(stale), 409, revision=stale.current_revision)
    except services.ScoreConflict as conflict:
        return _json_error(
            str(conflict),
            409,
            theirs="" if conflict.theirs is None else str(conflict.theirs),
            by=conflict.by,
        )
    except ValidationError as error:
        return _json_error(" ".join(error.messages), 400)
    return JsonResponse(
        {
            "revision": saved.revision,
            "saved_at": timezone.localtime(saved.saved_at).strftime("%H:%M"),
            "child": child.code,
            "zone": saved.zone or "",
            "zone_label": ZONE_LABELS.get(str(saved.zone), "") if saved.zone else "",
        }
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.SCORERS)
def screening_upload(request: AuthenticatedHttpRequest, screening_id: int) -> HttpResponse:
    """Paste or upload a whole screening by child code. Any row error: nothing is saved."""
    screening = selectors.access_screening_by_id(request.user, screening_id)
    children = list(selectors.screening_children(screening))
    by_code = {child.code: child for child in children}
    form = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        known_codes=by_code,
        group_name=screening.group.name,
    )
    if request.method == "POST" and form.is_valid():
        parsed: dict[str, tuple[int | None, int | None]] = form.cleaned_data["parsed"]
        try:
            changed = services.do_save_scores(
                actor=request.user,
                screening=screening,
                children=children,
                scores={by_code[code].pk: scores for code, scores in parsed.items()},
                revision=None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{len(parsed)} rows uploaded: {changed} "
                f"{'child' if changed == 1 else 'children'} changed.",
            )
            return redirect("audits:screening-detail", screening_id=screening.pk)
    return render(
        request,
        "audits/leuven/upload.html",
        {
            "form": form,
            "screening": screening,
            "group": screening.group,
            "setting": screening.group.setting,
        },
    )


@require_GET
@role_required(*policy.CHILD_LEVEL_READERS)
def screening_export(request: AuthenticatedHttpRequest, screening_id: int) -> HttpResponse:
    screening = selectors.access_screening_by_id(request.user, screening_id)
    rows = selectors.screening_rows(screening)
    log_child_data(request, screening.group.setting, f"Screening CSV: {screening}")
    response = HttpResponse(leuven_csv.screening_csv(rows), content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="{leuven_csv.screening_filename(screening)}"'
    )
    return response


# --- Action points ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*policy.SCORERS)
def action_new(request: AuthenticatedHttpRequest, score_id: int) -> HttpResponse:
    score = selectors.access_score_by_id(request.user, score_id)
    screening = score.screening
    form = ActionPointForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_action_point(actor=request.user, score=score, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Action point for {score.child.code} added.")
            return redirect("audits:screening-detail", screening_id=screening.pk)
    log_child_data(request, screening.group.setting, f"Add action point: {score.child.code}")
    return render(
        request,
        "audits/leuven/action_form.html",
        {
            "form": form,
            "score": score,
            "screening": screening,
            "group": screening.group,
            "setting": screening.group.setting,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.SCORERS)
def action_edit(request: AuthenticatedHttpRequest, action_id: int) -> HttpResponse:
    """Change an action point, record its follow-up outcome and close it."""
    point = selectors.access_action_point_by_id(request.user, action_id)
    score = point.score
    screening = score.screening
    form = ActionPointUpdateForm(
        request.POST if request.method == "POST" else None,
        initial={
            "action": point.action,
            "owner": point.owner,
            "due_on": point.due_on,
            "follow_up": point.follow_up,
            "closed": point.closed_on is not None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_action_point(actor=request.user, point=point, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            state = "closed" if point.closed_on else "saved"
            messages.success(request, f"Action point for {score.child.code} {state}.")
            return redirect("audits:screening-detail", screening_id=screening.pk)
    log_child_data(request, screening.group.setting, f"Action point: {score.child.code}")
    return render(
        request,
        "audits/leuven/action_form.html",
        {
            "form": form,
            "point": point,
            "score": score,
            "screening": screening,
            "group": screening.group,
            "setting": screening.group.setting,
        },
    )


# --- Moderation -----------------------------------------------------------------------------------


@require_GET
@role_required(*policy.LEUVEN_READERS)
def moderation(request: AuthenticatedHttpRequest, screening_id: int) -> HttpResponse:
    """The evaluator's re-scores beside the setting's, and the agreement per scale."""
    screening = selectors.access_screening_by_id(request.user, screening_id)
    rows = selectors.moderation_rows(screening)
    agreement = selectors.screening_agreement(rows)
    log_child_data(request, screening.group.setting, f"Moderation: {screening}")
    return render(
        request,
        "audits/leuven/moderation.html",
        {
            "screening": screening,
            "group": screening.group,
            "setting": screening.group.setting,
            "sampled": [row for row in rows if row.moderation is not None],
            "agreement": agreement,
            "agreement_rows": [
                ("Well-being", agreement.wellbeing),
                ("Involvement", agreement.involvement),
            ],
            "can_moderate": request.user.role in policy.MODERATORS,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.MODERATORS)
def moderation_edit(request: AuthenticatedHttpRequest, screening_id: int) -> HttpResponse:
    """The evaluator re-scores a sample, without seeing the setting's scores (blind)."""
    screening = selectors.access_screening_by_id(request.user, screening_id)
    rows = selectors.moderation_rows(screening)
    children = [row.child for row in rows]
    posted = request.POST if request.method == "POST" else None
    existing = [row.moderation for row in rows if row.moderation is not None]
    initial: dict[str, Any] = {}
    for item in existing:
        initial[f"wellbeing-{item.child_id}"] = item.wellbeing
        initial[f"involvement-{item.child_id}"] = item.involvement
    date_form = ModerationDateForm(
        posted,
        initial={"moderated_on": existing[0].moderated_on if existing else timezone.localdate()},
    )
    form = ModerationForm(posted, children=children, initial=initial)
    if request.method == "POST" and date_form.is_valid() and form.is_valid():
        try:
            sampled = services.do_save_moderation(
                actor=request.user,
                screening=screening,
                children=children,
                moderated_on=date_form.cleaned_data["moderated_on"],
                rescores=form.rescores(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Moderation saved: {sampled} {'child' if sampled == 1 else 'children'}."
            )
            return redirect("audits:moderation", screening_id=screening.pk)
    log_child_data(request, screening.group.setting, f"Moderate: {screening}")
    errors = [
        (str(message), f"id_{name}" if name != "__all__" else "")
        for name, messages_ in form.errors.items()
        for message in messages_
    ]
    return render(
        request,
        "audits/leuven/moderation_form.html",
        {
            "date_form": date_form,
            "form": form,
            "errors": errors,
            "rows": [
                {
                    "child": child,
                    "wellbeing": form[f"wellbeing-{child.pk}"],
                    "involvement": form[f"involvement-{child.pk}"],
                }
                for child in children
            ],
            "screening": screening,
            "group": screening.group,
            "setting": screening.group.setting,
        },
    )


urlpatterns: list[URLPattern] = [
    path("leuven/", leuven_home, name="leuven-home"),
    path("leuven/settings/<int:setting_id>/", setting_overview, name="leuven-setting"),
    path("leuven/settings/<int:setting_id>/groups/new/", group_new, name="group-new"),
    path("leuven/groups/<int:group_id>/", group_detail, name="group-detail"),
    path("leuven/groups/<int:group_id>/edit/", group_edit, name="group-edit"),
    path("leuven/groups/<int:group_id>/children/new/", child_new, name="child-new"),
    path("leuven/groups/<int:group_id>/screenings/new/", screening_new, name="screening-new"),
    path("leuven/children/<int:child_id>/", child_detail, name="child-detail"),
    path("leuven/children/<int:child_id>/edit/", child_edit, name="child-edit"),
    path("leuven/children/<int:child_id>/leave/", child_leave, name="child-leave"),
    path("leuven/children/<int:child_id>/export.csv", child_export, name="child-export"),
    path("leuven/screenings/<int:screening_id>/", screening_detail, name="screening-detail"),
    path("leuven/screenings/<int:screening_id>/edit/", screening_edit, name="screening-edit"),
    path("leuven/screenings/<int:screening_id>/scores/", screening_scores, name="screening-scores"),
    path(
        "leuven/screenings/<int:screening_id>/scores/autosave/",
        screening_autosave,
        name="screening-autosave",
    ),
    path("leuven/screenings/<int:screening_id>/upload/", screening_upload, name="screening-upload"),
    path(
        "leuven/screenings/<int:screening_id>/export.csv",
        screening_export,
        name="screening-export",
    ),
    path("leuven/screenings/<int:screening_id>/moderation/", moderation, name="moderation"),
    path(
        "leuven/screenings/<int:screening_id>/moderation/edit/",
        moderation_edit,
        name="moderation-edit",
    ),
    path("leuven/scores/<int:score_id>/actions/new/", action_new, name="action-new"),
    path("leuven/actions/<int:action_id>/", action_edit, name="action-edit"),
    *leuven_reports.urlpatterns,
]
