"""Rating audits end to end on the server: start, score (plain submit and autosave),
stale writes, complete, reopen, second observer and consensus, CSV and PDF exports."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accreditation.pipeline import MoveConflict
from audits.models import Audit, AuditStatus, AuditStatusChange, ItemScore, Occasion
from audits.scoring import audit_result
from audits.services import ratings as services
from audits.views import ratings as views
from kqm.models import Role
from tests.access import assert_field_error
from tests.pdf import pdf_text
from tests.status_walk import each_pair

from .ratings_factories import assign, items_of, library, make_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def ecers(db):
    return library()["ecers-3"]


@pytest.fixture
def evaluator(users):
    return users[Role.EVALUATOR]


@pytest.fixture
def accreditation(setting, evaluator):
    return assign(setting, evaluator)


@pytest.fixture
def audit(setting, ecers, evaluator, accreditation):
    return make_audit(
        setting=setting, version=ecers, created_by=evaluator, accreditation=accreditation
    )


def score_url(audit, subscale=None):
    url = reverse("audits:audit-score", args=[audit.pk])
    return f"{url}?subscale={subscale}" if subscale else url


def autosave(client, audit, item, score="", note="", revision=None):
    audit.refresh_from_db()
    return client.post(
        reverse("audits:audit-autosave", args=[audit.pk]),
        json.dumps(
            {
                "item": item.pk,
                "score": score,
                "note": note,
                "revision": audit.revision if revision is None else revision,
            }
        ),
        content_type="application/json",
    )


# --- Starting an audit ----------------------------------------------------------------------------


def test_an_evaluator_starts_an_audit(client, evaluator, setting, ecers, accreditation, users):
    client.force_login(evaluator)
    chooser = client.get(reverse("audits:audit-new")).content.decode()
    assert setting.name in chooser
    url = f"{reverse('audits:audit-new')}?setting={setting.pk}"
    page = client.get(url).content.decode()
    assert "ECERS-3 (2015)" in page and "SSTEW (2015)" in page
    response = client.post(
        url,
        {
            "version": ecers.pk,
            "room": "Pre-school room",
            "age_group": "3 to 5 years",
            "occasion": Occasion.INITIAL,
            "date_0": "6",
            "date_1": "10",
            "date_2": "2026",
            "observers": [users[Role.SETTING_MANAGER].pk],
            "accreditation": accreditation.pk,
        },
    )
    audit = Audit.objects.get()
    assert response.status_code == 302 and response["Location"] == score_url(audit)
    assert audit.accreditation == accreditation and not audit.is_self_audit
    assert audit.date == datetime.date(2026, 10, 6)
    assert set(audit.observers.all()) == {evaluator, users[Role.SETTING_MANAGER]}
    assert audit.history.first().history_user == evaluator


def test_a_setting_manager_starts_a_self_audit(client, users, setting, ecers, accreditation):
    client.force_login(users[Role.SETTING_MANAGER])
    client.post(
        f"{reverse('audits:audit-new')}?setting={setting.pk}",
        {
            "version": ecers.pk,
            "room": "Babies",
            "occasion": Occasion.END_OF_YEAR,
            "date_0": "1",
            "date_1": "7",
            "date_2": "2027",
            "accreditation": accreditation.pk,
        },
    )
    assert Audit.objects.get().is_self_audit


@pytest.mark.parametrize("kind", ["leadership", "partnership"])
def test_a_whole_setting_tool_starts_from_its_task_with_the_instrument_chosen(
    client, users, setting, accreditation, kind
):
    """The task names the tool and occasion: no instrument to choose and no room to name."""
    client.force_login(users[Role.SETTING_MANAGER])
    url = (
        f"{reverse('audits:audit-new')}?setting={setting.pk}&accreditation={accreditation.pk}"
        f"&occasion=end_of_year&kind={kind}"
    )
    page = client.get(url)
    form = page.context["form"]
    version = page.context["fixed_version"]
    assert version.instrument.kind == kind
    assert list(form.fields["version"].queryset) == [version]
    assert form.initial["occasion"] == "end_of_year"
    html = page.content.decode()
    assert f"Start the {version.instrument.name}" in html
    assert 'name="room"' not in html and "ECERS" not in html
    # A bad date is refused beside its field; the chosen occasion is kept.
    response = client.post(
        url,
        {
            "version": version.pk,
            "occasion": "end_of_year",
            "date_0": "31",
            "date_1": "2",
            "date_2": "2027",
        },
    )
    assert "The date of the audit must be a real date" in response.content.decode()
    assert not Audit.objects.exists()
    client.post(
        url,
        {
            "version": version.pk,
            "occasion": "end_of_year",
            "date_0": "1",
            "date_1": "7",
            "date_2": "2027",
            "accreditation": accreditation.pk,
        },
    )
    audit = Audit.objects.get()
    assert (audit.version, audit.room, audit.occasion) == (version, "Whole setting", "end_of_year")
    assert audit.accreditation == accreditation and audit.is_self_audit


def test_an_unknown_kind_offers_every_instrument(client, users, setting):
    client.force_login(users[Role.SETTING_MANAGER])
    page = client.get(f"{reverse('audits:audit-new')}?setting={setting.pk}&kind=ecers")
    assert page.context["fixed_version"] is None
    assert page.context["form"].fields["version"].queryset.count() > 2


def test_starting_an_audit_with_bad_input_saves_nothing(client, evaluator, setting, accreditation):
    client.force_login(evaluator)
    url = f"{reverse('audits:audit-new')}?setting={setting.pk}"
    response = client.post(url, {"room": "", "date_0": "31", "date_1": "2", "date_2": "2027"})
    assert_field_error(response, "version", "Choose the instrument")
    assert_field_error(response, "room", "Enter the room or group you are auditing")
    assert_field_error(response, "occasion", "Choose which audit this is")
    assert "The date of the audit must be a real date" in response.content.decode()
    assert not Audit.objects.exists()
    response = client.get(reverse("audits:audit-new"), {"setting": ""})
    assert_field_error(response, "setting", "Choose the setting")


# --- Scoring without JavaScript -------------------------------------------------------------------


def test_scoring_a_subscale_with_a_plain_submit(client, evaluator, audit, ecers):
    client.force_login(evaluator)
    page = client.get(score_url(audit, 1)).content.decode()
    assert "1. Space and furnishings" in page
    assert "0 of 35 items answered" in page
    items = list(ecers.items.filter(subscale__number=1).order_by("number"))
    data = {"revision": audit.revision, "then": "next"}
    for n, item in enumerate(items, start=1):
        data[f"item-{item.pk}-score"] = str(n)
    data[f"item-{items[0].pk}-note"] = "Space is cramped when all children are inside."
    response = client.post(score_url(audit, 1), data)
    assert response.status_code == 302 and response["Location"] == score_url(audit, 2)
    scores = dict(ItemScore.objects.filter(audit=audit).values_list("item__number", "score"))
    assert scores == {n: n for n in range(1, 8)}
    assert ItemScore.objects.get(audit=audit, item=items[0]).note.startswith("Space is cramped")
    audit.refresh_from_db()
    assert audit.revision == 1
    page = client.get(score_url(audit, 1)).content.decode()
    assert "7 of 35 items answered" in page
    assert re.search(rf'id="item-{items[2].pk}-score-3"[^>]*checked', page)


def test_plain_submit_refuses_na_where_not_allowed_and_keeps_the_input(
    client, evaluator, audit, ecers
):
    client.force_login(evaluator)
    first, second = ecers.items.filter(subscale__number=1).order_by("number")[:2]
    response = client.post(
        score_url(audit, 1),
        {
            "revision": audit.revision,
            f"item-{first.pk}-score": "na",
            f"item-{second.pk}-score": "4",
            f"item-{second.pk}-note": "Kept",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Item 1 cannot be marked N/A: choose a score" in page
    assert re.search(rf'id="item-{second.pk}-score-4"[^>]*checked', page)
    assert ">Kept</textarea>" in page
    assert not ItemScore.objects.filter(audit=audit).exists()


def test_plain_submit_with_a_stale_revision_is_refused(client, evaluator, audit, ecers, users):
    item = ecers.items.get(number=1)
    client.force_login(users[Role.MANAGER])
    assert autosave(client, audit, item, "6").status_code == 200
    client.force_login(evaluator)
    response = client.post(score_url(audit, 1), {"revision": 0, f"item-{item.pk}-score": "2"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Your scores were not saved" in page
    assert "changed by someone else" in page
    assert ItemScore.objects.get(audit=audit, item=item).score == 6


# --- Autosave -------------------------------------------------------------------------------------


def test_autosave_saves_one_item_and_answers_with_the_time(client, evaluator, audit, ecers):
    client.force_login(evaluator)
    item = ecers.items.get(number=12)
    response = autosave(client, audit, item, "5", "Rich vocabulary at lunch")
    body = response.json()
    assert response.status_code == 200
    assert body["revision"] == 1 and body["answered"] == 1 and body["total"] == 35
    assert re.fullmatch(r"\d\d:\d\d", body["saved_at"])
    assert (body["subscale_answered"], body["subscale_total"]) == (1, 5)
    saved = ItemScore.objects.get(audit=audit, item=item)
    assert (saved.score, saved.note, saved.updated_by) == (5, "Rich vocabulary at lunch", evaluator)
    # N/A where allowed (item 27), then back to a score.
    technology = ecers.items.get(number=27)
    assert autosave(client, audit, technology, "na").json()["revision"] == 2
    assert ItemScore.objects.get(audit=audit, item=technology).not_applicable
    assert autosave(client, audit, technology, "3").status_code == 200
    saved = ItemScore.objects.get(audit=audit, item=technology)
    assert (saved.score, saved.not_applicable) == (3, False)
    assert saved.history.count() == 2  # who changed what, when


def test_autosave_rejects_a_stale_revision_with_409(client, evaluator, audit, ecers, users):
    item = ecers.items.get(number=3)
    client.force_login(evaluator)
    loaded = audit.revision
    client.force_login(users[Role.MANAGER])
    assert autosave(client, audit, item, "7").status_code == 200  # someone else, meanwhile
    client.force_login(evaluator)
    response = autosave(client, audit, item, "2", revision=loaded)
    assert response.status_code == 409
    assert "changed by someone else" in response.json()["error"]
    assert response.json()["revision"] == loaded + 1
    assert ItemScore.objects.get(audit=audit, item=item).score == 7  # not overwritten


def test_autosave_refuses_bad_input(client, evaluator, audit, ecers):
    client.force_login(evaluator)
    endpoint = reverse("audits:audit-autosave", args=[audit.pk])
    item = ecers.items.get(number=1)
    assert autosave(client, audit, item, "na").status_code == 400  # N/A not allowed
    assert autosave(client, audit, item, "9").status_code == 400
    assert autosave(client, audit, item, "five").status_code == 400
    assert client.post(endpoint, "{", content_type="application/json").status_code == 400
    other_version_item = library()["sstew"].items.first()
    assert autosave(client, audit, other_version_item, "3").status_code == 400
    assert not ItemScore.objects.filter(audit=audit).exists()


# --- Completing and reopening ---------------------------------------------------------------------


def test_complete_lists_missing_items_then_completes_and_locks(
    client, evaluator, audit, ecers, users
):
    client.force_login(evaluator)
    items = items_of(ecers)
    for item in items[:-2]:
        ItemScore.objects.create(audit=audit, item=item, score=5)
    page = client.get(reverse("audits:audit-complete", args=[audit.pk])).content.decode()
    assert "2 items still to score" in page
    assert "Item 34: Free play" in page
    response = client.post(reverse("audits:audit-complete", args=[audit.pk]))
    assert "The audit cannot be completed yet" in response.content.decode()
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS

    ItemScore.objects.create(audit=audit, item=items[-2], score=6)
    ItemScore.objects.create(audit=audit, item=items[-1], not_applicable=True)
    response = client.post(reverse("audits:audit-complete", args=[audit.pk]))
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == AuditStatus.COMPLETED and audit.completed_by == evaluator
    # Locked: the evaluator and the setting manager get 403 when they try to change it.
    for person in (evaluator, users[Role.SETTING_MANAGER]):
        client.force_login(person)
        assert client.get(score_url(audit)).status_code == 403
        assert autosave(client, audit, items[0], "1").status_code == 403
    detail = client.get(audit.get_absolute_url()).content.decode()
    assert "Continue scoring" not in detail
    assert "5.03" in detail  # (33 x 5 + 6) / 34


def test_the_manager_reopens_with_a_reason(client, users, audit, evaluator):
    audit.status = AuditStatus.COMPLETED
    audit.save()
    client.force_login(users[Role.MANAGER])
    url = reverse("audits:audit-reopen", args=[audit.pk])
    response = client.post(url, {"reason": ""})
    assert_field_error(response, "reason", "Say why the audit is being reopened")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.COMPLETED
    response = client.post(url, {"reason": "Item 12 was scored against the wrong room."})
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS
    change = AuditStatusChange.objects.get(audit=audit)
    assert change.reason == "Item 12 was scored against the wrong room."
    assert change.changed_by == users[Role.MANAGER]
    assert audit.history.first().history_change_reason == change.reason
    page = client.get(audit.get_absolute_url()).content.decode()
    assert "Item 12 was scored against the wrong room." in page
    client.force_login(evaluator)
    assert client.get(score_url(audit)).status_code == 200


# --- Inter-rater reliability ----------------------------------------------------------------------


def test_second_observer_agreement_and_consensus(client, users, setting, ecers, accreditation):
    evaluator, manager = users[Role.EVALUATOR], users[Role.MANAGER]
    primary = make_audit(
        setting=setting,
        version=ecers,
        created_by=evaluator,
        accreditation=accreditation,
        score=lambda item: 5,
        completed=True,
    )
    client.force_login(evaluator)
    response = client.post(reverse("audits:audit-second-observation", args=[primary.pk]))
    assert "the second observation must be someone else" in _messages(client, response)

    client.force_login(manager)
    response = client.post(reverse("audits:audit-second-observation", args=[primary.pk]))
    second = Audit.objects.get(paired_with=primary, is_consensus=False)
    assert response["Location"] == score_url(second)
    assert list(second.observers.all()) == [manager]
    assert not second.scores.exists()
    page = client.get(reverse("audits:audit-agreement", args=[primary.pk])).content.decode()
    assert "once both observers have completed" in page
    # Independent: the first observer's scores stay hidden from the second until they finish.
    page = client.get(primary.get_absolute_url()).content.decode()
    assert "scoring this room independently as the second observer" in page
    assert 'data-testid="total-mean"' not in page
    assert client.get(reverse("audits:audit-pdf", args=[primary.pk])).status_code == 403
    assert client.get(reverse("audits:audit-csv", args=[primary.pk])).status_code == 403

    # The second observer: items 1-30 the same, 31-33 one apart, 34 three apart, 35 N/A.
    def second_score(item):
        if item.number <= 30:
            return 5
        if item.number <= 33:
            return 6
        return 2 if item.number == 34 else None

    for item in items_of(ecers):
        value = second_score(item)
        ItemScore.objects.create(audit=second, item=item, score=value, not_applicable=value is None)
    client.post(reverse("audits:audit-complete", args=[second.pk]))
    second.refresh_from_db()
    assert second.is_completed

    page = client.get(reverse("audits:audit-agreement", args=[second.pk])).content.decode()
    assert "85.7% (30 of 35 items)" in page  # exact
    assert "94.3% (33 of 35 items)" in page  # within one point

    consensus_url = reverse("audits:audit-consensus", args=[primary.pk])
    form = client.get(consensus_url).content.decode()
    item_31 = ecers.items.get(number=31)
    item_1 = ecers.items.get(number=1)
    assert re.search(rf'id="item-{item_1.pk}-score-5"[^>]*checked', form)  # agreed already
    assert not re.search(rf'name="item-{item_31.pk}-score"[^>]*checked', form)

    data = {}
    for item in items_of(ecers):
        data[f"item-{item.pk}-score"] = "5"
    del data[f"item-{item_31.pk}-score"]
    response = client.post(consensus_url, data)
    assert "Choose the agreed score for item 31" in response.content.decode()
    assert not Audit.objects.filter(is_consensus=True).exists()

    data[f"item-{item_31.pk}-score"] = "6"
    response = client.post(consensus_url, data)
    consensus = Audit.objects.get(is_consensus=True)
    assert response["Location"] == consensus.get_absolute_url()
    assert consensus.is_completed and consensus.paired_with == primary
    assert set(consensus.observers.all()) == {evaluator, manager}
    assert consensus.scores.get(item=item_31).score == 6
    assert str(audit_result(consensus).total_mean) == "5.03"


def _messages(client, response) -> str:
    follow = client.get(response["Location"])
    return follow.content.decode()


# --- Exports --------------------------------------------------------------------------------------


def test_audit_csv(client, users, setting, ecers, evaluator):
    audit = make_audit(
        setting=setting,
        version=ecers,
        created_by=evaluator,
        score=lambda item: None if item.number == 27 else 4,
        completed=True,
    )
    ItemScore.objects.filter(audit=audit, item__number=1).update(note="=HYPERLINK(bad)")
    client.force_login(users[Role.PRACTITIONER])
    response = client.get(reverse("audits:audit-csv", args=[audit.pk]))
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 35
    assert rows[0]["Setting"] == setting.name and rows[0]["Score"] == "4"
    assert rows[0]["Note"] == "'=HYPERLINK(bad)"  # never a formula in a spreadsheet
    assert rows[26]["N/A"] == "yes" and rows[26]["Score"] == ""
    assert rows[0]["Subscale mean"] == "4.00"


def test_audit_pdf_holds_the_setting_and_subscale_means(client, users, setting, ecers, evaluator):
    def by_subscale(item):
        return {1: 3, 2: 4, 3: 5, 4: 6, 5: 7, 6: 2}[item.subscale.number]

    audit = make_audit(
        setting=setting,
        version=ecers,
        created_by=evaluator,
        score=by_subscale,
        completed=True,
        items=list(ecers.items.select_related("subscale").order_by("number")),
    )
    ItemScore.objects.filter(audit=audit, item__number=5).update(note="Photos at child height")
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.get(reverse("audits:audit-pdf", args=[audit.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    text = " ".join(text.split())
    assert setting.name in text
    for mean in ("3.00", "4.00", "5.00", "6.00", "7.00", "2.00"):
        assert mean in text
    # 7x3 + 4x4 + 5x5 + 11x6 + 5x7 + 3x2 = 169 over 35 items
    assert "4.83" in text
    assert "Photos at child height" in text
    assert "Space and furnishings" in text


# --- The status table -----------------------------------------------------------------------------


def _score_everything(audit, ecers) -> None:
    items = items_of(ecers)
    ItemScore.objects.bulk_create(ItemScore(audit=audit, item=item, score=5) for item in items)


def test_every_status_and_move_of_an_audit_is_made_or_refused_with_a_clear_message(
    users, audit, ecers, evaluator
):
    """The audit's table walked pair by pair: an observer completes it once every item is
    answered (stamped, locked); only the KQM manager reopens it, with a reason."""
    _score_everything(audit, ecers)
    manager = users[Role.MANAGER]
    for source, target, rule in each_pair(services.AUDIT_TABLE, audit):
        actor = evaluator if target == AuditStatus.COMPLETED else manager
        reason = "Item 12 was scored against the wrong room."
        if rule is None:
            with pytest.raises(ValidationError) as refused:
                services.move_audit(audit, target, by=actor, reason=reason)
            assert refused.value.messages[0].startswith("This audit is"), (source, target)
            audit.refresh_from_db()
            assert audit.status == source
            continue
        if target == AuditStatus.IN_PROGRESS:
            with pytest.raises(PermissionDenied, match="Only the KQM manager"):
                services.move_audit(audit, target, by=evaluator, reason=reason)
        changes = AuditStatusChange.objects.filter(audit=audit).count()
        moved = services.move_audit(audit, target, by=actor, reason=reason)
        moved.refresh_from_db()
        assert moved.status == target, (source, target)
        assert moved.completed_by == (actor if target == AuditStatus.COMPLETED else None)
        change = AuditStatusChange.objects.filter(audit=audit).latest("pk")
        assert AuditStatusChange.objects.filter(audit=audit).count() == changes + 1
        assert (change.from_status, change.to_status, change.changed_by) == (
            source,
            target,
            actor,
        )


def test_two_observers_completing_at_once_give_one_winner_and_a_plain_message(
    client, users, audit, ecers, evaluator, monkeypatch
):
    """Both observers' pages were loaded while the audit was in progress."""
    _score_everything(audit, ecers)
    first, second = Audit.objects.get(pk=audit.pk), Audit.objects.get(pk=audit.pk)
    services.do_complete_audit(audit=first, by=evaluator)
    with pytest.raises(MoveConflict, match="has just been moved to “Completed”"):
        services.do_complete_audit(audit=second, by=users[Role.MANAGER])
    assert Audit.objects.get(pk=audit.pk).completed_by == evaluator

    # Through the page, the loser's request read the audit before the winner's committed.
    def read_before_the_winner(user, audit_id):
        stale = Audit.objects.get(pk=audit_id)
        stale.status = AuditStatus.IN_PROGRESS
        return stale

    monkeypatch.setattr(views.selectors, "access_audit_for_scoring", read_before_the_winner)
    client.force_login(users[Role.MANAGER])
    response = client.post(reverse("audits:audit-complete", args=[audit.pk]), follow=True)
    assert response.status_code == 200
    assert "has just been moved to “Completed”" in response.content.decode()
