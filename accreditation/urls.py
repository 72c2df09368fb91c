"""The programme's pages; each topic module owns its ``urlpatterns``."""

from .views import accreditations, applications, cohorts, evaluators

app_name = "accreditation"

urlpatterns = [
    *cohorts.urlpatterns,
    *evaluators.urlpatterns,
    *applications.urlpatterns,
    *accreditations.urlpatterns,
]
