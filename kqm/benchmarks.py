"""The pages at national scale, against Django's own floor in the same run (``manage.py bench``).

``pages_70k`` builds a register of 70,000 settings with their inspections, cohorts and
awards, starts gunicorn on it (``kqm.bench_http``) and loads each page with a bounded
threaded client as the KQM manager: first the anchors (``kqm.bench_site``: a bare
signed-in view, a plain ``ListView`` and the stock admin changelist over the same
``Setting`` table), then KQM's pages. Each page's figure is a ratio to its anchor, with
its target (docs/performance.md).
"""

from __future__ import annotations

import random
from pathlib import Path

from django.contrib.auth.models import Permission
from django.db import connection

from accreditation.models import Accreditation, Status
from accreditation.reports.benchmarks import FIRST_URN, build_register
from settings.models import Setting

from . import bench_http
from .bench import OPTIONS, Figures, benchmark, metric, size, timed
from .models import Role, User

SEARCH_P95 = 0.150
REPORT_P95 = 0.300
ADMIN_RATIO = 2.0
LISTVIEW_RATIO = 0.8
BARE_SHARE = 0.25
# What each kind of target compares a page with (measured in turns with it).
TARGET_ANCHORS = {"list": ("admin", "listview"), "bare": ("bare",), "search": (), "report": ()}


def bench_manager() -> User:
    """The KQM manager the pages are loaded as; staff with the view permission for the admin."""
    user = User.objects.create_user(
        "bench.manager@kqm.example", full_name="Bench Manager", role=Role.MANAGER
    )
    user.is_staff = True  # for the stock admin, the anchor
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(Permission.objects.get(codename="view_setting"))
    return user


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


@benchmark("pages_70k", "KQM's pages over 70,000 settings against Django's floor, via gunicorn")
def pages_70k(workdir: Path) -> Figures:
    count = size(70_000, 3_000)
    with timed() as generate:
        if not Setting.objects.filter(urn=f"EY{FIRST_URN}").exists():  # else built by the
            build_register(random.Random(2010), count)  # outcomes benchmark of the same run
        if connection.vendor == "postgresql":
            # As autovacuum leaves a table after a bulk load: statistics gathered and the
            # trigram indexes' pending entries merged.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
    manager = bench_manager()
    setting = Setting.objects.filter(awards__isnull=False).order_by("pk").first()
    in_progress = Accreditation.objects.filter(status=Status.IN_PROGRESS).order_by("pk").first()
    assert setting is not None and in_progress is not None
    urn = Setting.objects.order_by("-pk").values_list("urn", flat=True)[count // 3]
    figures: Figures = [
        (
            "data set",
            f"{Setting.objects.count():,} settings ({connection.vendor}), built in "
            f"{generate.seconds:.0f} s",
        ),
        (
            "load",
            f"gunicorn, {bench_http.WORKERS} sync workers, {bench_http.CLIENTS} client threads, "
            f"{OPTIONS.seconds:g} s a page",
        ),
    ]
    cookie = bench_http.signed_in_cookie(manager)
    anchors = {
        "bare": "/bench/bare/",
        "listview": "/bench/settings/",
        "admin": "/bench/admin/settings/setting/",
        "admin search": "/bench/admin/settings/setting/?q=Rainbow",
    }
    pages = {
        "register page 1": ("/settings/", "list"),
        "register filtered": ("/settings/?sector=pvi&local_authority=Kent", "list"),
        "register sorted": ("/settings/?sort=-inspected", "list"),
        "register search": ("/settings/?q=Rainbow", "search"),
        "register URN": (f"/settings/?q={urn}", "search"),
        "setting detail": (f"/settings/{setting.pk}/", "bare"),
        "manager dashboard": ("/", "bare"),
        "task list": (f"/programme/accreditations/{in_progress.pk}/", "bare"),
        "outcomes report": ("/programme/reports/outcomes/", "report"),
        "programme report": ("/programme/reports/programme/", "report"),
    }
    with bench_http.serve(workdir) as server:
        for name, path in anchors.items():
            measured = bench_http.load(server.port, path, cookie, OPTIONS.seconds)
            _record(name, measured)
            figures.append((f"anchor: {name}", measured.summary()))
        for name, (path, target) in pages.items():
            # Each page in turns with the anchors its target compares it with.
            floor_paths = {key: anchors[key] for key in TARGET_ANCHORS[target]}
            measured, floor_loads = bench_http.paired(
                server.port, path, list(floor_paths.values()), cookie, OPTIONS.seconds
            )
            floor = {key: floor_loads[floor_path] for key, floor_path in floor_paths.items()}
            _record(name, measured)
            verdict = _against(name, measured, target, floor)
            figures.append((name, f"{measured.summary()}; {verdict}"))
    return figures


def _record(name: str, measured: bench_http.Load) -> None:
    key = name.replace(" ", "_")
    metric(f"{key}.per_second", measured.per_second)
    for p in (50, 95, 99):
        metric(f"{key}.p{p}_ms", measured.percentile(p) * 1000)


def _against(
    name: str, measured: bench_http.Load, target: str, floor: dict[str, bench_http.Load]
) -> str:
    key = name.replace(" ", "_")
    if target == "list":
        to_admin = metric(f"{key}.x_admin", measured.per_second / floor["admin"].per_second)
        to_list = metric(f"{key}.x_listview", measured.per_second / floor["listview"].per_second)
        met = to_admin >= ADMIN_RATIO and to_list >= LISTVIEW_RATIO
        return (
            f"{to_admin:.2f}x admin ({floor['admin'].per_second:.1f} req/s), {to_list:.2f}x "
            f"ListView ({floor['listview'].per_second:.1f} req/s) "
            f"(target ≥ {ADMIN_RATIO:g}x, ≥ {LISTVIEW_RATIO:g}x: {_verdict(met)})"
        )
    if target == "bare":
        share = metric(f"{key}.x_bare", measured.per_second / floor["bare"].per_second)
        return (
            f"{share:.0%} of bare ({floor['bare'].per_second:.1f} req/s; target ≥ "
            f"{BARE_SHARE:.0%}: {_verdict(share >= BARE_SHARE)})"
        )
    limit = SEARCH_P95 if target == "search" else REPORT_P95
    p95 = measured.percentile(95)
    return f"p95 target ≤ {limit * 1000:.0f} ms: {_verdict(p95 <= limit)}"
