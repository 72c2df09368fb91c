"""Learning progress: EYFS checkpoints of the Leuven groups' children, and their analysis.

Who may do what mirrors the Leuven screenings (``views.leuven``): setting managers and
practitioners enter judgements (table, autosave, upload); the assigned evaluator reads
the checkpoints; the KQM manager sees the setting's figures only; viewers see none of
these pages (the programme report holds the cohort's figures). Objects come through
user-scoped helpers, so another setting's object is a 404. Every page showing a child's
code records the view in ``ChildDataAccess``.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest, add_service_errors
from kqm.parsing import parse_id, parse_int, required

from .. import policy
from .. import progress_analysis as analysis
from ..models import AREAS, ProgressCheckpoint
from ..progress_charts import progress_charts
from ..progress_csv import BAND, EXPORT_COLUMNS, checkpoint_csv
from ..progress_forms import JUDGEMENT_CHOICES, CheckpointForm, ProgressTableForm
from ..progress_forms import ProgressUploadForm as UploadForm
from ..selectors import leuven as leuven_selectors
from ..selectors import progress as selectors
from ..services import leuven as leuven_services
from ..services import progress as services
from .leuven_common import log_child_data, programme_year


@require_GET
@role_required(*policy.LEUVEN_READERS)
def progress_setting(request: AuthenticatedHttpRequest, setting_id: int) -> HttpResponse:
    """A setting's groups in one programme year, with each term's checkpoint. No child rows."""
    setting = leuven_selectors.access_leuven_setting_by_id(request.user, setting_id)
    year = programme_year(request)
    groups = selectors.year_groups(setting, year)
    for group in groups:
        by_term = {c.term: c for c in group.checkpoints.all()}
        group.term_checkpoints = [  # type: ignore[attr-defined]
            (term, label, by_term.get(term)) for term, label in leuven_selectors.TERM_CHOICES
        ]
    return render(
        request,
        "audits/progress/setting.html",
        {
            "setting": setting,
            "year": year,
            "years": leuven_selectors.setting_programme_years(
                setting, also=leuven_selectors.current_programme_year()
            ),
            "groups": groups,
            "can_edit": policy.scores(request.user),
            "sees_children": policy.sees_children(request.user),
        },
    )


@require_GET
@role_required(*policy.LEUVEN_READERS)
def progress_summary(request: AuthenticatedHttpRequest, setting_id: int) -> HttpResponse:
    """The setting's progress figures for one year beside well-being and involvement."""
    setting = leuven_selectors.access_leuven_setting_by_id(request.user, setting_id)
    year = programme_year(request)
    report = selectors.setting_progress(setting, year)
    return render(
        request,
        "audits/progress/summary.html",
        {
            "setting": setting,
            "year": year,
            "years": leuven_selectors.setting_programme_years(
                setting, also=leuven_selectors.current_programme_year()
            ),
            "report": report,
            "charts": progress_charts(report, "progress"),
            "definitions": analysis.DEFINITIONS,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.SCORERS)
def checkpoint_new(request: AuthenticatedHttpRequest, group_id: int) -> HttpResponse:
    group = leuven_selectors.access_group_by_id(request.user, group_id)
    form = CheckpointForm(
        request.POST if request.method == "POST" else None,
        group=group,
        initial={"term": request.GET.get("term", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            checkpoint = services.do_save_checkpoint(
                actor=request.user, group=group, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{checkpoint.get_term_display()} checkpoint of {group.name} added."
            )
            return redirect("audits:checkpoint-entry", checkpoint_id=checkpoint.pk)
    return render(
        request,
        "audits/progress/checkpoint_form.html",
        {"form": form, "group": group, "setting": group.setting},
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.SCORERS)
def checkpoint_edit(request: AuthenticatedHttpRequest, checkpoint_id: int) -> HttpResponse:
    """Correct a checkpoint's term or date."""
    checkpoint = selectors.access_checkpoint_by_id(request.user, checkpoint_id)
    group = checkpoint.group
    form = CheckpointForm(
        request.POST if request.method == "POST" else None,
        group=group,
        initial={"term": checkpoint.term, "date": checkpoint.date},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_save_checkpoint(
                actor=request.user, group=group, checkpoint=checkpoint, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Checkpoint saved.")
            return redirect("audits:checkpoint-detail", checkpoint_id=checkpoint.pk)
    return render(
        request,
        "audits/progress/checkpoint_form.html",
        {"form": form, "group": group, "setting": group.setting, "checkpoint": checkpoint},
    )


def _context(checkpoint: ProgressCheckpoint) -> dict[str, Any]:
    return {
        "checkpoint": checkpoint,
        "group": checkpoint.group,
        "setting": checkpoint.group.setting,
        "areas": AREAS,
    }


@require_GET
@role_required(*policy.CHILD_LEVEL_READERS)
def checkpoint_detail(request: AuthenticatedHttpRequest, checkpoint_id: int) -> HttpResponse:
    """Each child's age band and judgements at the checkpoint: child-level, logged."""
    checkpoint = selectors.access_checkpoint_by_id(request.user, checkpoint_id)
    rows = selectors.checkpoint_rows(checkpoint, selectors.checkpoint_children(checkpoint))
    log_child_data(request, checkpoint.group.setting, f"Progress checkpoint: {checkpoint}")
    return render(
        request,
        "audits/progress/checkpoint.html",
        {
            **_context(checkpoint),
            "rows": rows,
            "judged": sum(1 for row in rows if row.record and not row.record.is_empty),
            "can_edit": policy.scores(request.user),
        },
    )


def _entry_rows(form: ProgressTableForm, rows: list[selectors.CheckpointRow]) -> list[Any]:
    """What the table shows per child: the typed values after a failed save, else the saved."""
    shown = []
    for row in rows:

        def value(name: str, row: selectors.CheckpointRow = row) -> str:
            if form.is_bound:
                return str(form.data.get(f"{name}-{row.child.pk}", ""))
            return row.value(name)

        names = [BAND, *(area.field for area in AREAS)]
        shown.append(
            {
                "child": row.child,
                "band": value(BAND),
                "areas": [(area, value(area.field)) for area in AREAS],
                "errors": [
                    f"{form.fields[key].label}: {message}"
                    for key in (f"{name}-{row.child.pk}" for name in names)
                    for message in form.errors.get(key, [])
                ],
            }
        )
    return shown


def _table_errors(form: ProgressTableForm) -> list[tuple[str, str]]:
    errors = []
    for name, messages_ in form.errors.items():
        anchor = f"{name}-none" if "-" in name else ""
        for message in messages_:
            if name == "revision":
                message = "This page is out of date: reload it and enter your judgements again"
            errors.append((str(message), anchor))
    return errors


@require_http_methods(["GET", "POST"])
@role_required(*policy.SCORERS)
def checkpoint_entry(request: AuthenticatedHttpRequest, checkpoint_id: int) -> HttpResponse:
    """Judge the whole room on one page: one row per child, one form, a Save button.

    With JavaScript each change is also saved as it is made (``checkpoint_autosave``),
    by the same script as the Leuven scores page.
    """
    checkpoint = selectors.access_checkpoint_by_id(request.user, checkpoint_id)
    children = list(selectors.checkpoint_children(checkpoint))
    rows = selectors.checkpoint_rows(checkpoint, children)
    bands = selectors.current_bands()
    saved_bands = {r.record.band for r in rows if r.record and r.record.band}
    bands += sorted(saved_bands - set(bands), key=lambda b: (b.edition, b.order))
    form = ProgressTableForm(
        request.POST if request.method == "POST" else None, children=children, bands=bands
    )
    revision = checkpoint.revision
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.do_save_progress(
                actor=request.user,
                checkpoint=checkpoint,
                children=children,
                rows=form.rows(),
                revision=form.cleaned_data["revision"],
            )
        except leuven_services.StaleScreening as stale:
            revision = stale.current_revision
            form.add_error(
                None,
                "Someone else saved judgements at this checkpoint after you opened this page "
                f"(it is now at revision {stale.current_revision}; your page was at revision "
                f"{stale.page_revision}), so nothing was saved. The table still shows what you "
                "entered: save again to keep your judgements, or reload the page to see theirs.",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Judgements saved: {changed} {'child' if changed == 1 else 'children'} changed.",
            )
            return redirect("audits:checkpoint-detail", checkpoint_id=checkpoint.pk)
    log_child_data(request, checkpoint.group.setting, f"Enter progress: {checkpoint}")
    return render(
        request,
        "audits/progress/entry.html",
        {
            **_context(checkpoint),
            "form": form,
            "rows": _entry_rows(form, rows),
            "errors": _table_errors(form),
            "revision": revision,
            "band_choices": [("", "Not recorded", "–")]
            + [(b.code, b.label, b.short) for b in bands],
            "judgement_choices": JUDGEMENT_CHOICES,
            "bands": bands,
            "judged": sum(1 for row in rows if row.record and not row.record.is_empty),
        },
    )


def _json_error(message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


@require_POST
@role_required(*policy.SCORERS)
def checkpoint_autosave(request: AuthenticatedHttpRequest, checkpoint_id: int) -> JsonResponse:
    """Save one change: JSON in (child, scale = band or area, value, base, revision).

    409 when someone else changed the same child's field (or, without ``base``, when the
    page's revision is out of date), with a message saying what to do.
    """
    checkpoint = selectors.access_checkpoint_by_id(request.user, checkpoint_id)
    try:
        body = json.loads(request.body)
        child_id = required(parse_id(body["child"]))
        name = str(body["scale"])
        value = str(body.get("value") or "")
        revision = required(parse_int(body["revision"], minimum=0))
        check_base = "base" in body
        base = str(body.get("base") or "")
    except (ValueError, TypeError, KeyError, AttributeError):
        return _json_error("The change could not be read. Reload the page and try again.", 400)
    child = selectors.checkpoint_children(checkpoint).filter(pk=child_id).first()
    if child is None:
        return _json_error("This child is not on this checkpoint.", 400)
    try:
        saved = services.do_save_judgement(
            actor=request.user,
            checkpoint=checkpoint,
            child=child,
            name=name,
            value=value,
            revision=revision,
            base=base,
            check_base=check_base,
        )
    except leuven_services.StaleScreening as stale:
        return _json_error(str(stale), 409, revision=stale.current_revision)
    except services.JudgementConflict as conflict:
        return _json_error(str(conflict), 409, theirs=conflict.theirs, by=conflict.by)
    except ValidationError as error:
        return _json_error(" ".join(error.messages), 400)
    return JsonResponse(
        {
            "revision": saved.revision,
            "saved_at": timezone.localtime(saved.saved_at).strftime("%H:%M"),
            "child": child.code,
            "zone": "",
        }
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.SCORERS)
def checkpoint_upload(request: AuthenticatedHttpRequest, checkpoint_id: int) -> HttpResponse:
    """Paste or upload a tracking system's export. Any row error: nothing is saved."""
    checkpoint = selectors.access_checkpoint_by_id(request.user, checkpoint_id)
    children = list(selectors.checkpoint_children(checkpoint))
    by_code = {child.code: child for child in children}
    bands = list(services.bands_by_code().values())
    form = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        known_codes=by_code,
        group_name=checkpoint.group.name,
        bands=bands,
    )
    if request.method == "POST" and form.is_valid():
        parsed: dict[str, dict[str, str]] = form.cleaned_data["parsed"]
        try:
            changed = services.do_save_progress(
                actor=request.user,
                checkpoint=checkpoint,
                children=children,
                rows={by_code[code].pk: values for code, values in parsed.items()},
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
            return redirect("audits:checkpoint-detail", checkpoint_id=checkpoint.pk)
    return render(
        request,
        "audits/progress/upload.html",
        {
            **_context(checkpoint),
            "form": form,
            "columns": EXPORT_COLUMNS,
            "bands": [b for b in bands if b.is_current],
        },
    )


@require_GET
@role_required(*policy.CHILD_LEVEL_READERS)
def checkpoint_export(request: AuthenticatedHttpRequest, checkpoint_id: int) -> HttpResponse:
    checkpoint = selectors.access_checkpoint_by_id(request.user, checkpoint_id)
    rows = selectors.checkpoint_rows(checkpoint, selectors.checkpoint_children(checkpoint))
    log_child_data(request, checkpoint.group.setting, f"Progress CSV: {checkpoint}")
    response = HttpResponse(checkpoint_csv(rows, services.bands_by_code()), content_type="text/csv")
    filename = f"progress-{checkpoint.group.pk}-{checkpoint.term}-{checkpoint.date:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns: list[URLPattern] = [
    path("progress/settings/<int:setting_id>/", progress_setting, name="progress-setting"),
    path("progress/settings/<int:setting_id>/summary/", progress_summary, name="progress-summary"),
    path("progress/groups/<int:group_id>/checkpoints/new/", checkpoint_new, name="checkpoint-new"),
    path("progress/checkpoints/<int:checkpoint_id>/", checkpoint_detail, name="checkpoint-detail"),
    path("progress/checkpoints/<int:checkpoint_id>/edit/", checkpoint_edit, name="checkpoint-edit"),
    path(
        "progress/checkpoints/<int:checkpoint_id>/entry/",
        checkpoint_entry,
        name="checkpoint-entry",
    ),
    path(
        "progress/checkpoints/<int:checkpoint_id>/entry/autosave/",
        checkpoint_autosave,
        name="checkpoint-autosave",
    ),
    path(
        "progress/checkpoints/<int:checkpoint_id>/upload/",
        checkpoint_upload,
        name="checkpoint-upload",
    ),
    path(
        "progress/checkpoints/<int:checkpoint_id>/export.csv",
        checkpoint_export,
        name="checkpoint-export",
    ),
]
