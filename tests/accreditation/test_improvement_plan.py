"""The SMART improvement plan: actions, relevance links, reviews, evidence of impact, access."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accreditation.models import (
    ActionEvidence,
    ActionReview,
    ActionStatus,
    ImprovementAction,
    Relevance,
    Status,
)
from accreditation.services.unit_b import (
    ActionDraft,
    action_version,
    do_add_action,
    do_add_review,
)
from audits.models import Audit, Group, Instrument, InstrumentVersion, Screening, Subscale
from kqm.models import Role
from tests.access import assert_access, assert_field_error, assert_not_found
from tests.factories import AccreditationFactory

from .programme_helpers import PDF, WINDOWS_EXE, upload

READERS = [Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER]
EDITORS = [Role.MANAGER, Role.SETTING_MANAGER]
TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def accreditation(users, setting):
    return AccreditationFactory(
        setting=setting, evaluator=users[Role.EVALUATOR], status=Status.IN_PROGRESS
    )


@pytest.fixture
def other_accreditation(other_setting):
    return AccreditationFactory(setting=other_setting, status=Status.IN_PROGRESS)


def make_version(code: str = "ecers-3") -> InstrumentVersion:
    instrument, _ = Instrument.objects.get_or_create(
        code=code, defaults={"name": code.upper(), "kind": "rating_scale"}
    )
    version = InstrumentVersion.objects.create(
        instrument=instrument,
        label=f"v{instrument.versions.count() + 1}",
        is_current=not instrument.versions.exists(),
    )
    for number, name in enumerate(["Space and furnishings", "Language and literacy"], start=1):
        Subscale.objects.create(version=version, number=number, name=name)
    return version


def make_audit(setting, user, version=None) -> Audit:
    return Audit.objects.create(
        setting=setting,
        version=version or make_version(),
        room="Pre-school room",
        occasion="initial",
        date=datetime.date(2026, 10, 5),
        created_by=user,
    )


def make_screening(setting) -> Screening:
    group = Group.objects.create(setting=setting, name="Acorns", programme_year=2026)
    return Screening.objects.create(group=group, term="autumn", date=datetime.date(2026, 10, 12))


def draft(**changes) -> ActionDraft:
    values = {
        "description": "Add a mark-making area to the garden.",
        "success_measure": "8 of 10 boys at level 4 involvement outdoors.",
        "owner": "Room leader",
        "due_date": TODAY() + datetime.timedelta(days=60),
        "relevance": Relevance.SEF_SECTION,
        "sef_section": "teaching",
        "status": ActionStatus.NOT_STARTED,
    }
    values.update(changes)
    return ActionDraft(**values)


def add_action(accreditation, actor, **changes) -> ImprovementAction:
    return do_add_action(actor=actor, accreditation=accreditation, draft=draft(**changes))


def date_data(name: str, date: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(date.day), f"{name}_1": str(date.month), f"{name}_2": str(date.year)}


def form_data(**changes) -> dict[str, str]:
    data = {
        "description": "Re-plan toddler group times so no one sits for more than 10 minutes.",
        "success_measure": "Leuven involvement at group time: 4 or more for 80% of toddlers.",
        "owner": "Deputy manager",
        "resources": "Two staff meetings.",
        "relevance": "sef_section",
        "sef_section": "wellbeing",
        "status": "not_started",
        **date_data("due_date", TODAY() + datetime.timedelta(days=90)),
    }
    data.update(changes)
    return data


def plan_url(accreditation) -> str:
    return reverse("accreditation:improvement-plan", args=[accreditation.pk])


def action_urls(action: ImprovementAction) -> dict[str, str]:
    return {
        name: reverse(f"accreditation:{name}", args=[action.pk])
        for name in (
            "plan-action",
            "plan-action-edit",
            "plan-action-review",
            "plan-evidence-upload",
            "plan-evidence-link",
        )
    }


# --- Access ---------------------------------------------------------------------------------------


def test_every_page_by_role(client, users, accreditation):
    manager = users[Role.SETTING_MANAGER]
    action = add_action(accreditation, manager)
    audit = make_audit(accreditation.setting, manager)
    evidence = ActionEvidence.objects.create(
        action=action, kind="audit", audit=audit, title="Audit", added_by=manager
    )
    assert_access(client, plan_url(accreditation), users, allowed=READERS)
    new = reverse("accreditation:plan-action-new", args=[accreditation.pk])
    assert_access(client, new, users, allowed=EDITORS)
    assert_access(client, new, users, allowed=EDITORS, method="POST", wrong_method=None)
    urls = action_urls(action)
    assert_access(client, urls["plan-action"], users, allowed=READERS)
    assert_access(client, urls["plan-action-review"], users, allowed=READERS)
    assert_access(
        client, urls["plan-action-review"], users, allowed=READERS, method="POST", wrong_method=None
    )
    for name in ("plan-action-edit", "plan-evidence-upload", "plan-evidence-link"):
        assert_access(client, urls[name], users, allowed=EDITORS)
        assert_access(client, urls[name], users, allowed=EDITORS, method="POST", wrong_method=None)
    remove = reverse("accreditation:plan-evidence-remove", args=[action.pk, evidence.pk])
    assert_access(client, remove, users, allowed=EDITORS)
    file_url = reverse("accreditation:plan-evidence-file", args=[action.pk, evidence.pk])
    # A linked audit is not a file: 404 for those who may read, 403 for the others.
    assert_access(client, file_url, users, allowed=[], not_found=READERS, wrong_method=None)


def test_another_settings_plan_is_not_found(client, users, accreditation, other_accreditation):
    action = add_action(other_accreditation, users[Role.MANAGER])
    readers = [users[Role.SETTING_MANAGER], users[Role.EVALUATOR]]
    assert_not_found(client, plan_url(other_accreditation), readers)
    urls = action_urls(action)
    assert_not_found(client, urls["plan-action"], readers)
    assert_not_found(client, urls["plan-action-review"], readers)
    assert_not_found(client, urls["plan-action-review"], readers, method="POST")
    for name in ("plan-action-edit", "plan-evidence-upload", "plan-evidence-link"):
        assert_not_found(client, urls[name], readers[:1])
        assert_not_found(client, urls[name], readers[:1], method="POST")
    new = reverse("accreditation:plan-action-new", args=[other_accreditation.pk])
    assert_not_found(client, new, readers[:1], method="POST")
    assert ImprovementAction.objects.count() == 1
    assert not ActionReview.objects.exists()


# --- Adding and changing actions --------------------------------------------------------------


def test_the_setting_manager_adds_a_smart_action_linked_to_an_audit_subscale(
    client, users, accreditation
):
    manager = users[Role.SETTING_MANAGER]
    audit = make_audit(accreditation.setting, manager)
    subscale = audit.version.subscales.get(number=2)
    client.force_login(manager)
    new = reverse("accreditation:plan-action-new", args=[accreditation.pk])
    form = client.get(new).content.decode()
    assert "Language and literacy" in form and "Pre-school room" in form
    response = client.post(
        new,
        form_data(
            relevance="audit_subscale",
            audit_subscale=f"{audit.pk}-{subscale.pk}",
            sef_section="staff",  # left over from another choice: not kept
        ),
    )
    action = ImprovementAction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == action.get_absolute_url()
    assert (action.audit, action.subscale, action.sef_section) == (audit, subscale, "")
    assert action.created_by == manager
    page = client.get(action.get_absolute_url()).content.decode()
    assert "subscale 2, Language and literacy" in page
    assert "Deputy manager" in page


def test_an_action_can_answer_a_leuven_finding_or_a_sef_section(client, users, accreditation):
    screening = make_screening(accreditation.setting)
    client.force_login(users[Role.MANAGER])  # the KQM manager may edit the plan too
    new = reverse("accreditation:plan-action-new", args=[accreditation.pk])
    client.post(
        new,
        form_data(
            relevance="leuven",
            screening=str(screening.pk),
            leuven_finding="Low involvement at group times.",
        ),
    )
    action = ImprovementAction.objects.get()
    assert action.screening == screening and action.sef_section == ""
    assert (
        "Low involvement at group times." in client.get(action.get_absolute_url()).content.decode()
    )
    client.post(new, form_data(relevance="leuven", leuven_finding="Only a finding, no screening"))
    client.post(new, form_data())
    assert ImprovementAction.objects.filter(
        relevance="sef_section", sef_section="wellbeing"
    ).exists()
    assert ImprovementAction.objects.count() == 3


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"description": ""}, "description", "Enter what will be done"),
        ({"success_measure": " "}, "success_measure", "Enter how success will be measured"),
        ({"owner": ""}, "owner", "Enter who leads the action"),
        ({"relevance": ""}, "relevance", "Select what the action responds to"),
        ({"due_date_0": "", "due_date_1": "", "due_date_2": ""}, "due_date", "Enter the due date"),
        ({"due_date_1": "14"}, "due_date", "The due date must be a real date"),
        ({"due_date_2": "2020"}, "due_date", "The due date must be today or in the future"),
        ({"due_date_2": "2999"}, "due_date", "The due date must be within 3 years"),
        ({"status": "paused"}, "status", "Select one of the statuses listed"),
        (
            {"relevance": "audit_subscale"},
            "audit_subscale",
            "Select the audit subscale the action responds to",
        ),
        (
            {"relevance": "audit_subscale", "audit_subscale": "999-999"},
            "audit_subscale",
            "Select one of the audit subscales listed",
        ),
        ({"relevance": "leuven"}, "leuven_finding", "Describe the Leuven finding"),
        ({"relevance": "leuven", "screening": "999"}, "screening", "Select one of the screenings"),
        ({"sef_section": ""}, "sef_section", "Select the self-evaluation section"),
        ({"sef_section": "finance"}, "sef_section", "Select one of the sections listed"),
    ],
)
def test_bad_action_input_is_explained_and_nothing_is_saved(
    client, users, accreditation, changes, field, message
):
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(
        reverse("accreditation:plan-action-new", args=[accreditation.pk]), form_data(**changes)
    )
    assert_field_error(response, field, message)
    assert "Two staff meetings." in response.content.decode()  # what was typed is kept
    assert not ImprovementAction.objects.exists()


def test_another_settings_audit_or_screening_cannot_be_chosen(
    client, users, accreditation, other_setting
):
    manager = users[Role.SETTING_MANAGER]
    theirs = make_audit(other_setting, manager)
    their_screening = make_screening(other_setting)
    client.force_login(manager)
    new = reverse("accreditation:plan-action-new", args=[accreditation.pk])
    subscale = theirs.version.subscales.get(number=1)
    response = client.post(
        new, form_data(relevance="audit_subscale", audit_subscale=f"{theirs.pk}-{subscale.pk}")
    )
    assert_field_error(response, "audit_subscale", "Select one of the audit subscales listed")
    response = client.post(new, form_data(relevance="leuven", screening=str(their_screening.pk)))
    assert_field_error(response, "screening", "Select one of the screenings listed")
    # The model refuses them too, whatever calls it.
    with pytest.raises(ValidationError) as error:
        add_action(
            accreditation, manager, relevance="audit_subscale", audit=theirs, subscale=subscale
        )
    assert "audit" in error.value.message_dict
    ours = make_audit(accreditation.setting, manager)
    with pytest.raises(ValidationError) as error:  # a subscale of another instrument
        add_action(
            accreditation, manager, relevance="audit_subscale", audit=ours, subscale=subscale
        )
    assert "subscale" in error.value.message_dict
    assert not ImprovementAction.objects.exists()


def test_changing_an_action_keeps_an_unchanged_past_due_date(client, users, accreditation):
    action = add_action(accreditation, users[Role.SETTING_MANAGER])
    ImprovementAction.objects.filter(pk=action.pk).update(due_date=datetime.date(2024, 1, 31))
    client.force_login(users[Role.SETTING_MANAGER])
    edit = reverse("accreditation:plan-action-edit", args=[action.pk])
    page = client.get(edit).content.decode()
    assert "Add a mark-making area to the garden." in page
    data = form_data(
        description=action.description,
        status="done",
        **date_data("due_date", datetime.date(2024, 1, 31)),
    )
    assert client.post(edit, data).status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    moved = client.post(edit, form_data(**date_data("due_date", datetime.date(2024, 2, 1))))
    assert_field_error(moved, "due_date", "The due date must be today or in the future")
    action.refresh_from_db()
    assert action.due_date == datetime.date(2024, 1, 31)
    assert action.history.count() == 2
    client.force_login(users[Role.MANAGER])
    assert "Status" in client.get(action.get_absolute_url()).content.decode()


def test_the_same_action_saved_by_two_gives_one_409_with_theirs(client, users, accreditation):
    """The action is the unit: the second person to save it, having loaded it before the
    first saved, sees theirs beside what they typed; saving again replaces it."""
    setting_manager, manager = users[Role.SETTING_MANAGER], users[Role.MANAGER]
    action = add_action(accreditation, setting_manager)
    other = add_action(accreditation, setting_manager, description="Another action")
    edit = reverse("accreditation:plan-action-edit", args=[action.pk])
    seen = {"seen_version": str(action_version(action))}
    managers_page = form_data(**seen, owner="Room leader", description="The manager's words.")
    client.force_login(setting_manager)
    assert client.post(edit, form_data(**seen, owner="Cook")).status_code == 302
    # Another action of the same plan, saved meanwhile, is no conflict.
    client.force_login(manager)
    other_edit = reverse("accreditation:plan-action-edit", args=[other.pk])
    other_seen = {"seen_version": str(action_version(other))}
    assert client.post(other_edit, form_data(**other_seen, owner="Chef")).status_code == 302
    response = client.post(edit, managers_page)
    assert response.status_code == 409
    html = response.content.decode()
    assert f"{setting_manager} changed this meanwhile to: “Cook”" in html
    assert 'value="Room leader"' in html and "The manager&#x27;s words." in html
    action.refresh_from_db()
    assert action.owner == "Cook"
    again = {**managers_page, "seen_version": str(action_version(action))}
    assert client.post(edit, again).status_code == 302
    action.refresh_from_db()
    assert (action.owner, action.description) == ("Room leader", "The manager's words.")
    # One's own earlier save (another tab) is never a conflict.
    assert client.post(edit, form_data(**seen, owner="Deputy")).status_code == 302


# --- The plan page: overdue first ---------------------------------------------------------------


def test_overdue_actions_come_first_and_stand_out(client, users, accreditation):
    manager = users[Role.SETTING_MANAGER]
    later = add_action(accreditation, manager, description="Later action")
    soon = add_action(
        accreditation, manager, description="Soon action", due_date=TODAY() + datetime.timedelta(1)
    )
    overdue = add_action(accreditation, manager, description="Overdue action")
    done_late = add_action(accreditation, manager, description="Done action")
    past = TODAY() - datetime.timedelta(days=3)
    ImprovementAction.objects.filter(pk__in=[overdue.pk, done_late.pk]).update(due_date=past)
    ImprovementAction.objects.filter(pk=done_late.pk).update(status=ActionStatus.DONE)
    client.force_login(users[Role.EVALUATOR])
    html = client.get(plan_url(accreditation)).content.decode()
    order = [html.index(f">{name} action<") for name in ("Overdue", "Done", "Soon", "Later")]
    assert order == sorted(order)
    overdue_row = html[: html.index(">Overdue action<")].rsplit("<tr", 1)[1]
    assert "kqm-overdue" in overdue_row
    done_row = html[: html.index(">Done action<")].rsplit("<tr", 1)[1]
    assert "kqm-overdue" not in done_row
    assert "1 overdue" in html
    filtered = client.get(plan_url(accreditation), {"status": "overdue"}).content.decode()
    assert ">Overdue action<" in filtered and ">Soon action<" not in filtered
    searched = client.get(plan_url(accreditation), {"q": "later"}).content.decode()
    assert "Later action" in searched and "Soon action" not in searched
    assert soon.pk and later.pk
    page = client.get(overdue.get_absolute_url()).content.decode()
    assert "This action is overdue" in page


def test_an_empty_plan_says_so(client, users, accreditation):
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(plan_url(accreditation)).content.decode()
    assert "The plan has no actions yet." in html and "Add an action" in html
    client.force_login(users[Role.EVALUATOR])
    assert "Add an action" not in client.get(plan_url(accreditation)).content.decode()


@pytest.mark.parametrize("count", [3, 12])
def test_the_plan_runs_a_constant_number_of_queries(
    client, users, accreditation, django_assert_num_queries, count
):
    manager = users[Role.SETTING_MANAGER]
    audit = make_audit(accreditation.setting, manager)
    subscale = audit.version.subscales.first()
    screening = make_screening(accreditation.setting)
    for index in range(count):
        kind = index % 3
        action = ImprovementAction.objects.create(
            accreditation=accreditation,
            description=f"Action {index}",
            success_measure="Measured",
            owner="Someone",
            relevance=[Relevance.AUDIT_SUBSCALE, Relevance.LEUVEN, Relevance.SEF_SECTION][kind],
            audit=audit if kind == 0 else None,
            subscale=subscale if kind == 0 else None,
            screening=screening if kind == 1 else None,
            sef_section="staff" if kind == 2 else "",
            due_date=TODAY() + datetime.timedelta(days=index - 10),
            created_by=manager,
        )
        ActionReview.objects.create(
            action=action, reviewed_on=TODAY(), note="On track", author=manager
        )
    client.force_login(manager)
    url = plan_url(accreditation)
    client.get(url)
    # session, user, accreditation, count, summary figures, may they edit, page of actions
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


# --- Reviews ------------------------------------------------------------------------------------


def test_the_evaluator_adds_dated_review_notes(client, users, accreditation):
    action = add_action(accreditation, users[Role.SETTING_MANAGER])
    client.force_login(users[Role.EVALUATOR])
    url = reverse("accreditation:plan-action-review", args=[action.pk])
    response = client.post(
        url, {"note": "Area in daily use; involvement up.", **date_data("reviewed_on", TODAY())}
    )
    assert response.status_code == 302
    review = ActionReview.objects.get()
    assert (review.author, review.reviewed_on) == (users[Role.EVALUATOR], TODAY())
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Area in daily use; involvement up." in page and "(Evaluator)" in page
    assert "Change the action" not in page  # the evaluator reads and reviews only


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"note": ""}, "note", "Enter the review note"),
        ({"note": "x" * 10_001}, "note", "The review note must be 10,000 characters or fewer"),
        ({"reviewed_on_0": ""}, "reviewed_on", "The date of the review must include a day"),
        (
            {"reviewed_on_2": "2999"},
            "reviewed_on",
            "The date of the review must be today or earlier",
        ),
    ],
)
def test_bad_review_input_is_explained_and_nothing_is_saved(
    client, users, accreditation, data, field, message
):
    action = add_action(accreditation, users[Role.SETTING_MANAGER])
    client.force_login(users[Role.EVALUATOR])
    post = {"note": "Fine.", **date_data("reviewed_on", TODAY()), **data}
    response = client.post(reverse("accreditation:plan-action-review", args=[action.pk]), post)
    assert_field_error(response, field, message)
    assert not ActionReview.objects.exists()


def test_only_the_assigned_evaluator_reviews(users, accreditation):
    from tests.factories import EvaluatorFactory

    action = add_action(accreditation, users[Role.SETTING_MANAGER])
    with pytest.raises(ValidationError):
        do_add_review(actor=EvaluatorFactory(), action=action, reviewed_on=TODAY(), note="Hi")


# --- Evidence of impact ------------------------------------------------------------------------


def test_a_file_is_uploaded_checked_downloaded_and_removed(client, users, accreditation):
    action = add_action(accreditation, users[Role.SETTING_MANAGER])
    client.force_login(users[Role.SETTING_MANAGER])
    url = reverse("accreditation:plan-evidence-upload", args=[action.pk])
    bad = client.post(url, {"file": upload("photos.pdf", WINDOWS_EXE), "title": "Photos"})
    assert_field_error(bad, "file", "The selected file is a program, not a document.")
    missing = client.post(url, {"title": "Photos"})
    assert_field_error(missing, "file", "Select a file")
    untitled = client.post(url, {"file": upload("photos.pdf", PDF), "title": ""})
    assert_field_error(untitled, "title", "Enter what the file shows")
    assert not ActionEvidence.objects.exists()

    ok = client.post(url, {"file": upload("Garden photos.pdf", PDF), "title": "Garden photos"})
    assert ok.status_code == 302
    evidence = ActionEvidence.objects.get()
    stored = Path(evidence.file.path)
    assert stored.exists() and "Garden" not in stored.name
    file_url = reverse("accreditation:plan-evidence-file", args=[action.pk, evidence.pk])
    client.force_login(users[Role.EVALUATOR])
    download = client.get(file_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert 'attachment; filename="Garden photos.pdf"' in download["Content-Disposition"]
    assert "Garden photos" in client.get(action.get_absolute_url()).content.decode()
    assert client.put(file_url).status_code == 405
    client.force_login(users[Role.PRACTITIONER])
    assert client.get(file_url).status_code == 403

    client.force_login(users[Role.SETTING_MANAGER])
    remove = reverse("accreditation:plan-evidence-remove", args=[action.pk, evidence.pk])
    assert "Remove “Garden photos”?" in client.get(remove).content.decode()
    response = client.post(remove)
    assert response.status_code == 302
    assert not ActionEvidence.objects.exists()


def test_removing_a_file_deletes_it_after_commit(
    client, users, accreditation, django_capture_on_commit_callbacks
):
    action = add_action(accreditation, users[Role.SETTING_MANAGER])
    client.force_login(users[Role.SETTING_MANAGER])
    client.post(
        reverse("accreditation:plan-evidence-upload", args=[action.pk]),
        {"file": upload("notes.pdf", PDF), "title": "Notes"},
    )
    evidence = ActionEvidence.objects.get()
    path = Path(evidence.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accreditation:plan-evidence-remove", args=[action.pk, evidence.pk]))
    assert not path.exists()


def test_an_audit_or_screening_of_the_setting_is_linked_as_evidence(client, users, accreditation):
    manager = users[Role.SETTING_MANAGER]
    action = add_action(accreditation, manager)
    audit = make_audit(accreditation.setting, manager)
    screening = make_screening(accreditation.setting)
    client.force_login(manager)
    url = reverse("accreditation:plan-evidence-link", args=[action.pk])
    assert_field_error(client.post(url, {}), "kind", "Select an audit or a screening")
    assert_field_error(client.post(url, {"kind": "audit"}), "audit", "Select the audit")
    assert_field_error(
        client.post(url, {"kind": "screening", "screening": "999"}),
        "screening",
        "Select one of the screenings listed",
    )
    assert not ActionEvidence.objects.exists()
    client.post(url, {"kind": "audit", "audit": str(audit.pk), "title": "End of year audit"})
    client.post(url, {"kind": "screening", "screening": str(screening.pk)})
    linked = list(ActionEvidence.objects.order_by("pk"))
    assert [(e.kind, e.audit, e.screening) for e in linked] == [
        ("audit", audit, None),
        ("screening", None, screening),
    ]
    assert linked[1].title == str(screening)
    page = client.get(action.get_absolute_url()).content.decode()
    assert audit.get_absolute_url() in page and screening.get_absolute_url() in page


def test_a_withdrawn_accreditations_plan_is_read_only(client, users, setting):
    withdrawn = AccreditationFactory(
        setting=setting, evaluator=users[Role.EVALUATOR], status=Status.IN_PROGRESS
    )
    action = add_action(withdrawn, users[Role.SETTING_MANAGER])
    withdrawn.transition(Status.WITHDRAWN, by=users[Role.MANAGER], reason="Closed")
    client.force_login(users[Role.SETTING_MANAGER])
    page = client.get(plan_url(withdrawn)).content.decode()
    assert "Add an action" not in page
    for url in action_urls(action).values():
        response = client.post(url, form_data())
        assert response.status_code in (302, 405)
    assert ImprovementAction.objects.count() == 1 and not ActionReview.objects.exists()
    with pytest.raises(ValidationError):
        add_action(withdrawn, users[Role.SETTING_MANAGER])
