from django.apps import AppConfig


class SettingsConfig(AppConfig):
    name = "settings"
    verbose_name = "Register of settings"
    default_auto_field = "django.db.models.BigAutoField"
