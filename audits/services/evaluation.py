"""Writes for end-of-cohort evaluation rounds: the KQM manager opens one for a cohort and
every person asked gets one single-use link by email.

The anonymity of staff questionnaires holds here too (see ``audits.models.questionnaires``):
only the tokens' hashes are stored, and the links are handed to people in a random order,
so neither the links' ids nor their order say who got which. The sent-email record keeps
that a person was asked in this round, never which link they were given.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accreditation.models import Cohort
from kqm.emails import queue_email
from kqm.models import Role, User

from ..models import Questionnaire, QuestionnaireKind, QuestionnaireRound, RespondentGroup
from ..models.questionnaires import MAX_LINKS_PER_ROUND
from ..selectors.questionnaires import evaluation_recipients, open_evaluation_round_of
from .questionnaires import _issue_links, check_closing_date

INVITATION_TEMPLATE = "evaluation_invitation"


def _check_manager(actor: User) -> None:
    if actor.role != Role.MANAGER or not actor.is_active:
        raise ValidationError("Only the KQM manager can run end-of-cohort evaluations.")


def answer_url(token: str) -> str:
    return django_settings.SITE_URL + reverse("audits:questionnaire-answer", args=[token])


@dataclass(frozen=True)
class EvaluationOpened:
    round: QuestionnaireRound
    invited: int


@transaction.atomic
def do_open_evaluation_round(
    *, actor: User, cohort: Cohort, title: str, closes_on: datetime.date
) -> EvaluationOpened:
    """Open the cohort's evaluation round and email each person asked their own link.

    One open round per cohort at a time. Raises ValidationError (keyed by field where
    there is one) and stores nothing if anything is wrong.
    """
    _check_manager(actor)
    check_closing_date(closes_on)
    Cohort.objects.select_for_update().get(pk=cohort.pk)  # one opening at a time per cohort
    if open_evaluation_round_of(cohort) is not None:
        raise ValidationError(
            {"cohort": "This cohort already has an evaluation open: close it first"}
        )
    questionnaire = Questionnaire.objects.filter(
        kind=QuestionnaireKind.EVALUATION, is_current=True
    ).first()
    if questionnaire is None:
        raise ValidationError("The evaluation questionnaire has not been loaded yet.")
    recipients = list(evaluation_recipients(cohort))
    if not recipients:
        raise ValidationError(
            {"cohort": "No one to ask: this cohort has no active setting managers or evaluators"}
        )
    if len(recipients) > MAX_LINKS_PER_ROUND:
        raise ValidationError({"cohort": f"A round can have at most {MAX_LINKS_PER_ROUND} links"})
    questionnaire_round = QuestionnaireRound(
        cohort=cohort,
        questionnaire=questionnaire,
        title=" ".join(title.split()),
        closes_on=closes_on,
        created_by=actor,
    )
    questionnaire_round.full_clean()
    questionnaire_round._history_user = actor  # type: ignore[attr-defined]
    questionnaire_round.save()
    # Each group's links carry the group (so results can be split once each has enough
    # answers); within a group the links were stored in the order of the tokens, and are
    # paired with people at random.
    pairs: list[tuple[User, str]] = []
    for group, role in (
        (RespondentGroup.SETTING, Role.SETTING_MANAGER),
        (RespondentGroup.EVALUATOR, Role.EVALUATOR),
    ):
        people = [person for person in recipients if person.role == role]
        tokens = _issue_links(questionnaire_round, len(people), group)
        secrets.SystemRandom().shuffle(people)
        pairs += zip(people, tokens, strict=True)
    context = {
        "cohort": cohort.name,
        "title": questionnaire_round.title,
        "closes_on": f"{closes_on.day} {closes_on:%B %Y}",
    }
    for person, token in pairs:
        queue_email(
            template=INVITATION_TEMPLATE,
            user_id=person.pk,
            context={**context, "link": answer_url(token)},
            key=f"{INVITATION_TEMPLATE}:{questionnaire_round.pk}:{person.pk}",
        )
    return EvaluationOpened(questionnaire_round, len(recipients))


@transaction.atomic
def do_close_evaluation_round(
    *, actor: User, questionnaire_round: QuestionnaireRound
) -> QuestionnaireRound:
    """Close an evaluation round before its closing date; unused links stop working."""
    _check_manager(actor)
    locked = QuestionnaireRound.objects.select_for_update().get(pk=questionnaire_round.pk)
    if locked.cohort_id is None:
        raise ValidationError("This is not an end-of-cohort evaluation.")
    if not locked.is_open():
        raise ValidationError("This evaluation has already closed.")
    locked.closed_at = timezone.now()
    locked.closed_by = actor
    locked._history_user = actor  # type: ignore[attr-defined]
    locked.save(update_fields=["closed_at", "closed_by"])
    return locked
