"""Awards: the list, one award and its certificate, revoking, rendering the certificate again."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from kqm.access import role_required
from kqm.http import AuthenticatedHttpRequest, add_service_errors
from kqm.models import Role

from .. import policy, selectors_awards
from ..forms.awards import RevokeAwardForm
from ..models import AwardStatus
from ..services.awards import do_request_certificate_render, do_revoke_award

PAGE_SIZE = 25


@require_GET
@role_required(*policy.AWARD_READERS)
def award_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    year = request.GET.get("year", "")
    sort = request.GET.get("sort", "")
    if sort not in selectors_awards.AWARD_SORTS:
        sort = selectors_awards.DEFAULT_AWARD_SORT
    awards = selectors_awards.award_list(user, search=search, status=status, year=year, sort=sort)
    page = Paginator(awards, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accreditation/awards/list.html",
        {
            "page_obj": page,
            "q": search,
            "status": status,
            "year": year,
            "sort": sort,
            "statuses": AwardStatus.choices,
            "years": selectors_awards.award_years(user),
            "sorts": [(key, label) for key, (label, _) in selectors_awards.AWARD_SORTS.items()],
            "filtered": bool(search or status or year),
        },
    )


@require_GET
@role_required(*policy.AWARD_READERS)
def award_detail(request: AuthenticatedHttpRequest, award_id: int) -> HttpResponse:
    user = request.user
    award = selectors_awards.access_award_by_id(user, award_id)
    return render(
        request,
        "accreditation/awards/detail.html",
        {
            "award": award,
            "scheme": settings.KQM_SCHEME_NAME,
            "may_download": award.has_certificate and (user.is_manager or not award.is_revoked),
        },
    )


@require_GET
@role_required(*policy.AWARD_READERS)
def award_certificate(request: AuthenticatedHttpRequest, award_id: int) -> FileResponse:
    """The certificate PDF, to the KQM manager and the setting's staff; always a download.

    A revoked award's certificate stays with the KQM manager only.
    """
    user = request.user
    award = selectors_awards.access_award_by_id(user, award_id)
    if not award.has_certificate or (award.is_revoked and not user.is_manager):
        raise Http404("This award has no certificate to download.")
    try:
        handle = award.certificate.open("rb")
    except FileNotFoundError:
        raise Http404("The certificate is missing from storage.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=award.certificate_filename(),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def award_revoke(request: AuthenticatedHttpRequest, award_id: int) -> HttpResponse:
    """The confirmation page, with the reason; POST revokes."""
    user = request.user
    award = selectors_awards.access_award_by_id(user, award_id)
    if award.is_revoked:
        messages.info(request, f"{award.number} has already been revoked.")
        return redirect(award)
    form = RevokeAwardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_revoke_award(award=award, by=user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{award.number} has been revoked. Its certificate now verifies as revoked.",
            )
            return redirect(award)
    return render(request, "accreditation/awards/revoke.html", {"award": award, "form": form})


@require_http_methods(["POST"])
@role_required(Role.MANAGER)
def award_render_certificate(request: AuthenticatedHttpRequest, award_id: int) -> HttpResponse:
    user = request.user
    award = selectors_awards.access_award_by_id(user, award_id)
    try:
        do_request_certificate_render(award=award, requested_by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "The certificate is being rendered again. Reload this page in a minute to "
            "download the new file.",
        )
    return redirect(award)


urlpatterns = [
    path("awards/", award_list, name="award-list"),
    path("awards/<int:award_id>/", award_detail, name="award-detail"),
    path("awards/<int:award_id>/certificate/", award_certificate, name="award-certificate"),
    path(
        "awards/<int:award_id>/certificate/render/",
        award_render_certificate,
        name="award-render-certificate",
    ),
    path("awards/<int:award_id>/revoke/", award_revoke, name="award-revoke"),
]
