"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from kqm.models import Role, User
from settings.models import ProviderType, Sector, Setting

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
