"""The accreditation pipeline: one table of moves, walked pair by pair, and races lost politely."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accreditation.forms.lifecycle import AccreditationTransitionForm
from accreditation.models import (
    Accreditation,
    AccreditationStatusChange,
    Award,
    IllegalTransition,
    Outcome,
    Recommendation,
    Status,
)
from accreditation.pipeline import (
    GENERIC,
    LAPSE_PAGE,
    MOVES,
    PIPELINE,
    RENEW_PAGE,
    TRANSITIONS,
    MoveConflict,
    move,
    submit_refusal,
)
from accreditation.services.accreditations import do_change_accreditation_status
from accreditation.services.decisions import do_decide
from audits.models import Audit, AuditStatus, InstrumentVersion, Occasion
from kqm.models import Role
from tests.factories import AccreditationFactory

pytestmark = pytest.mark.django_db


def _set_status(accreditation: Accreditation, status: str) -> Accreditation:
    Accreditation.objects.filter(pk=accreditation.pk).update(status=status)
    return Accreditation.objects.get(pk=accreditation.pk)


def test_the_table_is_the_only_source_of_moves():
    assert {(m.source, m.target) for m in MOVES} == set(PIPELINE)
    assert len(PIPELINE) == len(MOVES)  # no move listed twice
    for source, targets in TRANSITIONS.items():
        assert targets == {t for (s, t) in PIPELINE if s == source}


def test_every_status_and_move_pair_is_made_or_refused_with_a_clear_message(manager):
    accreditation = AccreditationFactory(status=Status.APPLIED)
    for source in Status.values:
        for target in Status.values:
            record = _set_status(accreditation, source)
            before = AccreditationStatusChange.objects.count()
            rule = PIPELINE.get((source, target))
            if rule is None:
                with pytest.raises(IllegalTransition) as illegal:
                    do_change_accreditation_status(
                        accreditation=record, to=target, changed_by=manager, reason="Why."
                    )
                assert f"cannot move to “{Status(target).label}”" in str(illegal.value), (
                    source,
                    target,
                )
            elif rule.page != GENERIC:
                with pytest.raises(ValidationError) as own_page:
                    do_change_accreditation_status(
                        accreditation=record, to=target, changed_by=manager, reason="Why."
                    )
                assert "is done on" in " ".join(own_page.value.messages), (source, target)
                form = AccreditationTransitionForm(
                    {"to": target, "reason": "Why."}, accreditation=record
                )
                assert not form.is_valid() and "is done on" in str(form.errors["to"])
            else:
                if rule.reason_required:
                    with pytest.raises(ValidationError) as no_reason:
                        do_change_accreditation_status(
                            accreditation=record, to=target, changed_by=manager
                        )
                    assert "Enter the reason" in str(no_reason.value)
                do_change_accreditation_status(
                    accreditation=record, to=target, changed_by=manager, reason="Why."
                )
                record.refresh_from_db()
                assert record.status == target
                assert AccreditationStatusChange.objects.count() == before + 1
                continue
            record.refresh_from_db()
            assert record.status == source
            assert AccreditationStatusChange.objects.count() == before


def test_every_move_with_its_own_page_made_there_is_made_or_refused_plainly(manager):
    """Through its own page (``via``), each move either happens, recorded, or is refused by
    its guards with a message; renewal and lapse need the re-accreditation their page
    decides, so without it they are refused."""
    accreditation = AccreditationFactory(status=Status.APPLIED)
    own_page = [rule for rule in MOVES if rule.page != GENERIC]
    assert {
        (Status.REACCREDITATION_DUE, Status.REACCREDITED),
        (Status.REACCREDITATION_DUE, Status.LAPSED),
    } <= {(rule.source, rule.target) for rule in own_page}
    for rule in own_page:
        record = _set_status(accreditation, rule.source)
        before = AccreditationStatusChange.objects.count()
        try:
            move(record, rule.target, by=manager, via=rule.page, reason="Why.")
        except ValidationError as refused:
            assert " ".join(refused.messages).strip(), (rule.source, rule.target)
            record.refresh_from_db()
            assert record.status == rule.source
            assert AccreditationStatusChange.objects.count() == before
            if rule.target in (Status.REACCREDITED, Status.LAPSED):
                assert "re-accreditation's decision page" in " ".join(refused.messages)
        else:
            assert rule.target not in (Status.REACCREDITED, Status.LAPSED), rule.target
            record.refresh_from_db()
            assert record.status in (rule.target, Status.IN_PROGRESS)  # not yet met returns
            assert AccreditationStatusChange.objects.count() > before


def test_renewal_and_lapse_carry_their_guards_and_effects_in_the_table():
    renew = PIPELINE[(Status.REACCREDITATION_DUE, Status.REACCREDITED)]
    lapse = PIPELINE[(Status.REACCREDITATION_DUE, Status.LAPSED)]
    assert renew.page == RENEW_PAGE and lapse.page == LAPSE_PAGE
    assert [g.__name__ for g in renew.guards] == [
        "_manager_decides",
        "_reaccreditation_given",
        "_renewable",
    ]
    assert [e.__name__ for e in renew.effects] == [
        "_renew_award",
        "_notify_reaccreditation_decision",
    ]
    assert [e.__name__ for e in lapse.effects] == [
        "_record_lapse",
        "_notify_reaccreditation_decision",
    ]
    assert lapse.reason_required


def test_the_status_form_offers_only_moves_without_a_page_of_their_own(client, manager):
    accreditation = AccreditationFactory(status=Status.SUBMITTED)
    form = AccreditationTransitionForm(accreditation=accreditation)
    assert [value for value, _ in form.allowed] == [Status.WITHDRAWN]
    for status in (Status.REACCREDITATION_DUE, Status.REVIEW_DUE):
        record = _set_status(accreditation, status)
        assert AccreditationTransitionForm(accreditation=record).allowed == []
    record = _set_status(accreditation, Status.SUBMITTED)
    client.force_login(manager)
    page = client.get(record.get_absolute_url()).content.decode()
    assert 'data-testid="own-page-moves"' in page
    assert reverse("accreditation:accreditation-decide", args=[record.pk]) in page
    assert '<option value="accredited"' not in page


# --- The decision, double-submitted ---------------------------------------------------------


@pytest.fixture
def decidable(manager):
    accreditation = AccreditationFactory(status=Status.IN_PROGRESS)
    Audit.objects.create(
        setting=accreditation.setting,
        accreditation=accreditation,
        version=InstrumentVersion.objects.filter(instrument__code="ecers-3").first()
        or InstrumentVersion.objects.first(),
        room="Pre-school room",
        occasion=Occasion.END_OF_YEAR,
        date=datetime.date.today(),
        status=AuditStatus.COMPLETED,
        created_by=manager,
    )
    accreditation.transition(Status.SUBMITTED, by=manager)
    Recommendation.objects.create(
        accreditation=accreditation,
        submission=accreditation.status_changes.get(to_status=Status.SUBMITTED),
        outcome=Outcome.ACCREDIT,
        summary="Every unit met.",
        written_by=manager,
    )
    return accreditation


def test_a_double_submitted_decision_has_one_winner_and_a_plain_message_for_the_loser(
    manager, decidable, django_capture_on_commit_callbacks
):
    stale = Accreditation.objects.get(pk=decidable.pk)  # the second tab, loaded before
    with django_capture_on_commit_callbacks(execute=True):
        award = do_decide(accreditation=decidable, outcome=Outcome.ACCREDIT, decided_by=manager)
    assert award is not None
    sent = len(mail.outbox)
    with pytest.raises(MoveConflict) as lost:
        do_decide(
            accreditation=stale,
            outcome=Outcome.NOT_YET_MET,
            decided_by=manager,
            feedback="Not yet.",
        )
    assert "has just been moved to “Accredited”" in str(lost.value)
    decidable.refresh_from_db()
    assert decidable.status == Status.ACCREDITED
    assert Award.objects.count() == 1
    assert len(mail.outbox) == sent


def test_the_losing_request_on_the_decision_page_gets_a_message_not_an_error(
    client, manager, decidable
):
    stale = Accreditation.objects.get(pk=decidable.pk)
    do_decide(accreditation=decidable, outcome=Outcome.ACCREDIT, decided_by=manager)
    client.force_login(manager)
    today = datetime.date.today()
    with mock.patch(
        "accreditation.views.decisions.selectors.access_accreditation_by_id",
        return_value=stale,
    ):
        response = client.post(
            reverse("accreditation:accreditation-decide", args=[decidable.pk]),
            {
                "outcome": Outcome.ACCREDIT,
                "award_date_0": today.day,
                "award_date_1": today.month,
                "award_date_2": today.year,
                "feedback": "",
            },
        )
    assert response.status_code == 200
    assert "has just been moved to “Accredited”" in response.content.decode()
    assert Award.objects.count() == 1


def test_the_status_form_loser_gets_a_message_too(client, manager):
    accreditation = AccreditationFactory(status=Status.ACCEPTED)
    stale = Accreditation.objects.get(pk=accreditation.pk)
    do_change_accreditation_status(
        accreditation=accreditation, to=Status.IN_PROGRESS, changed_by=manager
    )
    client.force_login(manager)
    with mock.patch(
        "accreditation.views.accreditations.selectors.access_accreditation_by_id",
        return_value=stale,
    ):
        response = client.post(
            reverse("accreditation:accreditation-transition", args=[accreditation.pk]),
            {"to": Status.IN_PROGRESS},
        )
    assert response.status_code == 200
    assert "has just been moved to “In progress”" in response.content.decode()


# --- One "can submit" rule -------------------------------------------------------------------


def test_the_task_list_the_submit_page_and_the_manager_share_one_can_submit_rule(
    client, users, setting
):
    accreditation = AccreditationFactory(setting=setting, status=Status.IN_PROGRESS)
    reason = submit_refusal(accreditation, users[Role.SETTING_MANAGER])
    assert reason.startswith("Complete every task before submitting. Still to do:")
    client.force_login(users[Role.SETTING_MANAGER])
    page = client.get(accreditation.get_absolute_url()).content.decode()
    assert 'data-testid="submit-refusal"' in page and "Still to do:" in page
    submit = reverse("accreditation:accreditation-submit", args=[accreditation.pk])
    refused = client.post(submit).content.decode()
    assert "Complete every task before submitting" in refused
    client.force_login(users[Role.MANAGER])
    page = client.get(accreditation.get_absolute_url()).content.decode()
    assert "The setting cannot submit yet. Complete every task before submitting." in page
    accreditation.refresh_from_db()
    assert accreditation.status == Status.IN_PROGRESS
