"""Reads of the register, always scoped to the user asking."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Concat, Replace
from django.db.models.lookups import GreaterThan, IsNull
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accreditation.models import (
    Accreditation,
    AccreditationStatusChange,
    Application,
    ApplicationStatus,
    Status,
)
from accreditation.reports import cache as reports_cache
from accreditation.selectors import accreditations_visible_to, applications_visible_to
from kqm.models import Role, User

from .models import Inspection, Register, Sector, Setting
from .ofsted import Framework


def settings_visible_to(user: User) -> QuerySet[Setting]:
    """The settings a user may open: all for the KQM manager, their own for setting staff."""
    if user.role == Role.MANAGER:
        return Setting.objects.all()
    if user.role in (Role.SETTING_MANAGER, Role.PRACTITIONER):
        return Setting.objects.filter(members=user)
    if user.role == Role.EVALUATOR:
        # Settings with an accreditation assigned to them.
        return Setting.objects.filter(
            pk__in=Accreditation.objects.filter(evaluator=user).values("setting_id")
        )
    return Setting.objects.none()


def access_setting_by_id(user: User, setting_id: int) -> Setting:
    """The setting if the user may see it; 403 for roles that never see a setting, else 404."""
    if user.role == Role.VIEWER:
        raise PermissionDenied("Viewers see reports, not individual settings.")
    try:
        return settings_visible_to(user).get(pk=setting_id)
    except Setting.DoesNotExist:
        raise Http404("No such setting.") from None


def settings_by_sector() -> list[dict[str, object]]:
    """Settings per sector, with the sector's label; kept until the register changes."""
    return reports_cache.cached("register-sectors", "", _settings_by_sector, reports_cache.REGISTER)


def _settings_by_sector() -> list[dict[str, object]]:
    labels = dict(Sector.choices)
    rows = Setting.objects.values("sector").annotate(count=Count("id")).order_by("sector")
    return [{"sector": labels.get(r["sector"], r["sector"]), "count": r["count"]} for r in rows]


def counted(filters: dict[str, Any], settings: QuerySet[Setting]) -> int:
    """How many settings the register searched and filtered by ``filters`` holds
    (``settings``), kept until the register changes: counting 70,000 settings costs
    PostgreSQL more than all the rest of a register page."""
    parts = repr(sorted((name, value) for name, value in filters.items() if value))
    return reports_cache.cached("register-count", parts, settings.count, reports_cache.REGISTER)


# What a page of the register shows of each setting (the rest is read by the setting's page).
LIST_FIELDS = ("urn", "name", "postcode", "sector", "provider_type", "local_authority", "district")


def kept_page(
    filters: dict[str, Any], sort: str, number: int, page: QuerySet[Setting]
) -> list[Setting]:
    """A page of the register searched, filtered or sorted by a computed column (its
    latest inspection): finding it means sorting every setting that matches (35,000 PVI
    settings), or working out every setting's latest inspection or KQM status (0.2 to
    0.4 s over 70,000), so the page's ids are kept until the register changes, and its
    rows read by id. ``page`` is the page's slice of the rows."""
    parts = repr((sorted((name, value) for name, value in filters.items() if value), sort, number))
    ids = reports_cache.cached(
        "register-page",
        parts,
        lambda: list(page.values_list("pk", flat=True)),
        reports_cache.REGISTER,
    )
    found = Setting.objects.only(*LIST_FIELDS).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def register_size() -> int:
    """How many settings are on the register (``counted``)."""
    return counted({}, Setting.objects.all())


# --- The register list ------------------------------------------------------------------

NEVER_APPLIED = "never"
NOT_INSPECTED = "none"
RENEWED_NO_GRADE = "renewed"

# The register's sortable columns: sort key -> the ordering it means (ascending).
REGISTER_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "urn"),
    "urn": ("urn",),
    "postcode": ("postcode", "name", "urn"),
    "inspected": ("latest_inspection_date", "name", "urn"),
}
DEFAULT_REGISTER_SORT = "name"


def _latest_eyr_inspection() -> QuerySet[Inspection]:
    # A setting has one inspection a day on each register (``one_inspection_per_day``), so
    # the date alone orders them, and the latest is read straight from that index: no sort
    # of each setting's inspections (the register sorted by inspection: 1.8 s -> 0.4 s).
    return Inspection.objects.filter(setting=OuterRef("pk"), register=Register.EYR).order_by(
        "-inspection_date"
    )


def kqm_status_expression() -> Case:
    """A setting's KQM status: its latest accreditation's status, or its latest application's.

    An accepted application opens an accreditation, whose status then tells the
    story. An application without one (submitted, waitlisted or declined) counts
    when it is newer than the latest accreditation, for example a setting
    applying again after its mark lapsed. Application statuses are the first steps
    of the accreditation pipeline (submitted is "applied"), so one column reads the
    same whichever record it comes from. Null when the setting has never applied.
    """
    accreditations = Accreditation.objects.filter(setting=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    applications = (
        Application.objects.filter(setting=OuterRef("pk"), accreditation__isnull=True)
        .order_by("-submitted_at", "-pk")
        .annotate(
            as_status=Case(
                When(status=ApplicationStatus.SUBMITTED, then=Value(Status.APPLIED.value)),
                default=F("status"),
                output_field=CharField(),
            )
        )
    )
    accreditation_status = Subquery(accreditations.values("status")[:1])
    accreditation_opened = Subquery(accreditations.values("created_at")[:1])
    application_status = Subquery(applications.values("as_status")[:1])
    application_submitted = Subquery(applications.values("submitted_at")[:1])
    return Case(
        When(IsNull(accreditation_opened, True), then=application_status),
        When(GreaterThan(application_submitted, accreditation_opened), then=application_status),
        default=accreditation_status,
        output_field=CharField(),
    )


# The register's computed columns from the latest Early Years Register inspection.
LATEST_INSPECTION_FIELDS = {
    "latest_inspection_date": "inspection_date",
    "latest_framework": "framework",
    "latest_outcome": "overall_effectiveness",
}


def with_columns(settings: QuerySet[Setting], *names: str) -> QuerySet[Setting]:
    """``settings`` with the register's computed columns ``names`` annotated in SQL (those
    a filter or a sort needs), unless they already are."""
    annotations: dict[str, Any] = {}
    for name in names:
        if name in settings.query.annotations:
            continue
        if name == "kqm_status":
            annotations[name] = kqm_status_expression()
        else:
            field = LATEST_INSPECTION_FIELDS[name]
            annotations[name] = Subquery(_latest_eyr_inspection().values(field)[:1])
    return settings.annotate(**annotations) if annotations else settings


REGISTER_COLUMNS = (*LATEST_INSPECTION_FIELDS, "kqm_status")


def register_rows() -> QuerySet[Setting]:
    """Every setting with its latest Early Years Register inspection and its KQM status.

    Annotated in SQL (one subquery per column) so that a filter, a sort or a 70,000-row
    export costs a fixed number of queries. A page of the register reads the columns of
    its own rows instead (``add_register_columns``): compiling these subqueries costs a
    page more than running them.
    """
    return with_columns(Setting.objects.all(), *REGISTER_COLUMNS)


@dataclass(frozen=True)
class _Opened:
    status: str
    when: datetime.datetime


def _kqm_status(opened: _Opened | None, applied: _Opened | None) -> str | None:
    """``kqm_status_expression`` for one setting, from its latest accreditation and its
    latest application that opened none (the application's status as the column shows it)."""
    if opened is None or (applied is not None and applied.when > opened.when):
        return applied.status if applied is not None else None
    return opened.status


def _applied(application: Application) -> _Opened:
    status = application.status
    shown = Status.APPLIED.value if status == ApplicationStatus.SUBMITTED else status
    return _Opened(shown, application.submitted_at)


def _opened_and_applied(setting_ids: list[int]) -> list[tuple[Any, ...]]:
    """The settings' accreditations and their applications that opened none, side by
    side: setting, status, when, id, whether an application. Written out: compiling the
    same query with the ORM took longer than running it, on every page of the register."""
    if not setting_ids:
        return []
    accreditation = Accreditation._meta.db_table
    application = Application._meta.db_table
    among = ", ".join(["%s"] * len(setting_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setting_id, status, created_at, id, 0 FROM {accreditation}"
            f" WHERE setting_id IN ({among}) UNION ALL"
            f" SELECT p.setting_id, p.status, p.submitted_at, p.id, 1 FROM {application} p"
            f" LEFT JOIN {accreditation} a ON a.application_id = p.id"
            f" WHERE p.setting_id IN ({among}) AND a.id IS NULL",
            [*setting_ids, *setting_ids],
        )
        return [
            # SQLite hands a union's dates back as text.
            (setting_id, status, parse_datetime(when) if isinstance(when, str) else when, pk, kind)
            for setting_id, status, when, pk, kind in cursor.fetchall()
        ]


def kqm_statuses(setting_ids: list[int]) -> dict[int, str | None]:
    """The settings' KQM statuses as ``kqm_status_expression`` works them out, in one
    query for any number of settings (a page of the register): their accreditations and
    their applications that opened none, side by side."""
    latest: dict[tuple[int, bool], tuple[datetime.datetime, int, str]] = {}
    for setting_id, status, when, pk, kind in _opened_and_applied(setting_ids):
        is_application = bool(kind)
        key = (setting_id, is_application)
        if key not in latest or (when, pk) > latest[key][:2]:
            latest[key] = (when, pk, status)
    found: dict[tuple[int, bool], _Opened] = {}
    for (setting_id, is_application), (when, _, status) in latest.items():
        if is_application and status == ApplicationStatus.SUBMITTED:
            status = Status.APPLIED.value
        found[setting_id, is_application] = _Opened(status, when)
    return {
        setting_id: _kqm_status(found.get((setting_id, False)), found.get((setting_id, True)))
        for setting_id in setting_ids
    }


def kqm_status_of(
    accreditations: list[Accreditation], applications: list[Application]
) -> str | None:
    """A setting's KQM status from all of its accreditations and applications, each list
    newest first (as ``setting_story`` reads them for the KQM manager): no query."""
    opened_any = {a.application_id for a in accreditations}
    opened = accreditations[0] if accreditations else None
    applied = next((a for a in applications if a.pk not in opened_any), None)
    return _kqm_status(
        _Opened(opened.status, opened.created_at) if opened is not None else None,
        _applied(applied) if applied is not None else None,
    )


def add_register_columns(settings: list[Setting]) -> list[Setting]:
    """Give a page of settings the register's computed columns (``register_rows``): three
    queries whatever the page's length, each a plain read of the page's own rows."""
    ids = [setting.pk for setting in settings]
    latest: dict[int, tuple[datetime.date | None, str | None, str | None]] = {}
    for setting_id, day, framework, outcome in (
        Inspection.objects.filter(setting_id__in=ids, register=Register.EYR)
        .order_by("setting_id", "-inspection_date")
        .values_list("setting_id", "inspection_date", "framework", "overall_effectiveness")
    ):
        latest.setdefault(setting_id, (day, framework, outcome))
    statuses = kqm_statuses(ids)
    never: tuple[None, None, None] = (None, None, None)
    for setting in settings:
        values = dict(zip(LATEST_INSPECTION_FIELDS, latest.get(setting.pk, never), strict=True))
        values["kqm_status"] = statuses[setting.pk]
        for name, value in values.items():
            setattr(setting, name, value)
    return settings


# A whole Ofsted URN as typed: two letters and six digits, or seven digits.
WHOLE_URN = re.compile(r"(?i)(EY|SC|CA)\d{6}|\d{7}")


def search_register(settings: QuerySet[Setting], search: str) -> QuerySet[Setting]:
    """Name, URN or postcode, case-insensitive and partial; URNs and postcodes ignore spaces.

    On PostgreSQL trigram indexes answer the partial matches (migration 0006).
    """
    search = search.strip()
    if not search:
        return settings
    squashed = "".join(search.split())
    if WHOLE_URN.fullmatch(squashed):
        # A whole URN: the URN's own index finds it (or the longer URNs it begins) at once.
        return settings.filter(urn__startswith=squashed.upper())
    return settings.alias(postcode_squashed=Replace("postcode", Value(" "), Value(""))).filter(
        # A postcode holding the search holds it without spaces too: one condition for both.
        Q(name__icontains=search)
        | Q(urn__icontains=squashed)
        | Q(postcode_squashed__icontains=squashed)
    )


def filter_by_kqm_status(settings: QuerySet[Setting], status: str) -> QuerySet[Setting]:
    """Settings whose KQM status (``kqm_status_expression``) is ``status``."""
    settings = with_columns(settings, "kqm_status")
    if status == NEVER_APPLIED:
        return settings.filter(Q(kqm_status__isnull=True))
    return settings.filter(Q(kqm_status=status))


def filter_by_ofsted_outcome(settings: QuerySet[Setting], outcome: str) -> QuerySet[Setting]:
    """Settings whose latest Early Years Register inspection had ``outcome``."""
    settings = with_columns(settings, *LATEST_INSPECTION_FIELDS)
    if outcome == NOT_INSPECTED:
        return settings.filter(Q(latest_inspection_date__isnull=True))
    if outcome == RENEWED_NO_GRADE:
        return settings.filter(Q(latest_framework=Framework.RENEWED_2025))
    return settings.filter(Q(latest_outcome=outcome))


def parse_register_sort(value: str) -> tuple[str, bool]:
    """``"-name"`` -> ("name", descending); anything unknown -> the default, ascending."""
    descending = value.startswith("-")
    key = value.removeprefix("-")
    if key not in REGISTER_SORTS:
        return DEFAULT_REGISTER_SORT, False
    return key, descending


def sort_register(
    settings: QuerySet[Setting], key: str, descending: bool, *, searching: bool = False
) -> QuerySet[Setting]:
    """``searching``: the rows are a search's matches. Their order is then taken from an
    expression no index holds, so that PostgreSQL sorts the few matches the trigram
    indexes find instead of walking the name index until it has met a page of them
    (matches bunched under one letter, "Rainbow ...", would cost a walk of most of it)."""
    if key == "inspected":
        settings = with_columns(settings, "latest_inspection_date")
    ordering = []
    for name in REGISTER_SORTS[key]:
        expression: Any = F(name)
        if searching and name in ("name", "urn", "postcode"):
            expression = Concat(F(name), Value(""), output_field=CharField())
        # Settings never inspected go last whichever way the dates run.
        ordering.append(
            expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        )
    return settings.order_by(*ordering, "pk")


AREA_FIELDS = ("local_authority", "district")


def register_area_choices(field: str) -> list[str]:
    """The local authorities (or districts) present on the register, for the filters.

    On PostgreSQL one index probe per value (a recursive query that skips from each value
    to the next), not a read of every setting: about 150 probes for England's 70,000.
    """
    if field not in AREA_FIELDS:
        raise ValueError(f"Not an area: {field}")
    if connection.vendor == "postgresql":
        table = Setting._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH RECURSIVE area(value) AS ("
                f"(SELECT {field} FROM {table} WHERE {field} > '' ORDER BY {field} LIMIT 1)"
                f" UNION ALL SELECT (SELECT {field} FROM {table} WHERE {field} > area.value"
                f" ORDER BY {field} LIMIT 1) FROM area WHERE area.value IS NOT NULL)"
                " SELECT value FROM area WHERE value IS NOT NULL"
            )
            return [value for (value,) in cursor.fetchall()]
    return list(
        Setting.objects.exclude(**{field: ""})
        .order_by(field)
        .values_list(field, flat=True)
        .distinct()
    )


def register_areas() -> dict[str, list[str]]:
    """Each area field's values on the register (``register_area_choices``), kept until
    the register changes."""
    return reports_cache.cached(
        "register-areas",
        "",
        lambda: {field: register_area_choices(field) for field in AREA_FIELDS},
        reports_cache.REGISTER,
    )


# --- One setting's story -----------------------------------------------------------------


class EventKind(StrEnum):
    INSPECTION = "inspection"
    APPLICATION = "application"
    APPLICATION_DECISION = "application_decision"
    ACCREDITATION = "accreditation"
    STATUS_CHANGE = "status_change"


@dataclass(frozen=True)
class TimelineEvent:
    """One dated entry of a setting's timeline; ``record`` is the row it comes from."""

    kind: EventKind
    day: datetime.date
    moment: datetime.datetime  # for ordering events of the same day
    record: Inspection | Application | Accreditation | AccreditationStatusChange


@dataclass
class SettingStory:
    setting: Setting
    inspections: list[Inspection]
    applications: list[Application]
    accreditations: list[Accreditation]
    kqm_status: str | None
    timeline: list[TimelineEvent] = field(default_factory=list)

    @property
    def latest_inspection(self) -> Inspection | None:
        """The latest Early Years Register inspection (the outcome the register shows)."""
        return next((i for i in self.inspections if i.register == Register.EYR), None)

    @property
    def current_accreditation(self) -> Accreditation | None:
        return self.accreditations[0] if self.accreditations else None


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _event(
    kind: EventKind,
    when: datetime.date | datetime.datetime,
    record: Inspection | Application | Accreditation | AccreditationStatusChange,
) -> TimelineEvent:
    if isinstance(when, datetime.datetime):
        return TimelineEvent(kind, timezone.localdate(when), when, record)
    return TimelineEvent(kind, when, _start_of(when), record)


def setting_story(user: User, setting: Setting) -> SettingStory:
    """The setting's inspections, applications and accreditations, as one timeline.

    A fixed number of queries however long the story: one per kind of record, one
    for all status changes; the current KQM status is worked out from the records read
    for the KQM manager, who sees them all, and costs one more query for anyone else.
    Kept, for each user (who may see only some of the records), until a record it reads
    changes (``reports_cache.SETTING``).
    """
    story = reports_cache.cached(
        "setting-story",
        f"{setting.pk}:{user.pk}:{user.role}",
        lambda: _setting_story(user, setting),
        reports_cache.SETTING,
    )
    story.setting = setting  # the one the view read, not a copy
    return story


def _setting_story(user: User, setting: Setting) -> SettingStory:
    inspections = list(setting.inspections.order_by("-inspection_date", "-pk"))
    applications = list(
        applications_visible_to(user)
        .filter(setting=setting)
        .select_related("decided_by")
        .order_by("-submitted_at", "-pk")
    )
    accreditations = list(
        accreditations_visible_to(user)
        .filter(setting=setting)
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=AccreditationStatusChange.objects.select_related("changed_by"),
            )
        )
        .order_by("-created_at", "-pk")
    )
    if user.role == Role.MANAGER:  # who sees every accreditation and application
        kqm_status = kqm_status_of(accreditations, applications)
    else:
        kqm_status = kqm_statuses([setting.pk])[setting.pk]
    events: list[TimelineEvent] = [
        _event(EventKind.INSPECTION, i.inspection_date, i) for i in inspections
    ]
    for application in applications:
        events.append(_event(EventKind.APPLICATION, application.submitted_at, application))
        if application.decided_at and application.status != ApplicationStatus.SUBMITTED:
            events.append(
                _event(EventKind.APPLICATION_DECISION, application.decided_at, application)
            )
    for accreditation in accreditations:
        events.append(_event(EventKind.ACCREDITATION, accreditation.created_at, accreditation))
        events.extend(
            _event(EventKind.STATUS_CHANGE, change.changed_at, change)
            for change in accreditation.status_changes.all()
        )
    events.sort(key=lambda e: e.moment, reverse=True)
    return SettingStory(
        setting=setting,
        inspections=inspections,
        applications=applications,
        accreditations=accreditations,
        kqm_status=kqm_status,
        timeline=events,
    )


# --- Inspections -------------------------------------------------------------------------


def access_inspection_by_id(user: User, inspection_id: int) -> Inspection:
    """An inspection of a setting the user may open; 403 for viewers, else 404."""
    if user.role == Role.VIEWER:
        raise PermissionDenied("Viewers see reports, not individual settings.")
    try:
        return Inspection.objects.select_related("setting").get(
            pk=inspection_id, setting__in=settings_visible_to(user)
        )
    except Inspection.DoesNotExist:
        raise Http404("No such inspection.") from None


def inspection_on_day_exists(
    *, setting: Setting, register: str, day: datetime.date, exclude_pk: int | None = None
) -> bool:
    """Whether the setting already has an inspection on this register on this day."""
    same_day = Inspection.objects.filter(setting=setting, register=register, inspection_date=day)
    if exclude_pk is not None:
        same_day = same_day.exclude(pk=exclude_pk)
    return same_day.exists()
