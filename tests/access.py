"""One helper to check a page's access rules for every role.

``assert_access(client, url, users, allowed=[...])`` signs in as each role and
expects 200 (or ``ok_status``) for the allowed roles and 403 for the others;
``method_not_allowed`` checks 405; ``assert_not_found`` checks that a role
reaching another setting's object gets 404.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.test import Client

from kqm.models import Role, User


def _request(client: Client, method: str, url: str, data: Mapping[str, object] | None = None):
    return getattr(client, method.lower())(url, data or {})


def assert_access(
    client: Client,
    url: str,
    users: Mapping[str, User],
    allowed: Iterable[str],
    *,
    method: str = "GET",
    data: Mapping[str, object] | None = None,
    ok_status: int | tuple[int, ...] = 200,
    wrong_method: str | None = "PUT",
    not_found: Iterable[str] = (),
) -> None:
    """``not_found``: roles that may use the page but cannot see this object (404)."""
    allowed = {str(r) for r in allowed}
    hidden = {str(r) for r in not_found}
    ok = (ok_status,) if isinstance(ok_status, int) else ok_status
    for role in Role.values:
        user = users[role]
        client.force_login(user)
        response = _request(client, method, url, data)
        if role in hidden:
            assert response.status_code == 404, f"{role} {method} {url}: {response.status_code}"
        elif role in allowed:
            assert response.status_code in ok, f"{role} {method} {url}: {response.status_code}"
        else:
            assert response.status_code == 403, (
                f"{role} {method} {url}: expected 403, got {response.status_code}"
            )
        client.logout()
    if wrong_method:
        some_allowed = users[next(iter(sorted(allowed)))]
        client.force_login(some_allowed)
        response = _request(client, wrong_method, url)
        assert response.status_code == 405, (
            f"{wrong_method} {url}: expected 405, got {response.status_code}"
        )
        client.logout()


def assert_not_found(client: Client, url: str, users: Iterable[User], method: str = "GET") -> None:
    """Each user (who may use the page for their own objects) gets 404 here."""
    for user in users:
        client.force_login(user)
        response = _request(client, method, url)
        assert response.status_code == 404, (
            f"{user.role} {url}: expected 404, got {response.status_code}"
        )
        client.logout()


def assert_field_error(response, field: str, message: str) -> None:
    """The form came back (200) with ``message`` in the error summary and beside ``field``."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    summary = html.split('class="govuk-error-summary"', 1)
    assert len(summary) == 2, "no error summary on the page"
    assert message in summary[1].split("</div>", 2)[0] + summary[1].split("</ul>", 1)[0]
    start = html.find(f'id="div_id_{field}"')
    assert start != -1, f"field {field} not on the page"
    end = html.find('id="div_id_', start + 10)
    group = html[start : end if end != -1 else None]
    assert "govuk-form-group--error" in group, f"field {field} is not marked as in error"
    assert "govuk-error-message" in group and message in group, f"{message!r} not beside {field}"
