"""Writes to the register. Each is atomic, validates with ``full_clean()`` and leaves history."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kqm.models import User

from .models import Inspection, Register, Setting, Source
from .selectors import inspection_on_day_exists

SETTING_FIELDS = frozenset(
    {
        "urn",
        "name",
        "address",
        "town",
        "postcode",
        "sector",
        "provider_type",
        "provider_subtype",
        "provider_status",
        "local_authority",
        "district",
        "region",
        "registration_date",
        "register_combination",
        "places",
        "registered_person_name",
        "registered_person_urn",
    }
)

URN_TAKEN = "A setting with this URN is already on the register."


def _check_setting_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - SETTING_FIELDS
    if unknown:
        raise TypeError(f"Not a field of a setting: {', '.join(sorted(unknown))}")


def _save_setting(setting: Setting, actor: User, update_fields: list[str] | None = None) -> None:
    setting.full_clean()
    setting._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            setting.save(update_fields=update_fields)
    except IntegrityError:
        # Another request took the URN between validation and saving.
        raise ValidationError({"urn": URN_TAKEN}) from None


@transaction.atomic
def do_create_setting(*, actor: User, **fields: Any) -> Setting:
    """Add a setting to the register."""
    _check_setting_fields(fields)
    setting = Setting(**fields)
    _save_setting(setting, actor)
    return setting


@transaction.atomic
def do_update_setting(*, actor: User, setting: Setting, **fields: Any) -> Setting:
    """Change a setting's details; nothing is written (nor any history) when nothing changed."""
    _check_setting_fields(fields)
    current = Setting.objects.select_for_update().get(pk=setting.pk)
    changed = [name for name, value in fields.items() if getattr(current, name) != value]
    if not changed:
        return current
    for name in changed:
        setattr(current, name, fields[name])
    _save_setting(current, actor, update_fields=[*changed, "updated_at"])
    return current


def _duplicate_message(setting: Setting, register: str, day: datetime.date) -> str:
    return (
        f"{setting.display_name} already has an {Register(register).label} inspection "
        f"on {day:%-d %B %Y}."
    )


def _save_inspection(inspection: Inspection, actor: User) -> Inspection:
    if inspection_on_day_exists(
        setting=inspection.setting,
        register=inspection.register,
        day=inspection.inspection_date,
        exclude_pk=inspection.pk,
    ):
        raise ValidationError(
            {
                "inspection_date": _duplicate_message(
                    inspection.setting, inspection.register, inspection.inspection_date
                )
            }
        )
    inspection.full_clean(validate_constraints=False)
    inspection._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            inspection.save()
    except IntegrityError:
        raise ValidationError(
            {
                "inspection_date": _duplicate_message(
                    inspection.setting, inspection.register, inspection.inspection_date
                )
            }
        ) from None
    return inspection


@transaction.atomic
def do_record_inspection(
    *,
    actor: User,
    setting: Setting,
    framework: str,
    register: str,
    inspection_type: str,
    inspection_date: datetime.date,
    overall_effectiveness: str = "",
    safeguarding: str = "",
    judgements: dict[str, str] | None = None,
) -> Inspection:
    """Record an inspection entered by hand, on its own framework's terms."""
    inspection = Inspection(
        setting=setting,
        framework=framework,
        register=register,
        inspection_type=inspection_type,
        inspection_date=inspection_date,
        overall_effectiveness=overall_effectiveness,
        safeguarding=safeguarding,
        judgements=judgements or {},
        source=Source.MANUAL,
    )
    return _save_inspection(inspection, actor)


@transaction.atomic
def do_update_inspection(
    *,
    actor: User,
    inspection: Inspection,
    framework: str,
    register: str,
    inspection_type: str,
    inspection_date: datetime.date,
    overall_effectiveness: str = "",
    safeguarding: str = "",
    judgements: dict[str, str] | None = None,
) -> Inspection:
    """Correct an inspection; judgements of a previous framework are replaced, not kept."""
    current = Inspection.objects.select_for_update().select_related("setting").get(pk=inspection.pk)
    current.framework = framework
    current.register = register
    current.inspection_type = inspection_type
    current.inspection_date = inspection_date
    current.overall_effectiveness = overall_effectiveness
    current.safeguarding = safeguarding
    current.judgements = judgements or {}
    return _save_inspection(current, actor)


@transaction.atomic
def do_delete_inspection(*, actor: User, inspection: Inspection) -> None:
    """Remove an inspection; its history (who deleted it, and what it said) is kept."""
    current = Inspection.objects.select_for_update().get(pk=inspection.pk)
    current._history_user = actor  # type: ignore[attr-defined]
    current.delete()
