"""Dashboard, users and accounts, and the health check."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accreditation.models import (
    Accreditation,
    AccreditationStatusChange,
    AnnualReview,
    Reaccreditation,
    Recommendation,
    UnfiledRecord,
    Visit,
)
from accreditation.models import Status as AccreditationStatus
from accreditation.models.after_award import SENT_REVIEW_STATUSES, ReaccreditationStatus
from accreditation.reports import cache as reports_cache
from accreditation.reports.cohort import cohort_ppel_change
from accreditation.reports.outcomes import outcome_headlines
from accreditation.selectors import (
    accreditations_by_status,
    accreditations_visible_to,
    applications_awaiting_decision,
)
from accreditation.selectors_todo import manager_todo, todo_for
from audits.models import ActionPoint
from audits.views.leuven_common import dashboard_open_actions
from settings.selectors import register_size, settings_by_sector, settings_visible_to

from . import forms, selectors, services, two_factor
from .access import any_signed_in, public, role_required
from .health import healthz  # noqa: F401 (the URL)
from .http import AuthenticatedHttpRequest
from .models import Role, User
from .net import client_address

PAGE_SIZE = 25
WEEK_VISITS_SHOWN = 10


def _url(name: str, query: str = "", fallback: str = "dashboard") -> str:
    """A page's address; pages still being built fall back to ``fallback``."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return reverse(fallback)
    return f"{url}?{query}" if query else url


def needs_attention(today: datetime.date | None = None) -> dict[str, Any]:
    """What the KQM manager should look at, as counts with links: a fixed number of
    queries whatever the size of the programme. Counts only: no child is named."""
    today = today or timezone.localdate()
    week_start = today - datetime.timedelta(days=today.weekday())
    week_end = week_start + datetime.timedelta(days=6)
    overdue_reviews = (
        AnnualReview.objects.exclude(status__in=SENT_REVIEW_STATUSES)
        .filter(due_date__lt=today)
        .count()
    )
    latest_submission = (
        AccreditationStatusChange.objects.filter(
            accreditation=OuterRef(OuterRef("pk")), to_status=AccreditationStatus.SUBMITTED
        )
        .order_by("-changed_at", "-pk")
        .values("pk")[:1]
    )
    recommended = Exists(
        Recommendation.objects.filter(
            accreditation=OuterRef("pk"), submission=Subquery(latest_submission)
        )
    )
    submitted = Accreditation.objects.filter(status=AccreditationStatus.SUBMITTED).aggregate(
        total=Count("pk"), recommended=Count("pk", filter=recommended)
    )
    week_visits = Visit.objects.filter(date__range=(week_start, week_end))
    visits_shown = list(
        week_visits.select_related("accreditation__setting").order_by("date", "start_time", "pk")[
            :WEEK_VISITS_SHOWN
        ]
    )
    visit_count = week_visits.count()
    # The red zone as ``audits.models.leuven.zone_for`` draws it: below 3 on either scale.
    red_actions = (
        ActionPoint.objects.filter(
            closed_on__isnull=True,
            score__wellbeing__isnull=False,
            score__involvement__isnull=False,
        )
        .filter(Q(score__wellbeing__lt=3) | Q(score__involvement__lt=3))
        .count()
    )
    reaccreditations = Reaccreditation.objects.filter(
        status=ReaccreditationStatus.SUBMITTED
    ).count()
    submitted_url = _url(
        "accreditation:accreditation-list", f"status={AccreditationStatus.SUBMITTED}"
    )
    items = [
        {
            "key": "overdue-reviews",
            "label": "Annual reviews overdue",
            "count": overdue_reviews,
            "url": _url(
                "accreditation:annual-review-list", "overdue=1", "accreditation:award-list"
            ),
        },
        {
            "key": "recommendations-waiting",
            "label": "Recommendations waiting for your decision",
            "count": submitted["recommended"],
            "url": submitted_url,
        },
        {
            "key": "submissions-waiting",
            "label": "Submissions waiting for the evaluator's recommendation",
            "count": submitted["total"] - submitted["recommended"],
            "url": submitted_url,
        },
        {
            "key": "reaccreditations-waiting",
            "label": "Re-accreditations waiting for your judgement",
            "count": reaccreditations,
            "url": _url("accreditation:reaccreditation-list", fallback="accreditation:award-list"),
        },
        {
            "key": "red-actions",
            "label": "Open action points for children in the red zone (Leuven)",
            "count": red_actions,
            "url": _url("audits:leuven-home"),
        },
        {
            "key": "records-to-file",
            "label": "Audits and questionnaires to file under an accreditation year",
            "count": UnfiledRecord.objects.filter(filed_at__isnull=True).count(),
            "url": _url("accreditation:unfiled-list"),
        },
        {
            "key": "visits-this-week",
            "label": "Visits this week",
            "count": visit_count,
            "url": "#visits-this-week",
        },
    ]
    return {
        "attention": [item for item in items if item["count"]],
        "week_visits": visits_shown,
        "week_visit_count": visit_count,
        "week_start": week_start,
        "week_end": week_end,
    }


def _manager_figures(today: datetime.date) -> dict[str, Any]:
    """The KQM manager's dashboard but for the register's size: sixteen queries."""
    todo = manager_todo(today)
    return {
        "todo": todo,
        "todo_empty": [section for section in todo if not section.items],
        "users_by_role": selectors.users_by_role(),
        "applications_waiting": applications_awaiting_decision(),
        "accreditations_by_status": accreditations_by_status(),
        **needs_attention(today),
    }


@require_GET
@any_signed_in
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    context: dict[str, Any] = {"today": today}
    if user.role == Role.MANAGER:
        # The same for every KQM manager on a day: kept until a record it reads changes.
        context.update(
            reports_cache.cached(
                "manager-dashboard",
                today.isoformat(),
                lambda: _manager_figures(today),
                reports_cache.PROGRAMME,
            )
        )
        context["setting_count"] = register_size()
        return render(request, "dashboard/manager.html", context)
    todo = todo_for(user, today)
    context["todo"] = todo
    context["todo_empty"] = [section for section in todo if not section.items]
    if user.role == Role.VIEWER:
        context["settings_by_sector"] = settings_by_sector()
        context["setting_count"] = sum(
            int(str(row["count"])) for row in context["settings_by_sector"]
        )
        context["outcome_headlines"] = outcome_headlines()
        context["headline_authority"] = django_settings.KQM_LOCAL_AUTHORITY
        context["ppel_change"] = cohort_ppel_change(None)
    else:
        context["my_settings"] = list(settings_visible_to(user).order_by("name"))
        context["my_accreditations"] = list(
            accreditations_visible_to(user).order_by("-cohort__programme_year", "setting__name")[
                :50
            ]
        )
        if user.role in (Role.SETTING_MANAGER, Role.PRACTITIONER):
            context.update(dashboard_open_actions(request))
    return render(request, f"dashboard/{user.role}.html", context)


@require_GET
@role_required(Role.MANAGER)
def user_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    status = request.GET.get("status", "")
    users = selectors.user_list(search=search, role=role, status=status)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "users/list.html",
        {
            "page_obj": page,
            "q": search,
            "role": role,
            "status": status,
            "roles": Role.choices,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def user_invite(request: HttpRequest) -> HttpResponse:
    # The to-do list links here with the role and setting already chosen.
    initial = {key: request.GET[key] for key in ("role", "settings") if key in request.GET}
    form = forms.InviteUserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.do_invite_user(
                invited_by=request.user,  # type: ignore[arg-type]
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
                settings=form.cleaned_data["settings"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Invitation sent to {user.email}.")
            return redirect("users:detail", user_id=user.pk)
    return render(request, "users/invite.html", {"form": form})


def access_user_by_id(request: HttpRequest, user_id: int) -> User:
    try:
        return User.objects.prefetch_related("settings").get(pk=user_id)
    except User.DoesNotExist:
        raise Http404("No such user.") from None


@require_GET
@role_required(Role.MANAGER)
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    from django_otp import user_has_device

    person = access_user_by_id(request, user_id)
    return render(
        request,
        "users/detail.html",
        {
            "person": person,
            "can_resend": services.can_resend_invitation(person),
            "has_second_factor": user_has_device(person, confirmed=True),
            "second_factors": two_factor.second_factors_of(person),
        },
    )


@require_POST
@role_required(Role.MANAGER)
def user_resend_invitation(request: HttpRequest, user_id: int) -> HttpResponse:
    person = access_user_by_id(request, user_id)
    try:
        services.do_resend_invitation(
            actor=request.user,  # type: ignore[arg-type]
            user=person,
            address=client_address(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"A new invitation is on its way to {person.email}")
    return redirect("users:detail", user_id=person.pk)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def user_set_active(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    """GET asks for confirmation; POST deactivates or reactivates."""
    person = access_user_by_id(request, user_id)
    active = action == "reactivate"
    if request.method == "POST":
        try:
            services.do_set_user_active(actor=request.user, user=person, active=active)  # type: ignore[arg-type]
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            verb = "reactivated" if active else "deactivated"
            messages.success(request, f"{person.full_name} has been {verb}.")
        return redirect("users:detail", user_id=person.pk)
    return render(request, "users/confirm_active.html", {"person": person, "active": active})


# Account pages: Django's views with our forms and templates, opened to visitors.
login_view = public(
    auth_views.LoginView.as_view(
        authentication_form=forms.LoginForm, redirect_authenticated_user=True
    )
)
password_reset = public(
    auth_views.PasswordResetView.as_view(
        form_class=forms.PasswordResetForm,
        success_url=reverse_lazy("password_reset_done"),
    )
)
password_reset_done = public(auth_views.PasswordResetDoneView.as_view())
password_reset_confirm = public(
    auth_views.PasswordResetConfirmView.as_view(
        form_class=forms.SetPasswordForm,
        success_url=reverse_lazy("password_reset_complete"),
    )
)
password_reset_complete = public(auth_views.PasswordResetCompleteView.as_view())
accept_invitation = public(
    auth_views.PasswordResetConfirmView.as_view(
        form_class=forms.SetPasswordForm,
        template_name="registration/accept_invitation.html",
        success_url=reverse_lazy("invitation_complete"),
        reset_url_token="set-password",
    )
)
invitation_complete = public(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="registration/invitation_complete.html"
    )
)
