"""Audits and Leuven screenings; each topic module owns its ``urlpatterns``."""

from .views import audits, leuven, questionnaires

app_name = "audits"

urlpatterns = [
    *audits.urlpatterns,
    *leuven.urlpatterns,
    *questionnaires.urlpatterns,
]
