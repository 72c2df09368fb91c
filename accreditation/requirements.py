"""The re-accreditation requirements: one spec each, and the status each one is in.

Every requirement is one ``RequirementSpec`` in ``REQUIREMENTS``, in the order the task list
shows them: its hint, the record it must link (an audit of an instrument, or the workshop
the setting attended), what its page shows beside the evidence (a selector giving the
figures and the template that shows them), and what is missing while it is not ready. The
task list, the requirement's page and its form, saving its evidence, submitting and the
KQM manager's decision all read the spec; none names a requirement. An eighth
requirement is one more spec (and its record template) plus the choice on
``Requirement.kind`` with its migration.

A requirement's status comes from what it holds:

- *Not started*: no evidence, no file and no linked record.
- *In progress*: something saved, but not everything the requirement needs yet.
- *Ready for judging*: the evidence is written and the record it needs is linked.
- *Met* / *Not met*: the evaluator's or the KQM manager's judgement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from audits.models import InstrumentKind
from audits.selectors.progress import progress_headline

from .models import Judgement, Reaccreditation, Requirement, RequirementKind
from .selectors_reaccreditation import (
    attended_workshop,
    eligible_audits,
    leuven_figures,
    plan_figures,
    sef_figures,
)

RECORDS = "accreditation/reaccreditation/records/"


def _nothing(_reaccreditation: Reaccreditation) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class RequirementSpec:
    """One requirement: what the setting is asked for and what counts as evidence."""

    kind: str  # ``Requirement.kind``, whose choice gives the requirement's name
    hint: str
    # What the requirement's page shows beside the evidence: the figures and their template.
    figures: Callable[[Reaccreditation], dict[str, Any]] = _nothing
    template: str = ""
    # The record that must be linked before it can be judged, if any.
    record: Literal["", "audit", "workshop"] = ""
    instrument: str = ""  # record "audit": the kind of instrument the audit uses
    record_name: str = ""  # record "audit": how the page names the audit it needs
    missing: str = ""  # while the record is not linked: what is missing

    @property
    def slug(self) -> str:
        return self.kind.replace("_", "-")


def _audits(instrument: str) -> Callable[[Reaccreditation], dict[str, Any]]:
    def figures(reaccreditation: Reaccreditation) -> dict[str, Any]:
        return {"audits": eligible_audits(reaccreditation, instrument)}

    return figures


def _wellbeing(reaccreditation: Reaccreditation) -> dict[str, Any]:
    return {
        "leuven": leuven_figures(reaccreditation),
        "progress": progress_headline(reaccreditation.setting),
    }


REQUIREMENTS: dict[str, RequirementSpec] = {
    spec.kind: spec
    for spec in (
        RequirementSpec(
            RequirementKind.ENTRY_CRITERIA,
            hint="Show that the setting still meets every entry criterion.",
        ),
        RequirementSpec(
            RequirementKind.ECERS_AUDIT,
            hint="A completed ECERS or ITERS audit carried out after the award.",
            figures=_audits(InstrumentKind.RATING_SCALE),
            template=RECORDS + "audit.html",
            record="audit",
            instrument=InstrumentKind.RATING_SCALE,
            record_name="ECERS or ITERS audit",
            missing="no completed ECERS or ITERS audit is linked",
        ),
        RequirementSpec(
            RequirementKind.LEADERSHIP_AUDIT,
            hint="A completed leadership self-audit after the award.",
            figures=_audits(InstrumentKind.LEADERSHIP),
            template=RECORDS + "audit.html",
            record="audit",
            instrument=InstrumentKind.LEADERSHIP,
            record_name="leadership audit",
            missing="no completed leadership audit is linked",
        ),
        RequirementSpec(
            RequirementKind.IMPROVEMENT_PLAN,
            hint="The improvement plan, kept up to date since the award.",
            figures=lambda reaccreditation: {"plan": plan_figures(reaccreditation)},
            template=RECORDS + "improvement_plan.html",
        ),
        RequirementSpec(
            RequirementKind.SELF_EVALUATION,
            hint="The self-evaluation, kept up to date since the award.",
            figures=lambda reaccreditation: {"sef": sef_figures(reaccreditation)},
            template=RECORDS + "self_evaluation.html",
        ),
        RequirementSpec(
            RequirementKind.WELLBEING_ACCOUNT,
            hint=(
                "A reflective account of how the well-being and involvement work has improved "
                "outcomes for children, with the Leuven figures and progress data for each "
                "area of learning."
            ),
            figures=_wellbeing,
            template=RECORDS + "wellbeing_account.html",
        ),
        RequirementSpec(
            RequirementKind.WORKSHOP,
            hint="Someone from the setting attended a half-day workshop.",
            figures=lambda reaccreditation: {"attended": attended_workshop(reaccreditation)},
            template=RECORDS + "workshop.html",
            record="workshop",
            missing="no attended workshop is recorded",
        ),
    )
}


def spec_of(kind: str) -> RequirementSpec:
    return REQUIREMENTS[kind]


def kind_of_slug(slug: str) -> str | None:
    """The requirement a URL's slug names, or None."""
    return next((spec.kind for spec in REQUIREMENTS.values() if spec.slug == slug), None)


def position(kind: str) -> int:
    """Where the requirement comes in the task list, from 0."""
    return list(REQUIREMENTS).index(kind)


def in_order(requirements: list[Requirement]) -> list[Requirement]:
    return sorted(requirements, key=lambda requirement: position(requirement.kind))


# --- Status -------------------------------------------------------------------------------------


class RequirementStatus:
    NOT_STARTED = "Not started"
    IN_PROGRESS = "In progress"
    READY = "Ready for judging"
    MET = "Met"
    NOT_MET = "Not met"


STATUS_COLOURS = {
    RequirementStatus.NOT_STARTED: "grey",
    RequirementStatus.IN_PROGRESS: "light-blue",
    RequirementStatus.READY: "blue",
    RequirementStatus.MET: "green",
    RequirementStatus.NOT_MET: "red",
}


def has_record(requirement: Requirement) -> bool:
    record = spec_of(requirement.kind).record
    if record == "audit":
        return requirement.audit_id is not None
    if record == "workshop":
        return requirement.booking_id is not None
    return True


def has_content(requirement: Requirement) -> bool:
    return bool(
        requirement.evidence.strip()
        or requirement.evidence_file
        or requirement.audit_id
        or requirement.booking_id
    )


def is_ready(requirement: Requirement) -> bool:
    """Ready for judging: the evidence is written and the record it needs is linked."""
    return bool(requirement.evidence.strip()) and has_record(requirement)


def what_is_missing(requirement: Requirement) -> str:
    if not requirement.evidence.strip():
        return "the evidence is not written yet"
    if not has_record(requirement):
        return spec_of(requirement.kind).missing
    return ""


def requirement_status(requirement: Requirement) -> str:
    if requirement.judgement == Judgement.MET:
        return RequirementStatus.MET
    if requirement.judgement == Judgement.NOT_MET:
        return RequirementStatus.NOT_MET
    if is_ready(requirement):
        return RequirementStatus.READY
    if has_content(requirement):
        return RequirementStatus.IN_PROGRESS
    return RequirementStatus.NOT_STARTED


@dataclass
class RequirementRow:
    number: int
    requirement: Requirement
    spec: RequirementSpec
    name: str
    status: str
    colour: str

    @property
    def slug(self) -> str:
        return self.spec.slug

    @property
    def hint(self) -> str:
        return self.spec.hint

    @property
    def ready(self) -> bool:
        return is_ready(self.requirement)

    @property
    def met(self) -> bool:
        return self.requirement.judgement == Judgement.MET


def requirement_row(requirement: Requirement) -> RequirementRow:
    status = requirement_status(requirement)
    return RequirementRow(
        number=position(requirement.kind) + 1,
        requirement=requirement,
        spec=spec_of(requirement.kind),
        name=requirement.get_kind_display(),
        status=status,
        colour=STATUS_COLOURS[status],
    )


def requirement_rows(reaccreditation: Reaccreditation) -> list[RequirementRow]:
    """The requirements in the task list's order (one query)."""
    requirements = Requirement.objects.filter(reaccreditation=reaccreditation).select_related(
        "audit__version__instrument", "booking__workshop"
    )
    return [requirement_row(requirement) for requirement in in_order(list(requirements))]


@dataclass
class Progress:
    rows: list[RequirementRow] = field(default_factory=list)

    @property
    def ready(self) -> int:
        return sum(1 for row in self.rows if row.ready)

    @property
    def met(self) -> int:
        return sum(1 for row in self.rows if row.met)

    @property
    def all_ready(self) -> bool:
        return bool(self.rows) and all(row.ready for row in self.rows)

    @property
    def all_met(self) -> bool:
        return bool(self.rows) and all(row.met for row in self.rows)
