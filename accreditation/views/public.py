"""Public pages, open to anyone: the certificate check and the register of accredited settings.

They show what a certificate shows (the setting's name and where it is, the award's
number, status and dates) and nothing else: no people, no children, no reasons.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kqm.access import public

from .. import selectors_awards
from ..forms.awards import VerifyCodeForm
from ..models import AwardStatus
from ..models.awards import format_verification_code

logger = logging.getLogger(__name__)
# Used only while the shared cache is down.
_fallback_counts = LocMemCache("verify-rate-fallback", {})

PAGE_SIZE = 25
RATE_WINDOW_SECONDS = 60


def client_address(request: HttpRequest) -> str:
    """The visitor's address. Behind a proxy on our own network (a private or loopback
    address), the address the proxy appended last to ``X-Forwarded-For``; a visitor
    connecting directly cannot choose their own address this way."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    try:
        behind_proxy = ipaddress.ip_address(remote).is_private
    except ValueError:
        behind_proxy = False
    if behind_proxy and forwarded:
        candidate = forwarded.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            return remote
    return remote


def _count(store: BaseCache, key: str) -> int:
    store.add(key, 0, timeout=RATE_WINDOW_SECONDS * 2)
    try:
        return store.incr(key)
    except ValueError:  # expired between add and incr
        store.set(key, 1, timeout=RATE_WINDOW_SECONDS * 2)
        return 1


def over_rate_limit(request: HttpRequest) -> bool:
    """Count one lookup for the visitor in the current minute; True once over the limit.

    The count lives in Django's cache (Redis in production), so every web process
    shares it. While that cache is unavailable each process counts on its own, so the
    limit still holds (per process) and the page still answers.
    """
    window = int(timezone.now().timestamp()) // RATE_WINDOW_SECONDS
    key = f"verify-rate:{client_address(request)}:{window}"
    try:
        count = _count(cache, key)
    except Exception:  # the shared cache (Redis) is down: count in this process instead
        logger.warning("Counting certificate checks in-process: the cache is unavailable")
        count = _count(_fallback_counts, key)
    return count > settings.VERIFY_RATE_LIMIT


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
