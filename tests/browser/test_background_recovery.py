"""In Chromium, with axe-core: the KQM manager tries a failed export again, sends an
invitation again, and reads each reminder's email state."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accreditation.models import Reminder, ReminderKind
from accreditation.models.exports import ExportStatus, ReportExport
from kqm.models import EmailStatus, OutboxMessage, Role, SentEmail, User
from kqm.services import do_invite_user
from tests.accreditation.award_factories import AwardFactory

from .conftest import A11yPage

pytestmark = pytest.mark.browser


def test_the_manager_retries_an_export_resends_an_invitation_and_reads_reminder_states(
    a11y_page: A11yPage, users: dict[str, User], tmp_path, settings, monkeypatch
) -> None:
    from accreditation import tasks

    monkeypatch.setattr(tasks.build_report_export, "delay", lambda **kwargs: None)
    monkeypatch.setattr("kqm.tasks.send_templated_email.delay", lambda **kwargs: None)
    settings.MEDIA_ROOT = tmp_path
    page = a11y_page.page
    manager = users[Role.MANAGER]
    export = ReportExport.objects.create(
        report="register",
        format="csv",
        requested_by=manager,
        status=ExportStatus.FAILED,
        error="An error occurred.",
    )
    invited = do_invite_user(
        invited_by=manager, email="new@example.org", full_name="New Person", role=Role.VIEWER
    )
    award = AwardFactory()
    for n, status in enumerate([None, EmailStatus.SENDING, EmailStatus.SENT, EmailStatus.FAILED]):
        reminder = Reminder.objects.create(
            kind=ReminderKind.AWARD_EXPIRING,
            recipient=users[Role.SETTING_MANAGER],
            award=award,
            due_date=datetime.date(2029, 3, 14),
            offset=f"{n}w-before",
            send_on=datetime.date(2029, 1, 17) - datetime.timedelta(days=n),
            email_key=f"reminder:{n}",
        )
        if status:
            SentEmail.objects.create(
                key=reminder.email_key,
                to="m@example.org",
                status=status,
                sent_at=timezone.now() if status == EmailStatus.SENT else None,
            )

    a11y_page.login(manager)
    a11y_page.goto(f"/programme/exports/{export.pk}/", "failed export")
    page.screenshot(path=str(tmp_path / "export-failed.png"), full_page=True)
    page.get_by_role("button", name="Try the export again").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The export will be built again"
    )
    a11y_page.check("export queued again")
    assert ReportExport.objects.get().status == ExportStatus.QUEUED

    a11y_page.goto(f"/users/{invited.pk}/", "user who never set a password")
    page.get_by_role("button", name="Send the invitation again").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "A new invitation is on its way to new@example.org"
    )
    page.screenshot(path=str(tmp_path / "invitation-resent.png"), full_page=True)
    assert OutboxMessage.objects.filter(task="kqm.tasks.send_templated_email").count() == 2

    a11y_page.goto("/programme/reminders/", "reminders with their email states")
    page.screenshot(path=str(tmp_path / "reminders.png"), full_page=True)
    tags = page.locator("td .govuk-tag").all_inner_texts()
    assert [tag.strip() for tag in tags] == ["Queued", "Sending", "Sent", "Failed"]
