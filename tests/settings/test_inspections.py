"""Ofsted inspections entered by hand: two steps, each framework on its own terms."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from kqm.models import Role
from settings.models import Inspection, InspectionType, Register, Source
from settings.ofsted import Framework, Grade
from tests.access import assert_access, assert_field_error
from tests.factories import InspectionFactory

pytestmark = pytest.mark.django_db

EIF_JUDGEMENTS = {
    "judgement_quality_of_education": Grade.GOOD,
    "judgement_behaviour_and_attitudes": Grade.OUTSTANDING,
    "judgement_personal_development": Grade.GOOD,
    "judgement_leadership_and_management": Grade.REQUIRES_IMPROVEMENT,
}
RENEWED_JUDGEMENTS = {
    "judgement_curriculum_and_teaching": Grade.STRONG,
    "judgement_achievement": Grade.EXPECTED,
    "judgement_behaviour_attitudes_routines": Grade.EXCEPTIONAL,
    "judgement_welfare_and_wellbeing": Grade.STRONG,
    "judgement_inclusion": Grade.NEEDS_ATTENTION,
    "judgement_leadership_and_governance": Grade.EXPECTED,
}


def basics(
    framework: str = Framework.EIF_2019,
    register: str = Register.EYR,
    day: datetime.date = datetime.date(2024, 3, 27),
    inspection_type: str = InspectionType.FULL,
) -> dict[str, str]:
    return {
        "framework": framework,
        "register": register,
        "inspection_type": inspection_type,
        "inspection_date_0": str(day.day),
        "inspection_date_1": str(day.month),
        "inspection_date_2": str(day.year),
    }


def start(client, setting, **kwargs) -> str:
    """Answer step 1 for a new inspection; returns step 2's URL."""
    response = client.post(reverse("settings:inspection-new", args=[setting.pk]), basics(**kwargs))
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("settings:inspection-new-judgements", args=[setting.pk])
    return response["Location"]


# --- Access ---------------------------------------------------------------------------------


def test_inspection_pages_are_for_the_manager_only(client, users, setting):
    inspection = InspectionFactory(setting=setting)
    for url in [
        reverse("settings:inspection-new", args=[setting.pk]),
        reverse("settings:inspection-edit", args=[inspection.pk]),
        reverse("settings:inspection-delete", args=[inspection.pk]),
    ]:
        assert_access(client, url, users, allowed=[Role.MANAGER])
    # Step 2 without step 1 sends the manager back to step 1.
    for url in [
        reverse("settings:inspection-new-judgements", args=[setting.pk]),
        reverse("settings:inspection-edit-judgements", args=[inspection.pk]),
    ]:
        assert_access(client, url, users, allowed=[Role.MANAGER], ok_status=302)


def test_writing_inspections_is_for_the_manager_only(client, users, setting):
    inspection = InspectionFactory(setting=setting)
    for url in [
        reverse("settings:inspection-new", args=[setting.pk]),
        reverse("settings:inspection-new-judgements", args=[setting.pk]),
        reverse("settings:inspection-edit", args=[inspection.pk]),
        reverse("settings:inspection-edit-judgements", args=[inspection.pk]),
    ]:
        assert_access(
            client, url, users, allowed=[Role.MANAGER], method="POST", data={}, ok_status=(200, 302)
        )
    # A setting manager cannot delete even their own setting's inspection.
    client.force_login(users[Role.SETTING_MANAGER])
    assert (
        client.post(reverse("settings:inspection-delete", args=[inspection.pk])).status_code == 403
    )
    assert Inspection.objects.filter(pk=inspection.pk).exists()


def test_unknown_setting_or_inspection_is_404(client, manager):
    client.force_login(manager)
    for url in [
        reverse("settings:inspection-new", args=[987654]),
        reverse("settings:inspection-new-judgements", args=[987654]),
        reverse("settings:inspection-edit", args=[987654]),
        reverse("settings:inspection-edit-judgements", args=[987654]),
        reverse("settings:inspection-delete", args=[987654]),
    ]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


# --- Adding: step 1 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"framework": ""}, "framework", "Choose the inspection framework"),
        ({"register": ""}, "register", "Choose the register"),
        ({"inspection_type": ""}, "inspection_type", "Choose the type of inspection"),
        (
            {"inspection_date_0": "", "inspection_date_1": "", "inspection_date_2": ""},
            "inspection_date",
            "Enter the inspection date",
        ),
        ({"inspection_date_0": ""}, "inspection_date", "The inspection date must include a day"),
        (
            {"inspection_date_0": "30", "inspection_date_1": "2"},
            "inspection_date",
            "The inspection date must be a real date, like 27 3 2024",
        ),
        (
            {"inspection_date_2": "2999"},
            "inspection_date",
            "The inspection date must be today or in the past",
        ),
        (
            {"inspection_date_2": "1999"},
            "inspection_date",
            "The inspection date must be on or after 1 September 2001",
        ),
    ],
)
def test_step_one_refuses_bad_answers_beside_the_field(
    client, manager, setting, overrides, field, message
):
    client.force_login(manager)
    data = {**basics(), **overrides}
    response = client.post(reverse("settings:inspection-new", args=[setting.pk]), data)
    assert_field_error(response, field, message)
    assert not any(key.startswith("inspection-draft") for key, _ in client.session.items())


def test_a_second_inspection_on_the_same_day_and_register_is_refused(client, manager, setting):
    InspectionFactory(setting=setting, inspection_date=datetime.date(2024, 3, 27))
    client.force_login(manager)
    response = client.post(reverse("settings:inspection-new", args=[setting.pk]), basics())
    assert_field_error(
        response,
        "inspection_date",
        "Little Acorns Day Nursery already has an Early Years Register inspection on "
        "27 March 2024. Change that inspection instead.",
    )
    # The Childcare Register on the same day is another inspection.
    start(client, setting, register=Register.CR)


def test_step_one_keeps_what_was_typed_when_it_fails(client, manager, setting):
    client.force_login(manager)
    data = {**basics(framework=Framework.RENEWED_2025), "inspection_date_1": "13"}
    html = client.post(reverse("settings:inspection-new", args=[setting.pk]), data).content.decode()
    assert re.search(r'value="renewed2025"\s+checked', html)
    assert 'value="13"' in html and 'value="2024"' in html


# --- Adding: step 2 --------------------------------------------------------------------------


def test_eif_asks_for_overall_and_its_four_areas_on_the_four_point_scale(client, manager, setting):
    client.force_login(manager)
    step2 = start(client, setting)
    html = client.get(step2).content.decode()
    assert "Education inspection framework (2019)" in html
    assert 'name="overall_effectiveness"' in html
    # "Safeguarding is effective?" is asked, but may be left unanswered (posted below).
    assert 'name="safeguarding"' in html
    assert 'name="judgement_quality_of_education"' in html
    assert 'name="judgement_curriculum_and_teaching"' not in html
    assert "Requires improvement" in html
    assert "Satisfactory" not in html and "Strong standard" not in html

    response = client.post(step2, {"overall_effectiveness": Grade.GOOD, **EIF_JUDGEMENTS})
    assert response["Location"] == reverse("settings:detail", args=[setting.pk])
    inspection = Inspection.objects.get(setting=setting)
    assert inspection.framework == Framework.EIF_2019
    assert inspection.register == Register.EYR
    assert inspection.inspection_date == datetime.date(2024, 3, 27)
    assert inspection.overall_effectiveness == Grade.GOOD
    assert inspection.safeguarding == ""
    assert inspection.judgements == {
        k.removeprefix("judgement_"): v for k, v in EIF_JUDGEMENTS.items()
    }
    assert inspection.source == Source.MANUAL
    assert inspection.history.get().history_user == manager
    # The step 1 answers are gone once used.
    assert client.get(step2)["Location"] == reverse("settings:inspection-new", args=[setting.pk])
    page = client.get(reverse("settings:detail", args=[setting.pk])).content.decode()
    assert "has been recorded" in page and "Requires improvement" in page


def test_renewed_framework_asks_safeguarding_and_five_point_areas_with_no_overall_grade(
    client, manager, setting
):
    client.force_login(manager)
    step2 = start(client, setting, framework=Framework.RENEWED_2025, day=datetime.date(2026, 1, 20))
    html = client.get(step2).content.decode()
    assert 'name="overall_effectiveness"' not in html
    assert 'name="safeguarding"' in html
    assert 'name="judgement_inclusion"' in html and "Urgent improvement" in html
    assert "Requires improvement" not in html
    response = client.post(step2, {"safeguarding": Grade.MET, **RENEWED_JUDGEMENTS})
    assert response.status_code == 302
    inspection = Inspection.objects.get(setting=setting)
    assert inspection.overall_effectiveness == ""
    assert inspection.safeguarding == Grade.MET
    assert inspection.judgements["inclusion"] == Grade.NEEDS_ATTENTION


def test_the_2008_framework_takes_satisfactory(client, manager, setting):
    client.force_login(manager)
    step2 = start(client, setting, framework=Framework.EYFS_2008, day=datetime.date(2010, 6, 1))
    html = client.get(step2).content.decode()
    assert "Satisfactory" in html and 'name="judgement_being_healthy"' in html
    data = {"overall_effectiveness": Grade.SATISFACTORY, "judgement_being_healthy": Grade.GOOD}
    assert client.post(step2, data).status_code == 302
    inspection = Inspection.objects.get(setting=setting)
    assert inspection.overall_effectiveness == Grade.SATISFACTORY
    assert inspection.judgements == {"being_healthy": Grade.GOOD}


def test_a_childcare_register_inspection_is_met_or_not_met(client, manager, setting):
    client.force_login(manager)
    step2 = start(client, setting, register=Register.CR)
    html = client.get(step2).content.decode()
    assert "Were the Childcare Register requirements met?" in html
    assert "judgement_" not in html
    response = client.post(step2, {"overall_effectiveness": Grade.GOOD})
    assert_field_error(
        response, "overall_effectiveness", "Childcare Register inspections are met or not met."
    )
    assert client.post(step2, {"overall_effectiveness": Grade.NOT_MET}).status_code == 302
    assert Inspection.objects.get(setting=setting).overall_effectiveness == Grade.NOT_MET


@pytest.mark.parametrize(
    ("framework", "data", "field", "message"),
    [
        (
            Framework.RENEWED_2025,
            {"overall_effectiveness": Grade.GOOD, "safeguarding": Grade.MET},
            "overall_effectiveness",
            "The renewed framework gives no overall effectiveness grade: leave it blank.",
        ),
        (
            Framework.EIF_2019,
            {"overall_effectiveness": Grade.SATISFACTORY},
            "overall_effectiveness",
            "Satisfactory is not a grade of the Education inspection framework (2019).",
        ),
        (
            Framework.EIF_2019,
            {"overall_effectiveness": Grade.GOOD, "judgement_quality_of_education": Grade.STRONG},
            "judgement_quality_of_education",
            "Choose a grade of this framework for Quality of education.",
        ),
        (
            Framework.RENEWED_2025,
            {"safeguarding": Grade.MET, "judgement_inclusion": Grade.GOOD},
            "judgement_inclusion",
            "Choose a grade of this framework for Inclusion.",
        ),
        (
            Framework.RENEWED_2025,
            {},
            "safeguarding",
            "Say whether safeguarding was met or not met",
        ),
        (
            Framework.CIF_2015,
            {"overall_effectiveness": Grade.GOOD, "safeguarding": Grade.MET},
            "safeguarding",
            "Only the 2019 and renewed frameworks record safeguarding separately.",
        ),
        (
            Framework.EIF_2019,
            {"overall_effectiveness": ""},
            "overall_effectiveness",
            "Choose the overall effectiveness grade",
        ),
        (
            Framework.CIF_2015,
            {"overall_effectiveness": "brilliant"},
            "overall_effectiveness",
            "Choose a grade of this framework for Overall effectiveness",
        ),
    ],
)
def test_judgements_that_do_not_belong_to_the_framework_are_refused(
    client, manager, setting, framework, data, field, message
):
    client.force_login(manager)
    step2 = start(client, setting, framework=framework)
    response = client.post(step2, data)
    assert_field_error(response, field, message)
    assert not Inspection.objects.exists()
    # The page keeps what was sent, so the manager sees what to put right.
    if data.get(field) in Grade.values:
        assert f'value="{data[field]}"' in response.content.decode()


def test_a_monitoring_visit_needs_no_overall_grade(client, manager, setting):
    client.force_login(manager)
    step2 = start(client, setting, inspection_type=InspectionType.MONITORING)
    assert client.post(step2, {}).status_code == 302
    inspection = Inspection.objects.get(setting=setting)
    assert inspection.inspection_type == InspectionType.MONITORING
    assert inspection.overall_effectiveness == "" and inspection.judgements == {}


def test_an_inspection_added_meanwhile_on_the_same_day_is_caught_at_step_two(
    client, manager, setting
):
    client.force_login(manager)
    step2 = start(client, setting)
    InspectionFactory(setting=setting, inspection_date=datetime.date(2024, 3, 27))
    response = client.post(step2, {"overall_effectiveness": Grade.GOOD})
    assert response.status_code == 200
    assert "already has an Early Years Register inspection on 27 March 2024" in (
        response.content.decode()
    )
    assert Inspection.objects.count() == 1


def test_step_two_shows_step_one_answers_with_a_way_back(client, manager, setting):
    client.force_login(manager)
    step2 = start(client, setting, framework=Framework.CIF_2015, day=datetime.date(2017, 2, 3))
    html = client.get(step2).content.decode()
    assert "Common inspection framework (2015)" in html and "3 February 2017" in html
    step1 = reverse("settings:inspection-new", args=[setting.pk])
    assert f'href="{step1}"' in html
    # Going back shows the answers given.
    back = client.get(step1).content.decode()
    assert 'value="2017"' in back and 'value="3"' in back


# --- Changing and deleting -------------------------------------------------------------------


def test_changing_the_framework_replaces_the_old_judgements(client, manager, setting):
    inspection = InspectionFactory(setting=setting, inspection_date=datetime.date(2025, 12, 1))
    client.force_login(manager)
    edit = reverse("settings:inspection-edit", args=[inspection.pk])
    html = client.get(edit).content.decode()
    assert 'value="2025"' in html and 'value="12"' in html
    response = client.post(
        edit, basics(framework=Framework.RENEWED_2025, day=datetime.date(2025, 12, 1))
    )
    step2 = reverse("settings:inspection-edit-judgements", args=[inspection.pk])
    assert response["Location"] == step2
    # A grade kept from the old framework is refused, beside its field.
    response = client.post(step2, {"overall_effectiveness": Grade.GOOD, "safeguarding": Grade.MET})
    assert_field_error(
        response,
        "overall_effectiveness",
        "The renewed framework gives no overall effectiveness grade: leave it blank.",
    )
    response = client.post(step2, {"safeguarding": Grade.NOT_MET, **RENEWED_JUDGEMENTS})
    assert response.status_code == 302
    saved = Inspection.objects.get(pk=inspection.pk)
    assert saved.framework == Framework.RENEWED_2025
    assert saved.overall_effectiveness == ""
    assert saved.safeguarding == Grade.NOT_MET
    assert set(saved.judgements) == {k.removeprefix("judgement_") for k in RENEWED_JUDGEMENTS}
    latest = saved.history.first()
    assert latest.history_user == manager and latest.history_type == "~"
    # The history of the inspection is on its change page.
    html = client.get(edit).content.decode()
    assert "History" in html and "Renewed inspection framework" in html


def test_changing_keeps_the_judgements_when_the_framework_stays(client, manager, setting):
    inspection = InspectionFactory(setting=setting, inspection_date=datetime.date(2023, 5, 1))
    client.force_login(manager)
    edit = reverse("settings:inspection-edit", args=[inspection.pk])
    client.post(edit, basics(day=datetime.date(2023, 5, 2)))
    step2 = reverse("settings:inspection-edit-judgements", args=[inspection.pk])
    html = client.get(step2).content.decode()
    assert f'<option value="{Grade.OUTSTANDING}" selected>' in html  # personal development
    data = {"overall_effectiveness": Grade.OUTSTANDING, **EIF_JUDGEMENTS}
    assert client.post(step2, data).status_code == 302
    inspection.refresh_from_db()
    assert inspection.inspection_date == datetime.date(2023, 5, 2)
    assert inspection.overall_effectiveness == Grade.OUTSTANDING


def test_changing_the_date_onto_another_inspection_is_refused(client, manager, setting):
    InspectionFactory(setting=setting, inspection_date=datetime.date(2023, 5, 1))
    inspection = InspectionFactory(setting=setting, inspection_date=datetime.date(2024, 5, 1))
    client.force_login(manager)
    edit = reverse("settings:inspection-edit", args=[inspection.pk])
    response = client.post(edit, basics(day=datetime.date(2023, 5, 1)))
    assert_field_error(
        response,
        "inspection_date",
        "already has an Early Years Register inspection on 1 May 2023",
    )
    # Keeping its own date is not a clash with itself.
    assert client.post(edit, basics(day=datetime.date(2024, 5, 1))).status_code == 302


def test_delete_asks_first_then_removes_and_keeps_the_history(client, manager, setting):
    inspection = InspectionFactory(setting=setting, inspection_date=datetime.date(2023, 5, 1))
    client.force_login(manager)
    url = reverse("settings:inspection-delete", args=[inspection.pk])
    confirm = client.get(url).content.decode()
    assert "Delete the inspection on 1 May 2023?" in confirm
    assert "Its history keeps what it said" in confirm
    assert Inspection.objects.filter(pk=inspection.pk).exists()
    response = client.post(url)
    assert response["Location"] == reverse("settings:detail", args=[setting.pk])
    assert not Inspection.objects.filter(pk=inspection.pk).exists()
    deleted = Inspection.history.filter(id=inspection.pk).first()
    assert deleted.history_type == "-" and deleted.history_user == manager
    assert deleted.overall_effectiveness == Grade.GOOD
    assert client.post(url).status_code == 404
