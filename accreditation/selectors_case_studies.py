"""Reads for Unit A case studies, their evidence and versions, scoped to the user."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from audits.models import Child, LeuvenScore
from kqm.models import Role, User

from .models import (
    Accreditation,
    CaseStudy,
    CaseStudyEvidence,
    CaseStudyVersion,
)
from .models.case_studies import CASE_STUDIES_PER_ACCREDITATION
from .selectors import access_accreditation_by_id


def access_case_study(
    user: User, accreditation_id: int, number: int
) -> tuple[Accreditation, CaseStudy | None]:
    """The accreditation and its case study ``number`` (None while it is not started)."""
    if user.role == Role.VIEWER:
        raise PermissionDenied("Viewers see reports, not case studies.")
    accreditation = access_accreditation_by_id(user, accreditation_id)
    if not 1 <= number <= CASE_STUDIES_PER_ACCREDITATION:
        raise Http404("Each accreditation has two case studies.")
    case_study = (
        CaseStudy.objects.select_related(
            "focus_child",
            "baseline_score__screening__group",
            "follow_up_score__screening__group",
            "saved_by",
        )
        .filter(accreditation=accreditation, number=number)
        .first()
    )
    if case_study is not None:
        case_study.accreditation = accreditation
    return accreditation, case_study


def evidence_of(case_study: CaseStudy | None) -> list[CaseStudyEvidence]:
    if case_study is None:
        return []
    return list(case_study.evidence.select_related("uploaded_by").order_by("effective_date", "pk"))


def access_case_study_evidence(
    user: User, accreditation_id: int, number: int, evidence_id: int
) -> CaseStudyEvidence:
    _, case_study = access_case_study(user, accreditation_id, number)
    if case_study is None:
        raise Http404("No such evidence file.")
    try:
        evidence = case_study.evidence.get(pk=evidence_id)
    except CaseStudyEvidence.DoesNotExist:
        raise Http404("No such evidence file.") from None
    evidence.case_study = case_study
    return evidence


def versions_of(case_study: CaseStudy | None) -> list[CaseStudyVersion]:
    """Every submitted version, oldest first, with its section reviews."""
    if case_study is None:
        return []
    return list(
        case_study.versions.select_related("submitted_by", "decided_by")
        .prefetch_related("reviews")
        .order_by("number")
    )


def access_version(
    user: User, accreditation_id: int, number: int, version_number: int
) -> tuple[CaseStudy, CaseStudyVersion, CaseStudyVersion | None]:
    """The version and the one before it (for the differences)."""
    _, case_study = access_case_study(user, accreditation_id, number)
    versions = {v.number: v for v in versions_of(case_study)}
    if case_study is None or version_number not in versions:
        raise Http404("No such version.")
    return case_study, versions[version_number], versions.get(version_number - 1)


def scores_for_case_study(accreditation: Accreditation) -> list[LeuvenScore]:
    """Leuven scores of the setting's children in the accreditation's programme year."""
    return list(
        LeuvenScore.objects.filter(
            child__setting_id=accreditation.setting_id,
            screening__group__programme_year=accreditation.cohort.programme_year,
        )
        .select_related("child", "screening__group")
        .order_by("child__code", "screening__date", "pk")
    )


def children_for_case_study(accreditation: Accreditation, current: Child | None) -> list[Child]:
    """Children (by code) at the setting who were screened that year, plus the current focus."""
    screened = Q(scores__screening__group__programme_year=accreditation.cohort.programme_year)
    children = Child.objects.filter(setting_id=accreditation.setting_id).filter(
        screened | Q(pk=current.pk if current else None)
    )
    return list(children.select_related("group").distinct().order_by("code"))
