"""Demo data after the award: annual reviews in each state, and two half-day workshops.

Called by ``manage.py seed_demo`` after the re-accreditation demo; safe to run again
(nothing is added once a review has been worked on or a workshop exists). The reviews go
through the services, so they have the same status changes, history and emails as real
use. The past workshop is written directly, since no service books a date gone by.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from kqm.models import Role, User
from kqm.selectors import setting_managers_of
from settings.models import Setting

from .models import AnnualReview, Award, ReviewStatus, Workshop, WorkshopBooking
from .services import annual_reviews as review_services
from .services.workshops import (
    WorkshopDetails,
    do_book_workshop,
    do_schedule_workshop,
)

logger = logging.getLogger(__name__)

DEMO_SETTING_URN = "EY412345"
ANSWERS = review_services.ReviewAnswers(
    plan_progress=(
        "Outdoor learning and mark-making actions are done. The communication action for our "
        "two-year-olds carries on: we trained two staff in Makaton in the spring term."
    ),
    manager_changed=False,
    staff_changes="One new apprentice joined the baby room in January.",
    latest_inspection=None,
    ofsted_comment="",
    leuven_summary=(
        "Fewer children were in the red zone for involvement in the summer than in the "
        "autumn; we changed the routine at lunchtime to give more time to free play."
    ),
)


def _current_awards(today: datetime.date) -> list[Award]:
    """Running awards past their first anniversary and not being renewed, oldest first."""
    return list(
        Award.objects.filter(
            revoked_at__isnull=True,
            later_awards__isnull=True,
            reaccreditation__isnull=True,
            expiry_date__gt=today,
        )
        .select_related("setting", "accreditation__evaluator")
        .order_by("award_date", "pk")
    )


def _person(setting: Setting, fallback: User) -> User:
    return setting.members.filter(role=Role.SETTING_MANAGER, is_active=True).first() or fallback


def _seed_reviews(manager: User, today: datetime.date) -> int:
    awards = _current_awards(today)
    reviews = review_services.ensure_annual_reviews_for(awards)
    due_now = [
        reviews_of[0]
        for award in awards
        if (reviews_of := [r for r in reviews.get(award.pk, []) if r.due_date <= today])
        and reviews_of[0].status == ReviewStatus.DUE
    ]
    # One review each: signed off, sent and waiting, more asked for; the others are opened
    # as the daily job would, and show as overdue.
    for index, review in enumerate(due_now[:3]):
        award = review.award
        setting_person = _person(award.setting, manager)
        decider = award.accreditation.evaluator or manager
        review_services.do_open_annual_review(review=review, by=manager)
        inspection = award.setting.inspections.order_by("-inspection_date").first()
        answers = review_services.ReviewAnswers(
            **{**ANSWERS.__dict__, "latest_inspection": inspection}
        )
        review = review_services.do_save_annual_review(
            review=review, answers=answers, by=setting_person
        )
        review = review_services.do_submit_annual_review(review=review, by=setting_person)
        if index == 0:
            review_services.do_sign_off_annual_review(
                review=review, by=decider, note="A thoughtful review: thank you."
            )
        elif index == 2:
            review_services.do_request_more_for_annual_review(
                review=review,
                by=decider,
                feedback="Please add what the autumn and summer Leuven screenings showed for "
                "the two-year-olds' room.",
            )
    for review in due_now[3:]:
        review_services.do_open_annual_review(review=review, by=manager)
    return len(due_now)


def _seed_workshops(manager: User, today: datetime.date) -> None:
    awarded = [award.setting for award in _current_awards(today)][:4]
    past = Workshop(
        date=today - datetime.timedelta(days=30),
        starts_at=datetime.time(9, 30),
        ends_at=datetime.time(12, 30),
        venue="Kent Education Centre, Maidstone",
        address="Kent Education Centre\nMaidstone\nME14 1XX",
        capacity=15,
        notes="For settings re-accrediting this year.",
        created_by=manager,
    )
    past._history_user = manager  # type: ignore[attr-defined]
    past.save()
    now = timezone.now()
    for index, setting in enumerate(awarded[:3]):
        booking = WorkshopBooking(
            workshop=past,
            setting=setting,
            attendee_name=_person(setting, manager).full_name or "Setting manager",
            booked_by=_person(setting, manager),
            attended=index < 2,
            attendance_recorded_at=now,
            attendance_recorded_by=manager,
        )
        booking._history_user = manager  # type: ignore[attr-defined]
        booking.save()
    upcoming = do_schedule_workshop(
        details=WorkshopDetails(
            title="Re-accreditation workshop",
            date=today + datetime.timedelta(days=40),
            starts_at=datetime.time(13, 0),
            ends_at=datetime.time(16, 0),
            venue="Canterbury Christ Church University, Room Ng05",
            address="North Holmes Road\nCanterbury\nCT1 1QU",
            capacity=12,
            notes="Bring your improvement plan and your latest Leuven results.",
        ),
        by=manager,
    )
    demo = Setting.objects.filter(urn=DEMO_SETTING_URN).first()
    for setting in [*([demo] if demo else []), *awarded[3:]]:
        booker = next(iter(setting_managers_of(setting.pk)), manager)
        do_book_workshop(
            workshop=upcoming,
            setting=setting,
            attendee_name=booker.full_name or "Setting manager",
            by=booker,
        )


@transaction.atomic
def seed_after_award(*, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    manager = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first()
    if manager is None:
        return
    if not AnnualReview.objects.exclude(status=ReviewStatus.DUE).exists():
        count = _seed_reviews(manager, today)
        logger.info("Demo annual reviews: %s due so far", count)
    if not Workshop.objects.exists():
        _seed_workshops(manager, today)
