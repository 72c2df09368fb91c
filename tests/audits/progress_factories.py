"""Factories and a small world for the learning progress tests."""

from __future__ import annotations

from collections.abc import Sequence

import factory
from factory.django import DjangoModelFactory

from audits.models import (
    AREA_FIELDS,
    Child,
    Group,
    LeuvenScore,
    ProgressCheckpoint,
    ProgressRecord,
    Screening,
    Term,
)
from settings.models import Setting

from .leuven_factories import ChildFactory, GroupFactory, term_date

TERMS = (Term.AUTUMN, Term.SPRING, Term.SUMMER)


class CheckpointFactory(DjangoModelFactory[ProgressCheckpoint]):
    class Meta:
        model = ProgressCheckpoint

    group = factory.SubFactory(GroupFactory)
    term = Term.AUTUMN
    date = factory.LazyAttribute(lambda o: term_date(o.term, o.group.programme_year))


class RecordFactory(DjangoModelFactory[ProgressRecord]):
    class Meta:
        model = ProgressRecord

    checkpoint = factory.SubFactory(CheckpointFactory)
    child = factory.SubFactory(ChildFactory)
    cl = "expected"


def all_areas(judgement: str) -> dict[str, str]:
    return dict.fromkeys(AREA_FIELDS, judgement)


def judged_room(
    setting: Setting,
    children: int,
    *,
    progress: Sequence[str] = ("below", "expected", "above"),
    leuven: Sequence[tuple[int, int]] = ((2, 3), (3, 4), (4, 4)),
    group: Group | None = None,
    **child_flags: object,
) -> tuple[Group, list[Child], list[ProgressCheckpoint]]:
    """A room of ``children`` with a checkpoint and a screening each term: every child
    judged ``progress[i]`` in every area and scored ``leuven[i]`` in term ``i``."""
    group = group if group is not None else GroupFactory(setting=setting)
    assert group is not None
    kids = Child.objects.bulk_create(
        Child(setting=setting, group=group, code=f"P{group.pk:04d}{n:03d}", **child_flags)
        for n in range(children)
    )
    checkpoints = []
    for term, judgement, (wellbeing, involvement) in zip(TERMS, progress, leuven, strict=False):
        checkpoint = CheckpointFactory(group=group, term=term)
        checkpoints.append(checkpoint)
        ProgressRecord.objects.bulk_create(
            ProgressRecord(checkpoint=checkpoint, child=child, **all_areas(judgement))
            for child in kids
        )
        screening = Screening.objects.create(
            group=group, term=term, date=term_date(term, group.programme_year)
        )
        LeuvenScore.objects.bulk_create(
            LeuvenScore(
                screening=screening, child=child, wellbeing=wellbeing, involvement=involvement
            )
            for child in kids
        )
    return group, kids, checkpoints
