"""Reads for learning progress checkpoints, always scoped to the user asking.

Who sees what mirrors the Leuven screenings (``selectors.leuven``): setting staff their
own settings' checkpoints and children; the assigned evaluator the same, read-only; the
KQM manager the figures of every setting but no child; viewers only the cohort figures
of the programme report. Another setting's object is a 404.

Every page runs a fixed number of queries whatever the number of children.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from kqm.models import User
from settings.models import Setting

from .. import leuven_analysis
from .. import progress_analysis as analysis
from ..models import AREA_FIELDS, Child, DevelopmentBand, Group, LeuvenScore
from ..models import ProgressCheckpoint as Checkpoint
from ..models import ProgressRecord as Record
from .leuven import _count, _in_visible_settings

CHILD_FLAGS = ("code", "gender", "age_band", "eal", "send", "funded_two", "looked_after")


def _judged() -> Q:
    """Some area judged, or an age band recorded."""
    condition = Q(band__isnull=False)
    for name in AREA_FIELDS:
        condition |= ~Q(**{name: ""})
    return condition


def access_checkpoint_by_id(user: User, checkpoint_id: int) -> Checkpoint:
    try:
        return Checkpoint.objects.select_related("group__setting").get(
            pk=checkpoint_id, group__setting__in=_in_visible_settings(user)
        )
    except Checkpoint.DoesNotExist:
        raise Http404("No such checkpoint.") from None


def current_bands() -> list[DevelopmentBand]:
    return list(DevelopmentBand.objects.filter(is_current=True).order_by("order", "pk"))


# --- A setting's checkpoints ------------------------------------------------------------------


def checkpoints_with_counts() -> QuerySet[Checkpoint]:
    """Checkpoints with the number of children with some judgement."""
    records = Record.objects.filter(checkpoint=OuterRef("pk")).filter(_judged())
    return Checkpoint.objects.annotate(judged=_count(records, "checkpoint"))


def year_groups(setting: Setting, year: int) -> list[Group]:
    """The setting's groups of one year with children counted and their checkpoints."""
    children = Child.objects.filter(group=OuterRef("pk"), left_on__isnull=True)
    return list(
        Group.objects.filter(setting=setting, programme_year=year)
        .annotate(child_count=_count(children, "group"))
        .prefetch_related(
            Prefetch("checkpoints", queryset=checkpoints_with_counts().order_by("date", "pk"))
        )
        .order_by("name", "pk")
    )


# --- One checkpoint's children ----------------------------------------------------------------


def checkpoint_children(checkpoint: Checkpoint) -> QuerySet[Child]:
    """The group's children now, and anyone already judged at the checkpoint (a child
    who has since moved room or left keeps their judgements)."""
    judged = Record.objects.filter(checkpoint=checkpoint).values("child_id")
    return Child.objects.filter(
        Q(
            setting_id=checkpoint.group.setting_id,
            group_id=checkpoint.group_id,
            left_on__isnull=True,
        )
        | Q(pk__in=judged)
    ).order_by("code", "pk")


@dataclass
class CheckpointRow:
    child: Child
    record: Record | None

    def value(self, name: str) -> str:
        if self.record is None:
            return ""
        if name == "band":
            return self.record.band.code if self.record.band is not None else ""
        return str(getattr(self.record, name))


def checkpoint_rows(checkpoint: Checkpoint, children: Iterable[Child]) -> list[CheckpointRow]:
    records = {
        r.child_id: r for r in Record.objects.filter(checkpoint=checkpoint).select_related("band")
    }
    return [CheckpointRow(child=c, record=records.get(c.pk)) for c in children]


# --- Figures ------------------------------------------------------------------------------------


def _progress_records(
    records: QuerySet[Record],
) -> tuple[list[analysis.ProgressRecordData], dict[int, leuven_analysis.ChildInfo], set[int]]:
    rows = records.values(
        "child_id",
        "checkpoint_id",
        "checkpoint__term",
        "checkpoint__date",
        "checkpoint__group__setting_id",
        *AREA_FIELDS,
        *(f"child__{name}" for name in CHILD_FLAGS),
    )
    data: list[analysis.ProgressRecordData] = []
    children: dict[int, leuven_analysis.ChildInfo] = {}
    settings: set[int] = set()
    for row in rows:
        data.append(
            analysis.ProgressRecordData(
                child_id=row["child_id"],
                term=row["checkpoint__term"],
                judgements={name: row[name] for name in AREA_FIELDS},
                checkpoint_id=row["checkpoint_id"],
                date=row["checkpoint__date"],
            )
        )
        children[row["child_id"]] = leuven_analysis.ChildInfo(
            child_id=row["child_id"], **{name: row[f"child__{name}"] for name in CHILD_FLAGS}
        )
        settings.add(row["checkpoint__group__setting_id"])
    return data, children, settings


def _leuven_records(scores: QuerySet[LeuvenScore]) -> list[leuven_analysis.ScoreRecord]:
    return [
        leuven_analysis.ScoreRecord(
            child_id=row["child_id"],
            term=row["screening__term"],
            wellbeing=row["wellbeing"],
            involvement=row["involvement"],
            screening_id=row["screening_id"],
            group_id=row["screening__group_id"],
            date=row["screening__date"],
        )
        for row in scores.values(
            "child_id",
            "screening_id",
            "screening__term",
            "screening__date",
            "screening__group_id",
            "wellbeing",
            "involvement",
        )
    ]


def _report(settings: Any, year: int) -> analysis.ProgressReport:
    """Two queries: the year's progress records and Leuven scores of ``settings``."""
    records, children, seen = _progress_records(
        Record.objects.filter(
            checkpoint__group__programme_year=year, checkpoint__group__setting__in=settings
        )
    )
    scores = _leuven_records(
        LeuvenScore.objects.filter(
            screening__group__programme_year=year, screening__group__setting__in=settings
        )
    )
    return analysis.progress_report(records, children, scores, settings=len(seen))


def setting_progress(setting: Setting, year: int) -> analysis.ProgressReport:
    return _report([setting.pk], year)


def settings_progress(settings: QuerySet[Any], year: int) -> analysis.ProgressReport:
    """The figures of many settings together (a cohort): ``settings`` is a query of ids."""
    return _report(settings, year)


def latest_progress_year(setting: Setting) -> int | None:
    """The latest programme year in which the setting has progress records."""
    years = (
        Record.objects.filter(checkpoint__group__setting=setting)
        .order_by("-checkpoint__group__programme_year")
        .values_list("checkpoint__group__programme_year", flat=True)[:1]
    )
    return next(iter(years), None)


@dataclass
class ProgressHeadline:
    """A setting's latest year of progress figures, for re-accreditation and annual review."""

    setting: Setting
    year: int
    report: analysis.ProgressReport

    @property
    def year_label(self) -> str:
        return f"{self.year} to {self.year + 1}"

    @property
    def url(self) -> str:
        return reverse("audits:progress-summary", args=[self.setting.pk]) + f"?year={self.year}"


def progress_headline(setting: Setting) -> ProgressHeadline | None:
    """Three queries: the latest year with progress records, then its figures."""
    year = latest_progress_year(setting)
    if year is None:
        return None
    return ProgressHeadline(setting=setting, year=year, report=setting_progress(setting, year))
