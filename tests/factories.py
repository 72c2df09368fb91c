"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import datetime

import factory
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
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def settings(self, create: bool, extracted: list[Setting] | None, **kwargs: object) -> None:
        if create:
            self.save()
            if extracted:
                self.settings.set(extracted)


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
