"""Awards: granting (numbers, expiry, one per accreditation), revoking, and the award pages."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accreditation.models import Award, AwardStatus, Status
from accreditation.models.awards import (
    CODE_ALPHABET,
    add_years,
    format_verification_code,
    normalise_verification_code,
)
from accreditation.services.awards import (
    do_grant_award,
    do_request_certificate_render,
    do_revoke_award,
)
from accreditation.tasks import render_certificate
from kqm.models import Role
from tests.access import assert_access, assert_field_error, assert_not_found
from tests.factories import AccreditationFactory, SettingFactory

from .award_factories import AwardFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, 0), tick=False):
        yield TODAY


@pytest.fixture
def accredited(setting):
    return AccreditationFactory(setting=setting, status=Status.ACCREDITED)


@pytest.fixture
def award(setting):
    return AwardFactory(accreditation__setting=setting, award_date=datetime.date(2026, 3, 14))


@pytest.fixture
def other_award(other_setting):
    return AwardFactory(accreditation__setting=other_setting)


def with_certificate(award: Award, content: bytes = b"%PDF-1.7 certificate") -> Award:
    award.certificate.save(f"certificates/{award.number}.pdf", ContentFile(content), save=True)
    return award


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """The award ids whose certificate rendering was queued (the task is not run)."""
    calls: list[int] = []
    monkeypatch.setattr(
        render_certificate, "delay", lambda award_id, **kwargs: calls.append(award_id)
    )
    return calls


# Verification codes ------------------------------------------------------------------------------


def test_codes_are_ten_characters_of_the_32_character_alphabet_and_unique(
    accredited, manager, today
):
    assert len(CODE_ALPHABET) == 32 and not set("ILOU") & set(CODE_ALPHABET)
    codes: set[str] = {str(AwardFactory().verification_code) for _ in range(30)}
    assert len(codes) == 30
    assert all(len(code) == 10 and set(code) <= set(CODE_ALPHABET) for code in codes)


def test_codes_are_grouped_for_people_and_read_back_however_they_are_typed():
    assert format_verification_code("7KQ3M9XP2T") == "7KQ3-M9XP-2T"
    for typed in ("7KQ3-M9XP-2T", "7kq3 m9xp 2t", " 7KQ3M9XP2T ", "7KQ3-M9XP-2T/"):
        assert normalise_verification_code(typed) == "7KQ3M9XP2T"
    # O, I and L are not in the alphabet: they are read as the digits they look like.
    assert normalise_verification_code("7KQ3-M9XP-OI") == "7KQ3M9XP01"
    assert normalise_verification_code("7KQ3-M9XP-2L") == "7KQ3M9XP21"
    for wrong in ("", "7KQ3-M9XP", "7KQ3-M9XP-2TX", "7KQ3-M9XP-2U", "<script>"):
        assert normalise_verification_code(wrong) is None


# Granting ----------------------------------------------------------------------------------------


def test_granting_numbers_awards_per_year_and_sets_the_expiry(manager, today):
    first = do_grant_award(
        accreditation=AccreditationFactory(status=Status.ACCREDITED),
        award_date=datetime.date(2026, 7, 1),
        granted_by=manager,
    )
    second = do_grant_award(
        accreditation=AccreditationFactory(status=Status.REACCREDITED),
        award_date=datetime.date(2026, 11, 2),
        granted_by=manager,
    )
    earlier_year = do_grant_award(
        accreditation=AccreditationFactory(status=Status.ACCREDITED),
        award_date=datetime.date(2025, 12, 31),
        granted_by=manager,
    )
    assert [first.number, second.number, earlier_year.number] == [
        "KQM-2026-0001",
        "KQM-2026-0002",
        "KQM-2025-0001",
    ]
    assert first.expiry_date == datetime.date(2029, 7, 1)
    assert first.setting == first.accreditation.setting
    assert first.granted_by == manager and first.status == AwardStatus.VALID
    assert first.history.get().history_user == manager


def test_the_validity_period_is_a_setting(manager, today, settings):
    settings.AWARD_VALIDITY_YEARS = 5
    award = do_grant_award(
        accreditation=AccreditationFactory(status=Status.ACCREDITED),
        award_date=datetime.date(2026, 1, 10),
        granted_by=manager,
    )
    assert award.expiry_date == datetime.date(2031, 1, 10)


def test_an_award_of_29_february_expires_on_28_february():
    assert add_years(datetime.date(2028, 2, 29), 3) == datetime.date(2031, 2, 28)
    assert add_years(datetime.date(2028, 2, 29), 4) == datetime.date(2032, 2, 29)


@pytest.mark.parametrize(
    "status", [Status.ACCEPTED, Status.IN_PROGRESS, Status.SUBMITTED, Status.WITHDRAWN]
)
def test_only_an_accredited_setting_is_granted_the_award(manager, today, status):
    accreditation = AccreditationFactory(status=status)
    with pytest.raises(ValidationError, match="Only an accredited or re-accredited setting"):
        do_grant_award(accreditation=accreditation, award_date=TODAY, granted_by=manager)
    assert not Award.objects.exists()


def test_one_accreditation_has_at_most_one_award(accredited, manager, today):
    award = do_grant_award(accreditation=accredited, award_date=TODAY, granted_by=manager)
    with pytest.raises(ValidationError, match=f"already has its award, {award.number}"):
        do_grant_award(accreditation=accredited, award_date=TODAY, granted_by=manager)
    assert Award.objects.count() == 1


def test_the_award_date_cannot_be_in_the_future(accredited, manager, today):
    with pytest.raises(ValidationError) as error:
        do_grant_award(
            accreditation=accredited,
            award_date=TODAY + datetime.timedelta(days=1),
            granted_by=manager,
        )
    assert "award_date" in error.value.message_dict
    assert not Award.objects.exists()


def test_a_new_award_to_the_same_setting_links_to_the_previous_one(setting, manager, today):
    earlier = AwardFactory(accreditation__setting=setting, award_date=datetime.date(2023, 9, 1))
    later = do_grant_award(
        accreditation=AccreditationFactory(setting=setting, status=Status.REACCREDITED),
        award_date=TODAY,
        granted_by=manager,
    )
    assert later.previous_award == earlier
    assert later.setting == setting


def test_granting_queues_the_certificate_once_the_grant_commits(
    accredited, manager, today, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        award = do_grant_award(accreditation=accredited, award_date=TODAY, granted_by=manager)
        assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert queued == [award.pk]


# Status: valid, expired (from the date), revoked (stored) ----------------------------------------


def test_status_is_valid_until_the_expiry_date_then_expired(award):
    assert award.expiry_date == datetime.date(2029, 3, 14)
    assert award.status_on(datetime.date(2029, 3, 13)) == AwardStatus.VALID
    assert award.status_on(datetime.date(2029, 3, 14)) == AwardStatus.EXPIRED
    with time_machine.travel(datetime.datetime(2029, 3, 14, 9, 0), tick=False):
        assert award.status == AwardStatus.EXPIRED
        assert list(Award.objects.expired()) == [award]
        assert not Award.objects.valid().exists()


def test_revoking_needs_a_reason_and_records_who_when_and_why(award, manager, today):
    with pytest.raises(ValidationError) as error:
        do_revoke_award(award=award, by=manager, reason="   ")
    assert error.value.message_dict == {"reason": ["Enter the reason for revoking the award."]}
    assert Award.objects.get().revoked_at is None

    do_revoke_award(award=award, by=manager, reason="Safeguarding concern upheld")
    award.refresh_from_db()
    assert award.status == AwardStatus.REVOKED
    assert award.revoked_by == manager and award.revocation_reason == "Safeguarding concern upheld"
    record = award.history.order_by("-history_id").first()
    assert record.history_user == manager
    assert record.history_change_reason == "Safeguarding concern upheld"
    with pytest.raises(ValidationError, match="already revoked"):
        do_revoke_award(award=award, by=manager, reason="Again")


def test_a_revoked_award_is_not_rendered_again(award, manager, django_capture_on_commit_callbacks):
    do_revoke_award(award=award, by=manager, reason="Closed")
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(ValidationError, match="has been revoked"),
    ):
        do_request_certificate_render(award=award, requested_by=manager)
    assert callbacks == []
    assert render_certificate(award.pk) is False


# The award list ----------------------------------------------------------------------------------


def list_url(**params: str) -> str:
    url = reverse("accreditation:award-list")
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


def test_award_list_access(client, users, award):
    assert_access(
        client,
        list_url(),
        users,
        allowed=[Role.MANAGER, Role.SETTING_MANAGER, Role.PRACTITIONER],
    )


def test_setting_staff_see_only_their_settings_awards(client, users, award, other_award):
    for role in (Role.SETTING_MANAGER, Role.PRACTITIONER):
        client.force_login(users[role])
        html = client.get(list_url()).content.decode()
        assert award.number in html and other_award.number not in html
    client.force_login(users[Role.MANAGER])
    html = client.get(list_url()).content.decode()
    assert award.number in html and other_award.number in html


def test_award_list_searches_and_filters(client, manager, today):
    acorns = AwardFactory(
        accreditation__setting=SettingFactory(name="Acorns Pre-school", postcode="ME14 1XX"),
        award_date=datetime.date(2025, 5, 1),
    )
    bluebells = AwardFactory(
        accreditation__setting=SettingFactory(name="Bluebells Nursery", postcode="CT1 2AB"),
        award_date=datetime.date(2022, 5, 1),  # expired in May 2025
    )
    conkers = AwardFactory(
        accreditation__setting=SettingFactory(name="Conkers Day Nursery", postcode="TN23 4QQ"),
        award_date=datetime.date(2026, 1, 5),
    )
    do_revoke_award(award=conkers, by=manager, reason="Setting closed")
    client.force_login(manager)

    def numbers(**params: str) -> set[str]:
        page = client.get(list_url(**params)).context["page_obj"]
        return {award.number for award in page}

    assert numbers() == {acorns.number, bluebells.number, conkers.number}
    assert numbers(q="acorns") == {acorns.number}
    assert numbers(q="me141xx") == {acorns.number}  # postcode without its space
    assert numbers(q=bluebells.number.lower()) == {bluebells.number}
    assert numbers(q=conkers.setting.urn) == {conkers.number}
    assert numbers(status="valid") == {acorns.number}
    assert numbers(status="expired") == {bluebells.number}
    assert numbers(status="revoked") == {conkers.number}
    assert numbers(year="2022") == {bluebells.number}
    expiry_order = [a.number for a in client.get(list_url(sort="expiry")).context["page_obj"]]
    assert expiry_order == [bluebells.number, acorns.number, conkers.number]
    response = client.get(list_url(q="no such nursery"))
    assert "No awards match this search." in response.content.decode()


def test_award_list_is_empty_with_a_clear_message(client, manager):
    client.force_login(manager)
    assert "No setting has been granted the award yet." in client.get(list_url()).content.decode()


def test_award_list_paginates_25_a_page(client, manager):
    AwardFactory.create_batch(30)
    client.force_login(manager)
    response = client.get(list_url(page="2"))
    assert len(response.context["page_obj"].object_list) == 5


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SETTING_MANAGER])
def test_award_list_runs_a_constant_number_of_queries(
    client, users, setting, role, django_assert_num_queries
):
    def make(count: int) -> None:
        for _ in range(count):
            AwardFactory(accreditation__setting=setting)

    client.force_login(users[role])
    make(5)
    five = _count_queries(client, list_url())
    make(45)
    with django_assert_num_queries(five):
        response = client.get(list_url())
    assert len(response.context["page_obj"].object_list) == 25


# One award ---------------------------------------------------------------------------------------


def detail_url(award: Award) -> str:
    return reverse("accreditation:award-detail", args=[award.pk])


def test_award_page_access(client, users, award, other_award):
    allowed = [Role.MANAGER, Role.SETTING_MANAGER, Role.PRACTITIONER]
    assert_access(client, detail_url(award), users, allowed=allowed)
    # Another setting's award is not found for setting staff.
    assert_access(
        client,
        detail_url(other_award),
        users,
        allowed=[Role.MANAGER],
        not_found=[Role.SETTING_MANAGER, Role.PRACTITIONER],
    )


def test_award_page_shows_the_award_and_the_manager_sees_its_history(client, users, award):
    client.force_login(users[Role.MANAGER])
    html = client.get(detail_url(award)).content.decode()
    assert award.number in html and "14 March 2029" in html
    assert award.verification_code_display in html
    assert "The certificate is being prepared." in html
    assert 'id="history"' in html
    assert "Render the certificate again" in html and "Revoke the award" in html
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(detail_url(award)).content.decode()
    assert 'id="history"' not in html and "Revoke the award" not in html


def test_award_page_links_to_the_certificate_once_it_is_ready(client, users, award):
    with_certificate(award)
    client.force_login(users[Role.PRACTITIONER])
    html = client.get(detail_url(award)).content.decode()
    assert reverse("accreditation:award-certificate", args=[award.pk]) in html


# The certificate download ------------------------------------------------------------------------


def certificate_url(award: Award) -> str:
    return reverse("accreditation:award-certificate", args=[award.pk])


def test_certificate_download_for_the_manager_and_the_settings_staff_only(
    client, users, award, other_award
):
    with_certificate(award)
    with_certificate(other_award)
    allowed = [Role.MANAGER, Role.SETTING_MANAGER, Role.PRACTITIONER]
    assert_access(client, certificate_url(award), users, allowed=allowed)
    assert_access(
        client,
        certificate_url(other_award),
        users,
        allowed=[Role.MANAGER],
        not_found=[Role.SETTING_MANAGER, Role.PRACTITIONER],
    )
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.get(certificate_url(award))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{award.number}-certificate.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == b"%PDF-1.7 certificate"


def test_no_certificate_yet_is_not_found(client, users, award):
    assert_not_found(client, certificate_url(award), [users[Role.MANAGER]])


def test_a_revoked_awards_certificate_stays_with_the_manager(client, users, award, manager):
    with_certificate(award)
    do_revoke_award(award=award, by=manager, reason="Closed")
    assert_not_found(
        client, certificate_url(award), [users[Role.SETTING_MANAGER], users[Role.PRACTITIONER]]
    )
    client.force_login(manager)
    assert client.get(certificate_url(award)).status_code == 200


def test_a_certificate_missing_from_storage_is_not_found(client, users, award):
    with_certificate(award)
    award.certificate.storage.delete(award.certificate.name)
    assert_not_found(client, certificate_url(award), [users[Role.MANAGER]])


# Revoking ----------------------------------------------------------------------------------------


def revoke_url(award: Award) -> str:
    return reverse("accreditation:award-revoke", args=[award.pk])


def test_revoke_page_access(client, users, award):
    assert_access(client, revoke_url(award), users, allowed=[Role.MANAGER])
    assert_not_found(
        client, reverse("accreditation:award-revoke", args=[999999]), [users[Role.MANAGER]]
    )
    for role in (Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER, Role.VIEWER):
        client.force_login(users[role])
        assert client.post(revoke_url(award), {"reason": "No"}).status_code == 403
    assert Award.objects.get(pk=award.pk).revoked_at is None


def test_the_revoke_page_asks_for_confirmation_with_a_warning(client, manager, award):
    client.force_login(manager)
    html = client.get(revoke_url(award)).content.decode()
    assert "Revoke the award of Little Acorns Day Nursery?" in html
    assert "Revoking cannot be undone." in html
    assert Award.objects.get(pk=award.pk).revoked_at is None


def test_revoking_without_a_reason_shows_the_error_and_changes_nothing(client, manager, award):
    client.force_login(manager)
    response = client.post(revoke_url(award), {"reason": "   "})
    assert_field_error(response, "reason", "Enter the reason for revoking the award")
    assert Award.objects.get(pk=award.pk).revoked_at is None


def test_a_reason_too_long_is_refused_and_kept(client, manager, award):
    client.force_login(manager)
    response = client.post(revoke_url(award), {"reason": "x" * 2001})
    assert_field_error(response, "reason", "The reason must be 2000 characters or fewer")
    assert "x" * 2001 in response.content.decode()
    assert Award.objects.get(pk=award.pk).revoked_at is None


def test_revoking_from_the_page(client, manager, award):
    client.force_login(manager)
    response = client.post(
        revoke_url(award), {"reason": "Safeguarding concern upheld"}, follow=True
    )
    assert response.redirect_chain[-1][0] == detail_url(award)
    html = response.content.decode()
    assert f"{award.number} has been revoked." in html
    assert "Safeguarding concern upheld" in html
    award.refresh_from_db()
    assert award.status == AwardStatus.REVOKED and award.revoked_by == manager
    # A second visit to the page goes back to the award.
    response = client.get(revoke_url(award))
    assert response.status_code == 302 and response["Location"] == detail_url(award)


# Rendering the certificate again -----------------------------------------------------------------


def render_url(award: Award) -> str:
    return reverse("accreditation:award-render-certificate", args=[award.pk])


def test_render_again_access(client, users, award):
    assert_access(
        client, render_url(award), users, allowed=[Role.MANAGER], method="POST", ok_status=302
    )
    client.force_login(users[Role.MANAGER])
    assert client.get(render_url(award)).status_code == 405
    missing = reverse("accreditation:award-render-certificate", args=[999999])
    assert client.post(missing).status_code == 404


def test_render_again_queues_the_task_on_commit(
    client, manager, award, queued, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(render_url(award), follow=True)
    assert queued == [award.pk]
    assert "The certificate is being rendered again." in response.content.decode()


def test_render_again_refuses_a_revoked_award(
    client, manager, award, queued, django_capture_on_commit_callbacks
):
    do_revoke_award(award=award, by=manager, reason="Closed")
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(render_url(award), follow=True)
    assert queued == []
    assert "its certificate is not rendered again" in response.content.decode()


def test_an_award_belongs_to_its_accreditations_setting(accredited, other_setting):
    award = AwardFactory.build(accreditation=accredited, setting=other_setting)
    with pytest.raises(ValidationError) as error:
        award.full_clean()
    assert error.value.message_dict["setting"] == ["An award goes to its accreditation's setting."]
