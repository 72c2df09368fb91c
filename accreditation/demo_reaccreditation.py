"""Demo data: one re-accreditation under way, with some requirements written and met.

Called by ``manage.py seed_demo``; safe to run again (nothing is added once a
re-accreditation exists). Everything goes through the services, so the demo has the
same status changes, history rows and emails as real use.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from kqm.models import Role, User

from .models import Award, Judgement, Reaccreditation, Requirement, RequirementKind
from .services.reaccreditation import (
    do_judge_requirement,
    do_open_reaccreditation,
    do_save_requirement_evidence,
)

logger = logging.getLogger(__name__)

DEMO_EVIDENCE = {
    RequirementKind.ENTRY_CRITERIA: (
        "Our manager and deputy hold level 6 qualifications, our last Ofsted inspection was "
        "good, and every room still follows the key-person approach. The policies the entry "
        "criteria ask for were reviewed in September."
    ),
    RequirementKind.IMPROVEMENT_PLAN: (
        "The plan was reviewed each half term. Outdoor learning and mark-making actions are "
        "done; the two-year-olds' communication action carries on into next year."
    ),
    RequirementKind.SELF_EVALUATION: (
        "We update the self-evaluation after each network meeting and each audit; the "
        "leadership section was rewritten after our new deputy joined."
    ),
}
DEMO_MET = (RequirementKind.ENTRY_CRITERIA, RequirementKind.IMPROVEMENT_PLAN)


def _demo_award(evaluator: User | None) -> Award | None:
    """A current award, the demo evaluator's first, that can still be renewed."""
    awards = Award.objects.filter(
        revoked_at__isnull=True, later_awards__isnull=True, reaccreditation__isnull=True
    ).select_related("accreditation")
    if evaluator is not None:
        mine = awards.filter(accreditation__evaluator=evaluator).order_by("award_date", "pk")
        if mine.exists():
            return mine.first()
    return awards.order_by("award_date", "pk").first()


@transaction.atomic
def seed_demo_reaccreditation() -> Reaccreditation | None:
    if Reaccreditation.objects.exists():
        return None
    manager = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first()
    if manager is None:
        return None
    demo_evaluator = User.objects.filter(email="evaluator@kqm.example").first()
    award = _demo_award(demo_evaluator)
    if award is None:
        return None
    try:
        reaccreditation = do_open_reaccreditation(award=award, opened_by=manager)
    except ValidationError as error:
        logger.info("No demo re-accreditation: %s", " ".join(error.messages))
        return None
    reaccreditation = Reaccreditation.objects.select_related(
        "award", "setting", "accreditation__evaluator"
    ).get(pk=reaccreditation.pk)
    judge = reaccreditation.accreditation.evaluator or manager
    for kind, evidence in DEMO_EVIDENCE.items():
        requirement = Requirement.objects.get(reaccreditation=reaccreditation, kind=kind)
        requirement.reaccreditation = reaccreditation
        requirement = do_save_requirement_evidence(
            actor=manager, requirement=requirement, evidence=evidence
        )
        if kind in DEMO_MET:
            requirement.reaccreditation = reaccreditation
            do_judge_requirement(
                actor=judge,
                requirement=requirement,
                judgement=Judgement.MET,
                note="Seen at the spring network meeting.",
            )
    return reaccreditation
