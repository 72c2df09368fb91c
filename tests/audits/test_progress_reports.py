"""The progress summary of a setting, the cohort's progress section of the programme report,
re-accreditation requirement 6 and the annual review; retention and subject access; and a
constant number of queries for 10 and 300 children."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accreditation.models import RequirementKind, Status
from accreditation.models.awards import add_years
from accreditation.requirements import spec_of
from accreditation.services import annual_reviews as review_services
from accreditation.services import reaccreditation as reaccreditation_services
from audits.models import Child, ProgressRecord
from audits.services.leuven import do_apply_child_retention
from kqm.models import Role
from tests.accreditation.award_factories import AwardFactory
from tests.factories import AccreditationFactory, CohortFactory, SettingFactory

from .leuven_factories import YEAR, assign_evaluator
from .progress_factories import judged_room

M, E, SM, P, V = (
    Role.MANAGER,
    Role.EVALUATOR,
    Role.SETTING_MANAGER,
    Role.PRACTITIONER,
    Role.VIEWER,
)


def _summary(client, setting):
    return client.get(reverse("audits:progress-summary", args=[setting.pk]), {"year": YEAR})


def test_the_summary_shows_figures_charts_and_tables_without_children(client, users, setting):
    _, kids, _ = judged_room(setting, 8, gender="boy")
    client.force_login(users[M])
    response = _summary(client, setting)
    html = response.content.decode()
    assert response.status_code == 200
    assert "8 children judged, Autumn, Spring, Summer" in html
    # Below, expected, above in the three terms: 0%, 100%, 100% at or above expected.
    areas = html.split('data-testid="progress-areas"')[1].split("</table>")[0]
    assert areas.count(">0%<span") == 7 and areas.count(">100%<span") == 14
    assert '100%<span class="govuk-body-s">&nbsp;of&nbsp;8</span>' in areas
    # Everyone rose out of red (autumn 2/3) to green (summer 4/4) and moved up.
    rose = html.split('data-testid="progress-link-rose"')[1].split("</table>")[0]
    assert "Rose out of red or amber: 8 children" in rose and "+100" in rose
    assert "fewer than 5 children, not shown" in html  # nobody stayed or started green
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="kqm-chart"' in html
    assert "the figures as a table" in html
    assert all(child.code not in html for child in kids)


def test_the_summary_of_a_year_without_judgements_says_so(client, users, setting):
    client.force_login(users[SM])
    html = _summary(client, setting).content.decode()
    assert 'data-testid="progress-empty"' in html


@pytest.mark.parametrize("bad", ["20x6", "-1", "99999999999999999999", "1800"])
def test_a_bad_year_shows_the_year_under_way(client, users, setting, bad):
    client.force_login(users[SM])
    response = client.get(reverse("audits:progress-summary", args=[setting.pk]), {"year": bad})
    assert response.status_code == 200


@pytest.mark.parametrize("size", [10, 300])
def test_pages_run_a_constant_number_of_queries(
    client, users, setting, size, django_assert_num_queries
):
    _, _, checkpoints = judged_room(setting, size)
    assign_evaluator(setting, users[E])
    client.force_login(users[SM])
    pages = [
        # session, user, setting; progress records, Leuven scores; years
        (reverse("audits:progress-summary", args=[setting.pk]) + f"?year={YEAR}", 6),
        # session, user, setting, groups with counts, checkpoints with counts, years
        (reverse("audits:progress-setting", args=[setting.pk]) + f"?year={YEAR}", 6),
        # session, user, checkpoint, children, records, access log
        (reverse("audits:checkpoint-detail", args=[checkpoints[0].pk]), 6),
        (reverse("audits:checkpoint-export", args=[checkpoints[0].pk]), 7),
    ]
    for url, queries in pages:
        client.get(url)
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [10, 60])
def test_the_entry_page_runs_a_constant_number_of_queries(
    client, users, setting, size, django_assert_num_queries
):
    _, _, checkpoints = judged_room(setting, size)
    client.force_login(users[P])
    url = reverse("audits:checkpoint-entry", args=[checkpoints[0].pk])
    # session, user, checkpoint, children, records, bands, access log
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


# --- The cohort in the programme report ----------------------------------------------------


def _cohort_of(settings, children: int):
    cohort = CohortFactory(programme_year=YEAR)
    for one in settings:
        AccreditationFactory(setting=one, cohort=cohort, status=Status.IN_PROGRESS)
        judged_room(one, children)
    return cohort


def test_the_programme_report_has_the_cohorts_progress_for_viewers(client, users, setting):
    cohort = _cohort_of([setting, SettingFactory()], 3)
    left_out = SettingFactory()  # not in the cohort
    judged_room(left_out, 4, progress=("above", "above", "above"))
    client.force_login(users[V])
    response = client.get(reverse("accreditation:report-programme"), {"cohort": cohort.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Children's learning progress" in html
    assert "6 children judged in 2 settings" in html
    assert not Child.objects.filter(code__in=[w for w in html.split() if w.startswith("P")])
    assert all(code not in html for code in Child.objects.values_list("code", flat=True))
    csv = client.get(reverse("accreditation:report-programme-csv"), {"cohort": cohort.pk})
    text = csv.content.decode()
    assert "Learning progress,6 children in 2 settings" in text
    assert "Rose out of red or amber (6 children)" in text
    pdf = client.get(reverse("accreditation:report-programme-pdf"), {"cohort": cohort.pk})
    assert pdf.status_code == 200
    assert b"Children's learning progress" in pdf.content and b"6 children judged" in pdf.content


@pytest.mark.parametrize("size", [10, 300])
def test_the_cohorts_progress_runs_two_queries(db, size, django_assert_num_queries):
    from accreditation.reports.cohort import cohort_progress

    settings = [SettingFactory() for _ in range(2)]
    cohort = _cohort_of(settings, size // 2)
    with django_assert_num_queries(2):
        report = cohort_progress(cohort)
    assert report.children == size and report.settings == 2


# --- Re-accreditation requirement 6 and the annual review ---------------------------------


def test_requirement_six_links_to_the_progress_summary(client, users, setting, manager):
    accreditation = AccreditationFactory(
        setting=setting, evaluator=users[E], status=Status.ACCREDITED
    )
    award = AwardFactory(
        accreditation=accreditation,
        award_date=add_years(timezone.localdate(), -2) - datetime.timedelta(days=90),
    )
    reaccreditation = reaccreditation_services.do_open_reaccreditation(
        award=award, opened_by=manager
    )
    url = reverse(
        "accreditation:reaccreditation-requirement",
        args=[reaccreditation.pk, spec_of(RequirementKind.WELLBEING_ACCOUNT).slug],
    )
    client.force_login(users[SM])
    assert 'data-testid="progress-none"' in client.get(url).content.decode()
    judged_room(setting, 6)
    summary = reverse("audits:progress-summary", args=[setting.pk]) + f"?year={YEAR}"
    for role in (M, E, SM, P):
        client.force_login(users[role])
        html = client.get(url).content.decode()
        assert 'data-testid="progress-headline"' in html, role
        assert f'href="{summary}"' in html, role
        assert client.get(summary).status_code == 200, role


def test_the_annual_review_shows_the_progress(client, users, setting):
    cohort = CohortFactory()
    accreditation = AccreditationFactory(
        setting=setting, cohort=cohort, evaluator=users[E], status=Status.ACCREDITED
    )
    award = AwardFactory(
        accreditation=accreditation,
        award_date=add_years(timezone.localdate() + datetime.timedelta(weeks=3), -1),
    )
    review = review_services.ensure_annual_reviews(award)[0]
    judged_room(setting, 5)
    for role in (M, E, SM):
        client.force_login(users[role])
        html = client.get(reverse("accreditation:annual-review-detail", args=[review.pk]))
        assert 'data-testid="progress-headline"' in html.content.decode(), role
    client.force_login(users[SM])
    edit = client.get(reverse("accreditation:annual-review-edit", args=[review.pk]))
    assert "Your children's learning progress" in edit.content.decode()


# --- Retention and subject access --------------------------------------------------------------


def test_retention_deletes_progress_records_and_their_history(setting):
    _, kids, _ = judged_room(setting, 2)
    gone, kept = kids
    record = ProgressRecord.objects.filter(child=gone).first()
    assert record is not None
    record.cl = "above"
    record.save()  # a history row
    Child.objects.filter(pk=gone.pk).update(left_on=datetime.date(2020, 7, 20))
    assert do_apply_child_retention(today=datetime.date(2026, 11, 25)) == 1
    assert not ProgressRecord.objects.filter(child_id=gone.pk).exists()
    assert not ProgressRecord.history.filter(child_id=gone.pk).exists()
    assert ProgressRecord.objects.filter(child=kept).count() == 3


def test_the_subject_access_export_and_the_childs_page_hold_the_progress(client, users, setting):
    _, kids, _ = judged_room(setting, 1)
    client.force_login(users[SM])
    text = client.get(reverse("audits:child-export", args=[kids[0].pk])).content.decode()
    part = text.split("Learning progress")[1]
    assert "Checkpoint,Date,Age band,Communication and language" in part
    assert part.count("Below") == 7 and part.count("Above") == 7
    page = client.get(reverse("audits:child-detail", args=[kids[0].pk])).content.decode()
    assert "Learning progress" in page and "Expected" in page
