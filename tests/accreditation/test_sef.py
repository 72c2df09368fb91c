"""The self-evaluation (SEF): sections and judgements as data, editing, history, access."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accreditation.models import SEF_JUDGEMENTS, SEF_SECTIONS, SelfEvaluationEntry, Status
from accreditation.services.unit_b import do_save_sef_section
from kqm.models import Role
from tests.access import assert_access, assert_field_error, assert_not_found
from tests.factories import AccreditationFactory, UserFactory

READERS = [Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER]


@pytest.fixture
def accreditation(users, setting):
    return AccreditationFactory(
        setting=setting, evaluator=users[Role.EVALUATOR], status=Status.IN_PROGRESS
    )


@pytest.fixture
def other_accreditation(other_setting):
    return AccreditationFactory(setting=other_setting, status=Status.IN_PROGRESS)


def sef_url(accreditation) -> str:
    return reverse("accreditation:self-evaluation", args=[accreditation.pk])


def edit_url(accreditation, section: str = "leadership") -> str:
    return reverse("accreditation:self-evaluation-edit", args=[accreditation.pk, section])


def history_url(accreditation, section: str = "leadership") -> str:
    return reverse("accreditation:self-evaluation-history", args=[accreditation.pk, section])


def test_sections_and_judgements_are_data():
    titles = [section.title for section in SEF_SECTIONS]
    assert titles == [
        "Leadership and management",
        "Quality of teaching and learning (EYFS)",
        "Children's well-being and involvement",
        "Partnership with parents",
        "Inclusion and equality",
        "Staff development",
    ]
    assert [j.label for j in SEF_JUDGEMENTS] == [
        "Outstanding",
        "Good",
        "Requires improvement",
        "Inadequate",
    ]
    assert all(section.prompt for section in SEF_SECTIONS)


def test_every_page_by_role(client, users, accreditation):
    do_save_sef_section(
        actor=users[Role.SETTING_MANAGER],
        accreditation=accreditation,
        section="leadership",
        judgement="good",
        evidence="Weekly reflection meetings.",
    )
    assert_access(client, sef_url(accreditation), users, allowed=READERS)
    assert_access(client, history_url(accreditation), users, allowed=READERS)
    assert_access(client, edit_url(accreditation), users, allowed=[Role.SETTING_MANAGER])
    assert_access(
        client,
        edit_url(accreditation),
        users,
        allowed=[Role.SETTING_MANAGER],
        method="POST",
        data={"judgement": "good", "evidence": "Still good."},
        ok_status=302,
        wrong_method=None,
    )


def test_another_settings_self_evaluation_is_not_found(
    client, users, accreditation, other_accreditation
):
    readers = [users[Role.SETTING_MANAGER], users[Role.EVALUATOR]]
    assert_not_found(client, sef_url(other_accreditation), readers)
    assert_not_found(client, history_url(other_accreditation), readers)
    assert_not_found(client, edit_url(other_accreditation), [users[Role.SETTING_MANAGER]])
    assert_not_found(
        client, edit_url(other_accreditation), [users[Role.SETTING_MANAGER]], method="POST"
    )
    assert_not_found(client, edit_url(accreditation, "no-such-section"), readers[:1])
    assert not SelfEvaluationEntry.objects.exists()


def test_the_setting_manager_completes_a_section_and_earlier_versions_are_kept(
    client, users, accreditation
):
    manager = users[Role.SETTING_MANAGER]
    client.force_login(manager)
    page = client.get(sef_url(accreditation)).content.decode()
    assert "0 of 6 sections completed" in page
    assert page.count("Not started") == 6
    form = client.get(edit_url(accreditation, "parents")).content.decode()
    assert "what the PPEL audit and the parent questionnaire show" in form
    response = client.post(
        edit_url(accreditation, "parents"),
        {"judgement": "requires_improvement", "evidence": "  Few parents join stay-and-play.  "},
    )
    assert response.status_code == 302
    assert response["Location"] == sef_url(accreditation) + "#section-parents"
    entry = SelfEvaluationEntry.objects.get()
    assert (entry.section, entry.judgement, entry.evidence) == (
        "parents",
        "requires_improvement",
        "Few parents join stay-and-play.",
    )
    assert entry.updated_by == manager
    # The edit form starts from what is saved.
    assert (
        "Few parents join stay-and-play."
        in client.get(edit_url(accreditation, "parents")).content.decode()
    )
    client.post(
        edit_url(accreditation, "parents"),
        {"judgement": "good", "evidence": "Half of parents now join stay-and-play each term."},
    )
    # Saving the same again makes no new version.
    client.post(
        edit_url(accreditation, "parents"),
        {"judgement": "good", "evidence": "Half of parents now join stay-and-play each term."},
    )
    assert entry.history.count() == 2
    page = client.get(sef_url(accreditation)).content.decode()
    assert "1 of 6 sections completed" in page
    assert "All versions (2)" in page
    for role in READERS:
        client.force_login(users[role])
        history = client.get(history_url(accreditation, "parents")).content.decode()
        assert history.index("Half of parents now join") < history.index("Few parents join")
        assert "Requires improvement" in history and "(current)" in history


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"evidence": "Some evidence."}, "judgement", "Select your judgement"),
        ({"judgement": "brilliant", "evidence": "x"}, "judgement", "Select one of the judgements"),
        (
            {"judgement": "good", "evidence": "   "},
            "evidence",
            "Enter the evidence for your judgement",
        ),
        (
            {"judgement": "good", "evidence": "x" * 10_001},
            "evidence",
            "The evidence for your judgement must be 10,000 characters or fewer",
        ),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(
    client, users, accreditation, data, field, message
):
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(edit_url(accreditation), data)
    assert_field_error(response, field, message)
    if data.get("evidence", "").strip():
        assert data["evidence"][:50] in response.content.decode()  # what was typed is kept
    assert not SelfEvaluationEntry.objects.exists()


def test_a_setting_manager_of_another_setting_cannot_write_through_the_service(
    users, accreditation, other_setting
):
    from django.core.exceptions import ValidationError

    stranger = UserFactory(role=Role.SETTING_MANAGER, settings=[other_setting])
    for actor in (stranger, users[Role.MANAGER], users[Role.EVALUATOR]):
        with pytest.raises(ValidationError):
            do_save_sef_section(
                actor=actor,
                accreditation=accreditation,
                section="leadership",
                judgement="good",
                evidence="x",
            )
    assert not SelfEvaluationEntry.objects.exists()


def test_a_withdrawn_accreditations_self_evaluation_is_read_only(client, users, setting):
    withdrawn = AccreditationFactory(setting=setting, status=Status.WITHDRAWN)
    client.force_login(users[Role.SETTING_MANAGER])
    assert "Complete" not in client.get(sef_url(withdrawn)).content.decode()
    response = client.post(edit_url(withdrawn), {"judgement": "good", "evidence": "x"})
    assert response.status_code == 302
    assert not SelfEvaluationEntry.objects.exists()


@pytest.mark.parametrize("filled", [0, 6])
def test_the_overview_runs_a_constant_number_of_queries(
    client, users, accreditation, django_assert_num_queries, filled
):
    for section in SEF_SECTIONS[:filled]:
        for version in range(3):
            do_save_sef_section(
                actor=users[Role.SETTING_MANAGER],
                accreditation=accreditation,
                section=section.code,
                judgement="good",
                evidence=f"Version {version}",
            )
    client.force_login(users[Role.EVALUATOR])
    client.get(sef_url(accreditation))
    # session, user, accreditation, entries with their version counts
    with django_assert_num_queries(4):
        assert client.get(sef_url(accreditation)).status_code == 200


def _page_post(client, accreditation, section: str, **typed: str) -> dict[str, str]:
    """The edit form as the page posts it: what it showed (hidden) and what was typed."""
    entry = SelfEvaluationEntry.objects.filter(accreditation=accreditation, section=section).first()
    shown = {"judgement": entry.judgement, "evidence": entry.evidence} if entry else {}
    return {
        "seen_judgement": shown.get("judgement", ""),
        "seen_evidence": shown.get("evidence", ""),
        "judgement": typed.get("judgement", shown.get("judgement", "")),
        "evidence": typed.get("evidence", shown.get("evidence", "")),
    }


def test_the_same_section_saved_by_two_gives_one_409_with_theirs(client, users, accreditation):
    first = users[Role.SETTING_MANAGER]
    second = UserFactory(role=Role.SETTING_MANAGER, full_name="Second manager")
    second.settings.add(accreditation.setting)
    seconds_page = _page_post(
        client, accreditation, "parents", judgement="good", evidence="Second's view."
    )
    # Another section, saved meanwhile, does not get in the way.
    client.force_login(first)
    other = _page_post(client, accreditation, "staff", judgement="good", evidence="Staff.")
    assert client.post(edit_url(accreditation, "staff"), other).status_code == 302
    firsts = _page_post(client, accreditation, "parents", judgement="outstanding", evidence="Mine.")
    assert client.post(edit_url(accreditation, "parents"), firsts).status_code == 302
    client.force_login(second)
    response = client.post(edit_url(accreditation, "parents"), seconds_page)
    assert response.status_code == 409
    html = response.content.decode()
    assert f"{first} chose “Outstanding” meanwhile" in html
    assert f"{first} changed this meanwhile to: “Mine.”" in html
    assert "Second&#x27;s view.</textarea>" in html
    entry = SelfEvaluationEntry.objects.get(section="parents")
    assert (entry.judgement, entry.evidence) == ("outstanding", "Mine.")
    # Having seen theirs, saving again replaces it.
    again = {**seconds_page, "seen_judgement": "outstanding", "seen_evidence": "Mine."}
    assert client.post(edit_url(accreditation, "parents"), again).status_code == 302
    entry.refresh_from_db()
    assert (entry.judgement, entry.evidence, entry.updated_by) == ("good", "Second's view.", second)


def test_ones_own_earlier_save_of_a_section_is_never_a_conflict(client, users, accreditation):
    client.force_login(users[Role.SETTING_MANAGER])
    first_tab = _page_post(client, accreditation, "parents", judgement="good", evidence="One.")
    second_tab = _page_post(client, accreditation, "parents", judgement="good", evidence="Two.")
    assert client.post(edit_url(accreditation, "parents"), first_tab).status_code == 302
    assert client.post(edit_url(accreditation, "parents"), second_tab).status_code == 302
    assert SelfEvaluationEntry.objects.get(section="parents").evidence == "Two."
