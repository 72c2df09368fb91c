"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import datetime
import itertools

import factory
from django.apps import apps
from django.contrib.auth.hashers import make_password
from factory.django import DjangoModelFactory

from accreditation.models import (
    Accreditation,
    Application,
    ApplicationAnswer,
    Cohort,
    EntryCriterion,
    EvaluatorProfile,
)
from accreditation.models import Status as AccreditationStatus
from kqm.models import Role, User
from settings.models import Inspection, ProviderType, Sector, Setting
from settings.ofsted import Framework, Grade

TEST_PASSWORD = "correct-horse-battery-staple"


class SettingFactory(DjangoModelFactory[Setting]):
    class Meta:
        model = Setting

    urn = factory.Sequence(lambda n: f"EY{100000 + n}")
    name = factory.Sequence(lambda n: f"Acorn Nursery {n}")
    address = "1 High Street\nCanterbury"
    postcode = "CT1 1AA"
    sector = Sector.PVI
    provider_type = ProviderType.NURSERY


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.VIEWER
    # Hashed before the first save (with the hasher the test runs with), so a user is saved
    # once: each save also writes a history row and reads the user's settings for it.
    password = factory.LazyFunction(lambda: make_password(TEST_PASSWORD))

    @factory.post_generation
    def settings(self, create: bool, extracted: list[Setting] | None, **kwargs: object) -> None:
        if create and extracted:
            self.settings.set(extracted)


def one_user_per_role(setting: Setting) -> dict[str, User]:
    """One active user per role, the setting staff belonging to ``setting``, as ``UserFactory``
    would make them but in a few queries (most tests start with these: ``tests/conftest.py``).

    Each gets the first history row a save writes, with the settings the user belongs to.
    """
    password = make_password(TEST_PASSWORD)
    people = User.objects.bulk_create(
        User(
            role=role,
            full_name=f"{Role(role).label} user",
            email=f"{role}.{next(_ADDRESS_NUMBERS)}@example.org",
            password=password,
        )
        for role in Role.values
    )
    first_rows = {row.id: row for row in User.history.bulk_history_create(people)}
    staff = [user for user in people if user.role in (Role.SETTING_MANAGER, Role.PRACTITIONER)]
    links = User.settings.through.objects.bulk_create(
        User.settings.through(user=user, setting=setting) for user in staff
    )
    linked_in_history = apps.get_model("kqm", "HistoricalUser_settings")
    linked_in_history.objects.bulk_create(
        linked_in_history(
            history=first_rows[link.user_id], id=link.pk, user=link.user, setting=setting
        )
        for link in links
    )
    return {user.role: user for user in people}


_ADDRESS_NUMBERS = itertools.count(1)


class InspectionFactory(DjangoModelFactory[Inspection]):
    class Meta:
        model = Inspection

    setting = factory.SubFactory(SettingFactory)
    framework = Framework.EIF_2019
    inspection_date = factory.Sequence(
        lambda n: datetime.date(2022, 1, 1) + datetime.timedelta(days=n)
    )
    overall_effectiveness = Grade.GOOD
    judgements = factory.LazyFunction(
        lambda: {
            "quality_of_education": Grade.GOOD,
            "behaviour_and_attitudes": Grade.GOOD,
            "personal_development": Grade.OUTSTANDING,
            "leadership_and_management": Grade.GOOD,
        }
    )


class CohortFactory(DjangoModelFactory[Cohort]):
    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"{2026 + n} cohort")
    programme_year = factory.Sequence(lambda n: 2026 + n)
    start_date = factory.LazyAttribute(lambda o: datetime.date(o.programme_year, 9, 1))
    end_date = factory.LazyAttribute(lambda o: datetime.date(o.programme_year + 1, 7, 31))
    capacity = 40
    applications_open = True


class EvaluatorFactory(UserFactory):
    role = Role.EVALUATOR

    @factory.post_generation
    def profile(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            EvaluatorProfile.objects.get_or_create(user=self, defaults=kwargs)


class ApplicationFactory(DjangoModelFactory[Application]):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    setting = factory.SubFactory(SettingFactory)
    cohort = factory.SubFactory(CohortFactory)
    submitted_by = factory.SubFactory(UserFactory, role=Role.SETTING_MANAGER)

    @factory.post_generation
    def answers(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            for criterion in EntryCriterion.objects.filter(active=True):
                ApplicationAnswer.objects.create(
                    application=self,
                    criterion=criterion,
                    answer=f"Our answer on {criterion.title}.",
                )


class AccreditationFactory(DjangoModelFactory[Accreditation]):
    class Meta:
        model = Accreditation

    setting = factory.SubFactory(SettingFactory)
    cohort = factory.SubFactory(CohortFactory)
    status = AccreditationStatus.ACCEPTED
