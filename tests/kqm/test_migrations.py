"""The squashed migrations build the same database as the migrations they replace.

A fresh database (every test database, every new installation) is built from the squashes;
an existing one that applied every replaced migration is marked as having applied them.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management.base import CommandError
from django.core.management.sql import emit_pre_migrate_signal
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState
from django_celery_beat.models import PeriodicTask

from accreditation.models import EntryCriterion, NoteTemplate
from kqm.schedules import SCHEDULES
from kqm.upgrades import check_no_unfinished_squash, replaced_migrations

PROJECT_APPS = ("kqm", "settings", "accreditation", "audits")


def _state(*, squashed: bool) -> ProjectState:
    loader = MigrationLoader(None, ignore_no_migrations=True, replace_migrations=squashed)
    return loader.project_state()


def _described(state: ProjectState) -> dict[tuple[str, str], Any]:
    described = {}
    for (app, name), model in state.models.items():
        if app not in PROJECT_APPS:
            continue
        options = {
            key: sorted(set(map(repr, value))) if key in ("indexes", "constraints") else value
            for key, value in model.options.items()
        }
        fields = {field_name: field.deconstruct()[1:] for field_name, field in model.fields.items()}
        described[(app, name)] = (fields, options, model.bases)
    return described


def test_the_squashes_describe_the_same_models_as_the_migrations_they_replace() -> None:
    replaced, squashed = _described(_state(squashed=False)), _described(_state(squashed=True))

    assert replaced.keys() == squashed.keys()
    for key in replaced:
        assert squashed[key] == replaced[key], key


def _squashes(loader: MigrationLoader) -> dict[tuple[str, str], list[tuple[str, str]]]:
    return {
        key: migration.replaces
        for key, migration in loader.disk_migrations.items()
        if key[0] in PROJECT_APPS and migration.replaces
    }


def test_a_fresh_database_is_built_from_the_squashes() -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    squashes = _squashes(loader)
    plan = set()
    for app in PROJECT_APPS:
        for leaf in loader.graph.leaf_nodes(app):
            plan.update(loader.graph.forwards_plan(leaf))

    assert set(squashes) <= plan
    assert not {tuple(key) for names in squashes.values() for key in names} & plan


def test_existing_databases_are_marked_as_having_applied_the_squashes() -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True, replace_migrations=False)
    replaced = [tuple(key) for names in _squashes(loader).values() for key in names]

    # Each of the 31 replaced migrations is still on disk and replaced by exactly one squash.
    assert len(replaced) == len(set(replaced)) == 31
    assert set(replaced) <= set(loader.disk_migrations)


@pytest.mark.django_db
def test_the_squashes_load_what_the_replaced_migrations_loaded() -> None:
    tasks = dict(PeriodicTask.objects.values_list("name", "task"))
    assert {name: tasks.get(name) for name in SCHEDULES} == {
        name: schedule.task for name, schedule in SCHEDULES.items()
    }
    assert EntryCriterion.objects.count() == 3
    assert NoteTemplate.objects.get().sections.count() == 5


@pytest.mark.django_db
def test_a_database_part_way_through_the_replaced_migrations_is_refused() -> None:
    recorded = MigrationRecorder.Migration.objects
    check_no_unfinished_squash()  # the test database applied every one of them

    recorded.filter(app="audits", name="0010_rounds_belong_to_accreditations").delete()
    with pytest.raises(CommandError, match=r"audits\.0010_rounds_belong_to_accreditations"):
        # What `migrate` sends before it changes anything.
        emit_pre_migrate_signal(verbosity=0, interactive=False, db="default")

    # A database with none of them (a new one) is built from the squashes.
    for app, name in replaced_migrations():
        recorded.filter(app=app, name=name).delete()
    check_no_unfinished_squash()
