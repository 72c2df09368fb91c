"""Writes for the helpline: a message in an accreditation's thread, emailed to the other side."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from kqm.emails import queue_email
from kqm.models import Role, User
from kqm.selectors import setting_managers_of

from ..models import Accreditation, Message
from .common import check_open, evaluator_or_managers

MAX_MESSAGE_LENGTH = 5000


def recipients_of(accreditation: Accreditation, author: User) -> list[User]:
    """The setting's messages go to its evaluator (the KQM managers while there is none);
    the evaluator's and the KQM manager's go to the setting's managers, and the KQM
    manager's to the evaluator too."""
    if author.role == Role.SETTING_MANAGER:
        people = evaluator_or_managers(accreditation)
    elif author.role == Role.EVALUATOR:
        people = setting_managers_of(accreditation.setting_id)
    else:
        people = setting_managers_of(accreditation.setting_id)
        if accreditation.evaluator is not None and accreditation.evaluator.is_active:
            people.append(accreditation.evaluator)
    seen: set[int] = set()
    result = []
    for person in people:
        if person.pk != author.pk and person.pk not in seen:
            seen.add(person.pk)
            result.append(person)
    return result


@transaction.atomic
def do_post_message(*, author: User, accreditation: Accreditation, body: str) -> Message:
    check_open(accreditation)
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Enter your message"})
    if author.role == Role.EVALUATOR and accreditation.evaluator_id != author.pk:
        raise ValidationError("Only the setting's evaluator can write in its messages.")
    if (
        author.role == Role.SETTING_MANAGER
        and not author.settings.filter(pk=accreditation.setting_id).exists()
    ):
        raise ValidationError("You can write only in your own setting's messages.")
    if author.role not in (Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER):
        raise ValidationError("Your role cannot write in the messages.")
    message = Message(accreditation=accreditation, author=author, body=body)
    message.full_clean()
    message._history_user = author  # type: ignore[attr-defined]
    message.save()
    for person in recipients_of(accreditation, author):
        queue_email(
            template="helpline_message",
            user_id=person.pk,
            context={
                "author": author.full_name or author.email,
                "author_role": author.get_role_display(),
                "setting": accreditation.setting.display_name,
                "cohort": str(accreditation.cohort),
                "body": body,
                "link": reverse("accreditation:message-list", args=[accreditation.pk]),
            },
            key=f"message:{message.pk}:{person.pk}",
        )
    return message
