"""Sign in, lockout, sign out, password reset, invitation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from kqm.models import Role, SentEmail, User
from kqm.services import do_invite_user
from tests.access import assert_field_error
from tests.factories import TEST_PASSWORD, SettingFactory, UserFactory

pytestmark = pytest.mark.django_db


def _link_from(message) -> str:
    match = re.search(r"https?://[^/\s]+(/account/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_sign_in_with_email_and_password_lands_on_dashboard(client):
    user = UserFactory(email="sam@example.org", role=Role.SETTING_MANAGER)
    response = client.post(
        reverse("login"), {"username": "SAM@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_wrong_password_shows_error_summary_and_keeps_email(client):
    UserFactory(email="sam@example.org")
    response = client.post(reverse("login"), {"username": "sam@example.org", "password": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'value="sam@example.org"' in html


def test_repeated_failed_sign_ins_lock_the_account(client, settings):
    UserFactory(email="sam@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "sam@example.org", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "sam@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_deactivated_user_cannot_sign_in(client):
    UserFactory(email="gone@example.org", is_active=False)
    response = client.post(
        reverse("login"), {"username": "gone@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_one_email_with_a_single_use_link(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="sam@example.org", full_name="Sam Okafor")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "sam@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your KQM password"
    assert "Choose a new password" in str(message.alternatives[0][0])  # type: ignore[union-attr]
    link = _link_from(message)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session key
    response = client.post(
        form_url,
        {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-long-passphrase")
    # The link cannot be used twice.
    assert "expired" in client.get(link, follow=True).content.decode()


def test_password_reset_for_unknown_email_sends_nothing_and_says_the_same(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_bad_email_is_reported_beside_the_field(client):
    response = client.post(reverse("password_reset"), {"email": "not-an-email"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "govuk-error-message" in html


def test_manager_invites_a_setting_manager_who_sets_a_password(
    client, manager, django_capture_on_commit_callbacks
):
    setting = SettingFactory(name="Hopscotch Pre-school")
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("users:invite"),
            {
                "full_name": "Nia Brown",
                "email": "Nia@Example.org",
                "role": Role.SETTING_MANAGER,
                "settings": setting.urn.lower(),
            },
        )
    invited = User.objects.get(email="nia@example.org")
    assert response["Location"] == reverse("users:detail", args=[invited.pk])
    assert invited.role == Role.SETTING_MANAGER
    assert list(invited.settings.all()) == [setting]
    assert not invited.has_usable_password()
    assert invited.invited_by == manager
    assert invited.history.first().history_user == manager
    assert len(mail.outbox) == 1
    assert "invited you to KQM" in mail.outbox[0].body
    assert SentEmail.objects.filter(key=f"invitation:{invited.pk}").exists()

    client.logout()
    form_url = client.get(_link_from(mail.outbox[0]))["Location"]
    response = client.post(
        form_url, {"new_password1": "nursery-rhymes-2026", "new_password2": "nursery-rhymes-2026"}
    )
    assert response["Location"] == reverse("invitation_complete")
    assert (
        client.post(
            reverse("login"), {"username": "nia@example.org", "password": "nursery-rhymes-2026"}
        ).status_code
        == 302
    )


def test_invitation_task_run_twice_sends_once(manager, django_capture_on_commit_callbacks):
    from kqm.tasks import send_templated_email

    with django_capture_on_commit_callbacks(execute=True):
        from kqm.services import do_invite_user

        user = do_invite_user(
            invited_by=manager, email="v@example.org", full_name="V", role=Role.VIEWER
        )
    assert len(mail.outbox) == 1
    sent = send_templated_email(
        key=f"invitation:{user.pk}",
        template="invitation",
        user_id=user.pk,
        context={"inviter": "x", "role": "Viewer", "link": "/x/"},
    )
    assert sent is False
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"full_name": "", "email": "a@example.org", "role": Role.VIEWER},
            "full_name",
            "This field is required",
        ),
        (
            {"full_name": "A", "email": "not-email", "role": Role.VIEWER},
            "email",
            "Enter a valid email address",
        ),
        (
            {"full_name": "A", "email": "a@example.org", "role": "boss"},
            "role",
            "Select a valid choice",
        ),
        (
            {"full_name": "A", "email": "a@example.org", "role": Role.SETTING_MANAGER},
            "settings",
            "Choose the setting",
        ),
        (
            {"full_name": "A", "email": "taken@example.org", "role": Role.VIEWER},
            "email",
            "already exists",
        ),
    ],
)
def test_invite_bad_input_is_reported_beside_the_field_and_nothing_is_saved(
    client, manager, data, field, message
):
    UserFactory(email="taken@example.org")
    before = User.objects.count()
    client.force_login(manager)
    response = client.post(reverse("users:invite"), data)
    assert_field_error(response, field, message)
    html = response.content.decode()
    assert User.objects.count() == before
    assert mail.outbox == []
    # What the user typed is kept.
    if data["full_name"]:
        assert f'value="{data["full_name"]}"' in html


def test_non_setting_role_cannot_be_linked_to_a_setting(client, manager):
    setting = SettingFactory()
    client.force_login(manager)
    response = client.post(
        reverse("users:invite"),
        {
            "full_name": "E",
            "email": "e@example.org",
            "role": Role.EVALUATOR,
            "settings": setting.urn,
        },
    )
    assert_field_error(response, "settings", "Only setting managers and practitioners")


EMAILS = Path(__file__).resolve().parents[2] / "templates" / "emails"


def test_every_plain_text_part_of_an_email_is_not_html_escaped():
    """Subjects and text bodies are not HTML: "O'Brien & Co" must not arrive as
    "O&#x27;Brien &amp; Co"."""
    parts = sorted(EMAILS.glob("*/*.txt"))
    assert parts
    escaped = [
        str(path.relative_to(EMAILS))
        for path in parts
        if not (
            path.read_text().startswith("{% autoescape off %}")
            and path.read_text().rstrip().endswith("{% endautoescape %}")
        )
    ]
    assert escaped == []


def test_an_invitation_reads_names_as_typed(django_capture_on_commit_callbacks):
    manager = UserFactory(role=Role.MANAGER, full_name="Siobhán O'Brien & Co")
    with django_capture_on_commit_callbacks(execute=True):
        do_invite_user(
            invited_by=manager, email="new@example.org", full_name="Zoë <Lee>", role=Role.VIEWER
        )
    message = mail.outbox[-1]
    assert "Hello Zoë <Lee>," in message.body
    assert "Siobhán O'Brien & Co has invited you" in message.body
    html = str(message.alternatives[0][0])
    assert "Zoë &lt;Lee&gt;" in html and "<Lee>" not in html
