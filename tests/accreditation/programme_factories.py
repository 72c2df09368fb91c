"""Factories for cohorts' meetings and evaluators' time, used by the cohort and evaluator tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accreditation.models import NetworkMeeting, TimeEntry, TrainingSession
from tests.factories import AccreditationFactory, CohortFactory


class NetworkMeetingFactory(DjangoModelFactory[NetworkMeeting]):
    class Meta:
        model = NetworkMeeting

    cohort = factory.SubFactory(CohortFactory)
    date = factory.LazyAttribute(lambda o: o.cohort.start_date + datetime.timedelta(days=30))
    topic = factory.Sequence(lambda n: f"Network meeting {n}")
    venue = "Ashford Library"


class TrainingSessionFactory(DjangoModelFactory[TrainingSession]):
    class Meta:
        model = TrainingSession

    title = factory.Sequence(lambda n: f"KQM processes, session {n} (half day)")
    date = datetime.date(2025, 6, 17)


class TimeEntryFactory(DjangoModelFactory[TimeEntry]):
    class Meta:
        model = TimeEntry

    accreditation = factory.SubFactory(AccreditationFactory)
    evaluator = factory.LazyAttribute(lambda o: o.accreditation.evaluator)
    date = datetime.date(2026, 10, 1)
    days = Decimal("1.0")
    description = "Half-day visit and notes of visit"
