"""Re-accreditation: opening (early, and by the daily job), the seven requirements, the visit,
submitting, and renewing the award or letting it lapse; every page for every role."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accreditation import tasks as accreditation_tasks
from accreditation.models import (
    Accreditation,
    AccreditationStatusChange,
    Award,
    IllegalTransition,
    Judgement,
    Reaccreditation,
    ReaccreditationStatus,
    ReminderSettings,
    Requirement,
    RequirementKind,
    Status,
    Visit,
    VisitType,
)
from accreditation.models.awards import add_years
from accreditation.pipeline import MoveConflict
from accreditation.requirements import spec_of
from accreditation.selectors_awards import public_register
from accreditation.services import reaccreditation as services
from audits.models import (
    Child,
    InstrumentKind,
)
from kqm.models import Role, User
from tests.access import assert_access, assert_field_error, assert_not_found
from tests.factories import AccreditationFactory, EvaluatorFactory, SettingFactory, UserFactory
from tests.status_walk import each_pair

from .award_factories import AwardFactory
from .reaccreditation_helpers import fill_every_requirement, make_audit, requirement, the_records
from .year_factories import PDF, pdf_upload

pytestmark = pytest.mark.django_db

READERS = (Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER)


# --- Fixtures and helpers ------------------------------------------------------------------------


def make_award(setting, evaluator, *, award_date: datetime.date, status=Status.ACCREDITED):
    accreditation = AccreditationFactory(setting=setting, evaluator=evaluator, status=status)
    return AwardFactory(accreditation=accreditation, award_date=award_date)


@pytest.fixture
def evaluator(users) -> User:
    return users[Role.EVALUATOR]


@pytest.fixture
def award(setting, evaluator) -> Award:
    """An award in its third year (granted 2 years and 3 months ago)."""
    today = timezone.localdate()
    return make_award(
        setting, evaluator, award_date=add_years(today, -2) - datetime.timedelta(days=90)
    )


@pytest.fixture
def reaccreditation(award, manager) -> Reaccreditation:
    return services.do_open_reaccreditation(award=award, opened_by=manager)


@pytest.fixture
def elsewhere(other_setting, manager) -> Reaccreditation:
    """Another setting's re-accreditation with another evaluator: everyone else gets 404."""
    UserFactory(role=Role.SETTING_MANAGER, settings=[other_setting])
    other = make_award(
        other_setting,
        EvaluatorFactory(full_name="Olu Other"),
        award_date=add_years(timezone.localdate(), -2),
    )
    return services.do_open_reaccreditation(award=other, opened_by=manager)


def judge_all(reaccreditation: Reaccreditation, judge: User) -> None:
    for kind in RequirementKind.values:
        services.do_judge_requirement(
            actor=judge, requirement=requirement(reaccreditation, kind), judgement=Judgement.MET
        )


def book_visit(reaccreditation: Reaccreditation, actor: User, date: datetime.date) -> Visit:
    return services.do_schedule_reaccreditation_visit(
        actor=actor,
        reaccreditation=Reaccreditation.objects.select_related("accreditation").get(
            pk=reaccreditation.pk
        ),
        date=date,
        start_time=datetime.time(9, 30),
        end_time=datetime.time(12, 0),
    )


def ready_for_decision(reaccreditation, users, *, visit_date=None) -> Reaccreditation:
    the_records(reaccreditation, users[Role.MANAGER])
    fill_every_requirement(reaccreditation, users[Role.SETTING_MANAGER])
    judge_all(reaccreditation, users[Role.EVALUATOR])
    book_visit(reaccreditation, users[Role.EVALUATOR], visit_date or timezone.localdate())
    services.do_submit_reaccreditation(
        actor=users[Role.SETTING_MANAGER],
        reaccreditation=Reaccreditation.objects.select_related("setting", "accreditation").get(
            pk=reaccreditation.pk
        ),
    )
    return Reaccreditation.objects.get(pk=reaccreditation.pk)


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(
        accreditation_tasks.render_certificate,
        "delay",
        lambda award_id, **kwargs: calls.append(award_id),
    )
    return calls


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


# --- Opening -----------------------------------------------------------------------------------


def test_opening_creates_the_seven_requirements_and_moves_the_accreditation(
    award, manager, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reaccreditation = services.do_open_reaccreditation(award=award, opened_by=manager)
    assert reaccreditation.status == ReaccreditationStatus.OPEN
    assert reaccreditation.setting == award.setting
    kinds = set(reaccreditation.requirements.values_list("kind", flat=True))
    assert kinds == set(RequirementKind.values) and len(kinds) == 7
    award.accreditation.refresh_from_db()
    assert award.accreditation.status == Status.REACCREDITATION_DUE
    change = AccreditationStatusChange.objects.get(
        accreditation=award.accreditation, to_status=Status.REACCREDITATION_DUE
    )
    assert change.from_status == Status.ACCREDITED and change.changed_by == manager
    assert reaccreditation.history.count() == 1
    assert Requirement.history.filter(reaccreditation_id=reaccreditation.pk).count() == 7
    assert all(
        m.subject.endswith("re-accreditation of the Quality Mark for Early Years is open")
        for m in mail.outbox
    )
    assert {m.to[0] for m in mail.outbox} == {
        users[Role.SETTING_MANAGER].email,
        users[Role.EVALUATOR].email,
    }
    assert all(reaccreditation.get_absolute_url() in m.body for m in mail.outbox)


def test_opening_twice_is_refused_and_changes_nothing(reaccreditation, manager):
    with pytest.raises(ValidationError, match="already open"):
        services.do_open_reaccreditation(award=reaccreditation.award, opened_by=manager)
    assert Reaccreditation.objects.count() == 1
    assert Requirement.objects.count() == 7


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Status.REVIEW_DUE, "annual review is signed off"),
        (Status.LAPSED, "Lapsed"),
    ],
)
def test_opening_waits_for_an_accreditation_that_cannot_move(
    setting, evaluator, manager, status, message
):
    award = make_award(setting, evaluator, award_date=datetime.date(2025, 3, 1), status=status)
    with pytest.raises(ValidationError, match=message):
        services.do_open_reaccreditation(award=award, opened_by=manager)
    assert not Reaccreditation.objects.exists()
    award.accreditation.refresh_from_db()
    assert award.accreditation.status == status


def test_a_revoked_or_expired_award_is_not_reopened(setting, evaluator, manager):
    revoked = make_award(setting, evaluator, award_date=datetime.date(2025, 3, 1))
    Award.objects.filter(pk=revoked.pk).update(
        revoked_at=timezone.now(), revocation_reason="Closed"
    )
    revoked.refresh_from_db()
    with pytest.raises(ValidationError, match="revoked"):
        services.do_open_reaccreditation(award=revoked, opened_by=manager)
    expired = make_award(
        SettingFactory(), evaluator, award_date=add_years(timezone.localdate(), -3)
    )
    with pytest.raises(ValidationError, match="expired"):
        services.do_open_reaccreditation(award=expired, opened_by=manager)
    assert not Reaccreditation.objects.exists()


def test_only_the_kqm_manager_opens_early(award, users):
    with pytest.raises(ValidationError, match="Only the KQM manager"):
        services.do_open_reaccreditation(award=award, opened_by=users[Role.EVALUATOR])
    assert not Reaccreditation.objects.exists()


JOB_DAY = datetime.date(2027, 1, 5)


def awards_for_the_job(count: int, evaluator) -> list[Award]:
    """Awards of July 2024: their alert is 1 January 2027, so JOB_DAY opens them."""
    awards = []
    for _ in range(count):
        setting = SettingFactory()
        UserFactory(role=Role.SETTING_MANAGER, settings=[setting])
        awards.append(make_award(setting, evaluator, award_date=datetime.date(2024, 7, 20)))
    return awards


def test_the_daily_job_opens_due_re_accreditations_once(evaluator, setting):
    due = awards_for_the_job(3, evaluator)
    not_yet = make_award(setting, evaluator, award_date=datetime.date(2025, 3, 1))
    waiting = make_award(
        SettingFactory(), evaluator, award_date=datetime.date(2024, 7, 20), status=Status.REVIEW_DUE
    )
    reviewed = make_award(
        SettingFactory(), evaluator, award_date=datetime.date(2024, 7, 20), status=Status.REVIEWED
    )
    assert services.do_open_due_reaccreditations(today=datetime.date(2026, 12, 31)) == 0
    assert services.do_open_due_reaccreditations(today=JOB_DAY) == 4
    opened = set(Reaccreditation.objects.values_list("award_id", flat=True))
    assert opened == {a.pk for a in due} | {reviewed.pk}
    assert not_yet.pk not in opened and waiting.pk not in opened
    for award in [*due, reviewed]:
        award.accreditation.refresh_from_db()
        assert award.accreditation.status == Status.REACCREDITATION_DUE
        change = award.accreditation.status_changes.get()
        assert change.to_status == Status.REACCREDITATION_DUE
        assert change.reason == services.OPEN_REASON
        assert award.accreditation.history.first().status == Status.REACCREDITATION_DUE
    assert Requirement.objects.count() == 4 * 7
    assert Requirement.history.count() == 4 * 7
    assert Reaccreditation.history.count() == 4
    # Run again, the same day or later: nothing more opens.
    assert services.do_open_due_reaccreditations(today=JOB_DAY) == 0
    assert services.do_open_due_reaccreditations(today=JOB_DAY + datetime.timedelta(days=7)) == 0
    assert Reaccreditation.objects.count() == 4
    # Once its review is signed off, the waiting one opens on the next run.
    waiting.accreditation.transition(Status.REVIEWED, by=None)
    assert services.do_open_due_reaccreditations(today=JOB_DAY + datetime.timedelta(days=8)) == 1


def test_the_daily_task_opens_them_before_sending_reminders(evaluator, monkeypatch):
    awards_for_the_job(2, evaluator)
    import time_machine

    with time_machine.travel(datetime.datetime(2027, 1, 5, 7, 0), tick=False):
        accreditation_tasks.send_due_reminders.delay()
    assert Reaccreditation.objects.count() == 2


def test_the_daily_job_runs_a_bounded_number_of_queries(
    evaluator, django_capture_on_commit_callbacks
):
    """The same reads and updates for 10 or 100 awards; inserts are bulk, in batches only
    where the database limits a statement's parameters (SQLite)."""
    ReminderSettings.load()

    def queries_for(count: int) -> tuple[int, int]:
        awards = awards_for_the_job(count, evaluator)
        with CaptureQueriesContext(connection) as captured:
            opened = services.do_open_due_reaccreditations(today=JOB_DAY)
        assert opened == count
        for award in awards:
            award.accreditation.refresh_from_db()
            assert award.accreditation.status == Status.REACCREDITATION_DUE
        sql = [query["sql"] for query in captured.captured_queries]
        inserts = sum(1 for statement in sql if statement.startswith("INSERT"))
        return len(sql) - inserts, inserts

    with django_capture_on_commit_callbacks():
        small = queries_for(10)
        large = queries_for(100)
    assert small[0] == large[0], (small, large)
    # Seven tables take bulk inserts: re-accreditations, requirements, status changes, the
    # history of the first three, and the outbox rows of the emails it queues.
    batch = connection.ops.bulk_batch_size(["field"] * 20, [None] * 700)
    assert large[1] <= 7 * math.ceil(700 / batch), large
    assert small[1] == 7 or connection.vendor == "sqlite"


# --- Evidence, judgements, the visit ---------------------------------------------------------


def test_evidence_links_the_audit_and_the_workshop(reaccreditation, users, manager):
    audits = the_records(reaccreditation, manager)
    setting_manager = users[Role.SETTING_MANAGER]
    ecers = requirement(reaccreditation, RequirementKind.ECERS_AUDIT)
    saved = services.do_save_requirement_evidence(
        actor=setting_manager,
        requirement=ecers,
        evidence="The new ECERS audit shows language up.",
        audit=audits[RequirementKind.ECERS_AUDIT],
    )
    assert saved.audit == audits[RequirementKind.ECERS_AUDIT]
    assert saved.updated_by == setting_manager
    workshop = services.do_save_requirement_evidence(
        actor=setting_manager,
        requirement=requirement(reaccreditation, RequirementKind.WORKSHOP),
        evidence="Asha attended in March.",
    )
    assert workshop.booking is not None and workshop.booking.attended is True
    assert workshop.history.count() == 2


def test_an_audit_before_the_award_or_another_kind_cannot_be_linked(
    reaccreditation, users, manager
):
    setting = reaccreditation.setting
    before = make_audit(
        setting,
        InstrumentKind.RATING_SCALE,
        date=reaccreditation.award.award_date - datetime.timedelta(days=1),
    )
    leadership = make_audit(setting, InstrumentKind.LEADERSHIP, date=timezone.localdate())
    other = make_audit(SettingFactory(), InstrumentKind.RATING_SCALE, date=timezone.localdate())
    for audit in (before, leadership, other):
        with pytest.raises(ValidationError) as error:
            services.do_save_requirement_evidence(
                actor=users[Role.SETTING_MANAGER],
                requirement=requirement(reaccreditation, RequirementKind.ECERS_AUDIT),
                evidence="Our audit.",
                audit=audit,
            )
        assert "audit" in error.value.message_dict
    assert not Requirement.objects.exclude(evidence="").exists()


def test_only_setting_managers_and_the_kqm_manager_write_evidence(reaccreditation, users):
    for role in (Role.EVALUATOR, Role.PRACTITIONER):
        with pytest.raises(ValidationError):
            services.do_save_requirement_evidence(
                actor=users[role],
                requirement=requirement(reaccreditation, RequirementKind.ENTRY_CRITERIA),
                evidence="Not mine to write.",
            )
    assert not Requirement.objects.exclude(evidence="").exists()


def test_judging_met_needs_the_evidence_and_not_met_needs_a_note(reaccreditation, users):
    entry = requirement(reaccreditation, RequirementKind.ENTRY_CRITERIA)
    evaluator = users[Role.EVALUATOR]
    with pytest.raises(ValidationError, match="cannot be met yet"):
        services.do_judge_requirement(actor=evaluator, requirement=entry, judgement=Judgement.MET)
    with pytest.raises(ValidationError) as error:
        services.do_judge_requirement(
            actor=evaluator, requirement=entry, judgement=Judgement.NOT_MET
        )
    assert "judgement_note" in error.value.message_dict
    services.do_judge_requirement(
        actor=evaluator, requirement=entry, judgement=Judgement.NOT_MET, note="Show the criteria."
    )
    services.do_save_requirement_evidence(
        actor=users[Role.SETTING_MANAGER], requirement=entry, evidence="All six criteria met."
    )
    entry.refresh_from_db()
    assert entry.judgement == "" and entry.judged_by is None  # cleared by the new evidence
    judged = services.do_judge_requirement(
        actor=evaluator, requirement=entry, judgement=Judgement.MET
    )
    assert judged.judgement == Judgement.MET and judged.judged_by == evaluator


def test_an_unassigned_evaluator_cannot_judge(reaccreditation, users):
    entry = requirement(reaccreditation, RequirementKind.ENTRY_CRITERIA)
    with pytest.raises(ValidationError, match="evaluator"):
        services.do_judge_requirement(
            actor=EvaluatorFactory(), requirement=entry, judgement=Judgement.NOT_MET, note="No."
        )


def test_booking_the_visit_creates_a_re_accreditation_visit(reaccreditation, users):
    day = timezone.localdate() + datetime.timedelta(days=20)
    visit = book_visit(reaccreditation, users[Role.EVALUATOR], day)
    assert visit.visit_type == VisitType.REACCREDITATION and visit.date == day
    reaccreditation.refresh_from_db()
    assert reaccreditation.visit == visit
    with pytest.raises(ValidationError, match="already booked"):
        book_visit(reaccreditation, users[Role.MANAGER], day)
    assert Visit.objects.count() == 1


def test_a_visit_booked_on_the_visits_page_is_linked(reaccreditation, users):
    from accreditation.services.visits import do_schedule_visit

    booked = do_schedule_visit(
        actor=users[Role.EVALUATOR],
        accreditation=reaccreditation.accreditation,
        visit_type=VisitType.REACCREDITATION,
        date=timezone.localdate(),
        start_time=datetime.time(9, 0),
        end_time=datetime.time(11, 0),
    )
    assert book_visit(reaccreditation, users[Role.EVALUATOR], timezone.localdate()) == booked


def test_submitting_needs_every_requirement_with_its_evidence(reaccreditation, users, manager):
    the_records(reaccreditation, manager)
    setting_manager = users[Role.SETTING_MANAGER]
    services.do_save_requirement_evidence(
        actor=setting_manager,
        requirement=requirement(reaccreditation, RequirementKind.ENTRY_CRITERIA),
        evidence="Still met.",
    )
    fresh = Reaccreditation.objects.select_related("setting", "accreditation")
    with pytest.raises(ValidationError) as error:
        services.do_submit_reaccreditation(
            actor=setting_manager, reaccreditation=fresh.get(pk=reaccreditation.pk)
        )
    assert "A new ECERS audit: the evidence is not written yet" in error.value.messages
    assert fresh.get(pk=reaccreditation.pk).status == ReaccreditationStatus.OPEN
    fill_every_requirement(reaccreditation, setting_manager)
    submitted = services.do_submit_reaccreditation(
        actor=setting_manager, reaccreditation=fresh.get(pk=reaccreditation.pk)
    )
    assert submitted.status == ReaccreditationStatus.SUBMITTED
    assert submitted.submitted_by == setting_manager
    with pytest.raises(ValidationError, match="can no longer change"):
        services.do_save_requirement_evidence(
            actor=setting_manager,
            requirement=requirement(reaccreditation, RequirementKind.ENTRY_CRITERIA),
            evidence="Changed after submitting.",
        )


# --- The decision -------------------------------------------------------------------------------


def test_renewing_is_refused_until_all_seven_are_met_and_the_visit_took_place(
    reaccreditation, users, manager
):
    the_records(reaccreditation, manager)
    fill_every_requirement(reaccreditation, users[Role.SETTING_MANAGER])
    book_visit(
        reaccreditation, users[Role.EVALUATOR], timezone.localdate() + datetime.timedelta(days=5)
    )
    services.do_submit_reaccreditation(
        actor=users[Role.SETTING_MANAGER],
        reaccreditation=Reaccreditation.objects.select_related("setting", "accreditation").get(
            pk=reaccreditation.pk
        ),
    )
    with pytest.raises(ValidationError) as error:
        services.do_renew_award(actor=manager, reaccreditation=reaccreditation)
    text = " ".join(error.value.messages)
    assert "Not every requirement is met yet" in text
    assert "has not taken place yet" in text
    assert Award.objects.count() == 1
    reaccreditation.refresh_from_db()
    assert reaccreditation.status == ReaccreditationStatus.SUBMITTED
    reaccreditation.accreditation.refresh_from_db()
    assert reaccreditation.accreditation.status == Status.REACCREDITATION_DUE


def test_renewing_grants_the_new_award_and_queues_its_certificate(
    reaccreditation, users, manager, queued, django_capture_on_commit_callbacks, settings
):
    ready_for_decision(reaccreditation, users)
    with django_capture_on_commit_callbacks(execute=True):
        award = services.do_renew_award(
            actor=manager, reaccreditation=reaccreditation, note="Well done."
        )
    old = reaccreditation.award
    assert award.previous_award == old
    assert award.accreditation == old.accreditation and award.setting == old.setting
    assert award.award_date == timezone.localdate()
    assert award.expiry_date == add_years(award.award_date, settings.AWARD_VALIDITY_YEARS)
    assert award.number != old.number
    assert queued == [award.pk]
    reaccreditation.refresh_from_db()
    assert reaccreditation.status == ReaccreditationStatus.REACCREDITED
    assert reaccreditation.new_award == award and reaccreditation.decided_by == manager
    accreditation = reaccreditation.accreditation
    accreditation.refresh_from_db()
    assert accreditation.status == Status.REACCREDITED
    assert accreditation.status_changes.filter(to_status=Status.REACCREDITED).exists()
    decision_mail = [m for m in mail.outbox if "renewed" in m.subject]
    assert users[Role.SETTING_MANAGER].email in {m.to[0] for m in decision_mail}
    assert award.number in decision_mail[0].body
    # The public register lists the setting once, with its new award.
    listed = list(public_register(search=reaccreditation.setting.name))
    assert [a.number for a in listed] == [award.number]
    # A second decision is refused.
    with pytest.raises(ValidationError):
        services.do_renew_award(actor=manager, reaccreditation=reaccreditation)
    assert Award.objects.count() == 2


def test_a_double_submitted_renewal_has_one_winner_and_a_plain_message(
    reaccreditation, users, manager, client, django_capture_on_commit_callbacks
):
    ready_for_decision(reaccreditation, users)
    second_tab = Reaccreditation.objects.select_related("accreditation").get(pk=reaccreditation.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.do_renew_award(actor=manager, reaccreditation=reaccreditation)
    sent = len(mail.outbox)
    with pytest.raises(ValidationError, match="has just been moved to “Re-accredited”"):
        services.do_lapse_award(actor=manager, reaccreditation=second_tab, reason="Closing.")
    assert Award.objects.count() == 2 and len(mail.outbox) == sent
    second_tab.refresh_from_db()
    assert second_tab.status == ReaccreditationStatus.REACCREDITED


def test_the_renewed_award_renders_its_certificate_and_verifies(
    reaccreditation, users, manager, client
):
    ready_for_decision(reaccreditation, users)
    award = services.do_renew_award(actor=manager, reaccreditation=reaccreditation)
    assert accreditation_tasks.render_certificate(award.pk) is True
    award.refresh_from_db()
    assert award.has_certificate
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.get(reverse("accreditation:award-certificate", args=[award.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.logout()
    response = client.get(award.verification_path())
    assert response.status_code == 200
    assert award.number in response.content.decode()


def test_lapsing_needs_a_reason_and_ends_the_accreditation(reaccreditation, manager, users):
    with pytest.raises(ValidationError) as error:
        services.do_lapse_award(actor=manager, reaccreditation=reaccreditation, reason=" ")
    assert "note" in error.value.message_dict
    with pytest.raises(ValidationError, match="Only the KQM manager"):
        services.do_lapse_award(
            actor=users[Role.EVALUATOR], reaccreditation=reaccreditation, reason="No."
        )
    lapsed = services.do_lapse_award(
        actor=manager, reaccreditation=reaccreditation, reason="The setting is closing."
    )
    assert lapsed.status == ReaccreditationStatus.LAPSED
    assert lapsed.decision_note == "The setting is closing."
    lapsed.accreditation.refresh_from_db()
    assert lapsed.accreditation.status == Status.LAPSED
    assert Award.objects.count() == 1
    # The same page, submitted again: a plain message, nothing changed.
    with pytest.raises(ValidationError, match="has just been moved to “Lapsed”"):
        services.do_lapse_award(actor=manager, reaccreditation=reaccreditation, reason="Again.")
    reloaded = Reaccreditation.objects.select_related("accreditation").get(pk=reaccreditation.pk)
    with pytest.raises(ValidationError, match="cannot move to “Lapsed”"):
        services.do_lapse_award(actor=manager, reaccreditation=reloaded, reason="Again.")


# --- Pages and permissions ------------------------------------------------------------------------


def url(name: str, reaccreditation: Reaccreditation, kind: str | None = None) -> str:
    args: list[object] = [reaccreditation.pk]
    if kind is not None:
        args.append(spec_of(kind).slug)
    return reverse(f"accreditation:{name}", args=args)


def others(users, elsewhere) -> list[User]:
    """People who may use the pages for their own settings, but not for ``elsewhere``."""
    return [users[Role.EVALUATOR], users[Role.SETTING_MANAGER], users[Role.PRACTITIONER]]


def test_the_task_list_for_each_role(client, users, reaccreditation, elsewhere):
    page = url("reaccreditation-detail", reaccreditation)
    assert_access(client, page, users, allowed=READERS)
    assert_not_found(client, url("reaccreditation-detail", elsewhere), others(users, elsewhere))
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(page).content.decode()
    assert html.count('class="govuk-task-list__item') == 7
    assert "Not started" in html and "Check and submit" in html
    client.force_login(users[Role.PRACTITIONER])
    html = client.get(page).content.decode()
    assert "Check and submit" not in html and "Book the re-accreditation visit" not in html


def test_the_list_for_each_role_with_constant_queries(
    client, users, reaccreditation, elsewhere, manager
):
    page = reverse("accreditation:reaccreditation-list")
    assert_access(client, page, users, allowed=READERS)
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(page).content.decode()
    assert reaccreditation.setting.display_name in html
    assert elsewhere.setting.display_name not in html
    client.force_login(manager)
    with CaptureQueriesContext(connection) as few:
        assert client.get(page).status_code == 200
    for _ in range(5):
        other = make_award(
            SettingFactory(), EvaluatorFactory(), award_date=add_years(timezone.localdate(), -2)
        )
        services.do_open_reaccreditation(award=other, opened_by=manager)
    with CaptureQueriesContext(connection) as more:
        html = client.get(page).content.decode()
    assert html.count('<tr class="govuk-table__row">') == 8
    assert len(few) == len(more)


def test_the_task_list_runs_a_constant_number_of_queries(client, users, reaccreditation, manager):
    page = url("reaccreditation-detail", reaccreditation)
    client.force_login(manager)
    with CaptureQueriesContext(connection) as before:
        client.get(page)
    the_records(reaccreditation, manager)
    fill_every_requirement(reaccreditation, users[Role.SETTING_MANAGER])
    with CaptureQueriesContext(connection) as after:
        html = client.get(page).content.decode()
    assert html.count("Ready for judging") == 7
    assert len(before) == len(after)


def test_opening_early_from_the_award_page(client, users, award, manager):
    page = reverse("accreditation:reaccreditation-open", args=[award.pk])
    award_page = award.get_absolute_url()
    client.force_login(manager)
    assert "Open re-accreditation now" in client.get(award_page).content.decode()
    for role in (Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER, Role.VIEWER):
        client.force_login(users[role])
        assert client.post(page).status_code == 403
    client.force_login(manager)
    assert client.get(page).status_code == 405
    response = client.post(page)
    reaccreditation = Reaccreditation.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == reaccreditation.get_absolute_url()
    )
    # Again: refused with a message, nothing more.
    response = client.post(page, follow=True)
    assert "already open" in response.content.decode()
    assert Reaccreditation.objects.count() == 1
    assert "See the re-accreditation" in client.get(award_page).content.decode()
    # Another setting's award is a 404 (the KQM manager sees all; a missing one is 404).
    client.force_login(manager)
    missing = reverse("accreditation:reaccreditation-open", args=[999999])
    assert client.post(missing).status_code == 404


def test_each_requirement_page_for_each_role(client, users, reaccreditation, elsewhere, manager):
    the_records(reaccreditation, manager)
    fill_every_requirement(reaccreditation, users[Role.SETTING_MANAGER])
    for kind in RequirementKind.values:
        page = url("reaccreditation-requirement", reaccreditation, kind)
        assert_access(client, page, users, allowed=READERS)
        assert_not_found(
            client, url("reaccreditation-requirement", elsewhere, kind), others(users, elsewhere)
        )
    client.force_login(users[Role.PRACTITIONER])
    html = client.get(
        url("reaccreditation-requirement", reaccreditation, "wellbeing_account")
    ).content.decode()
    assert "Spring" in html and "Autumn" in html  # zone shares per term
    assert "Open the improvement plan" not in html
    # Aggregates only: no child's pseudonymous code appears.
    assert not any(code in html for code in Child.objects.values_list("code", flat=True))
    html = client.get(
        url("reaccreditation-requirement", reaccreditation, "improvement_plan")
    ).content.decode()
    assert "1 overdue" in html
    html = client.get(
        url("reaccreditation-requirement", reaccreditation, "workshop")
    ).content.decode()
    assert "Asha Patel" in html
    client.force_login(users[Role.SETTING_MANAGER])
    assert (
        client.get(
            reverse("accreditation:reaccreditation-requirement", args=[reaccreditation.pk, "nope"])
        ).status_code
        == 404
    )


def test_writing_evidence_through_the_page(client, users, reaccreditation, elsewhere, manager):
    audits = the_records(reaccreditation, manager)
    page = url("reaccreditation-requirement-edit", reaccreditation, RequirementKind.ECERS_AUDIT)
    assert_access(client, page, users, allowed=(Role.MANAGER, Role.SETTING_MANAGER))
    assert_not_found(
        client,
        url("reaccreditation-requirement-edit", elsewhere, RequirementKind.ECERS_AUDIT),
        [users[Role.SETTING_MANAGER]],
    )
    client.force_login(users[Role.SETTING_MANAGER])
    # Bad input: no evidence, an audit not offered, a program as the file. Nothing is saved.
    response = client.post(page, {"evidence": " ", "audit": "999999"})
    assert_field_error(response, "evidence", "Enter the evidence")
    assert_field_error(response, "audit", "Select one of the audits listed")
    exe = pdf_upload("report.pdf", b"MZ\x90\x00program")
    response = client.post(page, {"evidence": "Our audit", "file": exe})
    assert_field_error(response, "file", "is a program")
    assert not Requirement.objects.exclude(evidence="").exists()
    # Good input, with a PDF.
    audit = audits[RequirementKind.ECERS_AUDIT]
    response = client.post(
        page, {"evidence": "Language up to 5.6.", "audit": str(audit.pk), "file": pdf_upload()}
    )
    assert response.status_code == 302
    saved = Requirement.objects.get(
        reaccreditation=reaccreditation, kind=RequirementKind.ECERS_AUDIT
    )
    assert saved.audit == audit and saved.original_name == "observations.pdf"
    assert saved.content_type == "application/pdf" and saved.size == len(PDF)
    file_page = url(
        "reaccreditation-requirement-file", reaccreditation, RequirementKind.ECERS_AUDIT
    )
    assert_access(client, file_page, users, allowed=READERS)
    client.force_login(users[Role.PRACTITIONER])
    response = client.get(file_page)
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    assert (
        client.get(url("reaccreditation-requirement-file", reaccreditation, "workshop")).status_code
        == 404
    )
    # Removing the file.
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(
        page, {"evidence": "Language up to 5.6.", "audit": str(audit.pk), "remove_file": "on"}
    )
    saved.refresh_from_db()
    assert not saved.evidence_file and saved.original_name == ""


def test_judging_through_the_page(client, users, reaccreditation, elsewhere, manager):
    page = url("reaccreditation-requirement-judge", reaccreditation, RequirementKind.ENTRY_CRITERIA)
    assert_access(client, page, users, allowed=(Role.MANAGER, Role.EVALUATOR))
    assert_not_found(
        client,
        url("reaccreditation-requirement-judge", elsewhere, RequirementKind.ENTRY_CRITERIA),
        [users[Role.EVALUATOR]],
    )
    client.force_login(users[Role.EVALUATOR])
    response = client.post(page, {"judgement": "not_met", "judgement_note": ""})
    assert_field_error(response, "judgement_note", "Enter why the requirement is not met")
    response = client.post(page, {"judgement": "met"})
    assert_field_error(response, "judgement", "cannot be met yet")
    response = client.post(page, {})
    assert_field_error(response, "judgement", "Select met or not met")
    assert not Requirement.objects.exclude(judgement="").exists()
    response = client.post(page, {"judgement": "not_met", "judgement_note": "Show the criteria."})
    assert response.status_code == 302
    assert (
        Requirement.objects.get(
            reaccreditation=reaccreditation, kind=RequirementKind.ENTRY_CRITERIA
        ).judgement
        == Judgement.NOT_MET
    )


def test_booking_the_visit_through_the_page(client, users, reaccreditation, elsewhere):
    page = url("reaccreditation-visit", reaccreditation)
    assert_access(client, page, users, allowed=(Role.MANAGER, Role.EVALUATOR))
    assert_not_found(client, url("reaccreditation-visit", elsewhere), [users[Role.EVALUATOR]])
    client.force_login(users[Role.EVALUATOR])
    response = client.post(
        page, {"date_0": "31", "date_1": "2", "date_2": "2027", "start_time": "9", "end_time": ""}
    )
    assert_field_error(response, "date", "real date")
    assert not Visit.objects.exists()
    day = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(
        page,
        {
            "date_0": str(day.day),
            "date_1": str(day.month),
            "date_2": str(day.year),
            "start_time": "09:30",
            "end_time": "12:00",
        },
    )
    assert response.status_code == 302
    reaccreditation.refresh_from_db()
    assert reaccreditation.visit is not None and reaccreditation.visit.date == day
    assert client.get(page).status_code == 302  # already booked: off to the visit


def test_submitting_through_the_page(client, users, reaccreditation, elsewhere, manager):
    page = url("reaccreditation-submit", reaccreditation)
    assert_access(client, page, users, allowed=(Role.MANAGER, Role.SETTING_MANAGER))
    assert_not_found(
        client, url("reaccreditation-submit", elsewhere), [users[Role.SETTING_MANAGER]]
    )
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(page)
    assert response.status_code == 200
    assert "The evidence cannot be submitted yet" in response.content.decode()
    reaccreditation.refresh_from_db()
    assert reaccreditation.status == ReaccreditationStatus.OPEN
    the_records(reaccreditation, manager)
    fill_every_requirement(reaccreditation, users[Role.SETTING_MANAGER])
    assert client.post(page).status_code == 302
    reaccreditation.refresh_from_db()
    assert reaccreditation.status == ReaccreditationStatus.SUBMITTED
    assert client.get(page).status_code == 302  # nothing left to submit


def test_deciding_through_the_page(client, users, reaccreditation, elsewhere, manager, queued):
    page = url("reaccreditation-decide", reaccreditation)
    assert_access(client, page, users, allowed=(Role.MANAGER,))
    client.force_login(manager)
    response = client.post(page, {"decision": "lapse", "note": ""})
    assert_field_error(response, "note", "Enter why the award is lapsing")
    response = client.post(page, {"decision": "renew"})
    assert response.status_code == 200
    assert "The award cannot be renewed yet." in response.content.decode()
    assert Award.objects.filter(setting=reaccreditation.setting).count() == 1
    ready_for_decision(reaccreditation, users)
    response = client.post(page, {"decision": "renew", "note": ""})
    assert response.status_code == 302
    reaccreditation.refresh_from_db()
    assert reaccreditation.status == ReaccreditationStatus.REACCREDITED
    html = client.get(url("reaccreditation-detail", reaccreditation)).content.decode()
    assert reaccreditation.new_award.number in html
    assert client.get(page).status_code == 302  # decided: nothing left to decide


def test_pages_refuse_changes_once_decided(client, users, reaccreditation, manager):
    services.do_lapse_award(actor=manager, reaccreditation=reaccreditation, reason="Closing.")
    client.force_login(users[Role.SETTING_MANAGER])
    edit = url("reaccreditation-requirement-edit", reaccreditation, RequirementKind.ENTRY_CRITERIA)
    assert client.post(edit, {"evidence": "Late."}).status_code == 302
    client.force_login(users[Role.EVALUATOR])
    judge = url(
        "reaccreditation-requirement-judge", reaccreditation, RequirementKind.ENTRY_CRITERIA
    )
    assert client.post(judge, {"judgement": "not_met", "judgement_note": "x"}).status_code == 302
    assert not Requirement.objects.exclude(evidence="").exists()
    assert not Requirement.objects.exclude(judgement="").exists()


def test_returning_submitted_evidence_to_the_setting(
    client, users, reaccreditation, elsewhere, manager
):
    page = url("reaccreditation-return", reaccreditation)
    # Before submitting there is nothing to return: the allowed roles are sent back.
    assert_access(client, page, users, allowed=(Role.MANAGER, Role.EVALUATOR), ok_status=302)
    assert_not_found(client, url("reaccreditation-return", elsewhere), [users[Role.EVALUATOR]])
    the_records(reaccreditation, manager)
    fill_every_requirement(reaccreditation, users[Role.SETTING_MANAGER])
    services.do_submit_reaccreditation(
        actor=users[Role.SETTING_MANAGER],
        reaccreditation=Reaccreditation.objects.select_related("setting", "accreditation").get(
            pk=reaccreditation.pk
        ),
    )
    assert_access(client, page, users, allowed=(Role.MANAGER, Role.EVALUATOR))
    client.force_login(users[Role.EVALUATOR])
    detail = url("reaccreditation-detail", reaccreditation)
    assert "Return the evidence to the setting" in client.get(detail).content.decode()
    assert_field_error(
        client.post(page, {"note": " "}), "note", "Enter what the setting still has to show"
    )
    reaccreditation.refresh_from_db()
    assert reaccreditation.status == ReaccreditationStatus.SUBMITTED
    response = client.post(page, {"note": "Link the summer term Leuven data."})
    assert response.status_code == 302
    reaccreditation.refresh_from_db()
    assert reaccreditation.status == ReaccreditationStatus.OPEN
    assert reaccreditation.submitted_at is None
    assert reaccreditation.history.first().history_change_reason == (
        "Link the summer term Leuven data."
    )
    # The setting can change its evidence again.
    services.do_save_requirement_evidence(
        actor=users[Role.SETTING_MANAGER],
        requirement=requirement(reaccreditation, RequirementKind.WELLBEING_ACCOUNT),
        evidence="With the summer term data.",
    )


# --- The status table ---------------------------------------------------------------------------


def _fresh(reaccreditation: Reaccreditation) -> Reaccreditation:
    return Reaccreditation.objects.select_related("setting", "accreditation").get(
        pk=reaccreditation.pk
    )


def test_every_status_and_move_of_a_re_accreditation_is_made_or_refused_with_a_clear_message(
    reaccreditation, users, manager, django_capture_on_commit_callbacks
):
    """The re-accreditation's table walked pair by pair, each move through its own entry:
    the setting submits (its judges are emailed), the evaluator returns it (the setting is
    emailed), the KQM manager renews (a new award) or lets it lapse (the accreditation ends)."""
    ready_for_decision(reaccreditation, users)
    setting_manager, evaluator = users[Role.SETTING_MANAGER], users[Role.EVALUATOR]
    entries: dict[str, Callable[[Reaccreditation], object]] = {
        ReaccreditationStatus.SUBMITTED: lambda r: services.do_submit_reaccreditation(
            actor=setting_manager, reaccreditation=r
        ),
        ReaccreditationStatus.OPEN: lambda r: services.do_return_reaccreditation(
            actor=evaluator, reaccreditation=r, note="Show the garden."
        ),
        ReaccreditationStatus.REACCREDITED: lambda r: services.do_renew_award(
            actor=manager, reaccreditation=r
        ),
        ReaccreditationStatus.LAPSED: lambda r: services.do_lapse_award(
            actor=manager, reaccreditation=r, reason="The setting has closed."
        ),
    }
    accreditation_after: dict[str, str] = {
        ReaccreditationStatus.REACCREDITED: Status.REACCREDITED,
        ReaccreditationStatus.LAPSED: Status.LAPSED,
    }
    for source, target, rule in each_pair(services.REACCREDITATION_TABLE, reaccreditation):
        Accreditation.objects.filter(pk=reaccreditation.accreditation_id).update(
            status=Status.REACCREDITATION_DUE
        )
        if rule is None:
            with pytest.raises(ValidationError) as refused:
                services.move_reaccreditation(_fresh(reaccreditation), target, actor=manager)
            assert refused.value.messages[0].startswith("This re-accreditation is “")
            with pytest.raises(ValidationError) as refused:
                entries[target](_fresh(reaccreditation))
            assert refused.value.messages[0], (source, target)
            assert _fresh(reaccreditation).status == source
            continue
        mail.outbox.clear()
        awards = Award.objects.count()
        with django_capture_on_commit_callbacks(execute=True):
            entries[target](_fresh(reaccreditation))
        moved = _fresh(reaccreditation)
        assert moved.status == target, (source, target)
        if target == ReaccreditationStatus.SUBMITTED:
            assert moved.submitted_by == setting_manager
            assert evaluator.email in {to for m in mail.outbox for to in m.to}
        elif target == ReaccreditationStatus.OPEN:
            assert moved.history.first().history_change_reason == "Show the garden."
            assert setting_manager.email in {to for m in mail.outbox for to in m.to}
        else:
            assert moved.decided_by == manager
            assert moved.accreditation.status == accreditation_after[target]
            renewed = target == ReaccreditationStatus.REACCREDITED
            assert Award.objects.count() == awards + renewed


def test_two_submissions_of_one_re_accreditation_give_one_winner_and_a_plain_message(
    reaccreditation, users, manager, client
):
    """The setting's manager and the KQM manager both submit from pages loaded as “open”."""
    the_records(reaccreditation, manager)
    fill_every_requirement(reaccreditation, users[Role.SETTING_MANAGER])
    first, second = _fresh(reaccreditation), _fresh(reaccreditation)
    services.do_submit_reaccreditation(actor=users[Role.SETTING_MANAGER], reaccreditation=first)
    with pytest.raises(MoveConflict, match="has just been moved to “Submitted”"):
        services.do_submit_reaccreditation(actor=manager, reaccreditation=second)
    assert _fresh(reaccreditation).submitted_by == users[Role.SETTING_MANAGER]
    client.force_login(manager)
    response = client.post(
        reverse("accreditation:reaccreditation-submit", args=[reaccreditation.pk]), follow=True
    )
    assert response.status_code == 200
    assert "there is nothing to submit" in response.content.decode()


def test_the_jobs_bulk_move_is_checked_against_the_pipeline_row_by_row(award):
    """The daily job moves many accreditations in one write; each must have the table's row."""
    accreditation = award.accreditation
    accreditation.status = Status.IN_PROGRESS
    with pytest.raises(IllegalTransition, match="“In progress” cannot move to “Re-accreditation"):
        services._bulk_transition(
            [accreditation],
            Status.REACCREDITATION_DUE,
            reason=services.OPEN_REASON,
            now=timezone.now(),
        )
    assert Accreditation.objects.get(pk=accreditation.pk).status == Status.ACCREDITED
