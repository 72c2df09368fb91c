"""Reads of the register, always scoped to the user asking."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404

from accreditation.models import Accreditation
from kqm.models import Role, User

from .models import Sector, Setting


def settings_visible_to(user: User) -> QuerySet[Setting]:
    """The settings a user may open: all for the KQM manager, their own for setting staff."""
    if user.role == Role.MANAGER:
        return Setting.objects.all()
    if user.role in (Role.SETTING_MANAGER, Role.PRACTITIONER):
        return Setting.objects.filter(members=user)
    if user.role == Role.EVALUATOR:
        # Settings with an accreditation assigned to them.
        return Setting.objects.filter(
            pk__in=Accreditation.objects.filter(evaluator=user).values("setting_id")
        )
    return Setting.objects.none()


def access_setting_by_id(user: User, setting_id: int) -> Setting:
    """The setting if the user may see it; 403 for roles that never see a setting, else 404."""
    if user.role == Role.VIEWER:
        raise PermissionDenied("Viewers see reports, not individual settings.")
    try:
        return settings_visible_to(user).get(pk=setting_id)
    except Setting.DoesNotExist:
        raise Http404("No such setting.") from None


def settings_by_sector() -> list[dict[str, object]]:
    """Settings per sector, with the sector's label."""
    labels = dict(Sector.choices)
    rows = Setting.objects.values("sector").annotate(count=Count("id")).order_by("sector")
    return [{"sector": labels.get(r["sector"], r["sector"]), "count": r["count"]} for r in rows]
