"""Screenshots of each role's dashboard on the demo data, for the README.

    .venv/bin/python manage.py screenshots               # load the demo, write docs/screens/
    .venv/bin/python manage.py screenshots --out /tmp/s  # somewhere else

Each page is rendered by the application in this process (signed in as the role's demo
login), then drawn by the system Chromium through Playwright: the browser asks for the
page and its stylesheets, scripts and fonts, and gets exactly what the app serves,
with no server to start and no network. Playwright's own browsers are never downloaded.
"""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test import Client, override_settings
from django.urls import reverse

from kqm.models import Role, User

CHROMIUM = "/usr/bin/chromium"
ORIGIN = "http://kqm.screens"
WIDTH, HEIGHT = 1200, 900
# role -> file name under the output folder
SCREENS = {
    Role.MANAGER: "dashboard-kqm-manager.png",
    Role.EVALUATOR: "dashboard-evaluator.png",
    Role.SETTING_MANAGER: "dashboard-setting-manager.png",
    Role.PRACTITIONER: "dashboard-practitioner.png",
    Role.VIEWER: "dashboard-viewer.png",
}


def _static(path: str) -> tuple[bytes, str] | None:
    """A static file the page links to, as the app's static finders find it."""
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    if not path.startswith(prefix):
        return None
    found = finders.find(path[len(prefix) :])
    if not found:
        return None
    file = Path(found if isinstance(found, str) else found[0])
    return file.read_bytes(), mimetypes.guess_type(file.name)[0] or "application/octet-stream"


def render_dashboard(user: User) -> str:
    """The dashboard's HTML as ``user`` sees it (the second factor is not asked for here)."""
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    with override_settings(KQM_REQUIRE_SECOND_FACTOR=False):
        response = client.get(reverse("dashboard"))
    if response.status_code != 200:
        raise CommandError(
            f"The {user.get_role_display()} dashboard answered {response.status_code}"
        )
    return response.content.decode()


class Command(BaseCommand):
    help = "Screenshot each role's dashboard on the demo data into docs/screens/."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "docs" / "screens"))
        parser.add_argument(
            "--no-seed", action="store_true", help="Use the data as it is; do not load the demo."
        )

    def handle(self, *args: Any, out: str, no_seed: bool, **options: Any) -> None:
        from playwright.sync_api import Route, sync_playwright

        if not no_seed:
            call_command("seed_demo", verbosity=0)
        pages: dict[str, str] = {}
        for role in SCREENS:
            user = (
                User.objects.filter(role=role, is_active=True).order_by("date_joined", "pk").first()
            )
            if user is None:
                raise CommandError(f"No {Role(role).label} account: run seed_demo first.")
            pages[role] = render_dashboard(user)
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)

        def serve(route: Route, *, html: str) -> None:
            path = urlsplit(route.request.url).path
            if path == "/":
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
                return
            found = _static(path)
            if found is None:
                route.abort()
                return
            body, content_type = found
            route.fulfill(status=200, content_type=content_type, body=body)

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                for role, name in SCREENS.items():
                    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
                    page.route(f"{ORIGIN}/**", functools.partial(serve, html=pages[role]))
                    page.goto(f"{ORIGIN}/", wait_until="networkidle")
                    target = folder / name
                    page.screenshot(path=str(target), full_page=True)
                    page.close()
                    self.stdout.write(f"{Role(role).label}: {target}")
            finally:
                browser.close()
