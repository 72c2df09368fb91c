"""The programme's pages; each topic module owns its ``urlpatterns``."""

from .views import (
    accreditations,
    applications,
    awards,
    case_studies,
    cohorts,
    decisions,
    evaluators,
    messages,
    reminders,
    reports,
    time,
    unit_b,
    visits,
)

app_name = "accreditation"

urlpatterns = [
    *cohorts.urlpatterns,
    *evaluators.urlpatterns,
    *applications.urlpatterns,
    *accreditations.urlpatterns,
    *awards.urlpatterns,
    *decisions.urlpatterns,
    *visits.urlpatterns,
    *case_studies.urlpatterns,
    *messages.urlpatterns,
    *time.urlpatterns,
    *unit_b.urlpatterns,
    *reminders.urlpatterns,
    *reports.urlpatterns,
]
