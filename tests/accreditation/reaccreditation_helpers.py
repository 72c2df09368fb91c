"""What a setting holds after two years, for tests of re-accreditation."""

from __future__ import annotations

import datetime
from collections.abc import Collection

from django.utils import timezone

from accreditation.models import (
    ActionStatus,
    ImprovementAction,
    Reaccreditation,
    Relevance,
    Requirement,
    RequirementKind,
    SelfEvaluationEntry,
    Workshop,
    WorkshopBooking,
)
from accreditation.models.unit_b import SEF_JUDGEMENTS, SEF_SECTIONS
from accreditation.requirements import REQUIREMENTS
from accreditation.services import reaccreditation as services
from audits.models import (
    Audit,
    AuditStatus,
    Instrument,
    InstrumentKind,
    InstrumentVersion,
    Occasion,
)
from kqm.models import Role, User
from tests.factories import UserFactory

from .year_factories import leuven_child


def make_audit(setting, kind: str, *, date: datetime.date, occasion=Occasion.REACCREDITATION):
    instrument = Instrument.objects.get_or_create(
        code=f"{kind}-reacc", defaults={"name": f"Tool {kind}", "kind": kind}
    )[0]
    version = InstrumentVersion.objects.get_or_create(instrument=instrument, label="2015")[0]
    created_by = UserFactory(role=Role.EVALUATOR)
    return Audit.objects.create(
        setting=setting,
        version=version,
        room="Pre-school room",
        occasion=occasion,
        date=date,
        status=AuditStatus.COMPLETED,
        completed_at=timezone.now(),
        created_by=created_by,
        is_self_audit=kind == InstrumentKind.LEADERSHIP,
    )


def attended_booking(setting, by: User, *, date: datetime.date | None = None) -> WorkshopBooking:
    workshop = Workshop.objects.create(
        date=date or timezone.localdate() - datetime.timedelta(days=30),
        starts_at=datetime.time(9, 30),
        ends_at=datetime.time(12, 30),
        venue="Kent Education Centre, Maidstone",
        capacity=20,
        created_by=by,
    )
    return WorkshopBooking.objects.create(
        workshop=workshop,
        setting=setting,
        attendee_name="Asha Patel",
        booked_by=by,
        attended=True,
        attendance_recorded_at=timezone.now(),
        attendance_recorded_by=by,
    )


def the_records(
    reaccreditation: Reaccreditation, manager: User, *, workshop: bool = True
) -> dict[str, Audit]:
    """What a setting holds after two years: new audits, a plan, a SEF, Leuven data, a workshop.

    ``workshop=False`` leaves the workshop out, for a test that books and attends one itself.
    """
    setting = reaccreditation.setting
    after = reaccreditation.award.award_date + datetime.timedelta(days=400)
    audits = {
        RequirementKind.ECERS_AUDIT: make_audit(setting, InstrumentKind.RATING_SCALE, date=after),
        RequirementKind.LEADERSHIP_AUDIT: make_audit(
            setting, InstrumentKind.LEADERSHIP, date=after
        ),
    }
    accreditation = reaccreditation.accreditation
    for status, due in ((ActionStatus.DONE, 30), (ActionStatus.IN_PROGRESS, 10)):
        ImprovementAction.objects.create(
            accreditation=accreditation,
            description="Open the garden all day",
            success_measure="Involvement 4+ outdoors",
            owner="Deputy manager",
            relevance=Relevance.SEF_SECTION,
            sef_section=SEF_SECTIONS[0].code,
            due_date=timezone.localdate() - datetime.timedelta(days=due),
            status=status,
            created_by=manager,
        )
    SelfEvaluationEntry.objects.create(
        accreditation=accreditation,
        section=SEF_SECTIONS[0].code,
        judgement=SEF_JUDGEMENTS[0].value,
        evidence="Reviewed termly.",
        updated_by=manager,
    )
    leuven_child(setting, scores=((2, 3), (4, 4)), year=2026)
    leuven_child(setting, scores=((4, 4), (5, 5)), year=2026)
    if workshop:
        attended_booking(setting, manager)
    return audits


def requirement(reaccreditation: Reaccreditation, kind: str) -> Requirement:
    found = Requirement.objects.select_related("reaccreditation__award", "reaccreditation__setting")
    result = found.get(reaccreditation=reaccreditation, kind=kind)
    result.reaccreditation = Reaccreditation.objects.select_related(
        "award", "setting", "accreditation__evaluator", "visit"
    ).get(pk=reaccreditation.pk)
    return result


def fill_every_requirement(
    reaccreditation: Reaccreditation, actor: User, *, leave_out: Collection[str] = ()
) -> None:
    """Write the evidence of every requirement (but ``leave_out``), linking the audits."""
    audits = Audit.objects.filter(setting=reaccreditation.setting)
    for spec in REQUIREMENTS.values():
        if spec.kind in leave_out:
            continue
        audit = None
        if spec.record == "audit":
            audit = audits.get(version__instrument__kind=spec.instrument)
        services.do_save_requirement_evidence(
            actor=actor,
            requirement=requirement(reaccreditation, spec.kind),
            evidence=f"Our evidence for {spec.kind}.",
            audit=audit,
        )
