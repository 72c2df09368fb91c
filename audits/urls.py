"""Audits and Leuven screenings; each topic module owns its ``urlpatterns``."""

from .views import audits, evaluation, leadership_review, leuven, ppel, progress, questionnaires

app_name = "audits"

urlpatterns = [
    *audits.urlpatterns,
    *leadership_review.urlpatterns,
    *ppel.urlpatterns,
    *leuven.urlpatterns,
    *progress.urlpatterns,
    *questionnaires.urlpatterns,
    *evaluation.urlpatterns,
]
