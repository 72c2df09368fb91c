"""The KQM manager files a record the ownership migration could not place."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kqm.models import Role, User

from ..models import Accreditation, FilingKind, UnfiledRecord


@transaction.atomic
def do_file_record(
    *, record: UnfiledRecord, accreditation: Accreditation | None, filed_by: User
) -> UnfiledRecord:
    """File the listed audit or round under ``accreditation`` (or under none)."""
    from audits.models import Audit, QuestionnaireRound

    if filed_by.role != Role.MANAGER:
        raise ValidationError("Only the KQM manager files records.")
    locked = UnfiledRecord.objects.select_for_update().get(pk=record.pk)
    if locked.filed_at is not None:
        raise ValidationError("This record has already been filed.")
    if accreditation is not None and accreditation.setting_id != locked.setting_id:
        raise ValidationError({"accreditation": "Choose one of the setting's accreditations"})
    accreditation_id = accreditation.pk if accreditation is not None else None
    if locked.kind == FilingKind.AUDIT:
        audit = Audit.objects.filter(pk=locked.record_id).first()
        if audit is not None:
            audit.accreditation_id = accreditation_id
            audit._history_user = filed_by  # type: ignore[attr-defined]
            audit._change_reason = "Filed by the KQM manager"  # type: ignore[attr-defined]
            audit.save(update_fields=["accreditation"])
            for copy in Audit.objects.filter(paired_with=audit):
                copy.accreditation_id = accreditation_id
                copy._history_user = filed_by  # type: ignore[attr-defined]
                copy.save(update_fields=["accreditation"])
    else:
        questionnaire_round = QuestionnaireRound.objects.filter(pk=locked.record_id).first()
        if questionnaire_round is not None:
            questionnaire_round.accreditation_id = accreditation_id
            questionnaire_round._history_user = filed_by  # type: ignore[attr-defined]
            questionnaire_round.save(update_fields=["accreditation"])
    locked.filed_at = timezone.now()
    locked.filed_by = filed_by
    locked._history_user = filed_by  # type: ignore[attr-defined]
    locked.save(update_fields=["filed_at", "filed_by"])
    return locked
