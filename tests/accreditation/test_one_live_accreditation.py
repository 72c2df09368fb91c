"""One live accreditation per setting, and closed accreditations read-only for everyone."""

# Fixtures are imported from year_factories, so test arguments share their names.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accreditation.models import (
    Application,
    ConcurrentApplicationAllowance,
    EntryCriterion,
    Status,
)
from accreditation.models.unit_b import SEF_SECTIONS
from accreditation.services.applications import do_decide_application, do_submit_application
from accreditation.services.case_studies import CaseStudyDraft, do_save_case_study
from accreditation.services.messages import do_post_message
from accreditation.services.unit_b import do_save_sef_section
from kqm.models import Role
from tests.access import assert_access
from tests.factories import AccreditationFactory, ApplicationFactory, CohortFactory

from .programme_helpers import judge_all
from .year_factories import accreditation, cohort, evaluator  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_cohort(db):
    return CohortFactory(name="2027 cohort", programme_year=2027)


def _answers():
    return {c.pk: "Our practice." for c in EntryCriterion.objects.filter(active=True)}


def test_a_setting_with_an_accreditation_in_progress_cannot_apply_to_another_cohort(
    users, accreditation, next_cohort
):
    with pytest.raises(ValidationError) as error:
        do_submit_application(
            submitted_by=users[Role.SETTING_MANAGER],
            setting=accreditation.setting,
            cohort=next_cohort,
            answers=_answers(),
        )
    (message,) = error.value.message_dict["setting"]
    assert "already has an accreditation in progress: the 2026 cohort" in message
    assert "“In progress”" in message
    assert not Application.objects.exists()


def test_the_apply_page_shows_the_refusal_beside_the_setting(
    client, users, accreditation, next_cohort
):
    from .programme_helpers import answers_post

    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(
        reverse("accreditation:application-apply", args=[next_cohort.pk]), answers_post()
    )
    assert response.status_code == 200
    assert "already has an accreditation in progress" in response.content.decode()
    assert not Application.objects.exists()


def test_the_manager_allows_an_exception_with_a_reason(client, users, accreditation, next_cohort):
    url = reverse("accreditation:allow-application", args=[accreditation.pk])
    assert_access(client, url, users, allowed=[Role.MANAGER])
    client.force_login(users[Role.MANAGER])
    assert "Allow" in client.get(accreditation.get_absolute_url()).content.decode()
    missing = client.post(url, {"cohort": next_cohort.pk, "reason": "  "})
    assert "Enter the reason for allowing a second accreditation" in missing.content.decode()
    assert not ConcurrentApplicationAllowance.objects.exists()
    response = client.post(url, {"cohort": next_cohort.pk, "reason": "Moving to a new site."})
    assert response.status_code == 302
    allowance = ConcurrentApplicationAllowance.objects.get()
    assert allowance.reason == "Moving to a new site."
    assert allowance.allowed_by == users[Role.MANAGER]
    application = do_submit_application(
        submitted_by=users[Role.SETTING_MANAGER],
        setting=accreditation.setting,
        cohort=next_cohort,
        answers=_answers(),
    )
    assert application.cohort == next_cohort


def test_accepting_is_refused_while_another_accreditation_is_in_progress(
    users, accreditation, next_cohort
):
    # An application made before the rule (or before this year's one was accepted).
    application = ApplicationFactory(setting=accreditation.setting, cohort=next_cohort)
    judge_all(application)
    with pytest.raises(ValidationError, match="already has an accreditation in progress"):
        do_decide_application(
            decided_by=users[Role.MANAGER], application=application, decision="accepted"
        )


def test_a_finished_accreditation_does_not_block_a_new_application(users, setting, next_cohort):
    AccreditationFactory(
        setting=setting, cohort=CohortFactory(name="2020 cohort"), status=Status.WITHDRAWN
    )
    assert do_submit_application(
        submitted_by=users[Role.SETTING_MANAGER],
        setting=setting,
        cohort=next_cohort,
        answers=_answers(),
    )


# --- Closed records are read-only -------------------------------------------------------------


@pytest.fixture
def withdrawn(accreditation, users):
    accreditation.transition(
        Status.WITHDRAWN, by=users[Role.MANAGER], reason="The nursery closed in March."
    )
    return accreditation


def test_a_withdrawn_accreditations_records_refuse_every_change(users, withdrawn):
    draft = CaseStudyDraft(
        title="Mud kitchen",
        focus_child=None,
        baseline_score=None,
        follow_up_score=None,
        sections={},
    )
    refusals = [
        lambda: do_save_case_study(
            actor=users[Role.SETTING_MANAGER],
            accreditation=withdrawn,
            number=1,
            revision=0,
            draft=draft,
        ),
        lambda: do_save_sef_section(
            actor=users[Role.SETTING_MANAGER],
            accreditation=withdrawn,
            section=SEF_SECTIONS[0].code,
            judgement="good",
            evidence="Seen.",
        ),
        lambda: do_post_message(author=users[Role.MANAGER], accreditation=withdrawn, body="Hello"),
    ]
    for refuse in refusals:
        with pytest.raises(ValidationError) as error:
            refuse()
        assert "“Withdrawn”" in str(error.value)
        assert "The nursery closed in March." in str(error.value)
    assert not withdrawn.case_studies.exists()


def test_closed_pages_show_why_and_offer_no_editing(client, users, withdrawn):
    edit = reverse("accreditation:case-study-edit", args=[withdrawn.pk, 1])
    detail = reverse("accreditation:case-study-detail", args=[withdrawn.pk, 1])
    for role in (Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER):
        client.force_login(users[role])
        page = client.get(withdrawn.get_absolute_url()).content.decode()
        assert 'data-testid="closed-accreditation"' in page
        assert "The nursery closed in March." in page
    client.force_login(users[Role.SETTING_MANAGER])
    assert client.get(edit)["Location"] == detail
    page = client.get(detail).content.decode()
    assert "The nursery closed in March." in page and f'href="{edit}"' not in page
