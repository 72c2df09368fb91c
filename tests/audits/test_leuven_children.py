"""Rooms and pseudonymous children: adding, moving, leaving, the subject access export and
the retention rule (service, Celery task and its nightly schedule)."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
import time_machine
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from audits.models import ActionPoint, Child, Group, LeuvenScore, ModerationScore
from audits.services.leuven import do_apply_child_retention, retention_cutoff
from audits.tasks import apply_child_retention
from kqm.models import Role
from tests.access import assert_field_error

from .leuven_factories import (
    ActionPointFactory,
    ChildFactory,
    GroupFactory,
    LeuvenScoreFactory,
    ModerationScoreFactory,
    ScreeningFactory,
    date_data,
)

SM, P = Role.SETTING_MANAGER, Role.PRACTITIONER
CODE = re.compile(r"^C[A-HJ-NP-Z2-9]{6}$")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0), tick=False):
        yield


# --- Groups ------------------------------------------------------------------------------------


def test_the_setting_manager_adds_and_renames_a_room(client, users, setting):
    client.force_login(users[SM])
    response = client.post(
        reverse("audits:group-new", args=[setting.pk]),
        {"name": " Rabbits ", "programme_year": "2026", "age_range": "2 to 3 years"},
    )
    group = Group.objects.get()
    assert response["Location"] == reverse("audits:group-detail", args=[group.pk])
    assert (group.setting, group.name, group.programme_year) == (setting, "Rabbits", 2026)
    assert group.history.first().history_user == users[SM]
    client.post(
        reverse("audits:group-edit", args=[group.pk]),
        {"name": "Bunnies", "programme_year": "2026", "age_range": ""},
    )
    group.refresh_from_db()
    assert group.name == "Bunnies"


def test_room_names_are_unique_per_setting_and_year(client, users, setting, other_setting):
    GroupFactory(setting=setting, name="Rabbits", programme_year=2026)
    GroupFactory(setting=other_setting, name="Owls", programme_year=2026)
    client.force_login(users[SM])
    url = reverse("audits:group-new", args=[setting.pk])
    response = client.post(url, {"name": "rabbits", "programme_year": "2026"})
    assert_field_error(response, "name", "You already have a group with this name in that year")
    response = client.post(url, {"name": "", "programme_year": "twenty"})
    assert_field_error(response, "name", "Enter the name of the room or group")
    assert_field_error(response, "programme_year", "The programme year must be a year like 2026")
    assert Group.objects.filter(setting=setting).count() == 1
    # the same name is fine another year, or in another setting
    assert client.post(url, {"name": "Rabbits", "programme_year": "2027"}).status_code == 302
    assert client.post(url, {"name": "Owls", "programme_year": "2026"}).status_code == 302


# --- Children ----------------------------------------------------------------------------------


def test_adding_children_gives_each_a_new_code_and_no_names(client, users, setting):
    group = GroupFactory(setting=setting)
    client.force_login(users[SM])
    response = client.post(
        reverse("audits:child-new", args=[group.pk]),
        {"number": "3", "age_band": "24-35", "gender": "girl", "eal": "on"},
    )
    children = list(Child.objects.filter(group=group))
    assert response.status_code == 302 and len(children) == 3
    assert all(CODE.match(child.code) for child in children)
    assert len({child.code for child in children}) == 3
    assert all(
        c.eal and not c.send and c.gender == "girl" and c.age_band == "24-35" for c in children
    )
    assert all(c.setting == setting for c in children)
    assert children[0].history.first().history_user == users[SM]
    page = client.get(reverse("audits:group-detail", args=[group.pk])).content.decode()
    assert all(child.code in page for child in children)
    # the form asks for no name and no date of birth
    form = client.get(reverse("audits:child-new", args=[group.pk])).context["form"]
    assert set(form.fields) == {
        "number",
        "age_band",
        "gender",
        "eal",
        "send",
        "funded_two",
        "looked_after",
    }


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("0", "Add at least 1 child"),
        ("61", "Add at most 60 children at a time"),
        ("", "Enter how many children to add"),
    ],
)
def test_adding_children_needs_a_sensible_number(client, users, setting, number, message):
    group = GroupFactory(setting=setting)
    client.force_login(users[SM])
    response = client.post(reverse("audits:child-new", args=[group.pk]), {"number": number})
    assert_field_error(response, "number", message)
    assert Child.objects.count() == 0


def test_a_child_moves_room_within_their_setting_only(client, users, setting, other_setting):
    child = ChildFactory(group=GroupFactory(setting=setting))
    owls = GroupFactory(setting=setting, name="Owls")
    elsewhere = GroupFactory(setting=other_setting)
    client.force_login(users[SM])
    url = reverse("audits:child-edit", args=[child.pk])
    response = client.post(url, {"group": elsewhere.pk, "send": "on"})
    assert_field_error(response, "group", "Choose one of your setting’s groups")
    child.refresh_from_db()
    assert child.group != elsewhere and not child.send
    assert client.post(url, {"group": owls.pk, "send": "on"}).status_code == 302
    child.refresh_from_db()
    assert child.group == owls and child.send


def test_a_child_who_leaves_is_archived_not_deleted(client, users, setting):
    group = GroupFactory(setting=setting)
    child = ChildFactory(group=group)
    screening = ScreeningFactory(group=group)
    LeuvenScoreFactory(screening=screening, child=child, wellbeing=3, involvement=3)
    client.force_login(users[SM])
    url = reverse("audits:child-leave", args=[child.pk])
    response = client.post(url, date_data("left_on", datetime.date(2026, 12, 20)))
    assert_field_error(response, "left_on", "The date they left must be today or in the past")
    child.refresh_from_db()
    assert child.left_on is None
    response = client.post(url, date_data("left_on", datetime.date(2026, 11, 21)))
    assert response["Location"] == reverse("audits:group-detail", args=[group.pk])
    child.refresh_from_db()
    assert child.left_on == datetime.date(2026, 11, 21)
    assert LeuvenScore.objects.filter(child=child).exists()
    page = client.get(reverse("audits:group-detail", args=[group.pk])).content.decode()
    assert "Children who have left (1)" in page
    # not on a new screening of the room
    spring = ScreeningFactory(group=group, term="spring")
    scores_page = client.get(reverse("audits:screening-scores", args=[spring.pk]))
    assert child.code not in scores_page.content.decode()


def test_the_subject_access_export_holds_everything_about_one_child(client, users, setting):
    group = GroupFactory(setting=setting, name="Rabbits")
    child = ChildFactory(group=group, eal=True, gender="boy", age_band="36-47")
    other = ChildFactory(group=group)
    screening = ScreeningFactory(group=group)
    score = LeuvenScoreFactory(screening=screening, child=child, wellbeing=2, involvement=3)
    LeuvenScoreFactory(screening=screening, child=other, wellbeing=5, involvement=5)
    ActionPointFactory(score=score, action='=HYPERLINK("x") talk with parents', owner="SENCo")
    ModerationScoreFactory(screening=screening, child=child, wellbeing=3, involvement=3)
    client.force_login(users[SM])
    response = client.get(reverse("audits:child-export", args=[child.pk]))
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == f'attachment; filename="child-{child.code}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Code", child.code] in rows
    assert ["English as an additional language", "Yes"] in rows
    assert ["Gender", "Boy"] in rows and ["Age band", "3 years (36–47 months)"] in rows
    assert ["Rabbits", "Autumn", "2026-10-06", "2 low", "3 moderate", "Red"] in rows
    action = next(row for row in rows if len(row) > 2 and row[2] == "SENCo")
    assert action[1].startswith("'=HYPERLINK")  # a spreadsheet will not run it
    assert ["Rabbits, Autumn 2026", "2026-11-02", "3 moderate", "3 moderate"] in rows
    assert other.code not in response.content.decode()


# --- Retention ----------------------------------------------------------------------------------


def _child_with_everything(setting, left_on):
    group = GroupFactory(setting=setting)
    child = ChildFactory(group=group, left_on=left_on)
    screening = ScreeningFactory(group=group)
    score = LeuvenScoreFactory(screening=screening, child=child, wellbeing=2, involvement=2)
    ActionPointFactory(score=score)
    ModerationScoreFactory(screening=screening, child=child)
    return child


def test_retention_deletes_children_who_left_more_than_three_years_ago_with_everything(setting):
    today = datetime.date(2026, 11, 25)
    expired = _child_with_everything(setting, datetime.date(2023, 11, 24))
    on_the_day = _child_with_everything(setting, datetime.date(2023, 11, 25))
    recent = _child_with_everything(setting, datetime.date(2026, 7, 20))
    staying = _child_with_everything(setting, None)
    expired_id = expired.pk

    assert do_apply_child_retention(today=today) == 1

    assert set(Child.objects.values_list("pk", flat=True)) == {on_the_day.pk, recent.pk, staying.pk}
    assert not LeuvenScore.objects.filter(child_id=expired_id).exists()
    assert not ModerationScore.objects.filter(child_id=expired_id).exists()
    assert ActionPoint.objects.count() == 3
    # the audit trail keeps no copy of the deleted child either
    assert not Child.history.filter(id=expired_id).exists()
    assert not LeuvenScore.history.filter(child_id=expired_id).exists()
    assert not ModerationScore.history.filter(child_id=expired_id).exists()
    assert ActionPoint.history.count() == 3
    # idempotent: a second run deletes nothing
    assert do_apply_child_retention(today=today) == 0


def test_the_retention_period_comes_from_the_setting(settings, setting):
    settings.CHILD_RETENTION_YEARS = 1
    child = _child_with_everything(setting, datetime.date(2025, 11, 1))
    assert do_apply_child_retention(today=datetime.date(2026, 11, 25)) == 1
    assert not Child.objects.filter(pk=child.pk).exists()
    assert retention_cutoff(datetime.date(2028, 2, 29), 3) == datetime.date(2025, 2, 28)


def test_the_task_takes_nothing_and_uses_today(setting):
    old = _child_with_everything(setting, datetime.date(2020, 1, 1))
    assert apply_child_retention.delay().get() == 1
    assert not Child.objects.filter(pk=old.pk).exists()
    assert apply_child_retention() == 0


def test_the_retention_rule_runs_every_night_from_beats_schedule(db):
    task = PeriodicTask.objects.get(task="audits.tasks.apply_child_retention")
    assert task.enabled and task.crontab is not None and task.interval is None
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("30", "2", "*")
    assert task.args == "[]" and task.kwargs == "{}"
