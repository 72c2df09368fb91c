"""Writes for questionnaires: loading the shipped definitions, rounds, links and answers.

Tokens are made with :func:`secrets.token_urlsafe` and only their SHA-256 is stored
(:func:`hash_token`). The tokens themselves exist only in the return value of
:func:`do_create_round` / :func:`do_issue_new_links`, for the page that shows them once.

:func:`do_submit_response` marks the link used and stores the answers in one
transaction, with nothing that joins the two (see ``audits.models.questionnaires``).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accreditation.models import Accreditation
from kqm.models import Role, User
from settings.models import Setting

from ..models import (
    LinkStatus,
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireKind,
    QuestionnaireLink,
    QuestionnaireResponse,
    QuestionnaireRound,
)
from ..models.questionnaires import MAX_COMMENT_LENGTH, MAX_LINKS_PER_ISSUE, MAX_LINKS_PER_ROUND

QUESTIONNAIRES_DIR = Path(__file__).resolve().parents[1] / "questionnaires"
TOKEN_BYTES = 32
CODE_PATTERN = re.compile(r"^[-a-z0-9]{1,40}$")
LONGEST_ROUND_DAYS = 183


# --- Definitions as data --------------------------------------------------------------------


class QuestionnaireDefinitionError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def check_questionnaire_definition(data: Any) -> list[str]:
    """Every problem with a questionnaire definition (empty when it can be loaded)."""
    if not isinstance(data, dict):
        return ["A questionnaire definition must be a JSON object."]
    errors: list[str] = []
    if not CODE_PATTERN.match(_text(data.get("code"))):
        errors.append("The code must be up to 40 lower-case letters, digits and hyphens.")
    if data.get("kind") not in QuestionnaireKind.values:
        errors.append(f"The kind must be one of: {', '.join(QuestionnaireKind.values)}.")
    for key, limit in (("title", 200), ("version", 50), ("comment_prompt", 200)):
        if not _text(data.get(key)) or len(_text(data.get(key))) > limit:
            errors.append(f"Give a {key.replace('_', ' ')} of up to {limit} characters.")
    scale = data.get("scale")
    values: list[int] = []
    if not isinstance(scale, list) or len(scale) < 2:
        errors.append("The scale needs at least two points.")
    else:
        for point in scale:
            value = point.get("value") if isinstance(point, dict) else None
            label = _text(point.get("label")) if isinstance(point, dict) else ""
            if not isinstance(value, int) or isinstance(value, bool) or value in values:
                errors.append("Each scale point needs a different whole-number value.")
                continue
            values.append(value)
            if not label or len(label) > 100:
                errors.append(f"Scale point {value} needs a label of up to 100 characters.")
    statements = data.get("statements")
    if not isinstance(statements, list) or not statements:
        errors.append("The questionnaire needs at least one statement.")
        return errors
    numbers: set[int] = set()
    for statement in statements:
        number = statement.get("number") if isinstance(statement, dict) else None
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            errors.append("Each statement needs a number from 1.")
            continue
        if number in numbers:
            errors.append(f"Statement {number} appears twice.")
        numbers.add(number)
        if not _text(statement.get("text")) or len(_text(statement.get("text"))) > 300:
            errors.append(f"Statement {number} needs a text of up to 300 characters.")
        if not _text(statement.get("theme")) or len(_text(statement.get("theme"))) > 100:
            errors.append(f"Statement {number} needs a theme of up to 100 characters.")
        if not isinstance(statement.get("na_allowed", False), bool):
            errors.append(f"Statement {number}: “na_allowed” must be true or false.")
    return errors


def shipped_questionnaires(directory: Path = QUESTIONNAIRES_DIR) -> list[dict[str, Any]]:
    definitions = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        errors = check_questionnaire_definition(data)
        if errors:
            raise QuestionnaireDefinitionError([f"{path.name}: {e}" for e in errors])
        definitions.append(data)
    return definitions


def load_shipped_questionnaires(
    apps: Any = None, *, directory: Path = QUESTIONNAIRES_DIR
) -> list[tuple[str, str, bool]]:
    """Load each shipped questionnaire version not in the database yet; idempotent.

    Call it from a data migration with the migration's ``apps`` (historical models), or
    with no arguments (the real models). A loaded version is never changed, so answers
    always mean what the statements said when they were given. A newly loaded version
    becomes the current one for its kind. Returns (code, version, created) per file.
    """

    def model(name: str) -> Any:
        if apps is not None:
            return apps.get_model("audits", name)
        from .. import models

        return getattr(models, name)

    questionnaires = model("Questionnaire")
    scale_points = model("QuestionnaireScalePoint")
    statements = model("QuestionnaireStatement")
    results = []
    for data in shipped_questionnaires(directory):
        code, version = data["code"], data["version"].strip()
        if questionnaires.objects.filter(code=code, version=version).exists():
            results.append((code, version, False))
            continue
        questionnaires.objects.filter(kind=data["kind"], is_current=True).update(is_current=False)
        questionnaire = questionnaires.objects.create(
            code=code,
            kind=data["kind"],
            title=data["title"].strip(),
            version=version,
            introduction=_text(data.get("introduction")),
            comment_prompt=data["comment_prompt"].strip(),
            not_applicable_label=_text(data.get("not_applicable_label")) or "Does not apply to me",
            is_current=True,
        )
        scale_points.objects.bulk_create(
            scale_points(questionnaire=questionnaire, value=p["value"], label=p["label"].strip())
            for p in data["scale"]
        )
        statements.objects.bulk_create(
            statements(
                questionnaire=questionnaire,
                number=s["number"],
                theme=s["theme"].strip(),
                text=s["text"].strip(),
                na_allowed=bool(s.get("na_allowed", False)),
            )
            for s in data["statements"]
        )
        results.append((code, version, True))
    return results


# --- Tokens ----------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _issue_links(questionnaire_round: QuestionnaireRound, count: int, group: str = "") -> list[str]:
    tokens = [secrets.token_urlsafe(TOKEN_BYTES) for _ in range(count)]
    QuestionnaireLink.objects.bulk_create(
        QuestionnaireLink(round=questionnaire_round, token_hash=hash_token(token), group=group)
        for token in tokens
    )
    return tokens


class LinkRefusal(Enum):
    """Why a link cannot be used; each has its own page and status code."""

    UNKNOWN = "unknown"
    USED = "used"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


class LinkRefused(Exception):
    def __init__(self, reason: LinkRefusal, questionnaire_round: QuestionnaireRound | None):
        super().__init__(reason.value)
        self.reason = reason
        self.round = questionnaire_round


def refusal_for(
    link: QuestionnaireLink | None, today: datetime.date | None = None
) -> LinkRefusal | None:
    if link is None:
        return LinkRefusal.UNKNOWN
    if link.status == LinkStatus.USED:
        return LinkRefusal.USED
    if link.status == LinkStatus.WITHDRAWN:
        return LinkRefusal.WITHDRAWN
    if not link.round.is_open(today):
        return LinkRefusal.CLOSED
    return None


# --- Rounds ------------------------------------------------------------------------------------


def _check_setting_manager(actor: User, setting: Setting | None) -> None:
    # A cohort's evaluation round has no setting: only the KQM manager runs those.
    if (
        setting is None
        or actor.role != Role.SETTING_MANAGER
        or not actor.settings.filter(pk=setting.pk).exists()
    ):
        raise ValidationError("Only a manager of this setting can run its questionnaires.")


def _check_link_count(count: int, *, already: int = 0) -> None:
    if not 1 <= count <= MAX_LINKS_PER_ISSUE:
        raise ValidationError(
            {"link_count": f"Enter a number of links from 1 to {MAX_LINKS_PER_ISSUE}"}
        )
    if already + count > MAX_LINKS_PER_ROUND:
        raise ValidationError(
            {
                "link_count": f"A round can have at most {MAX_LINKS_PER_ROUND} links; "
                f"this one has {already} already"
            }
        )


def check_closing_date(closes_on: datetime.date, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    if closes_on < today:
        raise ValidationError({"closes_on": "The closing date must be today or in the future"})
    if closes_on > today + datetime.timedelta(days=LONGEST_ROUND_DAYS):
        raise ValidationError(
            {"closes_on": "The closing date must be within 6 months, so that answers are recent"}
        )


@dataclass(frozen=True)
class IssuedLinks:
    round: QuestionnaireRound
    tokens: list[str]


@transaction.atomic
def do_create_round(
    *,
    actor: User,
    setting: Setting,
    kind: str,
    title: str,
    closes_on: datetime.date,
    link_count: int,
    accreditation: Accreditation | None = None,
) -> IssuedLinks:
    """Open a round on the current questionnaire of ``kind`` and issue its links.

    ``accreditation`` is the accreditation year the round is filed under, named by the
    page that started it (none for a round outside the programme).
    """
    _check_setting_manager(actor, setting)
    if accreditation is not None and accreditation.setting_id != setting.pk:
        raise ValidationError({"accreditation": "That accreditation is of another setting"})
    if accreditation is not None and accreditation.is_closed:
        raise ValidationError({"accreditation": accreditation.closed_reason()})
    check_closing_date(closes_on)
    _check_link_count(link_count)
    questionnaire = Questionnaire.objects.filter(kind=kind, is_current=True).first()
    if questionnaire is None:
        raise ValidationError({"kind": "There is no questionnaire of this kind to send yet"})
    questionnaire_round = QuestionnaireRound(
        setting=setting,
        accreditation=accreditation,
        questionnaire=questionnaire,
        title=" ".join(title.split()),
        closes_on=closes_on,
        created_by=actor,
    )
    questionnaire_round.full_clean()
    questionnaire_round._history_user = actor  # type: ignore[attr-defined]
    questionnaire_round.save()
    return IssuedLinks(questionnaire_round, _issue_links(questionnaire_round, link_count))


@transaction.atomic
def do_issue_new_links(
    *, actor: User, questionnaire_round: QuestionnaireRound, link_count: int
) -> IssuedLinks:
    """Withdraw every unused link of the round and issue ``link_count`` new ones.

    For a manager who has lost the links shown when the round opened (they are never
    shown again), or who needs more. Used links stay counted.
    """
    locked = QuestionnaireRound.objects.select_for_update().get(pk=questionnaire_round.pk)
    _check_setting_manager(actor, locked.setting)
    if not locked.is_open():
        raise ValidationError("This round has closed: no new links can be issued.")
    used = locked.links.filter(status=LinkStatus.USED).count()
    _check_link_count(link_count, already=used)
    locked.links.filter(status=LinkStatus.UNUSED).update(status=LinkStatus.WITHDRAWN)
    return IssuedLinks(locked, _issue_links(locked, link_count))


@transaction.atomic
def do_close_round(*, actor: User, questionnaire_round: QuestionnaireRound) -> QuestionnaireRound:
    """Close a round before its closing date; unused links stop working. Cannot be undone."""
    locked = QuestionnaireRound.objects.select_for_update().get(pk=questionnaire_round.pk)
    _check_setting_manager(actor, locked.setting)
    if not locked.is_open():
        raise ValidationError("This round has already closed.")
    locked.closed_at = timezone.now()
    locked.closed_by = actor
    locked._history_user = actor  # type: ignore[attr-defined]
    locked.save(update_fields=["closed_at", "closed_by"])
    return locked


# --- Answers (public, no account) --------------------------------------------------------------


@transaction.atomic
def do_submit_response(
    *, token: str, answers: Mapping[int, int | None], comment: str = ""
) -> QuestionnaireRound:
    """Store one anonymous response through a single-use link.

    ``answers`` maps each statement number to a scale value, or None for “does not
    apply” where the statement allows it. Raises :class:`LinkRefused` for a link that
    is unknown, used, withdrawn or whose round has closed, and ValidationError for
    answers that do not fit the questionnaire. Nothing is stored unless all is well.
    """
    link = (
        QuestionnaireLink.objects.select_related("round__questionnaire")
        .filter(token_hash=hash_token(token))
        .first()
    )
    reason = refusal_for(link)
    if reason is not None or link is None:
        raise LinkRefused(reason or LinkRefusal.UNKNOWN, link.round if link else None)
    questionnaire = link.round.questionnaire
    statements = list(questionnaire.statements.all())
    scale = set(questionnaire.scale.values_list("value", flat=True))
    problems: dict[str, str] = {}
    for statement in statements:
        value = answers.get(statement.number, ...)
        if value is ... or (value is None and not statement.na_allowed):
            problems[f"statement_{statement.number}"] = (
                f"Select how much you agree with statement {statement.number}"
            )
        elif value is not None and value not in scale:
            problems[f"statement_{statement.number}"] = (
                f"Select one of the answers given for statement {statement.number}"
            )
    if set(answers) - {s.number for s in statements}:
        problems["__all__"] = "Answer only the statements of this questionnaire"
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        problems["comment"] = f"Your comment must be {MAX_COMMENT_LENGTH} characters or fewer"
    if problems:
        raise ValidationError(problems)
    # The conditional update is the single-use guarantee, on every database: of two
    # submissions racing with the same link, exactly one changes the row.
    claimed = QuestionnaireLink.objects.filter(pk=link.pk, status=LinkStatus.UNUSED).update(
        status=LinkStatus.USED
    )
    if not claimed:
        raise LinkRefused(LinkRefusal.USED, link.round)
    response = QuestionnaireResponse.objects.create(
        round=link.round, comment=comment, group=link.group
    )
    QuestionnaireAnswer.objects.bulk_create(
        QuestionnaireAnswer(response=response, statement=s, value=answers[s.number])
        for s in statements
    )
    return link.round
