"""History tables read as words: names, labels and local times, never raw values.

Renders the history section of every record of the demo data that a page shows a
history for, and fails on a raw id of a related record, a dict literal or an ISO
timestamp.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import ForeignKey, ManyToManyField
from django.template.loader import render_to_string
from django.utils import timezone

from accreditation.models import Accreditation, Cohort
from kqm.history import history_rows, show_value
from kqm.models import User
from settings.models import Setting
from tests.factories import UserFactory

# Every model whose page shows ``{% history_table %}``.
WITH_HISTORY_PAGES = [
    apps.get_model(label)
    for label in [
        "accreditation.Accreditation",
        "accreditation.AnnualReview",
        "accreditation.Application",
        "accreditation.Award",
        "accreditation.CaseStudy",
        "accreditation.CaseStudyVersion",
        "accreditation.Cohort",
        "accreditation.EvaluatorProfile",
        "accreditation.ImprovementAction",
        "accreditation.NetworkMeeting",
        "accreditation.NoteOfVisit",
        "accreditation.NoteTemplate",
        "accreditation.Reaccreditation",
        "accreditation.ReminderSettings",
        "accreditation.Visit",
        "accreditation.Workshop",
        "kqm.User",
        "audits.Screening",
        "audits.Group",
        "audits.Child",
        "audits.QuestionnaireRound",
        "audits.InstrumentVersion",
        "audits.Audit",
        "settings.Inspection",
        "settings.Setting",
        "settings.OfstedImport",
    ]
]
RAW = {
    "an ISO timestamp": re.compile(r"\b\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2})?\b"),
    "a dict literal": re.compile(r"\{(&#x27;|')"),
}


@pytest.mark.django_db
def test_every_history_of_the_demo_data_reads_as_words():
    call_command("seed_demo", verbosity=0)
    rendered = 0
    for model in WITH_HISTORY_PAGES:
        for record in model._default_manager.all():
            rows = history_rows(record)
            for row in rows:
                for change in row.changes:
                    found = next(
                        (
                            f
                            for f in model._meta.get_fields()
                            if str(getattr(f, "verbose_name", "")).capitalize() == change.field
                        ),
                        None,
                    )
                    if isinstance(found, ForeignKey | ManyToManyField):
                        for value in (change.old, change.new):
                            assert not value.isdigit(), (model.__name__, change)
            html = render_to_string("partials/history.html", {"rows": rows, "visible": True})
            for what, pattern in RAW.items():
                match = pattern.search(html)
                assert match is None, f"{model.__name__} {record.pk} shows {what}: {match}"
            rendered += bool(rows)
    assert rendered > 200  # the demo data's records with a history


@pytest.mark.django_db
def test_a_change_names_the_person_the_label_and_the_local_time(users, setting):
    reviewer = UserFactory(full_name="Morgan Patel")
    accreditation = Accreditation.objects.create(setting=setting, cohort=_cohort())
    accreditation.evaluator = reviewer
    accreditation.save(update_fields=["evaluator"])
    members = users["setting_manager"]
    members.settings.add(setting)
    (row, *_), *_ = [history_rows(accreditation)]
    assert [(c.field, c.old, c.new) for c in row.changes] == [
        ("Evaluator", "(blank)", "Morgan Patel")
    ]
    moment = timezone.make_aware(datetime.datetime(2026, 7, 1, 12, 5), datetime.UTC)
    assert show_value(None, moment, {}) == "1 Jul 2026 13:05"  # British Summer Time
    status = Accreditation._meta.get_field("status")
    assert show_value(status, "in_progress", {}) == "In progress"
    settings_field = User._meta.get_field("settings")
    shown = show_value(
        settings_field, [{"user": members.pk, "setting": setting.pk}], {(Setting, setting.pk): "A"}
    )
    assert shown == "A"


def _cohort() -> Cohort:
    from tests.factories import CohortFactory

    return CohortFactory()
