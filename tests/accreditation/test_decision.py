"""Accrediting needs the end-of-year audit; accrediting grants the award."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from accreditation.models import Award, Outcome, Recommendation, Status
from audits.models import Audit, AuditStatus, InstrumentVersion, Occasion
from tests.factories import AccreditationFactory

pytestmark = pytest.mark.django_db


def _submitted(manager):
    accreditation = AccreditationFactory()
    accreditation.transition(Status.IN_PROGRESS, by=manager)
    accreditation.transition(Status.SUBMITTED, by=manager)
    return accreditation


def _end_of_year_audit(accreditation, manager, status=AuditStatus.COMPLETED):
    return Audit.objects.create(
        setting=accreditation.setting,
        accreditation=accreditation,
        version=InstrumentVersion.objects.filter(instrument__code="ecers-3").first()
        or InstrumentVersion.objects.first(),
        room="Pre-school room",
        occasion=Occasion.END_OF_YEAR,
        date=datetime.date.today(),
        status=status,
        created_by=manager,
    )


def _decide_url(accreditation):
    return reverse("accreditation:accreditation-decide", args=[accreditation.pk])


def _accredit():
    today = datetime.date.today()
    return {
        "outcome": Outcome.ACCREDIT,
        "award_date_0": today.day,
        "award_date_1": today.month,
        "award_date_2": today.year,
        "feedback": "All units met.",
    }


def test_accrediting_without_an_end_of_year_audit_is_refused_and_nothing_changes(client, manager):
    accreditation = _submitted(manager)
    _end_of_year_audit(accreditation, manager, status=AuditStatus.IN_PROGRESS)
    _recommend(accreditation, manager)
    client.force_login(manager)
    response = client.post(_decide_url(accreditation), _accredit())
    assert response.status_code == 200
    assert "until its end-of-year audit is completed" in response.content.decode()
    accreditation.refresh_from_db()
    assert accreditation.status == Status.SUBMITTED
    assert not Award.objects.exists()
    assert accreditation.status_changes.count() == 2


def test_deciding_before_the_recommendation_is_refused(client, manager):
    accreditation = _submitted(manager)
    _end_of_year_audit(accreditation, manager)
    client.force_login(manager)
    response = client.post(_decide_url(accreditation), _accredit())
    assert "Wait for the evaluator&#x27;s recommendation" in response.content.decode()
    accreditation.refresh_from_db()
    assert accreditation.status == Status.SUBMITTED
    assert not Award.objects.exists()


def _recommend(accreditation, manager):
    Recommendation.objects.create(
        accreditation=accreditation,
        submission=accreditation.status_changes.get(to_status=Status.SUBMITTED),
        outcome=Outcome.ACCREDIT,
        summary="Every unit met.",
        written_by=manager,
    )


def test_accrediting_grants_the_award(client, manager, django_capture_on_commit_callbacks):
    accreditation = _submitted(manager)
    _end_of_year_audit(accreditation, manager)
    _recommend(accreditation, manager)
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_decide_url(accreditation), _accredit())
    assert response.status_code == 302
    accreditation.refresh_from_db()
    assert accreditation.status == Status.ACCREDITED
    award = Award.objects.get(accreditation=accreditation)
    assert award.award_date == datetime.date.today()
    assert award.granted_by == manager


def test_the_managers_status_form_neither_submits_nor_accredits(client, manager):
    accreditation = AccreditationFactory(status=Status.IN_PROGRESS)
    _end_of_year_audit(accreditation, manager)
    client.force_login(manager)
    url = reverse("accreditation:accreditation-transition", args=[accreditation.pk])
    response = client.post(url, {"to": Status.SUBMITTED, "reason": ""})
    assert response.status_code == 200
    assert "is done on the setting" in response.content.decode()
    accreditation.refresh_from_db()
    assert accreditation.status == Status.IN_PROGRESS
    submitted = _submitted(manager)
    _end_of_year_audit(submitted, manager)
    _recommend(submitted, manager)
    url = reverse("accreditation:accreditation-transition", args=[submitted.pk])
    response = client.post(url, {"to": Status.ACCREDITED, "reason": "All met."})
    assert "Moving to “Accredited” is done on the decision page" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED and not Award.objects.exists()
