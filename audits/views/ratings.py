"""Rating audits: list, start, score (autosave or plain submit), complete, reopen,
second observation, agreement and consensus, and exports."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings as django_settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest, add_service_errors
from kqm.models import Role, User
from kqm.parsing import parse_id, parse_int, required

from .. import policy
from .. import ratings_forms as forms
from ..models import AuditStatus, Occasion
from ..ratings_reports import audit_csv, audit_pdf, audit_report
from ..scoring import IncompleteAudit, missing_items
from ..selectors import ratings as selectors
from ..services import ratings as services

PAGE_SIZE = 25
BLINDED = (
    "You are scoring this room independently as the second observer: the first observer's "
    "scores show once you have completed yours."
)


def _local_time() -> str:
    return timezone.localtime().strftime("%H:%M")


# --- List and start ---------------------------------------------------------------------------


@require_GET
@role_required(*policy.AUDIT_READERS)
def audit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    search = request.GET.get("q", "").strip()
    instrument = request.GET.get("instrument", "")
    occasion = request.GET.get("occasion", "")
    status = request.GET.get("status", "")
    sort = request.GET.get("sort", selectors.DEFAULT_AUDIT_SORT)
    audits = selectors.audit_list(
        user, search=search, instrument=instrument, occasion=occasion, status=status, sort=sort
    )
    page = Paginator(audits, PAGE_SIZE).get_page(request.GET.get("page"))
    key, descending = selectors.parse_audit_sort(sort)
    return render(
        request,
        "audits/ratings/list.html",
        {
            "page_obj": page,
            "q": search,
            "instrument": instrument,
            "occasion": occasion,
            "status": status,
            "sort_key": key,
            "sort_descending": descending,
            "instruments": list(selectors.instruments_in_use()),
            "occasions": Occasion.choices,
            "statuses": AuditStatus.choices,
            "filtered": bool(search or instrument or occasion or status),
            "can_start": user.role in policy.AUDIT_SCORERS,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.AUDIT_SCORERS)
def audit_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Choose the setting (a GET form), then the instrument, room, occasion and observers."""
    user = request.user
    setting_id = request.GET.get("setting", "")
    if parse_id(setting_id) is None:
        choose = forms.ChooseSettingForm(
            request.GET if "setting" in request.GET else None,
            settings=selectors.settings_for_new_audit(user),
        )
        if choose.is_bound:
            choose.is_valid()  # shows "Choose the setting"
        return render(request, "audits/ratings/choose_setting.html", {"form": choose})
    setting = selectors.access_setting_for_new_audit(user, int(setting_id))
    # The page that sends the user here (the task list, a visit) names the accreditation;
    # it is preselected, and the user can see which year the audit is filed under.
    chosen = request.GET.get("accreditation", "")
    versions = selectors.current_versions()
    # A task of the year (the leadership or PPEL self-audit) names its tool by kind.
    fixed = selectors.whole_setting_version(request.GET.get("kind", ""))
    if fixed is not None:
        versions = versions.filter(pk=fixed.pk)
    form = forms.AuditForm(
        request.POST if request.method == "POST" else None,
        versions=versions,
        observers=selectors.observer_choices(setting, user).exclude(pk=user.pk),
        accreditations=selectors.accreditations_for_new_audit(user, setting),
        initial={"accreditation": chosen, "occasion": request.GET.get("occasion", "")},
        fixed_version=fixed,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            audit = services.do_create_audit(
                created_by=user,
                setting=setting,
                accreditation=form.chosen_accreditation(),
                version=data["version"],
                room=data["room"],
                age_group=data["age_group"],
                occasion=data["occasion"],
                date=data["date"],
                observers=data.get("observers") or [],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The audit of {audit.room} has started.")
            return redirect("audits:audit-score", audit_id=audit.pk)
    return render(
        request,
        "audits/ratings/new.html",
        {"form": form, "setting": setting, "fixed_version": fixed},
    )


# --- One audit ---------------------------------------------------------------------------------


@require_GET
@role_required(*policy.AUDIT_READERS)
def audit_detail(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    user = request.user
    audit = selectors.access_audit_by_id(user, audit_id)
    report = audit_report(audit)
    copies = selectors.paired_copies(audit)
    refusal = selectors.scoring_refusal(user, audit)
    observer = any(o.pk == user.pk for o in report.observers)
    blinded = selectors.blinded_to(user, audit, copies["second"])
    return render(
        request,
        "audits/ratings/detail.html",
        {
            "audit": audit,
            "report": report,
            "can_score": refusal is None,
            "scoring_refusal": refusal,
            "can_reopen": user.role == Role.MANAGER and audit.is_completed,
            "can_start_second": (
                user.role in policy.AUDIT_SCORERS
                and audit.is_primary
                and copies["second"] is None
                and not observer
            ),
            "second": copies["second"],
            "consensus": copies["consensus"],
            "primary": audit.paired_with if not audit.is_primary else None,
            "changes": selectors.audit_status_changes(audit),
            "blinded": blinded,
        },
    )


def _first_open_subscale(sheet: selectors.ScoringSheet) -> int:
    for subscale in sheet.subscales:
        if not subscale.done:
            return subscale.number
    return sheet.subscales[0].number if sheet.subscales else 1


@require_http_methods(["GET", "POST"])
@role_required(*policy.AUDIT_SCORERS)
def audit_score(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    """One subscale's items. Works with a plain submit; autosave improves it with JavaScript."""
    user = request.user
    audit = selectors.access_audit_for_scoring(user, audit_id)
    sheet = selectors.scoring_sheet(audit)
    requested = request.GET.get("subscale", "")
    number = parse_int(requested, minimum=0, maximum=999) or _first_open_subscale(sheet)
    subscale = sheet.subscale(number)
    if subscale is None:
        raise Http404("No such subscale.")
    items = [row.item for row in subscale.items]
    conflict = None
    if request.method == "POST":
        form = forms.ScoresForm(request.POST, items=items, scale=sheet.scale)
        if form.is_valid():
            try:
                services.do_record_scores(
                    audit=audit,
                    entries=form.answers(),
                    by=user,
                    expected_revision=form.cleaned_data["revision"],
                )
            except services.StaleAudit as error:
                conflict = str(error)
            except services.ScoreErrors as error:
                for item_id, message in error.by_item.items():
                    form.add_error(forms.score_field_name(item_id), message)
            else:
                messages.success(request, f"Subscale {subscale.number} saved at {_local_time()}.")
                following = sheet.subscale(number + 1)
                if request.POST.get("then") == "next":
                    if following is not None:
                        url = reverse("audits:audit-score", args=[audit.pk])
                        return redirect(f"{url}?subscale={following.number}")
                    return redirect(audit)
                url = reverse("audits:audit-score", args=[audit.pk])
                return redirect(f"{url}?subscale={subscale.number}")
    else:
        initial: dict[str, Any] = {"revision": audit.revision}
        for row in subscale.items:
            entry = row.entry
            value = forms.NOT_APPLICABLE if entry.not_applicable else entry.score
            initial[forms.score_field_name(row.item.id)] = "" if value is None else str(value)
            initial[forms.note_field_name(row.item.id)] = entry.note
        form = forms.ScoresForm(initial=initial, items=items, scale=sheet.scale)
    rows = [
        {
            "item": row.item,
            "entry": row.entry,
            "score": form[forms.score_field_name(row.item.id)],
            "options": _options(form, row.item, sheet.scale),
            "note": form[forms.note_field_name(row.item.id)],
        }
        for row in subscale.items
    ]
    return render(
        request,
        "audits/ratings/score.html",
        {
            "audit": audit,
            "sheet": sheet,
            "subscale": subscale,
            "rows": rows,
            "form": form,
            "conflict": conflict,
            "next_subscale": sheet.subscale(number + 1),
            "previous_subscale": sheet.subscale(number - 1),
            "autosave_url": reverse("audits:audit-autosave", args=[audit.pk]),
        },
        status=409 if conflict else 200,
    )


def _options(form: forms.ScoresForm, item: Any, scale: Any) -> list[dict[str, Any]]:
    """The radio buttons of one item: each scale value, then N/A where allowed."""
    name = forms.score_field_name(item.id)
    chosen = str(form[name].value() or "")
    options = [
        {
            "value": str(point.value),
            "number": str(point.value),
            "label": point.label,
            "id": f"{name}-{point.value}",
            "checked": chosen == str(point.value),
        }
        for point in scale
    ]
    if item.na_allowed:
        options.append(
            {
                "value": forms.NOT_APPLICABLE,
                "number": "N/A",
                "label": "not applicable",
                "id": f"{name}-na",
                "checked": chosen == forms.NOT_APPLICABLE,
                "na": True,
            }
        )
    return options


def _json_error(message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


@require_POST
@role_required(*policy.AUDIT_SCORERS)
def audit_autosave(request: AuthenticatedHttpRequest, audit_id: int) -> JsonResponse:
    """Save one item as it is scored: JSON in, JSON out; 409 when the audit changed meanwhile.

    Body: ``{"item": <id>, "score": "1".."7" | "na" | "", "note": "...", "revision": <n>}``.
    """
    user = request.user
    audit = selectors.access_audit_by_id(user, audit_id)
    refusal = selectors.scoring_refusal(user, audit)
    if refusal:
        return _json_error(refusal, 403)
    try:
        body = json.loads(request.body.decode("utf-8"))
        item_id = required(parse_id(body["item"]))
        revision = required(parse_int(body["revision"], minimum=0))
        value = str(body.get("score") or "")
        note = str(body.get("note") or "")
        # What the page showed for this item when it was loaded (or last saved): the
        # conflict check is per item against it. Pages without it use the revision.
        shown = body.get("base")
        base = None
        if isinstance(shown, dict):
            shown_score = str(shown.get("score") or "")
            if shown_score not in ("", forms.NOT_APPLICABLE) and not shown_score.isdigit():
                raise ValueError(shown_score)
            base = forms.parse_answer(
                shown_score, item_id=item_id, note=str(shown.get("note") or "")
            )
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError):
        return _json_error("The request did not say which item, score and revision.", 400)
    if (
        value not in ("", forms.NOT_APPLICABLE)
        and parse_int(value, minimum=-99, maximum=99) is None
    ):
        return _json_error("The score must be a number or N/A.", 400)
    if len(note) > forms.NOTE_MAX:
        return _json_error(f"The note must be {forms.NOTE_MAX} characters or fewer.", 400)
    entry = forms.parse_answer(value, item_id=item_id, note=note)
    try:
        locked, _ = services.do_record_score(
            audit=audit, entry=entry, by=user, expected_revision=revision, base=base
        )
    except services.StaleAudit as error:
        return _json_error(str(error), 409, revision=error.current_revision)
    except services.ItemConflict as error:
        return _json_error(
            str(error),
            409,
            item=item_id,
            theirs={
                "score": forms.NOT_APPLICABLE
                if error.current.not_applicable
                else str(error.current.score or ""),
                "note": error.note,
                "value": error.value,
                "by": error.who,
            },
        )
    except services.ScoreErrors as error:
        return _json_error(" ".join(error.by_item.values()), 400)
    except services.AuditLocked as error:
        return _json_error(str(error), 403)
    sheet = selectors.scoring_sheet(locked)
    subscale = next(
        (s for s in sheet.subscales if any(r.item.id == item_id for r in s.items)), None
    )
    return JsonResponse(
        {
            "item": item_id,
            "revision": locked.revision,
            "saved_at": _local_time(),
            "answered": sheet.answered,
            "total": sheet.total,
            "subscale_answered": subscale.answered if subscale else 0,
            "subscale_total": subscale.total if subscale else 0,
        }
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.AUDIT_SCORERS)
def audit_complete(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    """Check every item is answered, confirm, then complete (which locks the audit)."""
    user = request.user
    audit = selectors.access_audit_for_scoring(user, audit_id)
    sheet = selectors.scoring_sheet(audit)
    missing = missing_items(sheet.shape.items, sheet.entries)
    if request.method == "POST":
        try:
            services.do_complete_audit(audit=audit, by=user)
        except IncompleteAudit as error:
            missing = error.missing
        except ValidationError as error:  # completed meanwhile, in another tab or by a colleague
            messages.info(request, " ".join(error.messages))
            return redirect(audit)
        else:
            messages.success(request, "The audit is completed and locked.")
            return redirect(audit)
    subscale_of = {
        row.item.id: subscale.number for subscale in sheet.subscales for row in subscale.items
    }
    return render(
        request,
        "audits/ratings/complete.html",
        {
            "audit": audit,
            "sheet": sheet,
            "result": sheet.result(),
            "missing": [(item, subscale_of.get(item.id, 1)) for item in missing],
            "tried": request.method == "POST",
        },
        status=200,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def audit_reopen(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    user = request.user
    audit = selectors.access_audit_by_id(user, audit_id)
    if not audit.is_completed:
        messages.info(request, "This audit is not completed, so there is nothing to reopen.")
        return redirect(audit)
    form = forms.ReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_reopen_audit(audit=audit, by=user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The audit is reopened: its observers can change scores.")
            return redirect(audit)
    return render(request, "audits/ratings/reopen.html", {"audit": audit, "form": form})


@require_http_methods(["GET", "POST"])
@role_required(*policy.AUDIT_SCORERS)
def audit_second_observation(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    """Start an independent copy of an audit for a second observer (inter-rater reliability)."""
    user = request.user
    audit = selectors.access_audit_by_id(user, audit_id)
    if request.method == "POST":
        try:
            copy = services.do_start_second_observation(audit=audit, by=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(audit)
        messages.success(request, "Your independent scoring of this room has started.")
        return redirect("audits:audit-score", audit_id=copy.pk)
    return render(request, "audits/ratings/second_observation.html", {"audit": audit})


def _paired(
    request: AuthenticatedHttpRequest, audit_id: int
) -> tuple[User, selectors.PairedScoring]:
    user = request.user
    audit = selectors.access_audit_by_id(user, audit_id)
    pair = selectors.paired_scoring(user, audit)
    if pair is None:
        raise Http404("This audit has no second observation.")
    return user, pair


@require_GET
@role_required(*policy.AUDIT_READERS)
def audit_agreement(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    user, pair = _paired(request, audit_id)
    return render(
        request,
        "audits/ratings/agreement.html",
        {
            "pair": pair,
            "audit": pair.primary,
            "can_agree": user.role in policy.AUDIT_SCORERS
            and pair.both_complete
            and pair.consensus is None,
            "threshold": django_settings.KQM_AGREEMENT_THRESHOLD,
        },
    )


@require_GET
@role_required(Role.MANAGER)
def agreement_overview(request: HttpRequest) -> HttpResponse:
    """Inter-rater agreement of every observer, flagged below the configured threshold."""
    threshold = django_settings.KQM_AGREEMENT_THRESHOLD
    pairs, observers = selectors.agreement_overview(threshold)
    return render(
        request,
        "audits/ratings/agreement_overview.html",
        {"pairs": pairs, "observers": observers, "threshold": threshold},
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.AUDIT_SCORERS)
def audit_consensus(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    """Both observers agree the score of every item; the agreed copy is the audit of record."""
    user, pair = _paired(request, audit_id)
    if pair.consensus is not None:
        messages.info(request, "The observers have already agreed a consensus.")
        return redirect(pair.consensus)
    if not pair.both_complete:
        messages.error(request, "Both observers must complete their scoring first.")
        return redirect("audits:audit-agreement", audit_id=pair.primary.pk)
    items = [row.item for row in pair.agreement.items]
    if request.method == "POST":
        form = forms.ConsensusForm(request.POST, items=items, scale=pair.scale)
        if form.is_valid():
            try:
                consensus = services.do_agree_consensus(
                    primary=pair.primary, second=pair.second, by=user, entries=form.answers()
                )
            except services.ScoreErrors as error:
                for item_id, message in error.by_item.items():
                    form.add_error(forms.score_field_name(item_id), message)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("audits:audit-agreement", audit_id=pair.primary.pk)
            else:
                messages.success(request, "The consensus is recorded as the audit of record.")
                return redirect(consensus)
    else:
        initial: dict[str, Any] = {}
        for row in pair.agreement.items:
            if row.exact:
                value = forms.NOT_APPLICABLE if row.first.not_applicable else row.first.score
                initial[forms.score_field_name(row.item.id)] = str(value)
            notes = [n for n in (row.first.note, row.second.note) if n]
            initial[forms.note_field_name(row.item.id)] = "\n".join(dict.fromkeys(notes))
        form = forms.ConsensusForm(initial=initial, items=items, scale=pair.scale)
    rows = [
        {
            "agreement": row,
            "score": form[forms.score_field_name(row.item.id)],
            "note": form[forms.note_field_name(row.item.id)],
        }
        for row in pair.agreement.items
    ]
    return render(
        request,
        "audits/ratings/consensus.html",
        {"pair": pair, "audit": pair.primary, "form": form, "rows": rows},
    )


# --- Exports ------------------------------------------------------------------------------------


def _filename(audit: Any, extension: str) -> str:
    name = slugify(f"{audit.setting.display_name} {audit.version.instrument.code} {audit.date}")
    return f"audit-{audit.pk}-{name}.{extension}"


def _exportable(request: AuthenticatedHttpRequest, audit_id: int) -> Any:
    user = request.user
    audit = selectors.access_audit_by_id(user, audit_id)
    if selectors.blinded_to(user, audit, selectors.paired_copies(audit)["second"]):
        raise PermissionDenied(BLINDED)
    return audit


@require_GET
@role_required(*policy.AUDIT_READERS)
def audit_pdf_export(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    audit = _exportable(request, audit_id)
    pdf = audit_pdf(audit_report(audit))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(audit, "pdf")}"'
    return response


@require_GET
@role_required(*policy.AUDIT_READERS)
def audit_csv_export(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    audit = _exportable(request, audit_id)
    response = HttpResponse(audit_csv(audit_report(audit)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{_filename(audit, "csv")}"'
    return response


urlpatterns = [
    path("ratings/", audit_list, name="audit-list"),
    path("ratings/new/", audit_new, name="audit-new"),
    path("ratings/<int:audit_id>/", audit_detail, name="audit-detail"),
    path("ratings/<int:audit_id>/score/", audit_score, name="audit-score"),
    path("ratings/<int:audit_id>/autosave/", audit_autosave, name="audit-autosave"),
    path("ratings/<int:audit_id>/complete/", audit_complete, name="audit-complete"),
    path("ratings/<int:audit_id>/reopen/", audit_reopen, name="audit-reopen"),
    path(
        "ratings/<int:audit_id>/second-observation/",
        audit_second_observation,
        name="audit-second-observation",
    ),
    path("ratings/<int:audit_id>/agreement/", audit_agreement, name="audit-agreement"),
    path("ratings/agreement/", agreement_overview, name="agreement-overview"),
    path("ratings/<int:audit_id>/consensus/", audit_consensus, name="audit-consensus"),
    path("ratings/<int:audit_id>/audit.pdf", audit_pdf_export, name="audit-pdf"),
    path("ratings/<int:audit_id>/audit.csv", audit_csv_export, name="audit-csv"),
]
