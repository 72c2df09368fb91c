"""The public pages: checking a certificate (valid, expired, revoked, not found, rate-limited)
and the register of settings holding the mark."""

from __future__ import annotations

import datetime
import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accreditation.models import Award
from accreditation.services.awards import do_revoke_award
from kqm.models import Role
from settings.models import ProviderType, Sector
from tests.access import assert_field_error
from tests.factories import SettingFactory

from .award_factories import AwardFactory

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 11, 25, 12, 0)


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A cache of this test's own, so rate-limit counts never carry over between tests."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"public-pages-{uuid.uuid4()}",
        }
    }


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def award(setting, manager):
    return AwardFactory(
        accreditation__setting=setting,
        award_date=datetime.date(2026, 3, 14),
        verification_code="7KQ3M9XP2T",
        granted_by=manager,
    )


def verify_url(code: str = "7KQ3-M9XP-2T") -> str:
    return reverse("verify-award", args=[code])


# Who may see them ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["verify", "public-register"])
def test_public_pages_open_to_everyone_and_only_by_get(client, users, award, name):
    url = reverse(name)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405
    for user in users.values():
        client.force_login(user)
        assert client.get(url).status_code == 200
        client.logout()


def test_the_check_page_opens_to_everyone_and_only_by_get(client, users, award):
    assert client.get(verify_url()).status_code == 200
    assert client.post(verify_url()).status_code == 405
    client.force_login(users[Role.VIEWER])
    assert client.get(verify_url()).status_code == 200


# Checking a certificate ---------------------------------------------------------------------------


def test_a_valid_award_says_valid_with_its_dates_and_nothing_else(client, award):
    response = client.get(verify_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert '<strong class="govuk-tag govuk-tag--green">Valid</strong>' in html
    assert "Little Acorns Day Nursery" in html
    assert "14 March 2026" in html and "14 March 2029" in html
    assert "valid until 14 March 2029" in html
    assert award.number in html
    # No people, no URN or address, no link into the service's records.
    assert award.granted_by.full_name not in html
    assert award.setting.urn not in html and award.setting.postcode not in html
    assert f"/programme/awards/{award.pk}/" not in html
    assert response["Cache-Control"] == "no-store"


def test_after_revocation_it_says_revoked_without_the_reason(client, award, manager):
    do_revoke_award(award=award, by=manager, reason="Safeguarding concern upheld")
    html = client.get(verify_url()).content.decode()
    assert '<strong class="govuk-tag govuk-tag--red">Revoked</strong>' in html
    assert "This award was revoked on 25 November 2026." in html
    assert "Safeguarding" not in html
    assert "Valid</strong>" not in html


def test_after_the_expiry_date_it_says_expired(client, award):
    with time_machine.travel(datetime.datetime(2029, 3, 13, 23, 0), tick=False):
        assert 'govuk-tag--green">Valid' in client.get(verify_url()).content.decode()
    with time_machine.travel(datetime.datetime(2029, 3, 14, 9, 0), tick=False):
        html = client.get(verify_url()).content.decode()
    assert '<strong class="govuk-tag govuk-tag--grey">Expired</strong>' in html
    assert "This award expired on 14 March 2029." in html


@pytest.mark.parametrize("typed", ["7kq3-m9xp-2t", "7KQ3M9XP2T", "7KQ3-M9XP-2T"])
def test_the_code_is_found_however_it_is_written(client, award, typed):
    response = client.get(verify_url(typed))
    assert response.status_code == 200 and award.number in response.content.decode()


@pytest.mark.parametrize("code", ["7KQ3-M9XP-2A", "not-a-code", "<script>x"])
def test_an_unknown_code_is_a_404_page_that_says_so(client, award, code):
    response = client.get(verify_url(code))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Verification code not found" in html
    assert "No Quality Mark for Early Years award has the verification code" in html
    assert "<script>x" not in html
    assert award.number not in html


def test_the_form_goes_to_the_codes_page(client, award):
    response = client.get(reverse("verify"), {"code": " 7kq3 m9xp 2t "})
    assert response.status_code == 302
    assert response["Location"] == verify_url()


def test_the_form_asks_for_a_code(client):
    response = client.get(reverse("verify"), {"code": ""})
    assert_field_error(response, "code", "Enter the verification code from the certificate")


def test_the_form_refuses_something_that_cannot_be_a_code_and_keeps_it(client):
    response = client.get(reverse("verify"), {"code": "7KQ3-M9"})
    assert_field_error(response, "code", "10 letters and numbers, like 7KQ3-M9XP-2T")
    assert 'value="7KQ3-M9"' in response.content.decode()


def test_the_form_page_without_a_code_shows_no_error(client):
    html = client.get(reverse("verify")).content.decode()
    assert "govuk-error-summary" not in html and 'name="code"' in html


# Rate limiting ------------------------------------------------------------------------------------


def test_twenty_checks_a_minute_then_429_with_a_clear_page(client, award, settings):
    settings.KQM_TRUSTED_PROXIES = ["127.0.0.1"]  # the test client connects as our proxy
    for _ in range(20):
        assert client.get(verify_url()).status_code == 200
    response = client.get(verify_url())
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert "Too many certificate checks" in html and "Wait a minute, then try again." in html
    assert award.number not in html
    # Unknown codes count too: guessing is limited the same way.
    assert client.get(verify_url("0000-0000-00")).status_code == 429
    # Another visitor (behind our proxy) is not affected.
    assert client.get(verify_url(), HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 200
    # A minute later the visitor may check again.
    with time_machine.travel(NOON + datetime.timedelta(minutes=1), tick=False):
        assert client.get(verify_url()).status_code == 200


def test_a_visitor_connecting_directly_cannot_dodge_the_limit(client, award, settings):
    settings.VERIFY_RATE_LIMIT = 3
    settings.KQM_TRUSTED_PROXIES = ["10.0.0.0/8"]
    direct = {"REMOTE_ADDR": "81.2.69.142"}
    for n in range(3):
        spoofed = {**direct, "HTTP_X_FORWARDED_FOR": f"192.0.2.{n}"}
        assert client.get(verify_url(), **spoofed).status_code == 200
    spoofed = {**direct, "HTTP_X_FORWARDED_FOR": "192.0.2.99"}
    assert client.get(verify_url(), **spoofed).status_code == 429


# The public register ------------------------------------------------------------------------------


def register(client, **params: str):
    return client.get(reverse("public-register"), params)


def names(response) -> list[str]:
    return [award.setting.display_name for award in response.context["page_obj"]]


def test_the_register_lists_settings_holding_a_valid_award(client, manager):
    AwardFactory(accreditation__setting=SettingFactory(name="Bluebells Nursery"))
    AwardFactory(
        accreditation__setting=SettingFactory(name="Acorns Pre-school"),
        award_date=datetime.date(2024, 1, 10),
    )
    AwardFactory(  # expired
        accreditation__setting=SettingFactory(name="Old Oak Nursery"),
        award_date=datetime.date(2023, 9, 1),
    )
    revoked = AwardFactory(accreditation__setting=SettingFactory(name="Closed Nursery"))
    do_revoke_award(award=revoked, by=manager, reason="Closed")
    SettingFactory(name="Never Applied Nursery")
    response = register(client)
    assert names(response) == ["Acorns Pre-school", "Bluebells Nursery"]
    html = response.content.decode()
    assert "2 settings" in html
    assert reverse("verify-award", args=[revoked.verification_code_display]) not in html


def test_a_setting_with_two_valid_awards_is_listed_once_with_the_newer(client):
    setting = SettingFactory(name="Conkers Nursery")
    AwardFactory(accreditation__setting=setting, award_date=datetime.date(2024, 2, 1))
    newer = AwardFactory(accreditation__setting=setting, award_date=datetime.date(2026, 10, 1))
    rows = list(register(client).context["page_obj"])
    assert [row.pk for row in rows] == [newer.pk]


def test_the_register_shows_where_and_when_but_no_people(client):
    AwardFactory(
        accreditation__setting=SettingFactory(
            name="Daisy Chain Nursery",
            town="Ashford",
            postcode="TN23 4QQ",
            registered_person_name="Jane Private",
            address="12 Secret Lane",
        ),
        award_date=datetime.date(2026, 3, 14),
    )
    AwardFactory(
        accreditation__setting=SettingFactory(
            name="",
            town="",
            postcode="",
            sector=Sector.CHILDMINDER,
            provider_type=ProviderType.CHILDMINDER,
            registered_person_name="Carol Minder",
        )
    )
    html = register(client).content.decode()
    assert "Daisy Chain Nursery" in html and "Ashford, TN23 4QQ" in html
    assert "14 Mar 2026" in html and "14 Mar 2029" in html
    assert "Childminder (name withheld)" in html and "Not published" in html
    for private in ("Jane Private", "12 Secret Lane", "Carol Minder"):
        assert private not in html


def test_the_register_is_searchable_by_name_town_or_postcode(client):
    AwardFactory(
        accreditation__setting=SettingFactory(
            name="Daisy Chain Nursery", town="Ashford", postcode="TN23 4QQ"
        )
    )
    AwardFactory(
        accreditation__setting=SettingFactory(
            name="Elm Tree Pre-school", town="Maidstone", postcode="ME14 1XX"
        )
    )
    assert names(register(client, q="daisy")) == ["Daisy Chain Nursery"]
    assert names(register(client, q="maidstone")) == ["Elm Tree Pre-school"]
    assert names(register(client, q="me141xx")) == ["Elm Tree Pre-school"]
    assert names(register(client, q="TN23 4QQ")) == ["Daisy Chain Nursery"]
    response = register(client, q="Nowhere")
    assert "No setting holding the award matches “Nowhere”." in response.content.decode()


def test_the_register_when_nobody_holds_the_mark(client):
    assert "No setting holds the award at the moment." in register(client).content.decode()


def test_the_register_paginates_with_a_constant_number_of_queries(
    client, django_assert_num_queries
):
    for _ in range(5):
        AwardFactory()
    with CaptureQueriesContext(connection) as five:
        register(client)
    for _ in range(45):
        AwardFactory()
    with django_assert_num_queries(len(five)):
        response = register(client)
    assert len(response.context["page_obj"].object_list) == 25
    assert response.context["page_obj"].paginator.count == 50
    assert len(register(client, page="2").context["page_obj"].object_list) == 25
    assert Award.objects.count() == 50


def test_the_form_page_ignores_other_parameters(client):
    html = client.get(reverse("verify"), {"utm_source": "leaflet"}).content.decode()
    assert "govuk-error-summary" not in html
