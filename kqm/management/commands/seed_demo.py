"""Demo data: one user per role with a known password, and a few settings. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from kqm.models import Role, User
from settings.models import ProviderType, Sector, Setting

DEMO_PASSWORD = "kqm-demo-2026"

DEMO_SETTINGS = [
    (
        "EY412345",
        "Little Acorns Day Nursery",
        Sector.PVI,
        ProviderType.NURSERY,
        "12 Mill Lane\nAshford",
        "TN24 8AB",
    ),
    (
        "EY523456",
        "Hopscotch Pre-school",
        Sector.PVI,
        ProviderType.PRE_SCHOOL,
        "Village Hall, Church Road\nFaversham",
        "ME13 7AA",
    ),
    (
        "118234",
        "Riverside Nursery School",
        Sector.MAINTAINED,
        ProviderType.MAINTAINED_NURSERY_SCHOOL,
        "Riverside Walk\nMaidstone",
        "ME14 1LT",
    ),
    (
        "EY634567",
        "Sunflowers Children's Centre",
        Sector.PVI,
        ProviderType.CHILDRENS_CENTRE,
        "3 Station Road\nDover",
        "CT16 1AA",
    ),
    ("EY745678", "Busy Bees Childminding", Sector.CHILDMINDER, ProviderType.CHILDMINDER, "", ""),
]

DEMO_USERS = [
    ("manager@kqm.example", "Morgan Patel", Role.MANAGER, []),
    ("evaluator@kqm.example", "Evan Clarke", Role.EVALUATOR, []),
    ("setting.manager@kqm.example", "Sam Okafor", Role.SETTING_MANAGER, ["EY412345"]),
    ("practitioner@kqm.example", "Priya Shah", Role.PRACTITIONER, ["EY412345"]),
    ("viewer@kqm.example", "Val Jones", Role.VIEWER, []),
]


class Command(BaseCommand):
    help = "Create demo settings and one user per role (safe to run again)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        for urn, name, sector, provider_type, address, postcode in DEMO_SETTINGS:
            Setting.objects.update_or_create(
                urn=urn,
                defaults={
                    "name": name,
                    "sector": sector,
                    "provider_type": provider_type,
                    "address": address,
                    "postcode": postcode,
                },
            )
        for email, full_name, role, urns in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email,
                    password=DEMO_PASSWORD,
                    full_name=full_name,
                    role=role,
                    is_staff=role == Role.MANAGER,
                    is_superuser=role == Role.MANAGER,
                )
            if urns:
                user.settings.set(Setting.objects.filter(urn__in=urns))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, _name, role, _urns in DEMO_USERS:
            self.stdout.write(f"  {Role(role).label:<22} {email}")
