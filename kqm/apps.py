from django.apps import AppConfig


class KqmConfig(AppConfig):
    name = "kqm"
    verbose_name = "KQM accounts and platform"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import pre_migrate

        from . import auth, signals  # noqa: F401
        from .upgrades import refuse_unfinished_squash

        pre_migrate.connect(refuse_unfinished_squash, sender=self)
