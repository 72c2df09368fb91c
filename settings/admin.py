from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Setting


@admin.register(Setting)
class SettingAdmin(SimpleHistoryAdmin):
    list_display = ["name", "urn", "sector", "provider_type", "postcode"]
    list_filter = ["sector", "provider_type"]
    search_fields = ["name", "urn", "postcode"]
