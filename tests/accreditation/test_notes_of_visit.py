"""Notes of visit: the guided template, drafting with autosave, sharing, agreeing, actions, PDF."""

# Fixtures are imported from year_factories, so test arguments share their names.
# ruff: noqa: F811

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accreditation.models import (
    AgreedAction,
    NoteOfVisit,
    NoteStatus,
    NoteTemplate,
    NoteTemplateSection,
)
from accreditation.services.visits import (
    DEFAULT_SECTIONS,
    NOTE_TABLE,
    actions_fingerprint,
    move_note,
)
from kqm.models import Role
from tests.access import assert_access, assert_field_error, assert_not_found
from tests.factories import EvaluatorFactory
from tests.pdf import pdf_text
from tests.status_walk import each_pair

from .year_factories import (  # noqa: F401
    VisitFactory,
    _media_in_tmp,
    accreditation,
    cohort,
    elsewhere,
    evaluator,
    other_visit,
    start_note,
    visit,
)

pytestmark = pytest.mark.django_db


def url(name: str, visit) -> str:
    return reverse(f"accreditation:{name}", args=[visit.pk])


def note_post(note: NoteOfVisit, **extra: object) -> dict[str, object]:
    """The form as the page posts it: every section, the saved action and two empty rows."""
    data: dict[str, object] = {"revision": note.revision}
    for section in note.sections.all():
        data[f"section_{section.pk}"] = f"About {section.title.lower()}."
    data.update(
        {
            "action_1": "Share the outdoor plan with parents",
            "owner_1": "Room leader",
            "due_1_0": "30",
            "due_1_1": "11",
            "due_1_2": "2026",
        }
    )
    data.update(extra)
    return data


# --- The template --------------------------------------------------------------------------------


def test_the_migration_seeds_the_guided_sections():
    template = NoteTemplate.objects.get()
    assert [s.title for s in template.sections.order_by("order")] == [
        title for title, _ in DEFAULT_SECTIONS
    ]


def test_a_note_copies_the_template_and_keeps_its_sections_when_the_template_changes(
    evaluator, visit
):
    note = start_note(visit)
    assert note.sections.count() == len(DEFAULT_SECTIONS)
    first = NoteTemplateSection.objects.order_by("order")[0]
    first.title = "Changed title"
    first.save()
    assert note.sections.order_by("order").first().title == DEFAULT_SECTIONS[0][0]


def test_template_pages_are_for_the_manager(client, users):
    section = NoteTemplateSection.objects.order_by("order")[0]
    for name, args in [
        ("note-template", []),
        ("note-template-section-new", []),
        ("note-template-section-edit", [section.pk]),
        ("note-template-section-delete", [section.pk]),
    ]:
        assert_access(client, reverse(f"accreditation:{name}", args=args), users, [Role.MANAGER])
    assert_access(
        client,
        reverse("accreditation:note-template-section-move", args=[section.pk]),
        users,
        [Role.MANAGER],
        method="POST",
        ok_status=302,
        wrong_method="GET",
    )


def test_the_manager_adds_changes_moves_and_deletes_sections(client, manager):
    client.force_login(manager)
    new = reverse("accreditation:note-template-section-new")
    assert_field_error(
        client.post(new, {"title": "", "prompt": "x"}), "title", "Enter the section’s title"
    )
    assert NoteTemplateSection.objects.count() == len(DEFAULT_SECTIONS)
    client.post(new, {"title": "Safeguarding", "prompt": "Anything the evaluator noticed."})
    added = NoteTemplateSection.objects.get(title="Safeguarding")
    assert added.order == len(DEFAULT_SECTIONS) + 1
    client.post(
        reverse("accreditation:note-template-section-move", args=[added.pk]), {"direction": "up"}
    )
    titles = list(NoteTemplateSection.objects.order_by("order").values_list("title", flat=True))
    assert titles[-2:] == ["Safeguarding", DEFAULT_SECTIONS[-1][0]]
    client.post(
        reverse("accreditation:note-template-section-edit", args=[added.pk]),
        {"title": "Safeguarding seen", "prompt": "Anything noticed."},
    )
    added.refresh_from_db()
    assert added.title == "Safeguarding seen"
    confirm = client.get(reverse("accreditation:note-template-section-delete", args=[added.pk]))
    assert "Delete the section" in confirm.content.decode()
    client.post(reverse("accreditation:note-template-section-delete", args=[added.pk]))
    assert not NoteTemplateSection.objects.filter(pk=added.pk).exists()


# --- Access ------------------------------------------------------------------------------------


def test_note_pages_access(client, users, visit):
    note = start_note(visit, status=NoteStatus.SHARED)
    readers = [Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER]
    assert_access(client, url("note-detail", visit), users, readers)
    assert_access(client, url("note-pdf", visit), users, readers)
    assert_access(client, url("note-respond", visit), users, [Role.SETTING_MANAGER])
    NoteOfVisit.objects.filter(pk=note.pk).update(status=NoteStatus.DRAFT)
    writers = [Role.MANAGER, Role.EVALUATOR]
    assert_access(client, url("note-edit", visit), users, writers)
    assert_access(client, url("note-share", visit), users, writers)
    assert_access(
        client,
        url("note-autosave", visit),
        users,
        writers,
        method="POST",
        data={"revision": "x"},
        ok_status=400,
        wrong_method="GET",
    )
    assert_access(
        client,
        url("note-start", visit),
        users,
        writers,
        method="POST",
        ok_status=302,
        wrong_method="GET",
    )


def test_an_evaluator_cannot_open_notes_of_another_evaluators_settings(client, users, other_visit):
    start_note(other_visit, status=NoteStatus.SHARED)
    others = [users[Role.EVALUATOR], users[Role.SETTING_MANAGER]]
    for name in ["note-detail", "note-pdf"]:
        assert_not_found(client, url(name, other_visit), others)
    evaluator = [users[Role.EVALUATOR]]
    for name in ["note-edit", "note-share"]:
        assert_not_found(client, url(name, other_visit), evaluator)
    for name in ["note-autosave", "note-start", "note-edit", "note-share"]:
        assert_not_found(client, url(name, other_visit), evaluator, method="POST")
    assert_not_found(client, url("note-respond", other_visit), [users[Role.SETTING_MANAGER]])


def test_the_setting_does_not_see_a_draft(client, users, visit):
    start_note(visit)
    assert_not_found(client, url("note-detail", visit), [users[Role.SETTING_MANAGER]])
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(visit.get_absolute_url()).content.decode()
    assert "Being written" in html and url("note-detail", visit) not in html


# --- Drafting ----------------------------------------------------------------------------------


def test_the_evaluator_starts_and_saves_a_draft_with_actions(client, evaluator, visit):
    client.force_login(evaluator)
    response = client.post(url("note-start", visit))
    assert response["Location"] == url("note-edit", visit)
    note = NoteOfVisit.objects.get(visit=visit)
    page = client.get(url("note-edit", visit)).content.decode()
    assert DEFAULT_SECTIONS[1][1] in page  # the prompt guides the evaluator
    response = client.post(url("note-edit", visit), note_post(note))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.revision == 1
    assert note.sections.get(order=2).text == "About unit a progress."
    action = note.actions.get()
    assert (action.action, action.owner, action.due_on) == (
        "Share the outdoor plan with parents",
        "Room leader",
        datetime.date(2026, 11, 30),
    )
    assert not AgreedAction.objects.filter(note__status=NoteStatus.AGREED).exists()


def test_an_incomplete_action_is_refused_beside_its_field_and_nothing_is_saved(
    client, evaluator, visit
):
    note = start_note(visit, text="")
    client.force_login(evaluator)
    response = client.post(
        url("note-edit", visit), note_post(note, owner_1="", action_2="Order new books")
    )
    assert_field_error(response, "owner_1", "Enter who will do action 1")
    assert_field_error(response, "owner_2", "Enter who will do action 2")
    assert "Order new books" in response.content.decode()
    note.refresh_from_db()
    assert note.revision == 0 and note.sections.filter(text="").count() == len(DEFAULT_SECTIONS)


def test_emptying_a_row_removes_that_action(client, evaluator, visit):
    note = start_note(visit)
    client.force_login(evaluator)
    client.post(
        url("note-edit", visit),
        note_post(note, action_1="", owner_1="", due_1_0="", due_1_1="", due_1_2=""),
    )
    assert not note.actions.exists()


def test_autosave_saves_and_returns_the_new_revision(client, evaluator, visit):
    note = start_note(visit)
    client.force_login(evaluator)
    response = client.post(url("note-autosave", visit), note_post(note))
    assert response.status_code == 200
    assert response.json()["saved"] is True and response.json()["revision"] == 1
    assert response.json()["saved_at"]


def page_post(note: NoteOfVisit, **typed: object) -> dict[str, object]:
    """The form as the page posts it when loaded now (what it shows of each unit), with
    ``typed`` changes."""
    note.refresh_from_db()
    data: dict[str, object] = {
        "revision": note.revision,
        "seen_actions": actions_fingerprint(list(note.actions.order_by("order", "pk"))),
    }
    for section in note.sections.all():
        data[f"section_{section.pk}"] = data[f"seen_section_{section.pk}"] = section.text
    for i, action in enumerate(note.actions.order_by("order", "pk"), start=1):
        due = action.due_on
        data.update(
            {
                f"action_{i}": action.action,
                f"owner_{i}": action.owner,
                f"due_{i}_0": due.day,
                f"due_{i}_1": due.month,
                f"due_{i}_2": due.year,
            }
        )
    data.update(typed)
    return data


def test_two_people_writing_different_sections_both_save(client, evaluator, manager, visit):
    note = start_note(visit)
    first, second = note.sections.all()[:2]
    evaluators_page, managers_page = page_post(note), page_post(note)
    client.force_login(evaluator)
    evaluators_page[f"section_{first.pk}"] = "The evaluator's progress."
    assert client.post(url("note-autosave", visit), evaluators_page).status_code == 200
    client.force_login(manager)
    managers_page[f"section_{second.pk}"] = "The manager's unit A."
    response = client.post(url("note-autosave", visit), managers_page)
    assert response.status_code == 200, response.json()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.text, second.text) == ("The evaluator's progress.", "The manager's unit A.")


def test_the_same_section_by_two_gives_one_409_with_theirs_and_keeps_yours(
    client, evaluator, manager, visit
):
    note = start_note(visit)
    section = note.sections.first()
    name = f"section_{section.pk}"
    managers_page = page_post(note, **{name: "The manager's words."})
    client.force_login(evaluator)
    theirs = page_post(note, **{name: "Theirs."})
    assert client.post(url("note-autosave", visit), theirs).status_code == 200
    client.force_login(manager)
    response = client.post(url("note-autosave", visit), managers_page)
    assert response.status_code == 409
    body = response.json()
    assert body["conflict"] is True and list(body["fields"]) == [name]
    assert body["fields"][name]["value"] == "Theirs."
    assert body["fields"][name]["by"] == str(evaluator)
    section.refresh_from_db()
    assert section.text == "Theirs."
    # Without JavaScript: the same, on the page, beside the section, the typed text kept.
    page = client.post(url("note-edit", visit), managers_page)
    assert page.status_code == 409
    html = page.content.decode()
    assert f"{evaluator} changed this meanwhile to: “Theirs.”" in html
    assert "The manager&#x27;s words.</textarea>" in html
    # Saving again, having seen theirs, replaces it.
    again = {**managers_page, f"seen_{name}": "Theirs."}
    assert client.post(url("note-edit", visit), again).status_code == 302
    section.refresh_from_db()
    assert section.text == "The manager's words."


def test_the_agreed_actions_changed_by_two_give_one_409(client, evaluator, manager, visit):
    note = start_note(visit)
    managers_page = page_post(note, action_1="The manager's action")
    client.force_login(evaluator)
    evaluators = page_post(note, action_1="The evaluator's action")
    assert client.post(url("note-autosave", visit), evaluators).status_code == 200
    client.force_login(manager)
    response = client.post(url("note-autosave", visit), managers_page)
    assert response.status_code == 409
    assert "The evaluator's action" in response.json()["fields"]["action_1"]["value"]
    assert AgreedAction.objects.get(note=note).action == "The evaluator's action"
    seen = response.json()["set"]["seen_actions"]
    again = client.post(url("note-autosave", visit), {**managers_page, "seen_actions": seen})
    assert again.status_code == 200
    assert AgreedAction.objects.get(note=note).action == "The manager's action"


def test_ones_own_earlier_save_is_never_a_conflict(client, evaluator, visit):
    """Another tab, or a reload while a save was on its way: the later save wins."""
    note = start_note(visit)
    name = f"section_{note.sections.first().pk}"
    first_tab = page_post(note, **{name: "From tab one."})
    second_tab = page_post(note, **{name: "Later from tab two."})
    client.force_login(evaluator)
    assert client.post(url("note-autosave", visit), first_tab).status_code == 200
    assert client.post(url("note-autosave", visit), second_tab).status_code == 200
    assert note.sections.first().text == "Later from tab two."


def test_every_status_and_move_of_a_note_is_made_or_refused_with_a_clear_message(
    users, evaluator, visit
):
    """The note's table of moves, walked pair by pair: who makes each move (the evaluator
    shares; the setting's manager agrees or sends back with a comment)."""
    note = start_note(visit)
    setting_manager = users[Role.SETTING_MANAGER]
    for source, target, rule in each_pair(NOTE_TABLE, note):
        actor = evaluator if target == NoteStatus.SHARED else setting_manager
        params = {"revision": note.revision, "comment": "Please add the garden."}
        if rule is None:
            with pytest.raises(ValidationError) as refused:
                move_note(note, target, actor=actor, **params)
            assert refused.value.messages[0].startswith("This note"), (source, target)
            note.refresh_from_db()
            assert note.status == source
            continue
        # The wrong person is refused by the move's guards.
        wrong = setting_manager if actor == evaluator else evaluator
        with pytest.raises(ValidationError, match="Only the setting"):
            move_note(note, target, actor=wrong, **params)
        moved = move_note(note, target, actor=actor, **params)
        assert moved.status == target, (source, target)
        assert moved.history.first().history_change_reason == rule.reason


def test_autosave_stores_what_is_valid_and_names_the_incomplete_action(client, evaluator, visit):
    """An action row still being typed never costs the sections already written."""
    note = start_note(visit)
    first = note.sections.first()
    client.force_login(evaluator)
    typed = page_post(
        note,
        **{f"section_{first.pk}": "Written while the action is unfinished."},
        action_2="Plan the garden",
    )
    response = client.post(url("note-autosave", visit), typed)
    assert response.status_code == 200
    body = response.json()
    assert body["saved"] is True
    assert body["problems"] == {
        "owner_2": "Enter who will do action 2",
        "due_2": "Enter the date action 2 is due",
    }
    assert body["set"] == {}  # the page's actions are not yet the stored ones
    first.refresh_from_db()
    assert first.text == "Written while the action is unfinished."
    assert [a.action for a in AgreedAction.objects.filter(note=note)] == [
        "Review the outdoor area plan"
    ]
    # A bad revision is still refused outright.
    response = client.post(url("note-autosave", visit), {**typed, "revision": "x"})
    assert response.status_code == 400


# --- Sharing, agreeing, commenting -----------------------------------------------------------


def test_sharing_needs_every_section(client, evaluator, visit):
    note = start_note(visit, text="")
    client.force_login(evaluator)
    response = client.post(url("note-share", visit), {"revision": note.revision})
    assert response.status_code == 400
    assert "Write something in every section before sharing" in response.content.decode()
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT


def test_share_agree_and_the_action_list(
    client, users, evaluator, visit, django_capture_on_commit_callbacks
):
    note = start_note(visit)
    client.force_login(evaluator)
    preview = client.get(url("note-share", visit)).content.decode()
    assert "Review the outdoor area plan" in preview
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("note-share", visit), {"revision": note.revision})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.status == NoteStatus.SHARED
    assert mail.outbox[-1].to == [users[Role.SETTING_MANAGER].email]
    assert "to read and agree" in mail.outbox[-1].subject
    # Shared: the evaluator can no longer change it.
    assert client.get(url("note-edit", visit)).status_code == 302
    assert client.post(url("note-autosave", visit), note_post(note)).status_code == 409

    actions_url = reverse("accreditation:action-list", args=[visit.accreditation_id])
    client.force_login(users[Role.SETTING_MANAGER])
    assert "Review the outdoor area plan" not in client.get(actions_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("note-respond", visit), {"decision": "agree", "comment": ""})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.status == NoteStatus.AGREED and note.agreed_by == users[Role.SETTING_MANAGER]
    assert mail.outbox[-1].to == [evaluator.email]
    assert "agreed the note of visit" in mail.outbox[-1].subject
    html = client.get(actions_url).content.decode()
    assert "Review the outdoor area plan" in html and "Deputy manager" in html
    # Agreed: locked for everyone.
    client.force_login(evaluator)
    assert client.get(url("note-edit", visit)).status_code == 302
    assert client.post(url("note-edit", visit), note_post(note)).status_code == 302
    note.refresh_from_db()
    assert note.revision == 2  # shared, agreed; nothing else
    assert client.get(url("note-respond", visit)).status_code == 403


def test_a_comment_sends_the_note_back_to_the_evaluator(
    client, users, evaluator, visit, django_capture_on_commit_callbacks
):
    note = start_note(visit, status=NoteStatus.SHARED)
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(url("note-respond", visit), {"decision": "comment", "comment": ""})
    assert_field_error(response, "comment", "Enter your comment for the evaluator")
    response = client.post(url("note-respond", visit), {"decision": ""})
    assert_field_error(response, "decision", "Choose whether you agree the note of visit")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("note-respond", visit),
            {"decision": "comment", "comment": "The date of the audit was 3 October."},
        )
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT
    assert "commented on the note of visit" in mail.outbox[-1].subject
    client.force_login(evaluator)
    page = client.get(url("note-edit", visit)).content.decode()
    assert "The date of the audit was 3 October." in page


def test_the_note_as_a_pdf(client, users, visit):
    start_note(visit, text="The garden was busy.", status=NoteStatus.AGREED)
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.get(url("note-pdf", visit))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Note of visit" in text and "The garden was busy." in text
    assert "Review the outdoor area plan" in text


# --- The action list -----------------------------------------------------------------------------


def test_action_list_access_and_closing(client, users, visit, elsewhere):
    note = start_note(visit, status=NoteStatus.AGREED)
    action = note.actions.get()
    actions_url = reverse("accreditation:action-list", args=[visit.accreditation_id])
    assert_access(
        client,
        actions_url,
        users,
        [Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER],
    )
    close = reverse("accreditation:action-close", args=[action.pk])
    assert_access(
        client,
        close,
        users,
        [Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER],
        method="POST",
        ok_status=302,
        wrong_method="GET",
    )
    action.refresh_from_db()
    assert action.closed_on is not None
    client.force_login(users[Role.SETTING_MANAGER])
    assert "Done" in client.get(actions_url, {"state": "closed"}).content.decode()
    assert "No open actions" in client.get(actions_url, {"state": "open"}).content.decode()
    assert_access(
        client,
        reverse("accreditation:action-reopen", args=[action.pk]),
        users,
        [Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER],
        method="POST",
        ok_status=302,
        wrong_method="GET",
    )
    action.refresh_from_db()
    assert action.closed_on is None
    assert_not_found(
        client,
        reverse("accreditation:action-list", args=[elsewhere.pk]),
        [users[Role.EVALUATOR], users[Role.SETTING_MANAGER]],
    )
    client.force_login(EvaluatorFactory())
    assert client.post(close).status_code == 404


@pytest.mark.parametrize("rows", [3, 12])
def test_action_list_runs_a_constant_number_of_queries(
    client, users, accreditation, rows, django_assert_num_queries
):
    visit = VisitFactory(accreditation=accreditation)
    note = start_note(visit, status=NoteStatus.AGREED)
    for n in range(rows):
        note.actions.create(
            accreditation=accreditation,
            order=n + 2,
            action=f"Action {n}",
            owner="Manager",
            due_on=datetime.date(2026, 12, 1),
        )
    client.force_login(users[Role.SETTING_MANAGER])
    # session, user, accreditation, count, page of actions
    with django_assert_num_queries(5):
        response = client.get(reverse("accreditation:action-list", args=[accreditation.pk]))
    assert response.status_code == 200
