"""Page titles follow one pattern: "[Error: ]<page> – KQM", with "Error: " written once, by
the base layout, when the page shows errors (the browser suite checks every title it sees
with ``title_problems``)."""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Template
from django.test import Client

from kqm.models import Role, User
from tests.browser.helpers import title_problems

LAYOUT = (
    "{% load kqm_tags %}{% block error_prefix %}{% error_prefix %}{% endblock %}"
    "{% block page_title %}Schedule a workshop{% endblock %} – KQM"
)


class WorkshopForm(forms.Form):
    title = forms.CharField()


def title(context: dict[str, object], *, extra: str = "") -> str:
    return Template(extra or LAYOUT).render(Context(context))


def test_a_form_with_errors_gives_one_prefix():
    form = WorkshopForm(data={})
    assert not form.is_valid()
    assert title({"form": form}) == "Error: Schedule a workshop – KQM"


def test_any_validated_form_or_formset_in_the_context_counts_once():
    dates = WorkshopForm(data={})
    dates.is_valid()
    rows = forms.formset_factory(WorkshopForm)(
        data={"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-title": ""}
    )
    rows.is_valid()
    assert title({"date_form": dates, "rows": rows}) == "Error: Schedule a workshop – KQM"


def test_no_prefix_for_valid_or_unbound_forms():
    valid = WorkshopForm(data={"title": "Outdoor play"})
    assert valid.is_valid()
    assert title({"form": valid, "blank": WorkshopForm()}) == "Schedule a workshop – KQM"


def test_a_bound_form_reopened_with_its_problems_counts_before_it_is_rendered():
    assert title({"form": WorkshopForm(data={})}) == "Error: Schedule a workshop – KQM"


def test_a_page_passes_its_own_problems():
    page = LAYOUT.replace("{% error_prefix %}", "{% error_prefix refusal unfinished %}")
    assert title({"refusal": "", "unfinished": ["Case study 2"]}, extra=page).startswith(
        "Error: Schedule"
    )
    assert title({"refusal": "", "unfinished": []}, extra=page).startswith("Schedule")


@pytest.mark.parametrize(
    ("page_title", "summary", "field_errors", "problem"),
    [
        ("Users – KQM", False, False, None),
        ("Error: Users – KQM", True, True, None),
        ("Error: Error: Schedule a workshop – KQM", True, True, "one prefix"),
        ("KQM leadership audit audit – KQM", False, False, "repeats 'audit'"),
        ("Users", False, False, "one prefix"),
        ("Error: Users – KQM", False, False, "no error summary"),
        ("Users – KQM", True, True, 'has no "Error: "'),
        # A summary of a problem that is not the form's (an export that failed).
        ("Export – KQM", True, False, None),
    ],
)
def test_title_problems(page_title, summary, field_errors, problem):
    problems = title_problems(page_title, summary=summary, field_errors=field_errors)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in line for line in problems), problems


def test_a_workshop_form_with_errors_has_a_single_prefix(client: Client, users: dict[str, User]):
    client.force_login(users[Role.MANAGER])
    response = client.post("/programme/workshops/new/", {"title": ""})
    assert response.status_code == 200
    assert "<title>Error: Schedule a workshop – KQM</title>" in response.content.decode()
