"""The register's pages; each topic module owns its ``urlpatterns``."""

from . import views, views_import, views_inspections

app_name = "settings"

urlpatterns = [
    *views.urlpatterns,
    *views_inspections.urlpatterns,
    *views_import.urlpatterns,
]
