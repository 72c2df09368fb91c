"""Writes for annual reviews: creating them, opening them, the setting's answers and sending
them in, and the evaluator's or KQM manager's sign-off or request for more.

Every award is reviewed on each anniversary before it expires (years 1 to validity - 1).
``ensure_annual_reviews`` creates those rows when the award is granted, and the daily
reminder job calls ``ensure_annual_reviews_for`` for every current award (a few bulk
queries, so awards granted any other way get their rows too).

**When the accreditation moves to “Annual review due”.** The daily reminder job decides:
once a review's window opens (the earliest annual-review reminder before its due date,
``ReminderSettings.review_weeks``), the job queues ``tasks.open_annual_review`` for it on
commit; the task moves the accreditation accredited / reviewed / re-accredited ->
review due through ``Accreditation.transition`` when the pipeline allows it. The job's own
queries stay constant however many reviews open that day. Sending a review in also opens
it first (the same idempotent step), so a review sent early still ends in “Reviewed”.
Signing off moves review due -> reviewed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from kqm.emails import queue_email
from kqm.models import User
from kqm.outbox import enqueue
from kqm.selectors import setting_managers_of
from settings.models import Inspection

from ..models import Accreditation, AnnualReview, Award, IllegalTransition, ReviewStatus, Status
from ..models.awards import add_years
from ..pipeline import ANNUAL_REVIEW, move
from ..reports import cache as reports_cache
from ..status_table import Check, StatusTable, Step
from .common import evaluator_or_managers

# The accreditation statuses from which an opening review moves it to “Annual review due”.
OPENABLE_STATUSES = frozenset({Status.ACCREDITED, Status.REVIEWED, Status.REACCREDITED})
EDITABLE_STATUSES = frozenset({ReviewStatus.DUE, ReviewStatus.MORE_REQUESTED})
CHUNK = 500


def review_years(award: Award) -> range:
    """Anniversaries reviewed before expiry: 1 and 2 for a three-year award."""
    validity_years = max(1, award.expiry_date.year - award.award_date.year)
    return range(1, validity_years)


def review_due_date(award: Award, year: int) -> datetime.date:
    return add_years(award.award_date, year)


def opens_on(due_date: datetime.date, weeks_before: Sequence[int]) -> datetime.date:
    """The day a review's window opens: the earliest reminder before its due date."""
    weeks = max(weeks_before) if weeks_before else 0
    return due_date - datetime.timedelta(weeks=weeks)


def ensure_annual_reviews_for(awards: Sequence[Award]) -> dict[int, list[AnnualReview]]:
    """Create the missing review rows of many awards; returns every review by award id.

    One query reads the existing rows (per 500 awards) and, when rows are missing, one
    bulk insert and one bulk history insert (in batches) create them. Idempotent: a row
    created meanwhile by another run is read back instead of inserted twice.
    """
    by_award: dict[int, list[AnnualReview]] = defaultdict(list)
    if not awards:
        return by_award
    ids = [award.pk for award in awards]
    for attempt in (1, 2):
        by_award = defaultdict(list)
        for start in range(0, len(ids), CHUNK):
            for review in AnnualReview.objects.filter(award_id__in=ids[start : start + CHUNK]):
                by_award[review.award_id].append(review)
        missing = [
            AnnualReview(
                award_id=award.pk,
                year=year,
                due_date=review_due_date(award, year),
                status=ReviewStatus.DUE,
            )
            for award in awards
            for year in review_years(award)
            if year not in {review.year for review in by_award.get(award.pk, [])}
        ]
        if not missing:
            break
        try:
            with transaction.atomic():
                created = AnnualReview.objects.bulk_create(missing, batch_size=CHUNK)
                AnnualReview.history.bulk_history_create(
                    created, batch_size=CHUNK, default_change_reason="Scheduled for the award"
                )
                reports_cache.data_changed(reports_cache.PROGRAMME)  # bulk: no signal
        except IntegrityError:
            if attempt == 2:
                raise
            continue  # another run created some of them: read again
        for review in created:
            by_award[review.award_id].append(review)
        break
    for reviews in by_award.values():
        reviews.sort(key=lambda review: review.year)
    return by_award


def ensure_annual_reviews(award: Award) -> list[AnnualReview]:
    """The award's review rows (one per anniversary before expiry), created if missing."""
    return ensure_annual_reviews_for([award]).get(award.pk, [])


def _link(review: AnnualReview) -> str:
    return reverse("accreditation:annual-review-detail", args=[review.pk])


def _email(review: AnnualReview, recipients: Sequence[User], template: str, key: str) -> None:
    award = review.award
    context = {
        "setting": award.setting.display_name,
        "number": award.number,
        "year": review.year,
        "due_date": date_format(review.due_date, "j F Y"),
        "feedback": review.feedback,
        "link": _link(review),
    }
    seen: set[int] = set()
    for user in recipients:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        queue_email(template=template, user_id=user.pk, context=context, key=f"{key}:{user.pk}")


def _stamp() -> str:
    return timezone.now().strftime("%Y%m%dT%H%M%S%f")


@transaction.atomic
def do_open_annual_review(*, review: AnnualReview, by: User | None = None) -> bool:
    """Move the award's accreditation to “Annual review due” if the pipeline allows it.

    Returns whether the status moved. Nothing happens for a review already sent in, an
    accreditation in another status (for example re-accreditation due), or when the
    status changed meanwhile; so the task can run any number of times.
    """
    review = AnnualReview.objects.select_related("award__accreditation").get(pk=review.pk)
    accreditation: Accreditation = review.award.accreditation
    if review.status != ReviewStatus.DUE or accreditation.status not in OPENABLE_STATUSES:
        return False
    if Status.REVIEW_DUE not in accreditation.allowed_moves():
        return False
    try:
        move(
            accreditation,
            Status.REVIEW_DUE,
            by=by,
            via=ANNUAL_REVIEW,
            reason=f"Annual review {review.year} is due on "
            f"{date_format(review.due_date, 'j F Y')}.",
        )
    except (IllegalTransition, ValidationError):
        return False
    return True


@dataclass(frozen=True)
class ReviewAnswers:
    plan_progress: str
    manager_changed: bool
    staff_changes: str
    latest_inspection: Inspection | None
    ofsted_comment: str
    leuven_summary: str


ANSWER_FIELDS = [
    "plan_progress",
    "manager_changed",
    "staff_changes",
    "latest_inspection",
    "ofsted_comment",
    "leuven_summary",
]


def _lock(review: AnnualReview) -> AnnualReview:
    return (
        AnnualReview.objects.select_for_update(of=("self",))
        .select_related("award__setting", "award__accreditation__evaluator")
        .get(pk=review.pk)
    )


@transaction.atomic
def do_save_annual_review(
    *, review: AnnualReview, answers: ReviewAnswers, by: User
) -> AnnualReview:
    """Save the setting's answers while the review is with the setting."""
    locked = _lock(review)
    if locked.status not in EDITABLE_STATUSES:
        raise ValidationError(
            f"This review is “{locked.get_status_display()}”, so it cannot be changed."
        )
    inspection = answers.latest_inspection
    if inspection is not None and inspection.setting_id != locked.award.setting_id:
        raise ValidationError({"latest_inspection": "Select an inspection of this setting"})
    for name in ANSWER_FIELDS:
        setattr(locked, name, getattr(answers, name))
    locked.full_clean()
    locked._history_user = by  # type: ignore[attr-defined]
    locked.save(update_fields=ANSWER_FIELDS)
    return locked


def missing_answers(review: AnnualReview) -> dict[str, str]:
    """What must be answered before the review can be sent: field -> message."""
    missing: dict[str, str] = {}
    if not review.plan_progress.strip():
        missing["plan_progress"] = "Enter the progress on the improvement plan"
    if review.manager_changed and not review.staff_changes.strip():
        missing["staff_changes"] = "Describe the changes of manager or staff"
    if not review.leuven_summary.strip():
        missing["leuven_summary"] = "Enter the well-being and involvement summary"
    return missing


def may_decide(user: User, review: AnnualReview) -> bool:
    """The KQM manager, or the evaluator assigned to the setting's accreditation."""
    from kqm.models import Role

    if user.role == Role.MANAGER:
        return True
    return user.role == Role.EVALUATOR and review.award.accreditation.evaluator_id == user.pk


# --- The review's status: one table of moves, with their guards and effects ------------------


def _every_answer_given(review: AnnualReview, by: User, params: dict[str, Any]) -> None:
    missing = missing_answers(review)
    if missing:
        raise ValidationError(missing)


def _decider_may(review: AnnualReview, by: User, params: dict[str, Any]) -> None:
    if not may_decide(by, review):
        raise ValidationError("Only the assigned evaluator or the KQM manager decides this review.")


def _feedback_given(review: AnnualReview, by: User, params: dict[str, Any]) -> None:
    if not params.get("feedback", "").strip():
        raise ValidationError({"feedback": "Enter what the setting needs to add"})


def _tell_submitted(review: AnnualReview, by: User, params: dict[str, Any]) -> None:
    _email(
        review,
        [user for user in evaluator_or_managers(review.award.accreditation) if user.pk != by.pk],
        "annual_review_submitted",
        f"annual_review_submitted:{review.pk}:{_stamp()}",
    )


def _accreditation_reviewed(review: AnnualReview, by: User, params: dict[str, Any]) -> None:
    accreditation = review.award.accreditation
    if accreditation.status == Status.REVIEW_DUE:
        move(
            accreditation,
            Status.REVIEWED,
            by=by,
            via=ANNUAL_REVIEW,
            reason=f"Annual review {review.year} signed off.",
        )


def _tell_setting(template: str, *, again: bool) -> Check:
    """Email the setting's managers; ``again`` when the move can happen more than once."""

    def tell(review: AnnualReview, by: User, params: dict[str, Any]) -> None:
        key = f"{template}:{review.pk}" + (f":{_stamp()}" if again else "")
        _email(review, setting_managers_of(review.award.setting_id), template, key)

    return tell


_SEND = ((_every_answer_given,), (_tell_submitted,))
REVIEW_MOVES: tuple[Step, ...] = (
    Step(ReviewStatus.DUE, ReviewStatus.SUBMITTED, "Sent", *_SEND),
    Step(ReviewStatus.MORE_REQUESTED, ReviewStatus.SUBMITTED, "Sent again", *_SEND),
    Step(
        ReviewStatus.SUBMITTED,
        ReviewStatus.SIGNED_OFF,
        str(ReviewStatus.SIGNED_OFF.label),
        guards=(_decider_may,),
        effects=(_accreditation_reviewed, _tell_setting("annual_review_signed_off", again=False)),
    ),
    Step(
        ReviewStatus.SUBMITTED,
        ReviewStatus.MORE_REQUESTED,
        str(ReviewStatus.MORE_REQUESTED.label),
        guards=(_decider_may, _feedback_given),
        effects=(_tell_setting("annual_review_more_requested", again=True),),
    ),
)
_NOT_DECIDABLE = "Only a submitted review can be decided; this one is “{}”."
REVIEW_TABLE = StatusTable(
    "annual review",
    ReviewStatus,
    REVIEW_MOVES,
    not_from={
        ReviewStatus.DUE: _NOT_DECIDABLE.format(ReviewStatus.DUE.label),
        ReviewStatus.MORE_REQUESTED: _NOT_DECIDABLE.format(ReviewStatus.MORE_REQUESTED.label),
        ReviewStatus.SUBMITTED: f"This review is already “{ReviewStatus.SUBMITTED.label}”.",
        ReviewStatus.SIGNED_OFF: f"This review is already “{ReviewStatus.SIGNED_OFF.label}”.",
    },
)


def move_review(review: AnnualReview, to: str, *, by: User, **params: Any) -> AnnualReview:
    """The only way a review's status changes: lock it, check the move and its guards, stamp
    who sent or decided it and when, write history, then run the move's effects."""
    locked = _lock(review)

    def write(record: AnnualReview, rule: Step) -> None:
        now = timezone.now()
        if record.status == ReviewStatus.SUBMITTED:
            # The accreditation shows the review as due before it is sent, if it did not yet.
            do_open_annual_review(review=record, by=by)
            record.submitted_at, record.submitted_by = now, by
            fields = ["status", "submitted_at", "submitted_by"]
        else:
            record.decided_at, record.decided_by = now, by
            record.feedback = params.get("feedback", "").strip()
            fields = ["status", "decided_at", "decided_by", "feedback"]
        record._history_user = by  # type: ignore[attr-defined]
        record._change_reason = rule.reason  # type: ignore[attr-defined]
        record.save(update_fields=fields)

    REVIEW_TABLE.move(locked, to, actor=by, seen=review.status, params=params, write=write)
    return locked


@transaction.atomic
def do_submit_annual_review(*, review: AnnualReview, by: User) -> AnnualReview:
    """The setting sends its review; the evaluator (or the KQM managers) are emailed."""
    return move_review(review, ReviewStatus.SUBMITTED, by=by)


@transaction.atomic
def do_sign_off_annual_review(*, review: AnnualReview, by: User, note: str = "") -> AnnualReview:
    """Sign the review off; the accreditation moves review due -> reviewed."""
    return move_review(review, ReviewStatus.SIGNED_OFF, by=by, feedback=note)


@transaction.atomic
def do_request_more_for_annual_review(
    *, review: AnnualReview, by: User, feedback: str
) -> AnnualReview:
    """Send the review back to the setting with what is missing."""
    return move_review(review, ReviewStatus.MORE_REQUESTED, by=by, feedback=feedback)


def reviews_sent(reviews_by_award: dict[int, list[AnnualReview]]) -> set[tuple[int, datetime.date]]:
    """(award id, due date) of every review the setting has sent: no more reminders for those."""
    from ..models.after_award import SENT_REVIEW_STATUSES

    return {
        (review.award_id, review.due_date)
        for reviews in reviews_by_award.values()
        for review in reviews
        if review.status in SENT_REVIEW_STATUSES
    }


def queue_opening_reviews(
    awards: Sequence[Award],
    reviews_by_award: dict[int, list[AnnualReview]],
    *,
    weeks_before: Sequence[int],
    today: datetime.date,
) -> list[int]:
    """Queue ``tasks.open_annual_review`` (on commit) for each award whose next review's
    window has opened while its accreditation is accredited, reviewed or re-accredited.

    ``award.accreditation`` must be loaded with the awards: no query is run here.
    """
    opening: list[int] = []
    for award in awards:
        if award.accreditation.status not in OPENABLE_STATUSES:
            continue
        for review in reviews_by_award.get(award.pk, []):
            window_open = opens_on(review.due_date, weeks_before) <= today
            if review.status == ReviewStatus.DUE and window_open:
                opening.append(review.pk)
                break
    for review_id in opening:
        enqueue("accreditation.tasks.open_annual_review", review_id=review_id)
    return opening
