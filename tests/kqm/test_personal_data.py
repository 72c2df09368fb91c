"""Personal data duties (issue 19): the retention schedule as data with a dry-run page and a
nightly task, an adult's subject-access export, and the log of who viewed child-level data."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accreditation.models import (
    ActionEvidence,
    ApplicationEvidence,
    CaseStudyEvidence,
    Message,
    Requirement,
    Status,
)
from accreditation.models.awards import add_years
from accreditation.services.reaccreditation import do_open_reaccreditation
from audits.models import ChildDataAccess, QuestionnaireResponse
from audits.services.questionnaires import do_create_round, load_shipped_questionnaires
from kqm import retention
from kqm.models import Role, User
from kqm.tasks import apply_retention
from settings.models import ImportStatus, OfstedImport
from tests.accreditation.award_factories import AwardFactory
from tests.accreditation.task_list_helpers import plan_action
from tests.accreditation.year_factories import make_case_study
from tests.factories import AccreditationFactory, ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - datetime.timedelta(days=365 * 8)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _aged(model, obj, **fields):
    model.objects.filter(pk=obj.pk).update(**fields)
    obj.refresh_from_db()
    return obj


@pytest.fixture
def records(users, setting):
    """One old and one recent record of each kind the nightly task looks after."""
    manager_of_setting = users[Role.SETTING_MANAGER]
    accreditation = AccreditationFactory(setting=setting, evaluator=users[Role.EVALUATOR])
    old_message = Message.objects.create(
        accreditation=accreditation, author=manager_of_setting, body="Old message"
    )
    _aged(Message, old_message, created_at=LONG_AGO)
    new_message = Message.objects.create(
        accreditation=accreditation, author=manager_of_setting, body="New message"
    )
    old_log = ChildDataAccess.objects.create(
        user=users[Role.EVALUATOR], setting=setting, page="group", path="/x/"
    )
    _aged(ChildDataAccess, old_log, accessed_at=LONG_AGO)
    new_log = ChildDataAccess.objects.create(
        user=users[Role.EVALUATOR], setting=setting, page="group", path="/y/"
    )
    gone = UserFactory(email="gone@example.org", full_name="Gone Person", is_active=False)
    _aged(User, gone, last_login=LONG_AGO)
    resting = UserFactory(email="resting@example.org", is_active=False)
    application = ApplicationFactory(setting=setting)
    old_evidence = ApplicationEvidence.objects.create(
        application=application,
        title="Ofsted report",
        file=ContentFile(b"%PDF-1.4 old", name="old.pdf"),
        original_name="old.pdf",
        content_type="application/pdf",
        size=12,
        uploaded_by=manager_of_setting,
    )
    _aged(ApplicationEvidence, old_evidence, uploaded_at=LONG_AGO)
    evidence_files = _evidence_of_every_kind(accreditation, manager_of_setting)
    imports = _ofsted_imports(users[Role.MANAGER])
    load_shipped_questionnaires()
    issued = do_create_round(
        actor=manager_of_setting,
        setting=setting,
        kind="staff",
        title="Old round",
        closes_on=timezone.localdate(),
        link_count=1,
    )
    old_response = QuestionnaireResponse.objects.create(round=issued.round, comment="Old")
    type(issued.round).objects.filter(pk=issued.round.pk).update(closed_at=LONG_AGO)
    return {
        "old_message": old_message,
        "new_message": new_message,
        "old_log": old_log,
        "new_log": new_log,
        "gone": gone,
        "resting": resting,
        "old_evidence": old_evidence,
        "old_response": old_response,
        **evidence_files,
        **imports,
    }


def _ofsted_imports(manager) -> dict:
    """An old finished import, an old one never confirmed, and a recent finished one."""
    made = {}
    for name, status, age in (
        ("old_import", ImportStatus.IMPORTED, LONG_AGO),
        ("old_preview", ImportStatus.PREVIEWED, LONG_AGO),
        ("new_import", ImportStatus.IMPORTED, timezone.now()),
    ):
        record = OfstedImport.objects.create(
            file=_file(f"{name}.csv"),
            changes_file=_file(f"{name}-changes.csv"),
            original_name=f"{name}.csv",
            uploaded_by=manager,
            status=status,
        )
        made[name] = _aged(OfstedImport, record, created_at=age)
    return made


def _file(name: str) -> ContentFile:
    return ContentFile(b"%PDF-1.4 " + name.encode(), name=name)


def _evidence_of_every_kind(accreditation, person) -> dict:
    """An old and a new file of each kind beyond applications: case studies, improvement-plan
    actions and re-accreditation requirements."""
    files = {}
    case_study = make_case_study(accreditation)
    action = plan_action(accreditation, "in_progress")
    for age in ("old", "new"):
        study = CaseStudyEvidence.objects.create(
            case_study=case_study,
            title=f"{age} observation",
            effective_date=timezone.localdate(),
            file=_file(f"{age}-study.pdf"),
            original_name=f"{age}-study.pdf",
            content_type="application/pdf",
            size=12,
            uploaded_by=person,
        )
        acted = ActionEvidence.objects.create(
            action=action,
            kind="file",
            title=f"{age} photo",
            file=_file(f"{age}-action.pdf"),
            original_name=f"{age}-action.pdf",
            content_type="application/pdf",
            size=12,
            added_by=person,
        )
        if age == "old":
            _aged(CaseStudyEvidence, study, uploaded_at=LONG_AGO)
            _aged(ActionEvidence, acted, added_at=LONG_AGO)
        files[f"{age}_study_evidence"] = study
        files[f"{age}_action_evidence"] = acted
    award = AwardFactory(
        accreditation=AccreditationFactory(setting=accreditation.setting, status=Status.ACCREDITED),
        award_date=add_years(timezone.localdate(), -2) - datetime.timedelta(days=90),
    )
    reaccreditation = do_open_reaccreditation(award=award, opened_by=None)
    requirements = Requirement.objects.filter(reaccreditation=reaccreditation).order_by("pk")
    for age, requirement in zip(("old", "new"), requirements[:2], strict=True):
        requirement.evidence_file = _file(f"{age}-requirement.pdf")
        requirement.original_name = f"{age}-requirement.pdf"
        requirement.updated_by = person
        requirement.updated_at = LONG_AGO if age == "old" else timezone.now()
        requirement.save()
        files[f"{age}_requirement"] = requirement
    return files


def test_the_schedule_covers_every_kind_of_personal_data():
    keys = {rule.key for rule in retention.SCHEDULE}
    assert keys == {
        "staff-accounts",
        "questionnaire-answers",
        "evidence-files",
        "case-study-evidence",
        "improvement-plan-evidence",
        "reaccreditation-evidence",
        "ofsted-import-files",
        "messages",
        "access-logs",
        "children",
    }
    assert all(rule.years > 0 and rule.description() for rule in retention.SCHEDULE)


def test_the_dry_run_page_counts_and_changes_nothing(client, manager, records):
    client.force_login(manager)
    html = client.get(reverse("privacy-retention")).content.decode()
    for key in (
        "messages",
        "access-logs",
        "staff-accounts",
        "evidence-files",
        "case-study-evidence",
        "improvement-plan-evidence",
        "reaccreditation-evidence",
        "ofsted-import-files",
    ):
        row = html.split(f'id="rule-{key}"')[1].split("</tr>")[0]
        assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in row, key
    assert Message.objects.filter(pk=records["old_message"].pk).exists()


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.SETTING_MANAGER, Role.VIEWER])
def test_privacy_pages_are_for_the_manager(client, users, role):
    client.force_login(users[role])
    assert client.get(reverse("privacy-retention")).status_code == 403
    assert client.get(reverse("privacy-child-data-access")).status_code == 403
    url = reverse("users:subject-access-export", args=[users[Role.VIEWER].pk])
    assert client.get(url).status_code == 403


def test_the_nightly_task_applies_the_schedule_once(records):
    stored = records["old_evidence"].file
    storage, name = stored.storage, stored.name
    assert storage.exists(name)
    done = apply_retention.delay().get()
    assert done["messages"] == 1 and done["access-logs"] == 1
    assert not Message.objects.filter(pk=records["old_message"].pk).exists()
    assert not Message.history.filter(id=records["old_message"].pk).exists()
    assert Message.objects.filter(pk=records["new_message"].pk).exists()
    assert not ChildDataAccess.objects.filter(pk=records["old_log"].pk).exists()
    assert ChildDataAccess.objects.filter(pk=records["new_log"].pk).exists()
    gone = User.objects.get(pk=records["gone"].pk)
    assert gone.full_name == "Former user" and "gone@" not in gone.email
    assert not gone.has_usable_password()
    assert not User.history.filter(id=gone.pk, email="gone@example.org").exists()
    assert User.objects.get(pk=records["resting"].pk).email == "resting@example.org"
    assert not ApplicationEvidence.objects.filter(pk=records["old_evidence"].pk).exists()
    assert not ApplicationEvidence.history.filter(id=records["old_evidence"].pk).exists()
    assert not storage.exists(name)
    assert not QuestionnaireResponse.objects.filter(pk=records["old_response"].pk).exists()
    for model, name in ((CaseStudyEvidence, "study_evidence"), (ActionEvidence, "action_evidence")):
        old, new = records[f"old_{name}"], records[f"new_{name}"]
        assert not model.objects.filter(pk=old.pk).exists(), name
        assert not model.history.filter(id=old.pk).exists(), name
        assert not storage.exists(old.file.name), name
        assert storage.exists(model.objects.get(pk=new.pk).file.name), name
    old_requirement = Requirement.objects.get(pk=records["old_requirement"].pk)
    assert not old_requirement.evidence_file and not old_requirement.original_name
    assert not storage.exists(records["old_requirement"].evidence_file.name)
    assert not Requirement.history.filter(
        id=old_requirement.pk, original_name="old-requirement.pdf"
    ).exists()
    assert Requirement.objects.get(pk=records["new_requirement"].pk).evidence_file
    old_import = OfstedImport.objects.get(pk=records["old_import"].pk)
    assert not old_import.file and not old_import.changes_file
    assert old_import.original_name == "old_import.csv"  # the record and its counts stay
    assert not storage.exists(records["old_import"].file.name)
    assert not storage.exists(records["old_import"].changes_file.name)
    for kept in ("old_preview", "new_import"):
        assert storage.exists(OfstedImport.objects.get(pk=records[kept].pk).file.name), kept
    assert set(apply_retention.delay().get().values()) == {0}


def test_the_access_log_page_shows_who_viewed_child_data(client, manager, records):
    client.force_login(manager)
    html = client.get(reverse("privacy-child-data-access")).content.decode()
    assert "Evaluator user" in html
    assert html.count('<tr class="govuk-table__row">') == 3  # header and two entries


def test_a_subject_access_export_holds_account_history_messages_and_evidence(
    client, manager, users, records
):
    person = users[Role.SETTING_MANAGER]
    client.force_login(manager)
    response = client.get(reverse("users:subject-access-export", args=[person.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == person.email
    assert {m["text"] for m in data["messages"]} == {"Old message", "New message"}
    kinds = {(e["kind"], e["title"]) for e in data["evidence_uploaded"]}
    assert kinds == {
        ("application evidence", "Ofsted report"),
        *(("case study evidence", f"{age} observation") for age in ("old", "new")),
        *(("improvement-plan evidence", f"{age} photo") for age in ("old", "new")),
        *(
            ("re-accreditation evidence", r.get_kind_display())
            for r in (records["old_requirement"], records["new_requirement"])
        ),
    }
    assert any(entry["record"] == "User" for entry in data["history"])
    assert client.get(reverse("users:subject-access-export", args=[999999])).status_code == 404


def test_privacy_pages_take_only_get_and_shrug_off_hostile_pages(client, manager, records):
    client.force_login(manager)
    export = reverse("users:subject-access-export", args=[manager.pk])
    for url in (reverse("privacy-retention"), reverse("privacy-child-data-access"), export):
        assert client.post(url).status_code == 405, url
    for page in ("0", "-1", "²", "9" * 40, "x\u202e"):
        response = client.get(reverse("privacy-child-data-access"), {"page": page})
        assert response.status_code == 200, page
