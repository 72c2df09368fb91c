from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import OutboxMessage, SentEmail, User, WorkerHeartbeat


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    ordering = ["full_name"]
    list_display = ["email", "full_name", "role", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "full_name"]
    filter_horizontal = ["settings", "groups", "user_permissions"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "role", "settings")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "role", "password1", "password2"),
            },
        ),
    )


@admin.register(SentEmail)
class SentEmailAdmin(admin.ModelAdmin):
    list_display = [
        "template",
        "to",
        "subject",
        "status",
        "delivery_status",
        "attempts",
        "started_at",
        "sent_at",
    ]
    list_filter = ["status", "delivery_status"]
    search_fields = ["to", "key", "notify_id"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["task", "kwargs", "created_at", "published_at", "attempts", "last_error"]
    search_fields = ["task"]


admin.site.register(WorkerHeartbeat)
admin.site.site_header = "KQM administration"


# The admin needs the second factor too (on top of SecondFactorMiddleware, which already
# holds back every page until the code is given).
_admin_has_permission = admin.site.has_permission


def _has_permission_with_second_factor(request: Any) -> bool:
    from .two_factor import enforced, is_verified

    return _admin_has_permission(request) and (not enforced() or is_verified(request))


admin.site.has_permission = _has_permission_with_second_factor  # type: ignore[method-assign]
