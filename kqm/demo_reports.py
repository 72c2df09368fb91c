"""Demo data for the programme report: evaluator time, ECERS-3 and PPEL audits, Leuven.

Called by ``manage.py seed_demo`` after the rest of the demo. For every accreditation of
the 2025 cohort that started, and for a few of the 2026 cohort's in progress, it adds
evaluators' time entries, completed ECERS-3 and PPEL audits at the start (and, for 2025,
the end) of the year, and a room of children (pseudonymous codes only) screened for
Leuven well-being and involvement each term. End-of-year scores are mostly a little
higher than the initial ones. Random choices use a fixed seed, and nothing is added once
the demo audits exist, so running it again changes nothing.

Rows are written with ``bulk_create_with_history`` (history rows included) to keep the
seeding fast; no date is later than today.
"""

from __future__ import annotations

import datetime
import logging
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accreditation.models import Accreditation, Cohort, Status, TimeEntry
from audits.models import (
    AgeBand,
    Audit,
    AuditStatus,
    Child,
    Gender,
    Group,
    InstrumentVersion,
    Item,
    ItemScore,
    LeuvenScore,
    Occasion,
    Screening,
    Term,
)
from audits.models.leuven import CODE_ALPHABET
from kqm.models import User

logger = logging.getLogger(__name__)

SEED = 2026
DEMO_SETTING_URN = "EY412345"
FULL_YEAR = 2025  # the cohort with a whole programme year of data
CURRENT_YEAR = 2026  # a few of its accreditations in progress have the autumn's data
CURRENT_SAMPLE = 4
NOT_STARTED = (
    Status.APPLIED,
    Status.ACCEPTED,
    Status.WAITLISTED,
    Status.DECLINED,
    Status.WITHDRAWN,
)
ECERS = "ecers-3"
PPEL = "kqm-ppel"
CHILDREN_PER_ROOM = 8
ROOMS = [
    ("Pre-school room", "3–4 years", [AgeBand.THREE, AgeBand.FOUR]),
    ("Toddler room", "2–3 years", [AgeBand.TWO, AgeBand.THREE]),
    ("Rainbow room", "2–4 years", [AgeBand.TWO, AgeBand.THREE, AgeBand.FOUR]),
]
VISITS = [
    "Initial visit and ECERS-3 observation",
    "Half-day visit and notes of visit",
    "Feedback on the self-evaluation",
    "Case study discussion with the setting manager",
    "Leuven moderation visit",
    "Improvement plan review",
    "End-of-year ECERS-3 observation",
]
EXPENSES = [Decimal("0"), Decimal("12.60"), Decimal("18.90"), Decimal("24.30")]
TERM_DAYS = {Term.AUTUMN: (10, 6), Term.SPRING: (2, 9), Term.SUMMER: (6, 8)}  # month, day


@dataclass
class _Plan:
    accreditation: Accreditation
    evaluator: User
    full_year: bool  # end-of-year data too (else only the start of the year)
    improves_ppel: bool


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _day_in(
    rng: random.Random, start: datetime.date, days: int, today: datetime.date
) -> datetime.date:
    return min(start + datetime.timedelta(days=rng.randint(0, days)), today)


def _term_date(term: str, year: int, rng: random.Random) -> datetime.date:
    month, day = TERM_DAYS[Term(term)]
    base = datetime.date(year if term == Term.AUTUMN else year + 1, month, day)
    return base + datetime.timedelta(days=rng.randint(0, 18))


def _plans(today: datetime.date) -> list[_Plan]:
    cohorts = {
        c.programme_year: c
        for c in Cohort.objects.filter(programme_year__in=[FULL_YEAR, CURRENT_YEAR])
    }
    accreditations = Accreditation.objects.select_related("cohort", "setting", "evaluator").filter(
        evaluator__isnull=False
    )
    plans: list[_Plan] = []
    if FULL_YEAR in cohorts:
        full = accreditations.filter(cohort=cohorts[FULL_YEAR]).exclude(status__in=NOT_STARTED)
        for index, accreditation in enumerate(full.order_by("setting__urn")):
            assert accreditation.evaluator is not None
            plans.append(_Plan(accreditation, accreditation.evaluator, True, index % 4 != 3))
    current = cohorts.get(CURRENT_YEAR)
    if current is not None and current.start_date + datetime.timedelta(days=30) <= today:
        running = list(
            accreditations.filter(cohort=current, status=Status.IN_PROGRESS).order_by(
                "setting__urn"
            )
        )
        running.sort(key=lambda a: a.setting.urn != DEMO_SETTING_URN)  # the demo login's first
        for accreditation in running[:CURRENT_SAMPLE]:
            assert accreditation.evaluator is not None
            plans.append(_Plan(accreditation, accreditation.evaluator, False, True))
    return plans


def _time_entries(rng: random.Random, plans: list[_Plan], today: datetime.date) -> None:
    entries = []
    for plan in plans:
        cohort = plan.accreditation.cohort
        last = min(cohort.end_date, today)
        span = (last - cohort.start_date).days
        count = rng.randint(5, 8) if plan.full_year else rng.randint(2, 3)
        dates = sorted(_day_in(rng, cohort.start_date, span, today) for _ in range(count))
        for n, date in enumerate(dates):
            description = VISITS[0] if n == 0 else rng.choice(VISITS[1:-1])
            if plan.full_year and n == count - 1:
                description = VISITS[-1]
            entries.append(
                TimeEntry(
                    accreditation=plan.accreditation,
                    evaluator=plan.evaluator,
                    date=date,
                    days=rng.choice([Decimal("0.5"), Decimal("1.0"), Decimal("1.0")]),
                    expenses=rng.choice(EXPENSES),
                    description=description,
                )
            )
    bulk_create_with_history(entries, TimeEntry)


def _audit(
    plan: _Plan, version: InstrumentVersion, room: str, occasion: str, date: datetime.date
) -> Audit:
    completed = datetime.datetime.combine(date, datetime.time(15, 30), tzinfo=datetime.UTC)
    return Audit(
        setting=plan.accreditation.setting,
        accreditation=plan.accreditation,
        version=version,
        room=room,
        age_group="",
        occasion=occasion,
        date=date,
        is_self_audit=False,
        status=AuditStatus.COMPLETED,
        created_by=plan.evaluator,
        completed_at=completed,
        completed_by=plan.evaluator,
    )


def _ecers_scores(
    rng: random.Random, items: list[Item]
) -> tuple[list[int | None], list[int | None]]:
    """Initial and end-of-year scores (None for N/A), the end mostly a little higher."""
    quality = rng.uniform(2.8, 5.0)
    initial: list[int | None] = []
    end: list[int | None] = []
    for item in items:
        if item.na_allowed and rng.random() < 0.15:
            initial.append(None)
            end.append(None)
            continue
        before = _clamp(round(rng.gauss(quality, 1.0)), 1, 7)
        initial.append(before)
        end.append(_clamp(before + rng.choice([-1, 0, 0, 1, 1, 1, 2]), 1, 7))
    return initial, end


def _ppel_scores(rng: random.Random, count: int, improves: bool) -> tuple[list[int], list[int]]:
    """Initial and end-of-year ratings (1-4): higher overall when ``improves``, else not."""
    initial = [rng.choice([1, 2, 2, 2, 3, 3]) for _ in range(count)]
    end = list(initial)
    order = list(range(count))
    rng.shuffle(order)
    if improves:
        raised = [i for i in order if end[i] < 4][: rng.randint(2, 4)]
        for i in raised:
            end[i] += 1
    else:
        lowered = [i for i in order if end[i] > 1][: rng.randint(0, 1)]
        for i in lowered:
            end[i] -= 1
    return initial, end


def _audits(rng: random.Random, plans: list[_Plan], today: datetime.date) -> None:
    ecers = InstrumentVersion.objects.get(instrument__code=ECERS, is_current=True)
    ppel = InstrumentVersion.objects.get(instrument__code=PPEL, is_current=True)
    ecers_items = list(ecers.items.order_by("number"))
    ppel_items = list(ppel.items.order_by("number"))
    audits: list[Audit] = []
    answers: list[tuple[list[Item], list[int | None]]] = []
    for index, plan in enumerate(plans):
        cohort = plan.accreditation.cohort
        room = ROOMS[index % len(ROOMS)][0]
        start = _day_in(rng, cohort.start_date + datetime.timedelta(days=14), 21, today)
        end = cohort.end_date - datetime.timedelta(days=rng.randint(28, 50))
        ecers_initial, ecers_end = _ecers_scores(rng, ecers_items)
        ppel_initial, ppel_end = _ppel_scores(rng, len(ppel_items), plan.improves_ppel)
        audits.append(_audit(plan, ecers, room, Occasion.INITIAL, start))
        answers.append((ecers_items, ecers_initial))
        audits.append(_audit(plan, ppel, "Whole setting", Occasion.INITIAL, start))
        answers.append((ppel_items, list(ppel_initial)))
        if plan.full_year and end <= today:
            audits.append(_audit(plan, ecers, room, Occasion.END_OF_YEAR, end))
            answers.append((ecers_items, ecers_end))
            audits.append(_audit(plan, ppel, "Whole setting", Occasion.END_OF_YEAR, end))
            answers.append((ppel_items, list(ppel_end)))
    created = bulk_create_with_history(audits, Audit)
    Audit.observers.through.objects.bulk_create(
        Audit.observers.through(audit_id=audit.pk, user_id=audit.created_by_id) for audit in created
    )
    scores = [
        ItemScore(
            audit=audit,
            item=item,
            score=score,
            not_applicable=score is None,
            updated_by_id=audit.created_by_id,
        )
        for audit, (items, values) in zip(created, answers, strict=True)
        for item, score in zip(items, values, strict=True)
    ]
    bulk_create_with_history(scores, ItemScore, batch_size=500)


def _step(rng: random.Random, value: int) -> int:
    """The next term's Leuven score: low scores tend to rise, high ones mostly hold."""
    if value <= 2:
        move = rng.choice([0, 1, 1])
    elif value == 3:
        move = rng.choice([-1, 0, 0, 1, 1])
    else:
        move = rng.choice([-1, 0, 0, 0, 0, 1])
    return _clamp(value + move, 1, 5)


def _child_code(rng: random.Random, taken: set[str]) -> str:
    while True:
        code = "C" + "".join(rng.choice(CODE_ALPHABET) for _ in range(6))
        if code not in taken:
            taken.add(code)
            return code


def _leuven(rng: random.Random, plans: list[_Plan], today: datetime.date) -> None:
    groups = []
    for index, plan in enumerate(plans):
        name, age_range, _bands = ROOMS[index % len(ROOMS)]
        groups.append(
            Group(
                setting=plan.accreditation.setting,
                name=name,
                programme_year=plan.accreditation.cohort.programme_year,
                age_range=age_range,
            )
        )
    groups = bulk_create_with_history(groups, Group)
    children: list[Child] = []
    screenings: list[Screening] = []
    for index, group in enumerate(groups):
        bands = ROOMS[index % len(ROOMS)][2]
        taken: set[str] = set()
        for _ in range(CHILDREN_PER_ROOM):
            children.append(
                Child(
                    setting_id=group.setting_id,
                    group=group,
                    code=_child_code(rng, taken),
                    age_band=rng.choice(bands),
                    gender=rng.choice(
                        [Gender.GIRL, Gender.BOY, Gender.GIRL, Gender.BOY, Gender.OTHER]
                    ),
                    eal=rng.random() < 0.2,
                    send=rng.random() < 0.1,
                    funded_two=rng.random() < 0.15,
                )
            )
        terms = [Term.AUTUMN, Term.SPRING, Term.SUMMER] if plans[index].full_year else [Term.AUTUMN]
        for term in terms:
            date = _term_date(term, group.programme_year, rng)
            if date <= today:
                screenings.append(Screening(group=group, term=term, date=date))
    children = bulk_create_with_history(children, Child)
    screenings = bulk_create_with_history(screenings, Screening)
    by_group: dict[int, list[Screening]] = {}
    for screening in screenings:
        by_group.setdefault(screening.group_id, []).append(screening)
    scores: list[LeuvenScore] = []
    for child in children:
        assert child.group_id is not None
        wellbeing = rng.choice([2, 3, 3, 4, 4, 4, 5])
        involvement = rng.choice([2, 2, 3, 3, 4, 4, 5])
        for term_index, screening in enumerate(
            sorted(by_group.get(child.group_id, []), key=lambda s: s.date)
        ):
            if term_index:
                wellbeing = _step(rng, wellbeing)
                involvement = _step(rng, involvement)
            scores.append(
                LeuvenScore(
                    screening=screening, child=child, wellbeing=wellbeing, involvement=involvement
                )
            )
    bulk_create_with_history(scores, LeuvenScore, batch_size=500)


@transaction.atomic
def seed_report_data(*, today: datetime.date | None = None) -> int:
    """Add the report's demo data once; how many accreditations it covered (0 if already run)."""
    today = today or timezone.localdate()
    plans = _plans(today)
    if not plans:
        return 0
    already = Audit.objects.filter(
        accreditation__in=[p.accreditation for p in plans], version__instrument__code=ECERS
    ).exists()
    if already:
        return 0
    rng = random.Random(SEED)
    _time_entries(rng, plans, today)
    _audits(rng, plans, today)
    _leuven(rng, plans, today)
    logger.info("Demo report data for %s accreditations", len(plans))
    return len(plans)
