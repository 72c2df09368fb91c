"""Reads for the evaluator's review of a setting's leadership self-audit, scoped to the user.

Who does what: the evaluator assigned to the setting's accreditation (and the KQM manager)
review a completed leadership self-audit item by item; the setting's manager and
practitioners read the agreed result once the review is completed; viewers never (403);
another setting's audit is a 404.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from kqm.models import Role, User

from .. import policy
from ..models import (
    Audit,
    AuditReview,
    InstrumentKind,
    ItemReview,
    QuestionnaireKind,
    QuestionnaireRound,
    ReviewVerdict,
    ScaleValue,
)
from ..scoring import AuditResult, Entry, ItemDef, entries_for, score, version_shapes
from . import questionnaires as questionnaire_selectors
from .ratings import access_audit_by_id

NOT_COMPLETED = (
    "The setting has not completed its leadership self-audit yet, so it cannot be reviewed."
)
LOCKED = "The review is completed, so it is locked. The KQM manager can reopen it, saying why."


def is_reviewable_kind(audit: Audit) -> bool:
    """A self-audit with the leadership tool (the only audit the evaluator reviews)."""
    return audit.is_self_audit and audit.version.instrument.kind == InstrumentKind.LEADERSHIP


def _leadership_audit(user: User, audit_id: int) -> Audit:
    audit = access_audit_by_id(user, audit_id)
    if not is_reviewable_kind(audit) or not audit.is_primary:
        raise Http404("Only a leadership self-audit is reviewed.")
    return audit


def _is_assigned(user: User, audit: Audit) -> bool:
    if user.role == Role.MANAGER:
        return True
    if user.role != Role.EVALUATOR:
        return False
    if audit.accreditation_id is not None:
        return audit.accreditation is not None and audit.accreditation.evaluator_id == user.pk
    return True  # scoped to their assigned settings by access_audit_by_id


def review_of(audit: Audit) -> AuditReview | None:
    return (
        AuditReview.objects.select_related("staff_round", "completed_by")
        .filter(audit=audit)
        .first()
    )


def review_refusal(user: User, audit: Audit, review: AuditReview | None) -> str | None:
    """Why ``user`` may not change the review now, or None if they may."""
    if not _is_assigned(user, audit):
        return "Only the evaluator assigned to the setting and the KQM manager review this audit."
    if not audit.is_completed:
        return NOT_COMPLETED
    if review is not None and review.is_completed:
        return LOCKED
    return None


def access_audit_for_review(user: User, audit_id: int) -> tuple[Audit, AuditReview | None]:
    """The leadership self-audit if the user may review it now: 403 otherwise, 404 if not
    theirs."""
    if user.role not in policy.LEADERSHIP_REVIEWERS:
        raise PermissionDenied("Only the evaluator and the KQM manager review leadership audits.")
    audit = _leadership_audit(user, audit_id)
    review = review_of(audit)
    refusal = review_refusal(user, audit, review)
    if refusal:
        raise PermissionDenied(refusal)
    return audit, review


def access_review_results(user: User, audit_id: int) -> tuple[Audit, AuditReview | None]:
    """The audit whose review results the user may read: the setting's own staff only once
    the review is completed."""
    if user.role not in policy.AUDIT_READERS:
        raise PermissionDenied("Your role does not give you access to audits.")
    audit = _leadership_audit(user, audit_id)
    review = review_of(audit)
    if user.role in (Role.SETTING_MANAGER, Role.PRACTITIONER) and not (
        review is not None and review.is_completed
    ):
        raise PermissionDenied("The results show here once the evaluator has completed the review.")
    if user.role == Role.EVALUATOR and not _is_assigned(user, audit):
        raise PermissionDenied("Only the evaluator assigned to the setting sees this review.")
    return audit, review


def access_review_for_reopening(user: User, audit_id: int) -> tuple[Audit, AuditReview]:
    if user.role != Role.MANAGER:
        raise PermissionDenied("Only the KQM manager can reopen a completed review.")
    audit = _leadership_audit(user, audit_id)
    review = review_of(audit)
    if review is None:
        raise Http404("This audit has not been reviewed.")
    return audit, review


# --- The review sheet -------------------------------------------------------------------------


@dataclass
class ReviewRow:
    item: ItemDef
    entry: Entry  # the setting's own rating and evidence note
    review: ItemReview | None

    @property
    def self_score(self) -> int | None:
        return None if self.entry.not_applicable else self.entry.score

    @property
    def self_text(self) -> str:
        if self.entry.not_applicable:
            return "N/A"
        return "–" if self.entry.score is None else str(self.entry.score)

    @property
    def agreed(self) -> Entry | None:
        """The agreed rating: the setting's own when agreed, the evaluator's when adjusted."""
        if self.review is None:
            return None
        if self.review.verdict == ReviewVerdict.AGREE:
            return Entry(self.entry.score, self.entry.not_applicable)
        return Entry(self.review.agreed_score)

    @property
    def agreed_text(self) -> str:
        agreed = self.agreed
        if agreed is None:
            return "Not reviewed"
        if agreed.not_applicable:
            return "N/A"
        return "–" if agreed.score is None else str(agreed.score)

    @property
    def adjusted(self) -> bool:
        return self.review is not None and self.review.verdict == ReviewVerdict.ADJUST


@dataclass
class ReviewSubscale:
    id: int
    number: int
    name: str
    rows: list[ReviewRow]

    @property
    def reviewed(self) -> int:
        return sum(1 for row in self.rows if row.review is not None)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def done(self) -> bool:
        return self.reviewed == self.total


@dataclass
class MeanPair:
    number: int
    name: str
    self_mean: Decimal | None
    agreed_mean: Decimal | None


@dataclass
class ReviewSheet:
    audit: Audit
    review: AuditReview | None
    scale: list[ScaleValue]
    subscales: list[ReviewSubscale]
    self_result: AuditResult
    agreed_result: AuditResult

    @property
    def reviewed(self) -> int:
        return sum(s.reviewed for s in self.subscales)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.subscales)

    @property
    def all_reviewed(self) -> bool:
        return self.reviewed == self.total

    @property
    def adjusted(self) -> int:
        return sum(1 for s in self.subscales for row in s.rows if row.adjusted)

    @property
    def agreed(self) -> int:
        return self.reviewed - self.adjusted

    @property
    def unreviewed(self) -> list[tuple[int, ItemDef]]:
        """(subscale number, item) of every item not reviewed yet."""
        return [(s.number, row.item) for s in self.subscales for row in s.rows if not row.review]

    def subscale(self, number: int) -> ReviewSubscale | None:
        return next((s for s in self.subscales if s.number == number), None)

    @property
    def means(self) -> list[MeanPair]:
        return [
            MeanPair(
                s.number,
                s.name,
                self.self_result.subscale_mean(s.number),
                self.agreed_result.subscale_mean(s.number),
            )
            for s in self.subscales
        ]

    @property
    def overall(self) -> MeanPair:
        return MeanPair(0, "All items", self.self_result.total_mean, self.agreed_result.total_mean)


def agreed_entries(
    self_entries: dict[int, Entry], reviews: dict[int, ItemReview]
) -> dict[int, Entry]:
    """item id -> the agreed rating, for the items reviewed so far."""
    agreed = {}
    for item_id, review in reviews.items():
        entry = self_entries.get(item_id, Entry())
        if review.verdict == ReviewVerdict.AGREE:
            agreed[item_id] = Entry(entry.score, entry.not_applicable)
        else:
            agreed[item_id] = Entry(review.agreed_score)
    return agreed


def review_sheet(audit: Audit, review: AuditReview | None) -> ReviewSheet:
    """The audit's items with the setting's ratings and the reviews; six queries."""
    shape = version_shapes([audit.version_id])[audit.version_id]
    entries = entries_for([audit.pk])[audit.pk]
    reviews = {
        r.item_id: r for r in ItemReview.objects.filter(audit=audit).select_related("reviewed_by")
    }
    rows: dict[int, list[ReviewRow]] = defaultdict(list)
    for item in shape.items:
        rows[item.subscale_id].append(
            ReviewRow(item, entries.get(item.id, Entry()), reviews.get(item.id))
        )
    return ReviewSheet(
        audit=audit,
        review=review,
        scale=list(ScaleValue.objects.filter(version_id=audit.version_id).order_by("value")),
        subscales=[
            ReviewSubscale(s.id, s.number, s.name, rows.get(s.id, [])) for s in shape.subscales
        ],
        self_result=score(shape.subscales, shape.items, entries, shape.scale_values),
        agreed_result=score(
            shape.subscales, shape.items, agreed_entries(entries, reviews), shape.scale_values
        ),
    )


# --- The staff questionnaire that feeds the review ---------------------------------------------


@dataclass
class StaffEvidence:
    round: QuestionnaireRound
    results: questionnaire_selectors.RoundResults
    can_open: bool  # whether the user may open the round's own page


def latest_closed_staff_round(audit: Audit) -> QuestionnaireRound | None:
    """The setting's most recent closed staff questionnaire round (with its figures)."""
    today = timezone.localdate()
    rounds = questionnaire_selectors.with_figures(
        QuestionnaireRound.objects.select_related("questionnaire", "setting").filter(
            setting_id=audit.setting_id, questionnaire__kind=QuestionnaireKind.STAFF
        )
    ).order_by("-created_at", "-pk")
    return next((r for r in rounds if not r.is_open(today)), None)


def staff_evidence(user: User, audit: Audit, review: AuditReview | None) -> StaffEvidence | None:
    """The staff round beside the review: the one chosen at completion, else the latest closed.

    Only aggregates, and only when the round had enough responses (``round_results`` hides
    them otherwise).
    """
    chosen = None
    if review is not None and review.staff_round_id is not None:
        chosen = questionnaire_selectors.with_figures(
            QuestionnaireRound.objects.select_related("questionnaire", "setting").filter(
                pk=review.staff_round_id
            )
        ).first()
    if chosen is None and not (review is not None and review.is_completed):
        chosen = latest_closed_staff_round(audit)
    if chosen is None:
        return None
    return StaffEvidence(
        round=chosen,
        results=questionnaire_selectors.round_results(chosen),
        can_open=user.role in policy.QUESTIONNAIRE_READERS,
    )


def review_history(review: AuditReview | None) -> list[dict[str, object]]:
    """When the review was completed and reopened, by whom and why (newest first)."""
    if review is None:
        return []
    events = []
    previous_completed = None
    records = list(review.history.select_related("history_user").order_by("history_date", "pk"))
    for record in records:
        completed = record.completed_at is not None
        if completed and previous_completed is not True:
            events.append(
                {
                    "when": record.history_date,
                    "what": "Completed",
                    "who": record.history_user,
                    "reason": "",
                }
            )
        elif not completed and previous_completed is True:
            events.append(
                {
                    "when": record.history_date,
                    "what": "Reopened",
                    "who": record.history_user,
                    "reason": record.history_change_reason or "",
                }
            )
        previous_completed = completed
    return list(reversed(events))
