from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "accreditation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .reports import cache

        cache.connect()  # reports computed from these records are recomputed after a change
