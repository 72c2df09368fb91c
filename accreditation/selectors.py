"""Reads for the programme, always scoped to the user asking."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from kqm.models import Role, User

from .models import Accreditation, Application


def accreditations_visible_to(user: User) -> QuerySet[Accreditation]:
    qs = Accreditation.objects.select_related("setting", "cohort", "evaluator")
    if user.role == Role.MANAGER:
        return qs
    if user.role == Role.EVALUATOR:
        return qs.filter(evaluator=user)
    if user.role in (Role.SETTING_MANAGER, Role.PRACTITIONER):
        return qs.filter(setting__members=user)
    return qs.none()


def access_accreditation_by_id(user: User, accreditation_id: int) -> Accreditation:
    if user.role == Role.VIEWER:
        raise PermissionDenied("Viewers see reports, not individual accreditations.")
    try:
        return accreditations_visible_to(user).get(pk=accreditation_id)
    except Accreditation.DoesNotExist:
        raise Http404("No such accreditation.") from None


def applications_visible_to(user: User) -> QuerySet[Application]:
    qs = Application.objects.select_related("setting", "cohort", "submitted_by")
    if user.role == Role.MANAGER:
        return qs
    if user.role == Role.SETTING_MANAGER:
        return qs.filter(setting__members=user)
    return qs.none()


def access_application_by_id(user: User, application_id: int) -> Application:
    if user.role not in (Role.MANAGER, Role.SETTING_MANAGER):
        raise PermissionDenied("Only the KQM manager and setting managers see applications.")
    try:
        return applications_visible_to(user).get(pk=application_id)
    except Application.DoesNotExist:
        raise Http404("No such application.") from None
