"""The programme's pages; each topic module owns its ``urlpatterns``."""

from .views import (
    accreditations,
    annual_reviews,
    applications,
    awards,
    budget,
    case_studies,
    cohorts,
    decisions,
    evaluators,
    exports,
    filing,
    messages,
    reaccreditation,
    reminders,
    reports,
    time,
    unit_b,
    visits,
    workshops,
)

app_name = "accreditation"

urlpatterns = [
    *cohorts.urlpatterns,
    *evaluators.urlpatterns,
    *applications.urlpatterns,
    *accreditations.urlpatterns,
    *filing.urlpatterns,
    *awards.urlpatterns,
    *decisions.urlpatterns,
    *visits.urlpatterns,
    *case_studies.urlpatterns,
    *messages.urlpatterns,
    *time.urlpatterns,
    *budget.urlpatterns,
    *unit_b.urlpatterns,
    *reaccreditation.urlpatterns,
    *reminders.urlpatterns,
    *reports.urlpatterns,
    *exports.urlpatterns,
    *annual_reviews.urlpatterns,
    *workshops.urlpatterns,
]
