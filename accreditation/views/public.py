"""Public pages, open to anyone: the certificate check and the register of accredited settings.

They show what a certificate shows (the setting's name and where it is, the award's
number, status and dates) and nothing else: no people, no children, no reasons.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kqm.access import public
from kqm.net import client_address
from kqm.ratelimit import hit

from .. import selectors_awards
from ..forms.awards import VerifyCodeForm
from ..models import AwardStatus
from ..models.awards import format_verification_code

PAGE_SIZE = 25
RATE_WINDOW_SECONDS = 60


def over_rate_limit(request: HttpRequest) -> bool:
    """Count one lookup for the visitor in the current minute; True once over the limit.

    The count lives in Django's cache (Redis in production), so every web process shares
    it; if the cache is down the lookup is allowed and the failure logged.
    """
    return hit(
        "verify",
        client_address(request),
        limit=settings.VERIFY_RATE_LIMIT,
        window_seconds=RATE_WINDOW_SECONDS,
    )


def _public_context(**extra: object) -> dict[str, object]:
    return {
        "scheme": settings.KQM_SCHEME_NAME,
        "validity_years": settings.AWARD_VALIDITY_YEARS,
        **extra,
    }


@public
@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """Type the code from a certificate; a well-formed code goes to its check page."""
    form = VerifyCodeForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("verify-award", code=format_verification_code(form.cleaned_data["code"]))
    return render(request, "public/verify.html", _public_context(form=form))


@public
@require_GET
def verify_award(request: HttpRequest, code: str) -> HttpResponse:
    """Valid, expired or revoked, with the dates; 404 for a code no award has."""
    if over_rate_limit(request):
        response = render(
            request,
            "public/rate_limited.html",
            _public_context(limit=settings.VERIFY_RATE_LIMIT),
            status=429,
        )
        response["Retry-After"] = str(RATE_WINDOW_SECONDS)
        return response
    award = selectors_awards.award_by_verification_code(code)
    if award is None:
        return render(
            request,
            "public/verify_not_found.html",
            _public_context(code=code[:24], form=VerifyCodeForm()),
            status=404,
        )
    status = award.status
    response = render(
        request,
        "public/verify_award.html",
        _public_context(
            award=award,
            status=status,
            status_colour=award.status_colour,
            revoked_on=timezone.localdate(award.revoked_at) if award.revoked_at else None,
            is_valid=status == AwardStatus.VALID,
        ),
    )
    response["Cache-Control"] = "no-store"  # a revocation shows at once
    response["X-Robots-Tag"] = "noindex"
    return response


@public
@require_GET
def public_register(request: HttpRequest) -> HttpResponse:
    """Settings holding a valid award, searchable by name, town or postcode."""
    search = request.GET.get("q", "").strip()[:100]
    awards = selectors_awards.public_register(search)
    page = Paginator(awards, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/register.html",
        _public_context(page_obj=page, q=search),
    )
