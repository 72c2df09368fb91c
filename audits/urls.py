"""Audits and Leuven screenings; each topic module owns its ``urlpatterns``."""

from .views import audits, evaluation, leadership_review, leuven, ppel, questionnaires

app_name = "audits"

urlpatterns = [
    *audits.urlpatterns,
    *leadership_review.urlpatterns,
    *ppel.urlpatterns,
    *leuven.urlpatterns,
    *questionnaires.urlpatterns,
    *evaluation.urlpatterns,
]
