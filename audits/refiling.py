"""Re-filing audits and questionnaire rounds filed by the old "latest accreditation" rule.

Until ownership became explicit, a new audit was filed under the setting's most recently
created accreditation, whatever its status, and a staff questionnaire round counted for
every accreditation whose cohort had started before it. The date of the record decides
its owner: the accreditation whose cohort's programme year contains it. Where exactly one
does, the record is filed under it; where none or several do, the record is listed for the
KQM manager (``UnfiledRecord``), who files it on the "Records to file" page.

The function takes the model classes so the data migration can pass its historical
models and the tests the real ones.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

# Audits whose occasion ties them to one programme year (re-accreditation and "other"
# audits belong to later years, and keep the accreditation they have).
YEAR_OCCASIONS = ("initial", "end_of_year")
LEADERSHIP = "leadership"


@dataclass
class RefilingReport:
    refiled: list[int] = field(default_factory=list)  # audit ids moved
    rounds_filed: list[int] = field(default_factory=list)
    listed: int = 0


def _owners(windows: dict[int, list[Any]], setting_id: int, day: datetime.date) -> list[Any]:
    return [
        a for a in windows.get(setting_id, []) if a.cohort.start_date <= day <= a.cohort.end_date
    ]


def _day(value: datetime.date) -> str:
    return f"{value:%-d %b %Y}"


def refile(
    *,
    audit_model: Any,
    round_model: Any,
    accreditation_model: Any,
    unfiled_model: Any,
) -> RefilingReport:
    report = RefilingReport()
    windows: dict[int, list[Any]] = {}
    for accreditation in accreditation_model.objects.select_related("cohort").order_by("pk"):
        windows.setdefault(accreditation.setting_id, []).append(accreditation)
    listed: list[Any] = []

    def unfiled(kind: str, record: Any, summary: str, reason: str) -> None:
        listed.append(
            unfiled_model(
                kind=kind,
                record_id=record.pk,
                setting_id=record.setting_id,
                summary=summary[:300],
                reason=reason,
            )
        )

    primaries: dict[int, int | None] = {}
    audits = (
        audit_model.objects.filter(paired_with__isnull=True)
        .select_related("version__instrument")
        .order_by("pk")
    )
    for audit in audits:
        kind = audit.version.instrument.kind
        if audit.occasion not in YEAR_OCCASIONS and kind != LEADERSHIP:
            continue
        owners = _owners(windows, audit.setting_id, audit.date)
        summary = (
            f"{audit.version.instrument.name} audit of {audit.room}, "
            f"{audit.get_occasion_display().lower()}, {_day(audit.date)}"
        )
        if len(owners) == 1:
            if audit.accreditation_id != owners[0].pk:
                audit.accreditation_id = owners[0].pk
                audit.save(update_fields=["accreditation"])
                report.refiled.append(audit.pk)
            primaries[audit.pk] = owners[0].pk
        elif owners and audit.accreditation_id in {a.pk for a in owners}:
            primaries[audit.pk] = audit.accreditation_id
        elif owners:
            unfiled(
                "audit",
                audit,
                summary,
                f"Its date, {_day(audit.date)}, falls within {len(owners)} accreditation "
                "years of the setting.",
            )
        elif audit.accreditation_id is not None:
            unfiled(
                "audit",
                audit,
                summary,
                f"Its date, {_day(audit.date)}, falls within none of the setting's "
                "accreditation years.",
            )
    # Second observations and consensus copies follow the audit they copy.
    for copy in audit_model.objects.filter(paired_with_id__in=list(primaries)).order_by("pk"):
        owner = primaries[copy.paired_with_id]
        if copy.accreditation_id != owner:
            copy.accreditation_id = owner
            copy.save(update_fields=["accreditation"])
            report.refiled.append(copy.pk)

    rounds = round_model.objects.filter(setting__isnull=False, accreditation__isnull=True).order_by(
        "pk"
    )
    for questionnaire_round in rounds:
        day = questionnaire_round.created_at.date()
        owners = _owners(windows, questionnaire_round.setting_id, day)
        if len(owners) == 1:
            questionnaire_round.accreditation_id = owners[0].pk
            questionnaire_round.save(update_fields=["accreditation"])
            report.rounds_filed.append(questionnaire_round.pk)
        elif owners:
            unfiled(
                "questionnaire_round",
                questionnaire_round,
                f"Questionnaire “{questionnaire_round.title}”, started {_day(day)}",
                f"It was started on {_day(day)}, within {len(owners)} accreditation years "
                "of the setting.",
            )
    already = set(unfiled_model.objects.values_list("kind", "record_id"))
    fresh = [u for u in listed if (u.kind, u.record_id) not in already]
    unfiled_model.objects.bulk_create(fresh)
    from accreditation.reports import cache as reports_cache

    reports_cache.data_changed(reports_cache.PROGRAMME)  # bulk writes send no signal
    report.listed = len(fresh)
    return report
