"""Personal data duties for the KQM manager: the retention schedule (a dry run of what
tonight's task will do), who viewed child-level data, and an adult's subject-access export."""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .access import role_required
from .models import Role, User
from .retention import dry_run
from .views import access_user_by_id

ACCESS_LOG_PAGE_SIZE = 50


@require_GET
@role_required(Role.MANAGER)
def retention(request: HttpRequest) -> HttpResponse:
    """Each kind of personal data, how long it is kept, and how many records go tonight."""
    return render(request, "privacy/retention.html", {"rules": dry_run()})


@require_GET
@role_required(Role.MANAGER)
def child_data_access(request: HttpRequest) -> HttpResponse:
    """Who viewed child-level data, newest first."""
    from audits.models import ChildDataAccess

    entries = ChildDataAccess.objects.select_related("user", "setting").order_by(
        "-accessed_at", "-pk"
    )
    page = Paginator(entries, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "privacy/child_data_access.html", {"page": page})


def _history_entries(person: User) -> list[dict[str, Any]]:
    """Every audit-trail entry about the person's account or made by them."""
    rows: list[dict[str, Any]] = []
    for model in apps.get_models():
        if not getattr(model, "_meta", None) or not model.__name__.startswith("Historical"):
            continue
        fields = {f.name for f in model._meta.fields}
        if "history_user" not in fields:
            continue
        manager: Any = model._default_manager
        entries = manager.filter(history_user_id=person.pk)
        if model.__name__ == "HistoricalUser":
            entries = manager.filter(id=person.pk) | entries
        for entry in entries.order_by("history_date")[:5000]:
            rows.append(
                {
                    "record": model.__name__.removeprefix("Historical"),
                    "record_id": getattr(entry, "id", None),
                    "change": entry.get_history_type_display(),
                    "when": entry.history_date,
                    "by_this_person": entry.history_user_id == person.pk,
                }
            )
    return rows


def _evidence_uploaded_by(person: User) -> list[dict[str, Any]]:
    """Every evidence file the person uploaded, of every kind."""
    from accreditation.models import (
        ActionEvidence,
        ApplicationEvidence,
        CaseStudyEvidence,
        Requirement,
    )

    def row(kind: str, title: str, name: str, when: Any) -> dict[str, Any]:
        return {"kind": kind, "title": title, "file": name, "uploaded_at": when}

    return [
        *(
            row("application evidence", e.title, e.file.name, e.uploaded_at)
            for e in ApplicationEvidence.objects.filter(uploaded_by=person)
        ),
        *(
            row("case study evidence", e.title, e.file.name, e.uploaded_at)
            for e in CaseStudyEvidence.objects.filter(uploaded_by=person)
        ),
        *(
            row("improvement-plan evidence", e.title, e.file.name, e.added_at)
            for e in ActionEvidence.objects.filter(added_by=person).exclude(file="")
        ),
        *(
            row(
                "re-accreditation evidence",
                r.get_kind_display(),
                r.evidence_file.name,
                r.updated_at,
            )
            for r in Requirement.objects.filter(updated_by=person).exclude(evidence_file="")
        ),
    ]


def subject_access_data(person: User) -> dict[str, Any]:
    from accreditation.models import Message, NoteComment

    return {
        "exported_at": timezone.now(),
        "account": {
            "email": person.email,
            "full_name": person.full_name,
            "role": person.get_role_display(),
            "settings": [s.display_name for s in person.settings.all()],
            "active": person.is_active,
            "date_joined": person.date_joined,
            "last_login": person.last_login,
            "invited_by": str(person.invited_by) if person.invited_by else None,
        },
        "messages": [
            {"sent_at": m.created_at, "accreditation": str(m.accreditation), "text": m.body}
            for m in Message.objects.filter(author=person).select_related("accreditation")
        ],
        "comments_on_notes_of_visit": [
            {"written_at": c.created_at, "note": str(c.note), "text": c.text}
            for c in NoteComment.objects.filter(author=person).select_related("note__visit")
        ],
        "evidence_uploaded": _evidence_uploaded_by(person),
        "history": _history_entries(person),
    }


@require_GET
@role_required(Role.MANAGER)
def subject_access_export(request: HttpRequest, user_id: int) -> HttpResponse:
    """Everything KQM holds about an adult user, as JSON, for a subject access request."""
    person = access_user_by_id(request, user_id)
    body = json.dumps(subject_access_data(person), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{person.pk}.json"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
