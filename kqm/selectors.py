"""Reads for users and the dashboards."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from settings.models import Setting

from .models import Role, User


def user_list(*, search: str = "", role: str = "", status: str = "") -> QuerySet[User]:
    users = User.objects.prefetch_related(
        Prefetch("settings", queryset=Setting.objects.only("id", "name", "urn"))
    ).order_by("full_name", "email")
    if search:
        users = users.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    if role in Role.values:
        users = users.filter(role=role)
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "inactive":
        users = users.filter(is_active=False)
    return users


def users_by_role() -> list[dict[str, object]]:
    """Active users per role, every role listed even when it has none."""
    counts = dict(
        User.objects.filter(is_active=True)
        .values_list("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    return [
        {"role": label, "value": value, "count": counts.get(value, 0)}
        for value, label in Role.choices
    ]


def setting_managers_of(*setting_ids: int) -> list[User]:
    """The active setting managers of these settings, the people told about their records
    (each once, in the order their accounts were made)."""
    return list(
        User.objects.filter(settings__in=setting_ids, role=Role.SETTING_MANAGER, is_active=True)
        .distinct()
        .order_by("pk")
    )
