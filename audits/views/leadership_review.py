"""The evaluator's review of a leadership self-audit: review item by item (one subscale per
page), complete the review, read the agreed results, and the KQM manager's reopening."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest, add_service_errors
from kqm.models import Role
from kqm.parsing import parse_int

from .. import policy
from .. import review_forms as forms
from ..models import ReviewVerdict
from ..selectors import leadership_review as selectors
from ..services import leadership_review as services


def _review_url(audit_id: int, subscale: int | None = None) -> str:
    url = reverse("audits:leadership-review", args=[audit_id])
    return f"{url}?subscale={subscale}" if subscale is not None else url


def _first_open(sheet: selectors.ReviewSheet) -> int:
    for subscale in sheet.subscales:
        if not subscale.done:
            return subscale.number
    return sheet.subscales[0].number if sheet.subscales else 1


def _initial(subscale: selectors.ReviewSubscale) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for row in subscale.rows:
        if row.review is None:
            continue
        initial[forms.verdict_name(row.item.id)] = row.review.verdict
        if row.review.verdict == ReviewVerdict.ADJUST:
            initial[forms.agreed_name(row.item.id)] = str(row.review.agreed_score)
            initial[forms.comment_name(row.item.id)] = row.review.comment
    return initial


@require_http_methods(["GET", "POST"])
@role_required(*policy.LEADERSHIP_REVIEWERS)
def review(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    """One subscale's items, each agreed or adjusted (with the agreed rating and why)."""
    user = request.user
    audit, audit_review = selectors.access_audit_for_review(user, audit_id)
    sheet = selectors.review_sheet(audit, audit_review)
    requested = request.GET.get("subscale", "")
    number = parse_int(requested, minimum=0, maximum=999) or _first_open(sheet)
    subscale = sheet.subscale(number)
    if subscale is None:
        raise Http404("No such subscale.")
    items = [row.item for row in subscale.rows]
    if request.method == "POST":
        form = forms.ItemReviewsForm(request.POST, items=items, scale=sheet.scale)
        if form.is_valid():
            try:
                services.do_record_item_reviews(audit=audit, entries=form.reviews(), by=user)
            except services.ReviewErrors as error:
                for item_id, problems in error.by_item.items():
                    for field, message in problems.items():
                        name = {
                            "verdict": forms.verdict_name,
                            "agreed_score": forms.agreed_name,
                            "comment": forms.comment_name,
                        }[field](item_id)
                        form.add_error(name if name in form.fields else None, message)
            else:
                messages.success(request, f"Your review of subscale {subscale.number} is saved.")
                following = sheet.subscale(number + 1)
                if following is not None:
                    return redirect(_review_url(audit.pk, following.number))
                return redirect("audits:leadership-review-complete", audit_id=audit.pk)
    else:
        form = forms.ItemReviewsForm(initial=_initial(subscale), items=items, scale=sheet.scale)
    rows = [
        {
            "row": row,
            "verdict": form[forms.verdict_name(row.item.id)],
            "agreed": form[forms.agreed_name(row.item.id)],
            "comment": form[forms.comment_name(row.item.id)],
        }
        for row in subscale.rows
    ]
    return render(
        request,
        "audits/review/review.html",
        {
            "audit": audit,
            "sheet": sheet,
            "subscale": subscale,
            "rows": rows,
            "form": form,
            "next_subscale": sheet.subscale(number + 1),
            "previous_subscale": sheet.subscale(number - 1),
            "staff": selectors.staff_evidence(user, audit, audit_review),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*policy.LEADERSHIP_REVIEWERS)
def complete(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    """Check every item is reviewed, add a summary, then complete (which locks the review)."""
    user = request.user
    audit, audit_review = selectors.access_audit_for_review(user, audit_id)
    sheet = selectors.review_sheet(audit, audit_review)
    form = forms.CompleteReviewForm(
        request.POST if request.method == "POST" else None,
        initial={"summary": audit_review.summary if audit_review else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_complete_review(audit=audit, by=user, summary=form.cleaned_data["summary"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, "The review is completed and locked. The setting has been told."
            )
            return redirect("audits:leadership-review-results", audit_id=audit.pk)
    return render(
        request,
        "audits/review/complete.html",
        {
            "audit": audit,
            "sheet": sheet,
            "form": form,
            "staff": selectors.staff_evidence(user, audit, audit_review),
        },
    )


@require_GET
@role_required(*policy.AUDIT_READERS)
def results(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    """Each item's self rating and agreed rating, the means of both, and the comments."""
    user = request.user
    audit, audit_review = selectors.access_review_results(user, audit_id)
    sheet = selectors.review_sheet(audit, audit_review)
    refusal = selectors.review_refusal(user, audit, audit_review)
    return render(
        request,
        "audits/review/results.html",
        {
            "audit": audit,
            "sheet": sheet,
            "review": audit_review,
            "can_review": user.role in policy.LEADERSHIP_REVIEWERS and refusal is None,
            "can_reopen": user.role == Role.MANAGER
            and audit_review is not None
            and audit_review.is_completed,
            "staff": selectors.staff_evidence(user, audit, audit_review),
            "history": selectors.review_history(audit_review),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def reopen(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    user = request.user
    audit, audit_review = selectors.access_review_for_reopening(user, audit_id)
    if not audit_review.is_completed:
        messages.info(request, "This review is not completed, so there is nothing to reopen.")
        return redirect("audits:leadership-review-results", audit_id=audit.pk)
    form = forms.ReopenReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_reopen_review(audit=audit, by=user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The review is reopened: the evaluator can change it.")
            return redirect("audits:leadership-review-results", audit_id=audit.pk)
    return render(request, "audits/review/reopen.html", {"audit": audit, "form": form})


urlpatterns = [
    path("ratings/<int:audit_id>/review/", review, name="leadership-review"),
    path(
        "ratings/<int:audit_id>/review/complete/",
        complete,
        name="leadership-review-complete",
    ),
    path(
        "ratings/<int:audit_id>/review/results/",
        results,
        name="leadership-review-results",
    ),
    path("ratings/<int:audit_id>/review/reopen/", reopen, name="leadership-review-reopen"),
]
