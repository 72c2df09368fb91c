"""No case study draft is ever lost: autosave stores what is valid and names the rest."""

# Fixtures are imported from year_factories, so test arguments share their names.
# ruff: noqa: F811

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accreditation.models import CaseStudy
from kqm.models import Role
from tests.access import assert_field_error

from .year_factories import (  # noqa: F401
    accreditation,
    case_study_post,
    cohort,
    evaluator,
    leuven_child,
)

pytestmark = pytest.mark.django_db


def url(name: str, accreditation, number: int = 1) -> str:
    return reverse(f"accreditation:{name}", args=[accreditation.pk, number])


def test_autosave_stores_every_valid_field_and_names_the_invalid_one(client, users, accreditation):
    child, (autumn, _spring) = leuven_child(accreditation.setting)
    _other, (other_score, _) = leuven_child(accreditation.setting)
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(
        url("case-study-autosave", accreditation),
        case_study_post(focus_child=child.pk, baseline_score=other_score.pk),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["saved"] is True
    assert body["problems"] == {"baseline_score": f"Choose one of {child.code}’s own scores"}
    case_study = CaseStudy.objects.get()
    assert case_study.title == "Outdoor play for our two-year-old boys"
    assert "loose parts" in case_study.change and "mark-making" in case_study.reflection
    assert case_study.focus_child == child and case_study.baseline_score is None
    # Reopened, the page has the text and shows the problem beside the score.
    page = client.get(url("case-study-edit", accreditation))
    assert page.status_code == 200
    html = page.content.decode()
    assert "loose parts" in html and "Outdoor play for our two-year-old boys" in html
    assert_field_error(page, "baseline_score", f"Choose one of {child.code}’s own scores")
    # Putting it right clears the problem.
    fixed = client.post(
        url("case-study-autosave", accreditation),
        case_study_post(revision=1, focus_child=child.pk, baseline_score=autumn.pk),
    )
    assert fixed.json()["problems"] == {}
    case_study.refresh_from_db()
    assert case_study.baseline_score == autumn and case_study.draft_problems == {}
    assert (
        "govuk-form-group--error"
        not in client.get(url("case-study-edit", accreditation)).content.decode()
    )


def test_score_choices_name_their_child_term_and_date(client, users, accreditation):
    child, (autumn, _spring) = leuven_child(accreditation.setting)
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(url("case-study-edit", accreditation)).content.decode()
    select = re.search(r'<select name="baseline_score".*?</select>', html, re.S)
    assert select is not None
    option = re.search(rf'<option value="{autumn.pk}"[^>]*>([^<]*)</option>', select.group(0))
    assert option is not None
    assert f'data-child="{child.pk}"' in option.group(0)
    assert f"{child.code}, autumn term, 15 Oct 2026 (Rainbow room)" in option.group(1)
    assert "well-being 2 (low), involvement 3 (moderate)" in option.group(1)


def test_a_too_long_title_keeps_the_sections(client, users, accreditation):
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(
        url("case-study-autosave", accreditation), case_study_post(title="x" * 201)
    )
    assert response.status_code == 200
    assert response.json()["problems"] == {"title": "The title must be 200 characters or fewer"}
    case_study = CaseStudy.objects.get()
    assert case_study.title == "" and "loose parts" in case_study.change


# --- Conflicts per section ---------------------------------------------------------------------


def _with_bases(data: dict[str, object], shown: dict[str, object]) -> dict[str, object]:
    return {**data, **{f"base:{name}": value for name, value in shown.items()}}


def test_two_people_editing_different_sections_both_save(client, users, accreditation):
    client.force_login(users[Role.SETTING_MANAGER])
    autosave = url("case-study-autosave", accreditation)
    client.post(autosave, case_study_post())
    loaded = case_study_post(revision=1)  # both pages were opened at revision 1
    client.post(autosave, _with_bases({**loaded, "context": "Manager's context."}, loaded))
    client.force_login(users[Role.PRACTITIONER])
    response = client.post(
        autosave, _with_bases({**loaded, "outcome": "Practitioner's outcome."}, loaded)
    )
    assert response.status_code == 200, response.json()
    case_study = CaseStudy.objects.get()
    assert "Manager's context." in case_study.context
    assert "Practitioner's outcome." in case_study.outcome


def test_the_same_section_gives_one_409_with_the_other_persons_text(client, users, accreditation):
    client.force_login(users[Role.SETTING_MANAGER])
    autosave = url("case-study-autosave", accreditation)
    client.post(autosave, case_study_post())
    loaded = case_study_post(revision=1)
    client.post(autosave, _with_bases({**loaded, "context": "Manager's context."}, loaded))
    client.force_login(users[Role.PRACTITIONER])
    response = client.post(
        autosave, _with_bases({**loaded, "context": "Practitioner's context."}, loaded)
    )
    assert response.status_code == 409
    body = response.json()
    assert list(body["fields"]) == ["context"]
    assert body["fields"]["context"]["text"] == "Manager's context."
    assert "Manager's context." in CaseStudy.objects.get().context
    # Knowing their text (the new base), saving again replaces it.
    theirs = body["fields"]["context"]["value"]
    again = client.post(
        autosave,
        _with_bases(
            {**loaded, "context": "Practitioner's context."}, {**loaded, "context": theirs}
        ),
    )
    assert again.status_code == 200
    assert "Practitioner's context." in CaseStudy.objects.get().context


def test_ones_own_earlier_save_is_never_a_conflict(client, users, accreditation):
    client.force_login(users[Role.SETTING_MANAGER])
    autosave = url("case-study-autosave", accreditation)
    client.post(autosave, case_study_post())
    loaded = case_study_post(revision=1)
    client.post(autosave, _with_bases({**loaded, "context": "First."}, loaded))
    # A page reloaded while that save was in flight still showed the old text.
    response = client.post(autosave, _with_bases({**loaded, "context": "Second."}, loaded))
    assert response.status_code == 200
    assert "Second." in CaseStudy.objects.get().context
