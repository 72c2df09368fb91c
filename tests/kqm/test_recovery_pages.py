"""What people see and can do when background work is stuck or Redis is away: retry an
export, restart an import, resend an invitation, the honest 500 page, pages without Redis."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accreditation.models.exports import ExportStatus, ReportExport
from kqm import ratelimit
from kqm.models import OutboxMessage, Role
from kqm.services import do_invite_user
from settings.models import ImportStatus, OfstedImport
from tests.access import assert_access
from tests.accreditation.award_factories import AwardFactory

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.timedelta(hours=2)


def _queued(task: str) -> list[dict]:
    return [row.kwargs for row in OutboxMessage.objects.filter(task=task).order_by("pk")]


# Exports ----------------------------------------------------------------------------------


@pytest.fixture
def failed_export(users, settings, tmp_path) -> ReportExport:
    settings.MEDIA_ROOT = tmp_path
    return ReportExport.objects.create(
        report="register",
        format="csv",
        requested_by=users[Role.MANAGER],
        status=ExportStatus.FAILED,
        error="An error occurred.",
    )


def test_a_failed_export_offers_try_again_and_it_queues_the_build(client, users, failed_export):
    url = reverse("accreditation:report-export-retry", args=[failed_export.pk])
    client.force_login(users[Role.MANAGER])
    page = client.get(failed_export.get_absolute_url()).content.decode()
    assert "Try the export again" in page and url in page
    response = client.post(url, follow=True)
    assert "The export will be built again" in response.content.decode()
    failed_export.refresh_from_db()
    assert (failed_export.status, failed_export.error) == (ExportStatus.QUEUED, "")
    assert _queued("accreditation.tasks.build_report_export") == [{"export_id": failed_export.pk}]
    assert failed_export.history.first().history_user == users[Role.MANAGER]


def test_only_whoever_may_see_the_export_may_retry_it(client, users, failed_export):
    url = reverse("accreditation:report-export-retry", args=[failed_export.pk])
    assert_access(
        client,
        url,
        users,
        allowed=[Role.MANAGER],
        not_found=[Role.VIEWER],  # may export, but this is the manager's export
        method="POST",
        ok_status=302,
        wrong_method="GET",
    )


def test_an_export_being_built_or_ready_is_not_started_again(
    client, users, failed_export, tmp_path
):
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "ready.csv").write_text("URN\n")
    client.force_login(users[Role.MANAGER])
    url = reverse("accreditation:report-export-retry", args=[failed_export.pk])
    for status in (ExportStatus.READY, ExportStatus.RUNNING):
        ReportExport.objects.filter(pk=failed_export.pk).update(
            status=status, started_at=timezone.now(), file="exports/ready.csv"
        )
        if status == ExportStatus.RUNNING:
            page = client.get(failed_export.get_absolute_url()).content.decode()
            assert "Try the export again" not in page
        response = client.post(url, follow=True)
        assert "This export is not stuck" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_an_export_running_past_its_time_limit_offers_try_again(client, users, failed_export):
    ReportExport.objects.filter(pk=failed_export.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now() - LONG_AGO
    )
    client.force_login(users[Role.MANAGER])
    page = client.get(failed_export.get_absolute_url()).content.decode()
    assert "This export has not moved for a while." in page
    assert "Try the export again" in page


# Imports ----------------------------------------------------------------------------------


@pytest.fixture
def stuck_import(manager, settings, tmp_path) -> OfstedImport:
    settings.MEDIA_ROOT = tmp_path
    made = OfstedImport.objects.create(
        file=ContentFile(b"URN\n", name="ofsted.csv"),
        original_name="ofsted.csv",
        uploaded_by=manager,
        status=ImportStatus.IMPORTING,
        confirmed_by=manager,
        confirmed_at=timezone.now() - LONG_AGO,
    )
    OfstedImport.objects.filter(pk=made.pk).update(created_at=timezone.now() - LONG_AGO)
    return made


def test_a_stuck_import_can_be_started_again_by_the_kqm_manager(client, users, stuck_import):
    url = reverse("settings:import-restart", args=[stuck_import.pk])
    client.force_login(users[Role.MANAGER])
    page = client.get(stuck_import.get_absolute_url()).content.decode()
    assert "This import has not moved for a while." in page
    assert "Start the import again" in page
    response = client.post(url, follow=True)
    assert "The import has been started again" in response.content.decode()
    assert _queued("settings.tasks.apply_ofsted_import") == [{"import_id": stuck_import.pk}]
    client.logout()
    assert_access(
        client,
        url,
        users,
        allowed=[Role.MANAGER],
        method="POST",
        ok_status=302,
        wrong_method="GET",
    )
    client.force_login(users[Role.MANAGER])
    assert client.post(reverse("settings:import-restart", args=[999999])).status_code == 404


def test_an_import_that_is_moving_is_not_started_again(client, manager, stuck_import):
    OfstedImport.objects.filter(pk=stuck_import.pk).update(confirmed_at=timezone.now())
    client.force_login(manager)
    assert (
        "Start the import again" not in client.get(stuck_import.get_absolute_url()).content.decode()
    )
    response = client.post(reverse("settings:import-restart", args=[stuck_import.pk]), follow=True)
    assert "This import is not stuck" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_the_import_page_works_with_the_cache_down(client, manager, stuck_import, monkeypatch):
    from settings import selectors_import

    class DownCache:
        def __getattr__(self, name):
            raise ConnectionError("Error 111 connecting to redis")

    monkeypatch.setattr(selectors_import, "cache", DownCache())
    client.force_login(manager)
    response = client.get(stuck_import.get_absolute_url())
    assert response.status_code == 200
    assert client.get(reverse("settings:import-status", args=[stuck_import.pk])).status_code == 200


# Invitations ------------------------------------------------------------------------------


def test_an_invitation_never_accepted_can_be_sent_again(client, users):
    manager = users[Role.MANAGER]
    invited = do_invite_user(
        invited_by=manager, email="new@example.org", full_name="New Person", role=Role.VIEWER
    )
    url = reverse("users:resend-invitation", args=[invited.pk])
    client.force_login(manager)
    page = client.get(reverse("users:detail", args=[invited.pk])).content.decode()
    assert "Send the invitation again" in page
    response = client.post(url, follow=True)
    assert "A new invitation is on its way to new@example.org" in response.content.decode()
    keys = [row["key"] for row in _queued("kqm.tasks.send_templated_email")]
    assert keys[0] == f"invitation:{invited.pk}"
    assert len(keys) == 2 and keys[1].startswith(f"invitation:{invited.pk}:resent:")
    client.logout()
    assert_access(
        client, url, users, allowed=[Role.MANAGER], method="POST", ok_status=302, wrong_method="GET"
    )


def test_someone_who_set_a_password_is_not_invited_again(client, users):
    client.force_login(users[Role.MANAGER])
    person = users[Role.EVALUATOR]
    page = client.get(reverse("users:detail", args=[person.pk])).content.decode()
    assert "Send the invitation again" not in page
    response = client.post(reverse("users:resend-invitation", args=[person.pk]), follow=True)
    assert "has already set a password" in response.content.decode()
    assert not OutboxMessage.objects.exists()


# The 500 page and the certificate check without Redis -------------------------------------


def test_the_500_page_says_the_action_may_or_may_not_have_been_saved():
    html = render_to_string("500.html")
    assert "may or may not have been saved" in html
    assert "reload it to check whether your change is there" in html
    assert "Nothing you entered was saved" not in html


def test_the_certificate_check_answers_and_still_limits_with_the_cache_down(
    client, settings, monkeypatch
):
    settings.VERIFY_RATE_LIMIT = 3
    award = AwardFactory()

    class DownCache:
        def __getattr__(self, name):
            raise ConnectionError("Error 111 connecting to redis")

    monkeypatch.setattr(ratelimit, "cache", DownCache())
    ratelimit._fallback.clear()
    url = reverse("verify-award", args=[award.verification_code])
    statuses = [client.get(url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    ratelimit._fallback.clear()
