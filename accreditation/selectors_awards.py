"""Reads of awards: the user-scoped list and record, the public register and verification."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.http import Http404
from django.utils import timezone

from kqm import policy
from kqm.models import Role, User
from kqm.parsing import parse_int

from .models import Award
from .models.awards import AwardQuerySet, normalise_verification_code

# The award list's orders: sort key -> (label, ordering).
AWARD_SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "newest": ("Newest award first", ("-award_date", "-sequence")),
    "expiry": ("Expiring soonest", ("expiry_date", "setting__name", "pk")),
    "number": ("Award number", ("year", "sequence")),
    "setting": ("Setting name", ("setting__name", "setting__urn", "-award_date", "pk")),
}
DEFAULT_AWARD_SORT = "newest"


def awards_visible_to(user: User) -> AwardQuerySet:
    """Every award for the KQM manager; their own settings' awards for setting staff."""
    awards = Award.objects.select_related("setting", "accreditation__cohort")
    if user.role == Role.MANAGER:
        return awards
    if user.role in policy.SETTING_STAFF:
        return awards.filter(setting__in=user.settings.all())
    return awards.none()


def access_award_by_id(user: User, award_id: int) -> Award:
    """The award if the user may see it: 403 for roles that never see awards, else 404."""
    if user.role not in (Role.MANAGER, *policy.SETTING_STAFF):
        raise PermissionDenied("Only the KQM manager and the setting's staff see its award.")
    try:
        return (
            awards_visible_to(user)
            .select_related("granted_by", "revoked_by", "previous_award")
            .get(pk=award_id)
        )
    except Award.DoesNotExist:
        raise Http404("No such award.") from None


def _search_settings(
    awards: QuerySet[Award], search: str, *, more: Q | None = None
) -> QuerySet[Award]:
    """Setting name, town or postcode, partial and case-insensitive; postcodes ignore spaces."""
    squashed = "".join(search.split())
    matches = (
        Q(setting__name__icontains=search)
        | Q(setting__town__icontains=search)
        | Q(setting__postcode__icontains=search)
        | Q(postcode_squashed__icontains=squashed)
    )
    return awards.alias(
        postcode_squashed=Replace("setting__postcode", Value(" "), Value(""))
    ).filter(matches | more if more is not None else matches)


def award_list(
    user: User,
    *,
    search: str = "",
    status: str = "",
    year: str = "",
    sort: str = "",
    today: datetime.date | None = None,
) -> QuerySet[Award]:
    """The awards the user may see, searched (setting, URN, postcode or award number),
    filtered by status and year, and sorted. One query per page whatever the filters."""
    awards: QuerySet[Award] = awards_visible_to(user).with_status(status, today)
    search = search.strip()
    if search:
        awards = _search_settings(
            awards,
            search,
            more=Q(number__iexact=search) | Q(setting__urn__iexact="".join(search.split())),
        )
    if (award_year := parse_int(year, minimum=0, maximum=9999)) is not None:
        awards = awards.filter(year=award_year)
    ordering = AWARD_SORTS.get(sort, AWARD_SORTS[DEFAULT_AWARD_SORT])[1]
    return awards.order_by(*ordering)


def award_years(user: User) -> list[int]:
    return list(awards_visible_to(user).order_by("-year").values_list("year", flat=True).distinct())


def award_by_verification_code(text: str) -> Award | None:
    """The award a typed code belongs to (case, spaces and hyphens ignored), or None."""
    code = normalise_verification_code(text)
    if code is None:
        return None
    return Award.objects.select_related("setting").filter(verification_code=code).first()


def public_register(search: str = "", today: datetime.date | None = None) -> QuerySet[Award]:
    """Settings holding a valid award, by name: one row per setting, its latest valid award.

    A setting re-accredited before its earlier award expired holds two valid awards;
    only the newer one is listed. One query per page whatever the number of settings.
    """
    today = today or timezone.localdate()
    valid = Award.objects.valid(today)
    newer = valid.filter(setting=OuterRef("setting")).filter(
        Q(award_date__gt=OuterRef("award_date"))
        | Q(award_date=OuterRef("award_date"), pk__gt=OuterRef("pk"))
    )
    awards: QuerySet[Award] = (
        valid.filter(~Exists(newer))
        .select_related("setting")
        .only(
            "number",
            "award_date",
            "expiry_date",
            "verification_code",
            "revoked_at",
            "setting__name",
            "setting__urn",
            "setting__town",
            "setting__postcode",
            "setting__provider_type",
        )
    )
    search = search.strip()
    if search:
        awards = _search_settings(awards, search)
    return awards.order_by("setting__name", "setting__urn", "pk")
