"""``manage.py screenshots`` draws each role's dashboard with the system Chromium."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from kqm.management.commands.screenshots import SCREENS, _static

PNG = b"\x89PNG\r\n\x1a\n"


def test_static_files_are_served_from_the_app_s_finders():
    found = _static("/static/css/kqm.css")
    assert found is not None and found[1] == "text/css"
    assert _static("/static/no-such-file.css") is None
    assert _static("/elsewhere/kqm.css") is None


@pytest.mark.browser
@pytest.mark.django_db
def test_one_screenshot_per_role(users, tmp_path):
    call_command("screenshots", "--no-seed", "--out", str(tmp_path))
    for name in SCREENS.values():
        assert (tmp_path / name).read_bytes().startswith(PNG)
