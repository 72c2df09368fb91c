"""Every form of the project renders user text in labels, hints, legends and choices as text.

crispy-forms-gds prints labels, hints and legends with ``|safe``; the project overrides those
templates (templates/gds/) so they are escaped unless our own code marked them safe.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from crispy_forms.utils import render_crispy_form
from django import forms
from django.db.models import Value

from accreditation.models.unit_b import SEF_SECTIONS
from audits.definitions import load_shipped_instruments
from audits.models import Child, Group, InstrumentVersion, Questionnaire, ScaleValue
from audits.scoring import ItemDef
from audits.services.questionnaires import load_shipped_questionnaires
from kqm.models import Role, User
from settings.ofsted import Framework
from tests.audits.leuven_factories import ChildFactory, GroupFactory
from tests.factories import AccreditationFactory, SettingFactory, UserFactory

from .form_payloads import PAYLOAD, PAYLOADS, poison, project_form_classes, required_keywords

FORM_CLASSES = project_form_classes()
# Arguments a form takes through ``*args, **kwargs`` (its parent's signature).
PASSED_THROUGH = {"SetPasswordForm": ["user"]}


def _argument(name: str) -> Any:
    """A value for a required constructor argument, built from real records where needed."""
    setting = SettingFactory(name=PAYLOAD)
    simple: dict[str, Any] = {
        "current_status": "submitted",
        "programme_year": 2026,
        "current": {},
        "subscales": {},
        "available": ["initial_audit"],
        "known_codes": ["A1"],
        "group_name": PAYLOAD,
        "rejected": 0,
        "framework": Framework.EIF_2019,
        "register": "EYR",
        "full": True,
    }
    if name in simple:
        return simple[name]
    if name == "setting":
        return setting
    if name == "settings":
        return type(setting).objects.filter(pk=setting.pk)
    if name in ("candidates", "staff", "observers"):
        user = UserFactory(role=Role.EVALUATOR, full_name=PAYLOAD)
        users = User.objects.filter(pk=user.pk)
        return users.annotate(days_budgeted=Value(Decimal(2))) if name == "candidates" else users
    if name == "user":
        return UserFactory()
    if name == "groups":
        return Group.objects.filter(pk=GroupFactory(setting=setting, name=PAYLOAD).pk)
    if name == "children":
        return Child.objects.filter(pk=ChildFactory(group__setting=setting).pk)
    if name == "items":
        return [ItemDef(id=1, number=1, title=PAYLOAD, subscale_id=1, na_allowed=True)]
    if name == "scale":
        load_shipped_instruments()
        version = InstrumentVersion.objects.filter(is_current=True).first()
        assert version is not None
        return list(ScaleValue.objects.filter(version=version))
    if name == "versions":
        load_shipped_instruments()
        return InstrumentVersion.objects.filter(is_current=True)
    if name == "accreditation":
        return AccreditationFactory(setting=setting)
    if name == "section":
        return SEF_SECTIONS[0]
    if name == "group":
        return GroupFactory(setting=setting, name=PAYLOAD)
    if name == "version":
        load_shipped_instruments()
        return InstrumentVersion.objects.filter(is_current=True).first()
    if name == "questionnaire":
        load_shipped_questionnaires()
        return Questionnaire.objects.filter(is_current=True).first()
    if name == "questionnaires":
        load_shipped_questionnaires()
        return {q.kind: q for q in Questionnaire.objects.filter(is_current=True)}
    if name == "cohorts":
        from accreditation.models import Cohort

        return Cohort.objects.all()
    # Sequences of records (sections, bookings, items...): the dynamic fields they create are
    # poisoned after construction, and the sinks named in the issue have their own tests.
    return []


def build(cls: type[forms.BaseForm]) -> forms.BaseForm:
    names = required_keywords(cls) + PASSED_THROUGH.get(cls.__name__, [])
    return cls(**{name: _argument(name) for name in names})


def assert_inert(html: str) -> None:
    for payload in PAYLOADS[:2]:
        assert payload not in html
    assert "<script" not in html.lower()
    assert "onerror=" not in html.lower().replace("onerror=&quot;", "")
    assert "&lt;script&gt;" in html, "the payload should be shown as text"
    assert "{% debug %}" in html, "template syntax in user text is shown, never run"


def test_every_project_form_is_found():
    names = {cls.__name__ for cls in FORM_CLASSES}
    assert {"AttendanceForm", "NoteForm", "CaseStudyForm", "SettingForm"} <= names
    assert len(FORM_CLASSES) > 60


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_labels_hints_legends_and_choices_are_escaped(form_class, settings):
    settings.USE_TZ = True
    form = build(form_class)
    if not form.fields:
        pytest.skip("a form with no fields renders no label")
    poison(form)
    html = str(render_crispy_form(form, getattr(form, "helper", None), context={}))
    assert_inert(html)


@pytest.mark.django_db
def test_a_bound_form_with_errors_escapes_too():
    from kqm.forms import InviteUserForm

    form = InviteUserForm(data={"full_name": PAYLOAD, "email": "not an email", "role": PAYLOAD})
    poison(form)
    assert not form.is_valid()
    html = str(render_crispy_form(form, form.helper, context={}))
    assert_inert(html)
