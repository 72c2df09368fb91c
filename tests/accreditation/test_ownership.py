"""Every audit and questionnaire round belongs to the accreditation it was started from.

A setting in this year's cohort that has already applied to next year's must still find
this year's audits under this year's record: the page that starts the audit names the
accreditation, and nothing is inferred from which accreditation was created last.
"""

# Fixtures are imported from year_factories, so test arguments share their names.
# ruff: noqa: F811

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accreditation.models import FilingKind, Status, UnfiledRecord
from accreditation.selectors_tasks import accreditation_tasks
from accreditation.services.accreditations import has_completed_end_of_year_audit
from audits.models import (
    Audit,
    Occasion,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireRound,
)
from audits.refiling import refile
from kqm.models import Role
from tests.access import assert_access
from tests.audits.ratings_factories import library, make_audit
from tests.factories import AccreditationFactory, CohortFactory, SettingFactory

from .year_factories import accreditation, cohort, evaluator  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions():
    return library()


@pytest.fixture
def next_year(setting, cohort):
    """Next year's application, created after this year's accreditation."""
    return AccreditationFactory(
        setting=setting,
        cohort=CohortFactory(name="2027 cohort", programme_year=2027),
        status=Status.ACCEPTED,
    )


def _tasks(accreditation, user):
    return {t.key: t for g in accreditation_tasks(accreditation, user) for t in g.tasks}


def _audit_post(version, occasion, accreditation_value, day=datetime.date(2027, 6, 20)):
    return {
        "version": version.pk,
        "room": "Pre-school room",
        "occasion": occasion,
        "date_0": str(day.day),
        "date_1": str(day.month),
        "date_2": str(day.year),
        "accreditation": accreditation_value,
    }


def test_an_audit_started_from_this_years_task_list_is_filed_under_this_year(
    client, users, accreditation, next_year, versions
):
    manager = users[Role.SETTING_MANAGER]
    url = _tasks(accreditation, manager)["ppel-end-of-year"].url
    client.force_login(manager)
    page = client.get(url).content.decode()
    # The page shows which accreditation the audit goes under, preselected.
    assert re.search(rf'value="{accreditation.pk}"\s+checked="checked"', page)
    assert "2027 cohort" in page  # the other live year is offered, not chosen
    response = client.post(
        url, _audit_post(versions["kqm-ppel"], Occasion.END_OF_YEAR, accreditation.pk)
    )
    assert response.status_code == 302
    audit = Audit.objects.get()
    assert audit.accreditation == accreditation
    assert _tasks(accreditation, manager)["ppel-end-of-year"].status == "In progress"
    assert _tasks(next_year, manager)["ppel-end-of-year"].status == "Not started"


def test_the_audit_page_asks_which_year_and_refuses_a_closed_or_foreign_one(
    client, users, accreditation, next_year, versions, other_setting
):
    withdrawn = AccreditationFactory(
        setting=accreditation.setting,
        cohort=CohortFactory(name="2025 cohort", programme_year=2025),
        status=Status.WITHDRAWN,
    )
    foreign = AccreditationFactory(setting=other_setting, cohort=accreditation.cohort)
    client.force_login(users[Role.SETTING_MANAGER])
    url = f"{reverse('audits:audit-new')}?setting={accreditation.setting_id}"
    page = client.get(url).content.decode()
    assert "Which accreditation year is this audit part of?" in page
    assert "2025 cohort" not in page  # withdrawn: read-only, takes no new audits
    version = versions["ecers-3"]
    missing = client.post(url, _audit_post(version, Occasion.INITIAL, ""))
    assert "Choose the accreditation year this audit is part of" in missing.content.decode()
    for chosen in (withdrawn.pk, foreign.pk):
        refused = client.post(url, _audit_post(version, Occasion.INITIAL, chosen))
        assert "Choose one of the accreditation years listed" in refused.content.decode()
    assert not Audit.objects.exists()
    client.post(url, _audit_post(version, Occasion.OTHER, "none"))
    assert Audit.objects.get().accreditation is None


def test_a_visit_starts_its_audit_under_the_visits_accreditation(
    client, users, accreditation, next_year
):
    from accreditation.models import VisitType

    from .year_factories import VisitFactory

    visit = VisitFactory(accreditation=accreditation, visit_type=VisitType.END_OF_YEAR_AUDIT)
    client.force_login(users[Role.EVALUATOR])
    page = client.get(visit.get_absolute_url()).content.decode()
    assert (
        f"setting={accreditation.setting_id}&amp;accreditation={accreditation.pk}"
        "&amp;occasion=end_of_year" in page
    )


def _questionnaires():
    return Questionnaire.objects.filter(
        kind=QuestionnaireKind.STAFF, is_current=True
    ).first() or Questionnaire.objects.create(
        code="staff-own",
        kind=QuestionnaireKind.STAFF,
        title="Staff questionnaire",
        version="1",
        comment_prompt="Anything else?",
    )


def test_a_questionnaire_round_started_from_the_task_list_counts_for_that_year_only(
    client, users, accreditation, next_year
):
    _questionnaires()
    manager = users[Role.SETTING_MANAGER]
    url = _tasks(accreditation, manager)["staff-questionnaire"].url
    assert f"accreditation={accreditation.pk}" in url
    client.force_login(manager)
    closes_on = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        url,
        {
            "kind": "staff",
            "title": "Staff, summer",
            "link_count": "3",
            "accreditation": accreditation.pk,
            "closes_on_0": closes_on.day,
            "closes_on_1": closes_on.month,
            "closes_on_2": closes_on.year,
        },
    )
    assert response.status_code == 302
    assert QuestionnaireRound.objects.get().accreditation == accreditation
    assert _tasks(accreditation, manager)["staff-questionnaire"].status == "Open for answers"
    # The old rule counted every round started after the cohort began, for every year.
    assert _tasks(next_year, manager)["staff-questionnaire"].status == "Not started"


def test_next_years_end_of_year_audit_does_not_count_for_this_year(
    users, accreditation, next_year, versions
):
    make_audit(
        setting=accreditation.setting,
        version=versions["ecers-3"],
        created_by=users[Role.EVALUATOR],
        occasion=Occasion.END_OF_YEAR,
        date=datetime.date(2028, 6, 1),
        accreditation=next_year,
        completed=True,
    )
    assert not has_completed_end_of_year_audit(accreditation)
    assert has_completed_end_of_year_audit(next_year)


# --- The data migration: re-filing by date, listing what it cannot decide ----------------------


def _refile():
    from accreditation.models import Accreditation

    return refile(
        audit_model=Audit,
        round_model=QuestionnaireRound,
        accreditation_model=Accreditation,
        unfiled_model=UnfiledRecord,
    )


def test_the_migration_refiles_audits_the_old_rule_misfiled_and_lists_the_rest(
    users, accreditation, next_year, versions
):
    ev = users[Role.EVALUATOR]
    # Filed by the old rule under next year's (newest) record, dated in this year.
    misfiled = make_audit(
        setting=accreditation.setting,
        version=versions["kqm-leadership"],
        created_by=ev,
        occasion=Occasion.OTHER,
        date=datetime.date(2027, 3, 1),
        accreditation=next_year,
    )
    copy = make_audit(
        setting=accreditation.setting,
        version=versions["kqm-leadership"],
        created_by=ev,
        occasion=Occasion.OTHER,
        date=datetime.date(2027, 3, 1),
        accreditation=next_year,
        paired_with=misfiled,
    )
    right = make_audit(
        setting=accreditation.setting,
        version=versions["ecers-3"],
        created_by=ev,
        occasion=Occasion.INITIAL,
        date=datetime.date(2027, 10, 1),
        accreditation=next_year,
    )
    # Dated in no accreditation year of the setting: cannot be decided.
    stray = make_audit(
        setting=accreditation.setting,
        version=versions["ecers-3"],
        created_by=ev,
        occasion=Occasion.END_OF_YEAR,
        date=datetime.date(2020, 6, 1),
        accreditation=next_year,
        completed=True,
    )
    reaccreditation = make_audit(
        setting=accreditation.setting,
        version=versions["ecers-3"],
        created_by=ev,
        occasion=Occasion.REACCREDITATION,
        date=datetime.date(2020, 6, 1),
        accreditation=next_year,
    )
    staff = QuestionnaireRound.objects.create(
        setting=accreditation.setting,
        questionnaire=_questionnaires(),
        title="Staff, spring",
        closes_on=datetime.date(2027, 3, 20),
        created_by=users[Role.SETTING_MANAGER],
    )
    QuestionnaireRound.objects.filter(pk=staff.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2027, 3, 2, 10))
    )
    report = _refile()
    for record in (misfiled, copy, right, stray, reaccreditation, staff):
        record.refresh_from_db()
    assert misfiled.accreditation == accreditation and copy.accreditation == accreditation
    assert right.accreditation == next_year
    assert stray.accreditation == next_year  # left alone, listed
    assert reaccreditation.accreditation == next_year  # not a programme-year audit
    assert staff.accreditation == accreditation
    assert sorted(report.refiled) == sorted([misfiled.pk, copy.pk])
    listed = UnfiledRecord.objects.get()
    assert (listed.kind, listed.record_id) == (FilingKind.AUDIT, stray.pk)
    assert "falls within none" in listed.reason
    # Running it again lists nothing twice.
    assert _refile().listed == 0


def test_the_manager_files_a_listed_record_from_the_page(
    client, users, accreditation, next_year, versions
):
    stray = make_audit(
        setting=accreditation.setting,
        version=versions["ecers-3"],
        created_by=users[Role.EVALUATOR],
        occasion=Occasion.END_OF_YEAR,
        date=datetime.date(2020, 6, 1),
        accreditation=next_year,
    )
    _refile()
    record = UnfiledRecord.objects.get()
    list_url = reverse("accreditation:unfiled-list")
    file_url = reverse("accreditation:unfiled-file", args=[record.pk])
    assert_access(client, list_url, users, allowed=[Role.MANAGER])
    assert_access(client, file_url, users, allowed=[Role.MANAGER])
    client.force_login(users[Role.MANAGER])
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="attention-records-to-file"' in dashboard
    assert stray.room in client.get(list_url).content.decode()
    bad = client.post(file_url, {"accreditation": "nonsense"})
    assert "Choose one of the accreditation years listed" in bad.content.decode()
    response = client.post(file_url, {"accreditation": accreditation.pk})
    assert response.status_code == 302
    stray.refresh_from_db()
    assert stray.accreditation == accreditation
    assert stray.history.first().history_user == users[Role.MANAGER]
    assert 'data-testid="nothing-to-file"' in client.get(list_url).content.decode()
    assert client.get(file_url).status_code == 404  # filed once only


def test_a_record_of_another_setting_cannot_be_filed_under_this_one(users, accreditation, versions):
    from accreditation.services.filing import do_file_record

    other = AccreditationFactory(setting=SettingFactory(), cohort=accreditation.cohort)
    record = UnfiledRecord.objects.create(
        kind=FilingKind.AUDIT,
        record_id=1,
        setting=accreditation.setting,
        summary="An audit",
        reason="Test",
    )
    with pytest.raises(Exception, match="setting's accreditations"):
        do_file_record(record=record, accreditation=other, filed_by=users[Role.MANAGER])
