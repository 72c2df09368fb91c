"""Reads for the PPEL start-vs-end change page of an accreditation, scoped to the user.

Read by the KQM manager, the accreditation's evaluator, and the setting's manager and
practitioners; viewers get 403 and another setting's accreditation is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from accreditation.models import Accreditation
from accreditation.selectors import accreditations_visible_to
from kqm.models import User

from .. import policy
from ..models import Audit, InstrumentKind, Occasion, QuestionnaireKind, QuestionnaireRound
from ..models.questionnaires import MIN_RESPONSES_SHOWN
from ..ppel import PpelChange, ppel_change, scored_audits
from . import questionnaires as questionnaire_selectors
from .ratings import audits_of_record


def access_accreditation_for_ppel(user: User, accreditation_id: int) -> Accreditation:
    if user.role not in policy.AUDIT_READERS:
        raise PermissionDenied("Your role does not give you access to a setting's audits.")
    try:
        return accreditations_visible_to(user).get(pk=accreditation_id)
    except Accreditation.DoesNotExist:
        raise Http404("No such accreditation.") from None


@dataclass
class ParentRound:
    round: QuestionnaireRound
    response_count: int
    shown: bool  # closed with enough responses for the aggregates to show
    can_open: bool


@dataclass
class PpelPage:
    accreditation: Accreditation
    start: Audit | None
    end: Audit | None
    change: PpelChange | None
    parent_round: ParentRound | None


def ppel_audits(accreditation: Accreditation) -> tuple[Audit | None, Audit | None]:
    """The accreditation's latest completed PPEL audit of record at the start and at the end."""
    audits = list(
        audits_of_record(Audit.objects.filter(accreditation=accreditation))
        .filter(
            version__instrument__kind=InstrumentKind.PARTNERSHIP,
            occasion__in=[Occasion.INITIAL, Occasion.END_OF_YEAR],
        )
        .select_related("version__instrument", "setting")
        .order_by("date", "pk")
    )
    latest = {audit.occasion: audit for audit in audits}
    return latest.get(Occasion.INITIAL), latest.get(Occasion.END_OF_YEAR)


def latest_parent_round(user: User, accreditation: Accreditation) -> ParentRound | None:
    """The setting's latest parent questionnaire round (closed first), for a link to its
    aggregated results."""
    today = timezone.localdate()
    rounds = list(
        questionnaire_selectors.with_figures(
            QuestionnaireRound.objects.select_related("questionnaire").filter(
                setting_id=accreditation.setting_id, questionnaire__kind=QuestionnaireKind.PARENT
            )
        ).order_by("-created_at", "-pk")
    )
    if not rounds:
        return None
    closed = [r for r in rounds if not r.is_open(today)]
    chosen = closed[0] if closed else rounds[0]
    count = getattr(chosen, "response_count", 0)
    return ParentRound(
        round=chosen,
        response_count=count,
        shown=not chosen.is_open(today) and count >= MIN_RESPONSES_SHOWN,
        can_open=user.role in policy.QUESTIONNAIRE_READERS,
    )


def ppel_page(user: User, accreditation: Accreditation) -> PpelPage:
    start, end = ppel_audits(accreditation)
    change = None
    if start is not None and end is not None:
        scored = scored_audits([start, end])
        change = ppel_change(scored[start.pk], scored[end.pk])
    return PpelPage(accreditation, start, end, change, latest_parent_round(user, accreditation))
