from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accreditation.models import ApplicationStatus, Status
from kqm.models import Role
from settings.ofsted import Framework, Grade
from tests.access import assert_access, assert_not_found
from tests.factories import (
    AccreditationFactory,
    ApplicationFactory,
    CohortFactory,
    InspectionFactory,
)

pytestmark = pytest.mark.django_db


def test_setting_page_access_by_role(client, users, setting):
    url = reverse("settings:detail", args=[setting.pk])
    # Evaluators see only settings assigned to them: none yet, so 404 (not 403).
    assert_access(
        client,
        url,
        users,
        allowed=[Role.MANAGER, Role.SETTING_MANAGER, Role.PRACTITIONER],
        not_found=[Role.EVALUATOR],
    )


def test_another_settings_page_is_not_found(client, users, other_setting):
    url = reverse("settings:detail", args=[other_setting.pk])
    assert_not_found(client, url, [users[Role.SETTING_MANAGER], users[Role.PRACTITIONER]])


def test_manager_sees_the_history_staff_do_not(client, users, setting):
    setting.name = "Renamed Nursery"
    setting.save()
    url = reverse("settings:detail", args=[setting.pk])
    client.force_login(users[Role.MANAGER])
    html = client.get(url).content.decode()
    assert "History" in html and "Little Acorns Day Nursery &rarr; Renamed Nursery" in html
    client.force_login(users[Role.SETTING_MANAGER])
    assert "History" not in client.get(url).content.decode()


# --- The setting's story ---------------------------------------------------------------------


def _timeline(html: str) -> str:
    return html.split('data-testid="timeline"', 1)[1].split("</ol>", 1)[0]


def test_viewers_never_see_a_setting(client, users, setting):
    client.force_login(users[Role.VIEWER])
    assert client.get(reverse("settings:detail", args=[setting.pk])).status_code == 403


def test_an_evaluator_sees_an_assigned_setting_but_not_its_applications(client, users, setting):
    evaluator = users[Role.EVALUATOR]
    cohort = CohortFactory(name="2026 cohort")
    ApplicationFactory(setting=setting, cohort=cohort)
    AccreditationFactory(setting=setting, cohort=cohort, evaluator=evaluator)
    client.force_login(evaluator)
    response = client.get(reverse("settings:detail", args=[setting.pk]))
    assert response.status_code == 200
    timeline = _timeline(response.content.decode())
    assert "Joined the 2026 cohort" in timeline
    assert "Applied to join" not in timeline
    assert "Add an inspection" not in response.content.decode()


def test_the_timeline_tells_the_whole_story_newest_first(client, manager, setting):
    InspectionFactory(
        setting=setting,
        framework=Framework.EYFS_2008,
        inspection_date=datetime.date(2009, 5, 1),
        overall_effectiveness=Grade.SATISFACTORY,
        judgements={"being_healthy": Grade.GOOD},
    )
    cohort = CohortFactory(name="2010 cohort", programme_year=2010)
    with time_machine.travel(datetime.datetime(2010, 1, 10, 9, tzinfo=datetime.UTC)):
        application = ApplicationFactory(setting=setting, cohort=cohort)
    with time_machine.travel(datetime.datetime(2010, 2, 1, 9, tzinfo=datetime.UTC)):
        application.status = ApplicationStatus.ACCEPTED
        application.decided_by = manager
        application.decided_at = timezone.now()
        application.save()
        accreditation = AccreditationFactory(
            setting=setting, cohort=cohort, application=application
        )
    with time_machine.travel(datetime.datetime(2010, 9, 1, 9, tzinfo=datetime.UTC)):
        accreditation.transition(Status.IN_PROGRESS, by=manager, reason="Initial ECERS booked.")
    InspectionFactory(
        setting=setting,
        framework=Framework.RENEWED_2025,
        inspection_date=datetime.date(2026, 1, 20),
        overall_effectiveness="",
        safeguarding=Grade.MET,
        judgements={"inclusion": Grade.STRONG},
    )
    client.force_login(manager)
    html = client.get(reverse("settings:detail", args=[setting.pk])).content.decode()
    timeline = _timeline(html)
    order = [
        "Ofsted inspection: no overall grade",
        "KQM status changed to in progress (2010 cohort)",
        "Joined the 2010 cohort",
        "Application to the 2010 cohort: accepted",
        "Applied to join the 2010 cohort",
        "Ofsted inspection: Satisfactory",
    ]
    positions = [timeline.find(text) for text in order]
    assert -1 not in positions, list(zip(order, positions, strict=True))
    assert positions == sorted(positions)
    assert "Initial ECERS booked." in timeline and "Kqm manager user" not in timeline
    assert "by KQM manager user" in timeline
    assert "Safeguarding" in timeline and "Inclusion" in timeline and "Strong standard" in timeline
    assert "Being healthy" in timeline
    # The summary cards: the latest EYR outcome and the current KQM status.
    assert 'data-testid="latest-outcome">No overall grade</p>' in html
    assert 'data-testid="kqm-status">In progress</strong>' in html
    assert reverse("accreditation:accreditation-detail", args=[accreditation.pk]) in timeline
    assert reverse("accreditation:application-detail", args=[application.pk]) in timeline


def test_the_manager_can_add_change_and_delete_inspections_from_the_page(client, users, setting):
    inspection = InspectionFactory(setting=setting)
    url = reverse("settings:detail", args=[setting.pk])
    client.force_login(users[Role.MANAGER])
    html = client.get(url).content.decode()
    assert reverse("settings:inspection-new", args=[setting.pk]) in html
    assert reverse("settings:inspection-edit", args=[inspection.pk]) in html
    assert reverse("settings:inspection-delete", args=[inspection.pk]) in html
    assert reverse("settings:edit", args=[setting.pk]) in html
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(url).content.decode()
    assert "Ofsted inspection: Good" in html
    assert reverse("settings:inspection-new", args=[setting.pk]) not in html
    assert reverse("settings:inspection-edit", args=[inspection.pk]) not in html


def test_a_setting_with_no_story_says_so(client, manager, setting):
    client.force_login(manager)
    html = client.get(reverse("settings:detail", args=[setting.pk])).content.decode()
    assert "Nothing has happened yet" in html
    assert 'data-testid="latest-outcome">Not inspected</p>' in html
    assert 'data-testid="kqm-status">Never applied</strong>' in html


def test_the_setting_page_is_kept_for_each_reader_until_its_records_change(
    client, users, setting, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """Its story is read once per reader, then served from the cache until an inspection,
    a record of the programme, the setting or a user changes."""
    url = reverse("settings:detail", args=[setting.pk])
    client.force_login(users[Role.MANAGER])
    assert 'data-testid="latest-outcome">Not inspected</p>' in client.get(url).content.decode()
    with django_assert_num_queries(4):  # session, user, setting, history
        assert "Not inspected" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        InspectionFactory(setting=setting, inspection_date=datetime.date(2024, 5, 1))
    html = client.get(url).content.decode()
    assert 'data-testid="latest-outcome">Not inspected</p>' not in html
    assert "1 May 2024" in html
    # Another reader's story is their own (setting staff see only some records).
    client.force_login(users[Role.SETTING_MANAGER])
    # session, user, setting, inspections, applications, accreditations, KQM status (no
    # status changes to read, and no history for them)
    with django_assert_num_queries(7):
        assert "1 May 2024" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        setting.name = "Renamed Nursery"
        setting.save()
    assert "Renamed Nursery" in client.get(url).content.decode()


@pytest.mark.parametrize("items", [1, 20])
def test_the_setting_page_runs_a_constant_number_of_queries(
    client, users, setting, items, django_assert_num_queries
):
    manager = users[Role.MANAGER]
    for n in range(items):
        InspectionFactory(
            setting=setting, inspection_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=n)
        )
        cohort = CohortFactory()
        ApplicationFactory(setting=setting, cohort=cohort, decided_by=manager)
        accreditation = AccreditationFactory(
            setting=setting, cohort=cohort, evaluator=users[Role.EVALUATOR]
        )
        accreditation.transition(Status.IN_PROGRESS, by=manager)
    client.force_login(manager)
    url = reverse("settings:detail", args=[setting.pk])
    # session, user, setting, inspections, applications, accreditations, status changes,
    # history (the KQM status is worked out from the applications and accreditations)
    with django_assert_num_queries(8):
        response = client.get(url)
    assert _timeline(response.content.decode()).count("kqm-timeline__item") == items * 4
    client.force_login(users[Role.SETTING_MANAGER])
    # ... and for setting staff, who may not see every record, the KQM status's own query
    # (every accreditation and application) instead of the history.
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
