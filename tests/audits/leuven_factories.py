"""Factories and helpers for the Leuven screening tests."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import factory
from factory.django import DjangoModelFactory

from accreditation.models import Accreditation
from audits.models import ActionPoint, Child, Group, LeuvenScore, ModerationScore, Screening, Term
from kqm.models import Role, User
from settings.models import Setting
from tests.factories import AccreditationFactory, SettingFactory, UserFactory

YEAR = 2026
TERM_DATES = {
    Term.AUTUMN: datetime.date(YEAR, 10, 6),
    Term.SPRING: datetime.date(YEAR + 1, 2, 9),
    Term.SUMMER: datetime.date(YEAR + 1, 6, 8),
}


def term_date(term: str, programme_year: int = YEAR) -> datetime.date:
    """A date in ``term`` of the programme year starting in September ``programme_year``."""
    date = TERM_DATES[Term(term)]
    return date.replace(year=date.year + programme_year - YEAR)


class GroupFactory(DjangoModelFactory[Group]):
    class Meta:
        model = Group

    setting = factory.SubFactory(SettingFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    programme_year = YEAR


class ChildFactory(DjangoModelFactory[Child]):
    class Meta:
        model = Child

    group = factory.SubFactory(GroupFactory)
    setting = factory.LazyAttribute(lambda o: o.group.setting)
    code = factory.Sequence(lambda n: f"CT{n:05d}")


class ScreeningFactory(DjangoModelFactory[Screening]):
    class Meta:
        model = Screening

    group = factory.SubFactory(GroupFactory)
    term = Term.AUTUMN
    date = factory.LazyAttribute(lambda o: term_date(o.term, o.group.programme_year))


class LeuvenScoreFactory(DjangoModelFactory[LeuvenScore]):
    class Meta:
        model = LeuvenScore

    screening = factory.SubFactory(ScreeningFactory)
    child = factory.SubFactory(ChildFactory)
    wellbeing = 4
    involvement = 4


class ActionPointFactory(DjangoModelFactory[ActionPoint]):
    class Meta:
        model = ActionPoint

    score = factory.SubFactory(LeuvenScoreFactory, wellbeing=2, involvement=3)
    action = "Key person to plan daily small-group play with a favourite toy."
    owner = "Key person"
    due_on = datetime.date(YEAR, 11, 30)
    created_by = factory.SubFactory(UserFactory, role=Role.PRACTITIONER)


class ModerationScoreFactory(DjangoModelFactory[ModerationScore]):
    class Meta:
        model = ModerationScore

    screening = factory.SubFactory(ScreeningFactory)
    child = factory.SubFactory(ChildFactory)
    evaluator = factory.SubFactory(UserFactory, role=Role.EVALUATOR)
    wellbeing = 4
    involvement = 4
    moderated_on = datetime.date(YEAR, 11, 2)


def assign_evaluator(setting: Setting, evaluator: User) -> Accreditation:
    """Make ``evaluator`` the evaluator of one of the setting's accreditations."""
    return AccreditationFactory(setting=setting, evaluator=evaluator)


def scored_room(
    setting: Setting,
    scores: Sequence[tuple[int | None, int | None]],
    *,
    term: str = Term.AUTUMN,
    group: Group | None = None,
) -> tuple[Screening, list[Child]]:
    """A group with one child per entry of ``scores`` and a screening holding them."""
    group = group or GroupFactory(setting=setting)
    screening = ScreeningFactory(group=group, term=term)
    children = [ChildFactory(group=group) for _ in scores]
    LeuvenScore.objects.bulk_create(
        LeuvenScore(screening=screening, child=child, wellbeing=wb, involvement=inv)
        for child, (wb, inv) in zip(children, scores, strict=True)
    )
    return screening, children


def date_data(name: str, date: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(date.day), f"{name}_1": str(date.month), f"{name}_2": str(date.year)}
