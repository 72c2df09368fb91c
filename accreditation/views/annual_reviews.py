"""Annual reviews: the list for the KQM team, an accreditation's reviews, a review, the
setting's answers, sending them in, and the sign-off or request for more."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from audits.selectors.progress import progress_headline
from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest, add_service_errors
from kqm.models import Role, User
from kqm.parsing import parse_id

from .. import policy, selectors
from .. import selectors_annual_reviews as review_selectors
from ..forms.annual_reviews import NO_INSPECTION, AnnualReviewForm, DecideAnnualReviewForm
from ..models import AnnualReview, Cohort, ReviewStatus
from ..services import annual_reviews as services

PAGE_SIZE = 25


def _may_edit(user: User, review: AnnualReview) -> bool:
    return user.role == Role.SETTING_MANAGER and review.status in services.EDITABLE_STATUSES


@require_GET
@role_required(Role.MANAGER, Role.EVALUATOR)
def annual_review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    status = request.GET.get("status", "")
    if status not in ReviewStatus.values:
        status = ""
    overdue = request.GET.get("overdue") == "1"
    cohort_id = request.GET.get("cohort", "")
    if parse_id(cohort_id) is None:
        cohort_id = ""
    sort = request.GET.get("sort", "")
    if sort not in review_selectors.REVIEW_SORTS:
        sort = review_selectors.DEFAULT_REVIEW_SORT
    today = timezone.localdate()
    reviews = review_selectors.annual_review_list(
        user, status=status, overdue=overdue, cohort_id=cohort_id, sort=sort, today=today
    )
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    for review in page.object_list:
        review.overdue = review.is_overdue(today)
    return render(
        request,
        "accreditation/annual_reviews/list.html",
        {
            "page_obj": page,
            "status": status,
            "overdue_only": overdue,
            "cohort": cohort_id,
            "sort": sort,
            "statuses": ReviewStatus.choices,
            "cohorts": Cohort.objects.order_by("-start_date", "name"),
            "sorts": [(key, label) for key, (label, _) in review_selectors.REVIEW_SORTS.items()],
            "filtered": bool(status or overdue or cohort_id),
            "today": today,
        },
    )


@require_GET
@role_required(*policy.ANNUAL_REVIEW_READERS)
def accreditation_reviews(request: AuthenticatedHttpRequest, accreditation_id: int) -> HttpResponse:
    """An accreditation's annual reviews, from every award it was granted."""
    user = request.user
    accreditation = selectors.access_accreditation_by_id(user, accreditation_id)
    today = timezone.localdate()
    reviews = review_selectors.reviews_of_accreditation(accreditation)
    for review in reviews:
        review.overdue = review.is_overdue(today)  # type: ignore[attr-defined]
    return render(
        request,
        "accreditation/annual_reviews/accreditation.html",
        {"accreditation": accreditation, "reviews": reviews},
    )


@require_GET
@role_required(*policy.ANNUAL_REVIEW_READERS)
def annual_review_detail(request: AuthenticatedHttpRequest, review_id: int) -> HttpResponse:
    user = request.user
    review = review_selectors.access_annual_review_by_id(user, review_id)
    return render(
        request,
        "accreditation/annual_reviews/detail.html",
        {
            "review": review,
            "award": review.award,
            "accreditation": review.award.accreditation,
            "overdue": review.is_overdue(),
            "can_edit": _may_edit(user, review),
            "can_decide": review.status == ReviewStatus.SUBMITTED
            and services.may_decide(user, review),
            "missing": services.missing_answers(review),
            "actions": review_selectors.plan_actions(review),
            "progress": progress_headline(review.award.setting),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SETTING_MANAGER)
def annual_review_edit(request: AuthenticatedHttpRequest, review_id: int) -> HttpResponse:
    user = request.user
    review = review_selectors.access_annual_review_by_id(user, review_id)
    if not _may_edit(user, review):
        messages.info(request, "This review has been sent, so it cannot be changed.")
        return redirect(review)
    inspections = list(review_selectors.setting_inspections(review.award.setting_id))
    if review.latest_inspection_id:
        chosen = str(review.latest_inspection_id)
    elif inspections:
        chosen = str(inspections[0].pk)  # the latest inspection, pre-selected
    else:
        chosen = NO_INSPECTION
    initial = {
        "plan_progress": review.plan_progress,
        "manager_changed": "yes" if review.manager_changed else "no",
        "staff_changes": review.staff_changes,
        "latest_inspection": chosen,
        "ofsted_comment": review.ofsted_comment,
        "leuven_summary": review.leuven_summary,
    }
    form = AnnualReviewForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        inspections=inspections,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.do_save_annual_review(
                review=review,
                answers=services.ReviewAnswers(
                    plan_progress=data["plan_progress"],
                    manager_changed=data["manager_changed"],
                    staff_changes=data["staff_changes"],
                    latest_inspection=data["latest_inspection"],
                    ofsted_comment=data["ofsted_comment"],
                    leuven_summary=data["leuven_summary"],
                ),
                by=user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your answers have been saved")
            return redirect("accreditation:annual-review-submit", review_id=review.pk)
    return render(
        request,
        "accreditation/annual_reviews/edit.html",
        {
            "form": form,
            "review": review,
            "award": review.award,
            "actions": review_selectors.plan_actions(review),
            "leuven": review_selectors.leuven_context(review.award.setting),
            "progress": progress_headline(review.award.setting),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SETTING_MANAGER)
def annual_review_submit(request: AuthenticatedHttpRequest, review_id: int) -> HttpResponse:
    """Check your answers, then send the review."""
    user = request.user
    review = review_selectors.access_annual_review_by_id(user, review_id)
    if not _may_edit(user, review):
        messages.info(request, "This review has already been sent.")
        return redirect(review)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.do_submit_annual_review(review=review, by=user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                "Your annual review has been sent. Your evaluator has been emailed.",
            )
            return redirect(review)
    missing = services.missing_answers(review)
    return render(
        request,
        "accreditation/annual_reviews/submit.html",
        {"review": review, "award": review.award, "missing": missing, "errors": errors},
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER, Role.EVALUATOR)
def annual_review_decide(request: AuthenticatedHttpRequest, review_id: int) -> HttpResponse:
    user = request.user
    review = review_selectors.access_annual_review_by_id(user, review_id)
    if review.status != ReviewStatus.SUBMITTED:
        messages.info(request, "Only a review the setting has sent can be signed off.")
        return redirect(review)
    form = DecideAnnualReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == DecideAnnualReviewForm.SIGN_OFF:
                services.do_sign_off_annual_review(review=review, by=user, note=data["feedback"])
                done = "The review is signed off. The setting has been emailed."
            else:
                services.do_request_more_for_annual_review(
                    review=review, by=user, feedback=data["feedback"]
                )
                done = "The review is back with the setting. They have been emailed."
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(review)
    return render(
        request,
        "accreditation/annual_reviews/decide.html",
        {"form": form, "review": review, "award": review.award},
    )


urlpatterns = [
    path("annual-reviews/", annual_review_list, name="annual-review-list"),
    path("annual-reviews/<int:review_id>/", annual_review_detail, name="annual-review-detail"),
    path("annual-reviews/<int:review_id>/edit/", annual_review_edit, name="annual-review-edit"),
    path(
        "annual-reviews/<int:review_id>/submit/", annual_review_submit, name="annual-review-submit"
    ),
    path(
        "annual-reviews/<int:review_id>/decide/", annual_review_decide, name="annual-review-decide"
    ),
    path(
        "accreditations/<int:accreditation_id>/annual-reviews/",
        accreditation_reviews,
        name="annual-review-accreditation-list",
    ),
]
