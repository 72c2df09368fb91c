"""Bad input never gives a 500 (issue 19): every list page of every role, with hostile values
for each query parameter its view reads, answers 200, 400 or 404."""

from __future__ import annotations

import inspect
import json
import re
import sys
from urllib.parse import urlencode

import pytest

from kqm.models import Role
from kqm.parsing import MAX_ID, is_digits, parse_id, parse_int
from tests.urlwalk import walk

HOSTILE = {
    "superscript digit": "²",
    "arabic-indic digits": "١٢",
    "40 digits": "9" * 40,
    "negative": "-1",
    "null byte": "1\x00",
    "very long": "7" * 20 + "x" * 5000,
    "spaced": " 12 ",
    "underscored": "1_000",
}
PARAMETER = re.compile(r"""request\.GET(?:\.get|\.getlist)?[(\[]\s*["'](\w+)["']""")
SKIP = {"logout", "admin", "healthz", "calendar-feed"}


def list_pages() -> list[tuple[str, str, list[str]]]:
    """(name, url, parameters) for every URL without path arguments."""
    pages = []
    for route in walk():
        if route.url is None or "999999" in route.url or "sample" in route.url:
            continue
        if any(part in route.name for part in SKIP) or route.url.startswith("/static"):
            continue
        module = sys.modules.get(route.callback.__module__)
        source = inspect.getsource(module) if module else ""
        names = sorted(set(PARAMETER.findall(source)) | {"page", "sort"})
        pages.append((route.name, route.url, names))
    return pages


PAGES = list_pages()


def test_list_pages_are_found():
    names = {name for name, _, _ in PAGES}
    assert {"accreditation:accreditation-list", "audits:audit-list"} <= names
    assert all(params for _, _, params in PAGES)


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_hostile_query_values_never_give_a_server_error(client, users, role, setting):
    client.raise_request_exception = False
    client.force_login(users[role])
    checked = 0
    for name, url, parameters in PAGES:
        if client.get(url).status_code != 200:
            continue  # not this role's page, or a POST-only action
        for label, value in HOSTILE.items():
            query = urlencode(dict.fromkeys(parameters, value))
            response = client.get(f"{url}?{query}")
            assert response.status_code in (200, 400, 404), (
                f"{name} as {role} with {label} values: {response.status_code}"
            )
            checked += 1
    assert checked >= len(HOSTILE)


@pytest.mark.django_db
def test_null_bytes_in_autosave_bodies_are_refused(client, users):
    client.force_login(users[Role.SETTING_MANAGER])
    autosaves = [route for route in walk() if route.url and "autosave" in route.url]
    assert autosaves
    for route in autosaves:
        response = client.post(
            route.url,
            json.dumps({"child": 1, "scale": "wellbeing", "note": "a\u0000b", "revision": 0}),
            content_type="application/json",
        )
        assert response.status_code == 400, route.name
        response = client.post(route.url, {"text": "a\x00b", "revision": "0"})
        assert response.status_code == 400, route.name


@pytest.mark.django_db
def test_a_body_over_the_limit_is_refused_before_it_is_read(client, users, settings):
    settings.KQM_MAX_REQUEST_BYTES = 1000
    client.force_login(users[Role.MANAGER])
    response = client.post(
        "/users/invite/", data="x" * 2000, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (12, 12),
        ("0", None),
        ("-3", None),
        ("²", None),
        ("١٢", None),
        (" 12", None),
        ("1_0", None),
        ("9" * 40, None),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        (True, None),
        (None, None),
        (1.5, None),
    ],
)
def test_parse_id(raw, expected):
    assert parse_id(raw) == expected


def test_parse_int_bounds_and_signs():
    assert parse_int("-4") == -4
    assert parse_int("-4", minimum=0) is None
    assert parse_int("2027", minimum=2000, maximum=2100) == 2027
    assert parse_int("3000", minimum=2000, maximum=2100) is None
    assert parse_int("1" * 19) is None
    assert is_digits("0123") and not is_digits("¹²³") and not is_digits("")
