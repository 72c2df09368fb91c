from django.apps import AppConfig


class KqmConfig(AppConfig):
    name = "kqm"
    verbose_name = "KQM accounts and platform"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import auth, signals  # noqa: F401
