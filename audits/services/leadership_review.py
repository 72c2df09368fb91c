"""Writes for the evaluator's review of a leadership self-audit.

The evaluator agrees with each of the setting's ratings or adjusts it, saying why; the
setting's own rating stays in its ``ItemScore`` and the agreed one is kept in the
``ItemReview``. Completing the review (every item reviewed) locks it and emails the
setting's managers; only the KQM manager can reopen it, with a reason kept in its history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kqm.emails import queue_email
from kqm.models import Role, User
from kqm.selectors import setting_managers_of

from ..models import (
    Audit,
    AuditReview,
    Item,
    ItemReview,
    ItemScore,
    QuestionnaireRound,
    ReviewVerdict,
    ScaleValue,
)
from ..models.questionnaires import MIN_RESPONSES_SHOWN
from ..selectors.leadership_review import LOCKED, NOT_COMPLETED, latest_closed_staff_round

COMMENT_MAX = 2000
REOPEN_REASON_MAX = 100  # kept as the history record's change reason


class ReviewErrors(ValidationError):
    """Bad reviews, keyed by item id then field ("verdict", "agreed_score", "comment")."""

    def __init__(self, errors: dict[int, dict[str, str]]) -> None:
        super().__init__(
            "; ".join(message for fields in errors.values() for message in fields.values())
        )
        self.by_item = errors


@dataclass(frozen=True)
class ReviewInput:
    item_id: int
    verdict: str
    agreed_score: int | None = None
    comment: str = ""


def _lock_review(audit: Audit) -> tuple[Audit, AuditReview]:
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    if not locked.is_completed:
        raise PermissionDenied(NOT_COMPLETED)
    review, _ = AuditReview.objects.get_or_create(audit=locked)
    review = AuditReview.objects.select_for_update().get(pk=review.pk)
    if review.is_completed:
        raise PermissionDenied(LOCKED)
    return locked, review


def _check(
    entry: ReviewInput, item: Item, self_score: ItemScore | None, scale: set[int]
) -> dict[str, str]:
    if entry.verdict not in ReviewVerdict.values:
        return {"verdict": f"Choose whether you agree with the rating of item {item.number}"}
    if entry.verdict == ReviewVerdict.AGREE:
        return {}
    errors = {}
    current = None if self_score is None or self_score.not_applicable else self_score.score
    if entry.agreed_score is None:
        errors["agreed_score"] = f"Choose the agreed rating for item {item.number}"
    elif entry.agreed_score not in scale:
        errors["agreed_score"] = f"Choose a rating from {min(scale)} to {max(scale)}"
    elif entry.agreed_score == current:
        errors["agreed_score"] = (
            f"Choose a rating different from the setting's ({current}), or agree with it"
        )
    if not entry.comment.strip():
        errors["comment"] = f"Say why you are adjusting the rating of item {item.number}"
    elif len(entry.comment) > COMMENT_MAX:
        errors["comment"] = f"The comment must be {COMMENT_MAX} characters or fewer"
    return errors


@transaction.atomic
def do_record_item_reviews(
    *, audit: Audit, entries: Iterable[ReviewInput], by: User
) -> list[ItemReview]:
    """Agree with or adjust some items' ratings, all or nothing. Unchanged reviews are skipped."""
    locked, review = _lock_review(audit)
    entries = list(entries)
    items = {
        i.pk: i
        for i in Item.objects.filter(
            version_id=locked.version_id, pk__in=[e.item_id for e in entries]
        )
    }
    scores = {s.item_id: s for s in ItemScore.objects.filter(audit=locked, item_id__in=items)}
    scale = set(
        ScaleValue.objects.filter(version_id=locked.version_id).values_list("value", flat=True)
    )
    errors: dict[int, dict[str, str]] = {}
    for entry in entries:
        item = items.get(entry.item_id)
        if item is None:
            errors[entry.item_id] = {"verdict": "This item is not part of the audit's tool."}
            continue
        problem = _check(entry, item, scores.get(item.pk), scale)
        if problem:
            errors[entry.item_id] = problem
    if errors:
        raise ReviewErrors(errors)
    existing = {r.item_id: r for r in ItemReview.objects.filter(audit=locked, item_id__in=items)}
    saved = []
    for entry in entries:
        own = scores.get(entry.item_id)
        if entry.verdict == ReviewVerdict.AGREE:
            agreed = None if own is None or own.not_applicable else own.score
            comment = entry.comment.strip()
        else:
            agreed = entry.agreed_score
            comment = entry.comment.strip()
        current = existing.get(entry.item_id)
        if current is not None and (current.verdict, current.agreed_score, current.comment) == (
            entry.verdict,
            agreed,
            comment,
        ):
            continue
        if current is None:
            current = ItemReview(audit=locked, item_id=entry.item_id)
        current.verdict = entry.verdict
        current.agreed_score = agreed
        current.comment = comment
        current.reviewed_by = by
        current._history_user = by  # type: ignore[attr-defined]
        current.full_clean()
        current.save()
        saved.append(current)
    if saved:
        review._history_user = by  # type: ignore[attr-defined]
        review.save(update_fields=["updated_at"])
    return saved


def _staff_round_for(audit: Audit) -> QuestionnaireRound | None:
    """The latest closed staff round, kept with the review when its results can be shown."""
    chosen = latest_closed_staff_round(audit)
    if chosen is None or getattr(chosen, "response_count", 0) < MIN_RESPONSES_SHOWN:
        return None
    return chosen


def _context(audit: Audit, **extra: object) -> dict[str, object]:
    return {
        "setting": audit.setting.display_name,
        "audit": f"{audit.version.instrument.name}, {audit.date:%-d %B %Y}",
        "link": reverse("audits:leadership-review-results", args=[audit.pk]),
        "scheme": settings.KQM_SCHEME_NAME,
        **extra,
    }


@transaction.atomic
def do_complete_review(*, audit: Audit, by: User, summary: str = "") -> AuditReview:
    """Complete (and lock) the review once every item is reviewed; email the setting."""
    locked, review = _lock_review(audit)
    total = Item.objects.filter(version_id=locked.version_id).count()
    reviewed = ItemReview.objects.filter(audit=locked).count()
    if reviewed < total:
        left = total - reviewed
        raise ValidationError(
            f"Review every item before completing the review: {left} "
            f"item{'s' if left != 1 else ''} still to review."
        )
    review.summary = summary.strip()
    review.staff_round = _staff_round_for(locked)
    review.completed_at = timezone.now()
    review.completed_by = by
    review._history_user = by  # type: ignore[attr-defined]
    review.full_clean()
    review.save()
    adjusted = ItemReview.objects.filter(audit=locked, verdict=ReviewVerdict.ADJUST).count()
    context = _context(
        locked,
        evaluator=by.full_name or by.email,
        reviewed=reviewed,
        adjusted=adjusted,
    )
    for person in setting_managers_of(locked.setting_id):
        queue_email(
            template="leadership_review_completed",
            user_id=person.pk,
            context=context,
            key=f"leadership_review_completed:{review.pk}:{review.completed_at:%s}:{person.pk}",
        )
    return review


@transaction.atomic
def do_reopen_review(*, audit: Audit, by: User, reason: str) -> AuditReview:
    """The KQM manager unlocks a completed review, saying why (kept in its history)."""
    if by.role != Role.MANAGER:
        raise PermissionDenied("Only the KQM manager can reopen a completed review.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the review is being reopened"})
    if len(reason) > REOPEN_REASON_MAX:
        raise ValidationError(
            {"reason": f"The reason must be {REOPEN_REASON_MAX} characters or fewer"}
        )
    review = AuditReview.objects.select_for_update().filter(audit=audit).first()
    if review is None or not review.is_completed:
        raise ValidationError("This review is not completed, so there is nothing to reopen.")
    review.completed_at = None
    review.completed_by = None
    review._history_user = by  # type: ignore[attr-defined]
    review._change_reason = reason  # type: ignore[attr-defined]
    review.save()
    evaluator = audit.accreditation.evaluator if audit.accreditation else None
    if evaluator is not None and evaluator.is_active:
        queue_email(
            template="leadership_review_reopened",
            user_id=evaluator.pk,
            context=_context(audit, reason=reason, manager=by.full_name or by.email),
            key=f"leadership_review_reopened:{review.pk}:{timezone.now():%s%f}:{evaluator.pk}",
        )
    return review
