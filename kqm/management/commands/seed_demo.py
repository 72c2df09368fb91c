"""Demo data: one login per role and a realistic programme. Safe to run again.

About 60 settings across sectors with Ofsted inspections under each framework,
two past cohorts and the current one, evaluators with training, and applications
in every state. Random choices use a fixed seed, so every run builds the same picture.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any, cast

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accreditation.demo_after_award import seed_after_award
from accreditation.demo_budget import seed_budget
from accreditation.demo_outcomes import seed_outcomes_demo
from accreditation.demo_reaccreditation import seed_demo_reaccreditation
from accreditation.models import (
    Accreditation,
    AccreditationStatusChange,
    Application,
    ApplicationAnswer,
    ApplicationStatus,
    Attendance,
    Cohort,
    CriterionJudgement,
    EntryCriterion,
    EvaluatorProfile,
    MeetingAttendance,
    NetworkMeeting,
    Status,
    TrainingSession,
)
from accreditation.services.awards import do_grant_award
from audits.definitions import load_shipped_instruments
from audits.services.questionnaires import load_shipped_questionnaires
from kqm.demo_reports import seed_report_data
from kqm.models import Role, User
from settings.models import Inspection, ProviderType, Register, Sector, Setting, Source
from settings.ofsted import FRAMEWORKS, Framework, Grade

DEMO_PASSWORD = "kqm-demo-2026"

DEMO_USERS = [
    ("manager@kqm.example", "Morgan Patel", Role.MANAGER, []),
    ("evaluator@kqm.example", "Evan Clarke", Role.EVALUATOR, []),
    ("setting.manager@kqm.example", "Sam Okafor", Role.SETTING_MANAGER, ["EY412345"]),
    ("practitioner@kqm.example", "Priya Shah", Role.PRACTITIONER, ["EY412345"]),
    ("viewer@kqm.example", "Val Jones", Role.VIEWER, []),
]
MORE_EVALUATORS = [
    ("ruth.adeyemi@kqm.example", "Ruth Adeyemi"),
    ("tom.hughes@kqm.example", "Tom Hughes"),
    ("li.wei@kqm.example", "Li Wei"),
]
DISTRICTS = [
    ("Ashford", "TN24"),
    ("Canterbury", "CT1"),
    ("Dartford", "DA1"),
    ("Dover", "CT16"),
    ("Folkestone and Hythe", "CT20"),
    ("Gravesham", "DA11"),
    ("Maidstone", "ME14"),
    ("Sevenoaks", "TN13"),
    ("Swale", "ME10"),
    ("Thanet", "CT9"),
    ("Tonbridge and Malling", "ME19"),
    ("Tunbridge Wells", "TN1"),
]
NAMES = [
    "Acorns",
    "Bluebells",
    "Buttercups",
    "Caterpillars",
    "Daisy Chain",
    "Elm Tree",
    "Fairy Meadow",
    "Honeypot",
    "Jack in the Box",
    "Kingfishers",
    "Ladybirds",
    "Little Owls",
    "Meadowside",
    "Nutkins",
    "Oak Tree",
    "Puddle Ducks",
    "Rainbow",
    "Robins",
    "Seedlings",
    "Squirrels",
    "Stepping Stones",
    "Sunbeams",
    "Teddy Bears",
    "Tiny Tots",
    "Treetops",
    "Twinkle Stars",
    "Willow",
    "Woodland",
    "Busy Bees",
    "Hedgehogs",
]
STREETS = ["Mill Lane", "Church Road", "High Street", "Station Road", "Park View", "London Road"]


class Command(BaseCommand):
    help = "Create demo users (one per role) and a realistic programme (safe to run again)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        self.rng = random.Random(2026)
        # The instruments and questionnaires the migrations ship, in case the database
        # lost them since (a flushed test database does); both loaders are idempotent.
        load_shipped_instruments()
        load_shipped_questionnaires()
        settings = self._settings()
        users = self._users()
        evaluators = self._evaluators(users["evaluator@kqm.example"])
        if not Cohort.objects.exists():
            self._programme(settings, evaluators, users["manager@kqm.example"])
        seed_outcomes_demo()
        seed_demo_reaccreditation()
        seed_after_award()
        seed_report_data()
        seed_budget(users["manager@kqm.example"])
        if not options["quiet"]:
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
            for email, _name, role, _urns in DEMO_USERS:
                self.stdout.write(f"  {Role(role).label:<22} {email}")

    def _settings(self) -> list[Setting]:
        rng = self.rng
        specs: list[dict[str, Any]] = [
            {
                "urn": "EY412345",
                "name": "Little Acorns Day Nursery",
                "district": DISTRICTS[0],
                "sector": Sector.PVI,
                "provider_type": ProviderType.NURSERY,
            },
        ]
        for n in range(59):
            district = DISTRICTS[n % len(DISTRICTS)]
            spec: dict[str, Any]
            if n < 47:
                kind = rng.choice([ProviderType.NURSERY, ProviderType.PRE_SCHOOL])
                suffix = "Day Nursery" if kind == ProviderType.NURSERY else "Pre-school"
                spec = {
                    "urn": f"EY{500000 + n * 137}",
                    "name": f"{NAMES[n % 30]} {suffix}",
                    "sector": Sector.PVI,
                    "provider_type": kind,
                }
                if n >= 30:
                    spec["name"] = f"{district[0]} {NAMES[n % 30]} {suffix}"
            elif n < 55:
                spec = {
                    "urn": f"{118000 + n}",
                    "name": f"{district[0]} Nursery School",
                    "sector": Sector.MAINTAINED,
                    "provider_type": ProviderType.MAINTAINED_NURSERY_SCHOOL,
                }
            else:
                spec = {
                    "urn": f"EY{700000 + n}",
                    "name": "",
                    "sector": Sector.CHILDMINDER,
                    "provider_type": ProviderType.CHILDMINDER,
                }
            spec["district"] = district  # (town, postcode outward code)
            specs.append(spec)
        result = []
        for spec in specs:
            town, outward = cast(tuple[str, str], spec.pop("district"))
            has_address = spec["sector"] != Sector.CHILDMINDER
            setting, created = Setting.objects.get_or_create(
                urn=spec["urn"],
                defaults={
                    **spec,
                    "address": f"{rng.randint(1, 90)} {rng.choice(STREETS)}" if has_address else "",
                    "town": town if has_address else "",
                    "postcode": f"{outward} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                    f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                    if has_address
                    else "",
                    "district": town,
                    "local_authority": "Kent",
                    "region": "South East",
                    "provider_status": "Active",
                    "places": rng.choice([16, 24, 26, 30, 40, 52, 60]) if has_address else 6,
                    "registration_date": datetime.date(
                        rng.randint(1995, 2015), rng.randint(1, 12), 1
                    ),
                },
            )
            if created:
                self._inspections(setting)
            result.append(setting)
        return result

    def _inspections(self, setting: Setting) -> None:
        rng = self.rng
        weights: dict[str, int] = {
            Grade.OUTSTANDING: 2,
            Grade.GOOD: 6,
            Grade.REQUIRES_IMPROVEMENT: 1,
        }
        plans = [
            (Framework.EYFS_2008, datetime.date(2010, rng.randint(1, 12), rng.randint(1, 28))),
            (Framework.CIF_2015, datetime.date(2017, rng.randint(1, 12), rng.randint(1, 28))),
            (Framework.EIF_2019, datetime.date(2022, rng.randint(1, 12), rng.randint(1, 28))),
        ]
        if rng.random() < 0.3:
            plans.append(
                (
                    Framework.RENEWED_2025,
                    datetime.date(2026, rng.randint(1, 10), rng.randint(1, 28)),
                )
            )
        for framework, date in plans:
            spec = FRAMEWORKS[framework]
            if spec.has_overall:
                scale = [g for g in spec.overall_scale if g != Grade.INADEQUATE]
                overall = rng.choices(scale, [weights.get(g, 1) for g in scale])[0]
                near = [g for g in spec.area_scale if g != Grade.INADEQUATE]
                judgements = {key: rng.choice([overall, overall, *near]) for key, _ in spec.areas}
                safeguarding = ""
            else:
                overall = ""
                judgements = {
                    key: rng.choice(
                        [Grade.STRONG, Grade.EXPECTED, Grade.EXPECTED, Grade.EXCEPTIONAL]
                    )
                    for key, _ in spec.areas
                }
                safeguarding = Grade.MET
            Inspection.objects.create(
                setting=setting,
                framework=framework,
                register=Register.EYR,
                inspection_date=date,
                overall_effectiveness=overall,
                safeguarding=safeguarding,
                judgements=judgements,
                source=Source.IMPORT,
            )
        # One inspection under the 2012 framework, the same for every setting (it draws
        # nothing from the random sequence, so the rest of the demo data is unchanged).
        spec_2012 = FRAMEWORKS[Framework.EY_2012]
        Inspection.objects.create(
            setting=setting,
            framework=Framework.EY_2012,
            register=Register.EYR,
            inspection_date=datetime.date(2014, 3, 12),
            overall_effectiveness=Grade.GOOD,
            judgements={key: Grade.GOOD for key, _ in spec_2012.areas},
            source=Source.IMPORT,
        )

    def _users(self) -> dict[str, User]:
        users = {}
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
            users[email] = user
        return users

    def _evaluators(self, demo_evaluator: User) -> list[User]:
        evaluators = [demo_evaluator]
        for email, full_name in MORE_EVALUATORS:
            user, created = User.objects.get_or_create(
                email=email, defaults={"full_name": full_name, "role": Role.EVALUATOR}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            evaluators.append(user)
        for user in evaluators:
            profile, created = EvaluatorProfile.objects.get_or_create(
                user=user,
                defaults={"day_rate": Decimal("105.00"), "capacity_days": Decimal("60.0")},
            )
            if created:
                for title, date in [
                    ("KQM processes, part 1 (half day)", datetime.date(2024, 6, 11)),
                    ("KQM processes, part 2 (half day)", datetime.date(2024, 6, 25)),
                ]:
                    TrainingSession.objects.create(evaluator=profile, title=title, date=date)
        return evaluators

    def _backdate(self, accreditation: Accreditation, start: datetime.datetime) -> None:
        """Spread the demo status changes over the programme year instead of today."""
        changes = list(accreditation.status_changes.order_by("changed_at", "id"))
        step = datetime.timedelta(days=90)
        for index, change in enumerate(changes):
            AccreditationStatusChange.objects.filter(pk=change.pk).update(
                changed_at=min(start + index * step, timezone.now())
            )
        Accreditation.objects.filter(pk=accreditation.pk).update(
            status_changed_at=min(start + max(len(changes) - 1, 0) * step, timezone.now())
        )

    def _programme(self, settings: list[Setting], evaluators: list[User], manager: User) -> None:
        rng = self.rng
        criteria = list(EntryCriterion.objects.filter(active=True))
        cohorts = [
            Cohort.objects.create(
                name=f"{year} cohort",
                programme_year=year,
                start_date=datetime.date(year, 9, 1),
                end_date=datetime.date(year + 1, 7, 31),
                capacity=capacity,
                applications_open=year == 2026,
            )
            for year, capacity in [(2024, 20), (2025, 24), (2026, 30)]
        ]
        pool = [s for s in settings if s.sector != Sector.CHILDMINDER and s.urn != "EY412345"]
        rng.shuffle(pool)
        plan = {
            cohorts[0]: [(s, "accredited") for s in pool[:12]]
            + [(s, "declined") for s in pool[12:14]],
            cohorts[1]: [(s, "accredited") for s in pool[14:24]]
            + [(s, "not_yet_met") for s in pool[24:26]]
            + [(s, "withdrawn") for s in pool[26:27]],
            cohorts[2]: [(settings[0], "in_progress")]
            + [(s, "in_progress") for s in pool[27:33]]
            + [(s, "accepted") for s in pool[33:36]]
            + [(s, "submitted_app") for s in pool[36:39]]
            + [(s, "waitlisted") for s in pool[39:41]]
            + [(s, "declined") for s in pool[41:42]],
        }
        for cohort, rows in plan.items():
            submitted_at = datetime.datetime(
                cohort.programme_year, 6, 15, 10, 0, tzinfo=datetime.UTC
            )
            for index, (setting, outcome) in enumerate(rows):
                applicant = setting.members.filter(role=Role.SETTING_MANAGER).first() or manager
                status = {
                    "declined": ApplicationStatus.DECLINED,
                    "waitlisted": ApplicationStatus.WAITLISTED,
                    "submitted_app": ApplicationStatus.SUBMITTED,
                }.get(outcome, ApplicationStatus.ACCEPTED)
                decided = status != ApplicationStatus.SUBMITTED
                application = Application.objects.create(
                    setting=setting,
                    cohort=cohort,
                    status=status,
                    submitted_by=applicant,
                    decided_by=manager if decided else None,
                    decided_at=submitted_at + datetime.timedelta(days=14) if decided else None,
                    decision_reason="The entry criteria are not yet met: reflective practice is "
                    "at an early stage."
                    if status == ApplicationStatus.DECLINED
                    else "",
                )
                Application.objects.filter(pk=application.pk).update(submitted_at=submitted_at)
                for criterion in criteria:
                    ApplicationAnswer.objects.create(
                        application=application,
                        criterion=criterion,
                        answer=f"Our evidence for {criterion.title.lower()}.",
                        judgement=(
                            CriterionJudgement.NOT_MET
                            if status == ApplicationStatus.DECLINED
                            else CriterionJudgement.MET
                        )
                        if decided
                        else "",
                    )
                if status != ApplicationStatus.ACCEPTED:
                    continue
                evaluator = (
                    evaluators[0]
                    if setting.urn == "EY412345"
                    else evaluators[index % len(evaluators)]
                )
                accreditation = Accreditation.objects.create(
                    setting=setting,
                    cohort=cohort,
                    application=application,
                    status=Status.ACCEPTED,
                    evaluator=evaluator,
                    days_budget=cohort.days_per_setting,
                )
                AccreditationStatusChange.objects.create(
                    accreditation=accreditation,
                    from_status=Status.APPLIED,
                    to_status=Status.ACCEPTED,
                    changed_by=manager,
                    reason="Entry criteria met.",
                )
                path = {
                    "accredited": [Status.IN_PROGRESS, Status.SUBMITTED, Status.ACCREDITED],
                    "not_yet_met": [Status.IN_PROGRESS, Status.SUBMITTED, Status.NOT_YET_MET],
                    "withdrawn": [Status.IN_PROGRESS, Status.WITHDRAWN],
                    "in_progress": [Status.IN_PROGRESS],
                }.get(outcome, [])
                for to in path:
                    accreditation.transition(to, by=manager, reason="Demo history.")
                self._backdate(accreditation, submitted_at + datetime.timedelta(days=14))
                if outcome == "accredited":
                    do_grant_award(
                        accreditation=accreditation,
                        award_date=cohort.end_date,
                        granted_by=manager,
                    )
            meeting = NetworkMeeting.objects.create(
                cohort=cohort,
                date=cohort.start_date + datetime.timedelta(days=45),
                topic="Leuven screening: sharing action points",
                venue="Kent Education Centre, Maidstone",
            )
            for accreditation in cohort.accreditations.all():
                MeetingAttendance.objects.create(
                    meeting=meeting,
                    setting=accreditation.setting,
                    status=rng.choice(
                        [Attendance.ATTENDED, Attendance.ATTENDED, Attendance.APOLOGIES]
                    ),
                )
