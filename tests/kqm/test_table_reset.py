"""After a transactional test the database is put back as migrated (``tests.table_reset``)."""

from __future__ import annotations

import threading
import time

import pytest
from django_celery_beat.models import PeriodicTask

from audits.models import Item
from settings.models import Setting
from tests.factories import SettingFactory
from tests.table_reset import changed_tables, restore_migrated_state


@pytest.mark.django_db(transaction=True)
def test_only_the_changed_tables_are_reset_and_the_migrated_rows_come_back() -> None:
    assert changed_tables() == []
    item = Item.objects.order_by("pk").first()
    assert item is not None
    title, schedules = item.short_title, PeriodicTask.objects.count()
    assert schedules > 0

    SettingFactory(name="Acorns")
    Item.objects.filter(pk=item.pk).update(short_title="Changed by a test")
    PeriodicTask.objects.order_by("pk").first().delete()

    changed = changed_tables()
    assert {"settings_setting", "audits_item", "django_celery_beat_periodictask"} <= set(changed)
    assert "audits_instrument" not in changed  # untouched, so left alone

    assert restore_migrated_state() == changed
    assert changed_tables() == []
    assert not Setting.objects.exists()
    assert Item.objects.get(pk=item.pk).short_title == title
    assert PeriodicTask.objects.count() == schedules


@pytest.mark.django_db(transaction=True)
def test_a_changed_row_with_the_same_count_is_found() -> None:
    item = Item.objects.order_by("pk").first()
    assert item is not None
    Item.objects.filter(pk=item.pk).update(na_allowed=not item.na_allowed)
    assert changed_tables() == ["audits_item"]


@pytest.mark.django_db(transaction=True)
def test_a_request_still_running_finishes_before_the_reset() -> None:
    """A request the browser left behind (an autosave sent as the test ended) writes after
    the test's last step: the reset waits for it, so its row does not reach the next test."""
    from django.db import connection as main_connection
    from django.db import connections

    def late_request() -> None:
        try:
            time.sleep(0.5)
            SettingFactory(name="Saved as the test ended")
        finally:
            connections.close_all()

    request = threading.Thread(target=late_request, name="Thread-9 (process_request_thread)")
    request.start()
    restore_migrated_state(main_connection)
    assert not request.is_alive()
    assert not Setting.objects.exists()
