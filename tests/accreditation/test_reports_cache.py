"""The outcomes report is kept between changes and never served stale after one: a setting or
an inspection saved, an Ofsted import applied (set-based on PostgreSQL, in batches on
SQLite), a decision (an accreditation and its award). Its page keeps its HTML the same way,
as does the programme report's, and each topic of the cache follows its own records only."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accreditation.models import Accreditation, Status
from accreditation.reports import cache
from accreditation.reports.builders import outcomes_report
from accreditation.reports.outcomes import Filters, outcomes
from kqm.models import Role
from settings import importer, services_import
from settings.models import ImportStatus, Sector
from settings.ofsted import Grade
from tests.accreditation.outcomes_fixtures import award, inspect, make_settings
from tests.accreditation.programme_factories import TimeEntryFactory
from tests.accreditation.report_worlds import programme_world
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    InspectionFactory,
    SettingFactory,
    UserFactory,
)
from tests.settings.ofsted_files import eif, row, to_csv

pytestmark = pytest.mark.django_db

SNAPSHOT = datetime.date(2026, 3, 31)


def figures(report) -> list[tuple[str, int, int, int, int]]:
    return [
        (t.sector, t.kqm_total, t.benchmark_total, t.kqm_graded, t.benchmark_graded)
        for t in report.snapshot
    ]


def served() -> list[tuple[str, int, int, int, int]]:
    return figures(outcomes_report(Filters(snapshot=SNAPSHOT)))


def fresh() -> list[tuple[str, int, int, int, int]]:
    return figures(outcomes(Filters(snapshot=SNAPSHOT)))


def test_the_report_is_kept_until_what_it_reads_changes(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    make_settings(Sector.PVI, [Grade.GOOD, Grade.OUTSTANDING])
    first = served()
    with django_assert_num_queries(0):
        assert served() == first

    with django_capture_on_commit_callbacks(execute=True):
        (setting,) = make_settings(Sector.PVI, [Grade.GOOD])  # bulk: no signal of its own
        inspect(setting, Grade.INADEQUATE, day=datetime.date(2024, 5, 1))
    assert served() == fresh() != first

    before = served()
    with django_capture_on_commit_callbacks(execute=True):
        award(setting, datetime.date(2025, 7, 31))  # the decision: accredited, awarded
    assert served() == fresh() != before


def test_a_change_not_yet_committed_does_not_replace_the_kept_report(
    django_capture_on_commit_callbacks,
):
    make_settings(Sector.PVI, [Grade.GOOD])
    first = served()
    with django_capture_on_commit_callbacks(execute=False) as pending:
        (setting,) = make_settings(Sector.PVI, [Grade.GOOD])
        inspect(setting, Grade.GOOD, day=datetime.date(2024, 5, 1))
    assert pending  # the token is replaced when the transaction commits, not before
    assert served() == first
    for callback in pending:
        callback()
    assert served() == fresh() != first


def test_an_ofsted_import_makes_the_report_compute_again(
    manager, django_capture_on_commit_callbacks
):
    make_settings(Sector.PVI, [Grade.GOOD])
    first = served()
    data = to_csv([row("EY777001", **eif("14/03/2022", "Outstanding")), row("EY777002")])
    ofsted_import = services_import.do_upload_ofsted_import(
        uploaded_by=manager,
        upload=SimpleUploadedFile("ofsted.csv", data),
        encoding=importer.inspect_file(io.BytesIO(data)),
        check_now=False,
    )
    services_import.do_preview_ofsted_import(import_id=ofsted_import.pk)
    ofsted_import.refresh_from_db()
    services_import.do_confirm_ofsted_import(
        ofsted_import=ofsted_import, confirmed_by=manager, run_in_background=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        done = services_import.do_apply_ofsted_import(import_id=ofsted_import.pk)
    assert done is not None and done.status == ImportStatus.IMPORTED, done
    assert served() == fresh() != first


def test_without_a_cache_the_report_is_computed_each_time(monkeypatch):
    make_settings(Sector.PVI, [Grade.GOOD, Grade.OUTSTANDING])

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache.cache, "get", unreachable)
    assert served() == fresh()


def test_the_report_page_is_kept_as_html_and_written_again_after_a_decision(
    client, manager, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """The page keeps its filter form and its report as HTML; both follow the data."""
    (kent,) = make_settings(Sector.PVI, [Grade.GOOD], local_authority="Kent")
    url = reverse("accreditation:report-outcomes")
    query = {"snapshot_0": "31", "snapshot_1": "3", "snapshot_2": "2026"}
    client.force_login(manager)
    first = client.get(url, query).content.decode()
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in first
    with django_assert_num_queries(3):  # session, user, cohorts: the rest is kept
        again = client.get(url, query).content.decode()
    # The same page, but for the sign-out and export forms' fresh CSRF tokens.
    assert again.split('id="definitions"')[1] == first.split('id="definitions"')[1]
    assert again.count("csrfmiddlewaretoken") == first.count("csrfmiddlewaretoken") == 3

    with django_capture_on_commit_callbacks(execute=True):
        (medway,) = make_settings(Sector.PVI, [Grade.OUTSTANDING], local_authority="Medway")
        inspect(medway, Grade.OUTSTANDING, day=datetime.date(2024, 5, 1))
    html = client.get(url, query).content.decode()
    assert '<option value="Medway">Medway</option>' in html  # the form follows the register
    assert "Outstanding: no KQM setting with an overall grade" in html

    with django_capture_on_commit_callbacks(execute=True):
        award(kent, datetime.date(2025, 7, 31))  # the decision: accredited, awarded
    decided = client.get(url, query).content.decode()
    assert "Outstanding: 0.0% of KQM settings (0 of 1)" in decided
    assert decided != html


def test_each_topic_is_worked_out_again_only_after_its_own_records_change(
    django_capture_on_commit_callbacks,
):
    """An application changes the register's and the programme's figures, not the outcomes
    report's; an inspection the register's and the outcomes report's, not the programme's;
    a user's settings the programme's only; a setting all three. A setting's page follows
    each of these changes."""
    computed: list[str] = []
    topics = (cache.OUTCOMES, cache.PROGRAMME, cache.REGISTER, cache.SETTING)

    def recomputed() -> list[str]:
        computed.clear()
        for topic in topics:
            cache.cached(f"test-{topic}", "", lambda topic=topic: computed.append(topic), topic)
        return sorted(computed)

    setting, cohort = SettingFactory(), CohortFactory()
    member = UserFactory(role=Role.SETTING_MANAGER)
    assert recomputed() == sorted(topics)
    assert recomputed() == []
    with django_capture_on_commit_callbacks(execute=True):
        ApplicationFactory(setting=setting, cohort=cohort, submitted_by=member)
    assert recomputed() == [cache.PROGRAMME, cache.REGISTER, cache.SETTING]
    with django_capture_on_commit_callbacks(execute=True):
        InspectionFactory(setting=setting)
    assert recomputed() == [cache.OUTCOMES, cache.REGISTER, cache.SETTING]
    with django_capture_on_commit_callbacks(execute=True):
        member.settings.add(setting)
    assert recomputed() == [cache.PROGRAMME, cache.SETTING]
    with django_capture_on_commit_callbacks(execute=True):
        cohort.save()
    assert recomputed() == [cache.OUTCOMES, cache.PROGRAMME, cache.SETTING]
    with django_capture_on_commit_callbacks(execute=True):
        setting.save()
    assert recomputed() == sorted(topics)
    with django_capture_on_commit_callbacks(execute=True):
        cache.data_changed()  # a write that sends no signal: every topic
    assert recomputed() == sorted(topics)


def test_the_programme_report_page_follows_decisions_time_and_scores(
    client, manager, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """Kept as HTML, with no query but the page's own; written again after a decision,
    an evaluator's time, or scores written in bulk (a consensus audit)."""
    _, people = programme_world()
    url = reverse("accreditation:report-programme")
    client.force_login(manager)
    first = client.get(url).content.decode()
    assert "In progress: 2" in first and "£860.00" in first
    with django_assert_num_queries(3):  # session, user, the cohorts to choose from
        assert (
            client.get(url).content.decode().split('id="cohorts"')[1]
            == first.split('id="cohorts"')[1]
        )

    accreditation = Accreditation.objects.filter(status=Status.IN_PROGRESS).first()
    assert accreditation is not None
    with django_capture_on_commit_callbacks(execute=True):
        accreditation.transition(Status.SUBMITTED, by=manager)
    decided = client.get(url).content.decode()
    assert "In progress: 1" in decided and "Submitted: 1" in decided

    with django_capture_on_commit_callbacks(execute=True):
        TimeEntryFactory(
            accreditation=accreditation, evaluator=people[0], days=Decimal("1.0"), expenses=0
        )
    assert "£965.00" in client.get(url).content.decode()  # 860 and a day at £105

    client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        cache.data_changed(cache.PROGRAMME)  # as the consensus scores' bulk write does
    with django_assert_num_queries(15):  # the page's 3, the report's 12
        client.get(url)
