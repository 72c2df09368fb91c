"""Notes of visit in the browser (issue 17): conflicts per section, and no draft lost. A
colleague's save of one section does not stop another section saving; the same section shows
theirs beside it, the typed text stays, and the next save replaces theirs; an unfinished
action row does not stop the sections saving."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accreditation.services import visits as visit_services
from kqm.models import Role
from tests.accreditation.year_factories import VisitFactory, start_note
from tests.factories import AccreditationFactory, CohortFactory

from .conftest import A11yPage
from .helpers import login

pytestmark = pytest.mark.browser


def test_a_colleagues_save_conflicts_only_in_the_section_both_changed(
    a11y_page: A11yPage, users, setting
):
    evaluator, manager = users[Role.EVALUATOR], users[Role.MANAGER]
    accreditation = AccreditationFactory(
        setting=setting, evaluator=evaluator, cohort=CohortFactory(), status="in_progress"
    )
    visit = VisitFactory(accreditation=accreditation)
    note = start_note(visit)
    first, second = note.sections.all()[:2]
    login(a11y_page.page, a11y_page.live_server, evaluator)
    page = a11y_page.page
    page.goto(a11y_page.url(reverse("accreditation:note-edit", args=[visit.pk])))
    # The KQM manager saves the first section while the evaluator's page is open.
    actions = list(note.actions.order_by("order", "pk"))
    visit_services.do_save_note(
        actor=manager,
        note=note,
        revision=note.revision,
        sections={first.pk: "The manager's words."},
        actions=[visit_services.ActionRow(a.action, a.owner, a.due_on) for a in actions],
        seen=visit_services.Seen(
            sections={first.pk: first.text},
            actions=visit_services.actions_fingerprint(actions),
        ),
    )
    status = page.locator("[data-autosave-status]")
    page.locator(f"textarea[name='section_{second.pk}']").fill("The evaluator's other section.")
    expect(status).to_contain_text("Saved at", timeout=15000)
    mine = page.locator(f"textarea[name='section_{first.pk}']")
    mine.fill("The evaluator's words.")
    beside = page.locator(f"[data-autosave-error='section_{first.pk}']")
    expect(beside).to_contain_text(
        f"{manager} changed this meanwhile to: “The manager's words.”", timeout=15000
    )
    expect(mine).to_have_value("The evaluator's words.")
    a11y_page.check("note of visit, a conflict shown beside its section")
    # Typing again replaces theirs; an action still being typed does not stop the sections
    # saving, and the row's problems show beside it.
    mine.fill("The evaluator's words, having read the manager's.")
    page.locator("textarea[name='action_2']").fill("Plan the garden")
    expect(page.locator("[data-autosave-error='owner_2']")).to_contain_text(
        "Enter who will do action 2", timeout=15000
    )
    expect(beside).to_have_count(0)
    expect(status).to_contain_text("except 2 fields")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.text == "The evaluator's words, having read the manager's."
    assert second.text == "The evaluator's other section."
