"""Re-accreditation requirements come from one registry: an eighth is one more spec.

The throwaway requirement here is registered the way a real one would be (a spec in
``accreditation.requirements.REQUIREMENTS``, and the choice on ``Requirement.kind`` that its
migration adds); nothing else is changed, and it takes its full part in re-accreditation.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accreditation.models import (
    Reaccreditation,
    ReaccreditationStatus,
    Requirement,
    RequirementKind,
    Status,
)
from accreditation.models.awards import add_years
from accreditation.requirements import (
    REQUIREMENTS,
    RequirementSpec,
    RequirementStatus,
    requirement_rows,
)
from accreditation.services import reaccreditation as services
from kqm.models import Role
from tests.factories import AccreditationFactory

from .award_factories import AwardFactory
from .reaccreditation_helpers import fill_every_requirement, requirement, the_records

pytestmark = pytest.mark.django_db

FIRST_AID = "first_aid"
LABEL = "Paediatric first aid <cover> & rotas"


@pytest.fixture
def first_aid(monkeypatch, settings, tmp_path) -> RequirementSpec:
    spec = RequirementSpec(
        FIRST_AID,
        hint="Someone with a paediatric first aid certificate is on every shift.",
        figures=lambda reaccreditation: {"shifts": len(reaccreditation.setting.name)},
        template="first_aid_figures.html",
    )
    monkeypatch.setitem(REQUIREMENTS, spec.kind, spec)
    kind = Requirement._meta.get_field("kind")
    monkeypatch.setattr(kind, "choices", [*kind.choices, (FIRST_AID, LABEL)])
    (tmp_path / spec.template).write_text(
        '<p class="govuk-body" data-testid="first-aid">{{ shifts }} shifts covered.</p>'
    )
    settings.TEMPLATES = [
        {**engine, "DIRS": [*engine.get("DIRS", []), tmp_path]} for engine in settings.TEMPLATES
    ]
    return spec


@pytest.fixture
def reaccreditation(first_aid, setting, users, manager) -> Reaccreditation:
    accreditation = AccreditationFactory(
        setting=setting, evaluator=users[Role.EVALUATOR], status=Status.ACCREDITED
    )
    award = AwardFactory(
        accreditation=accreditation,
        award_date=add_years(timezone.localdate(), -2) - datetime.timedelta(days=90),
    )
    return services.do_open_reaccreditation(award=award, opened_by=manager)


def test_the_registry_names_each_requirement_once_with_its_choice():
    assert list(REQUIREMENTS) == RequirementKind.values
    for spec in REQUIREMENTS.values():
        assert spec.hint
        assert bool(spec.record) == bool(spec.missing)
        assert (spec.record == "audit") == bool(spec.instrument)


def test_a_registered_requirement_is_opened_listed_shown_and_needed(
    client, users, manager, reaccreditation, first_aid
):
    rows = requirement_rows(reaccreditation)
    assert [row.spec.kind for row in rows] == [*RequirementKind.values, FIRST_AID]
    eighth = rows[-1]
    assert (eighth.number, eighth.name, eighth.status) == (8, LABEL, RequirementStatus.NOT_STARTED)

    client.force_login(users[Role.SETTING_MANAGER])
    task_list = client.get(reaccreditation.get_absolute_url()).content.decode()
    assert task_list.count('class="govuk-task-list__item') == 8
    assert "Paediatric first aid &lt;cover&gt; &amp; rotas" in task_list
    page = reverse(
        "accreditation:reaccreditation-requirement", args=[reaccreditation.pk, "first-aid"]
    )
    assert f'href="{page}"' in task_list
    html = client.get(page).content.decode()
    assert first_aid.hint in html
    shifts = len(reaccreditation.setting.name)
    assert f'<p class="govuk-body" data-testid="first-aid">{shifts} shifts covered.</p>' in html

    # Submitting needs it like the other seven, and names what is missing.
    the_records(reaccreditation, manager)
    setting_manager = users[Role.SETTING_MANAGER]
    fill_every_requirement(reaccreditation, setting_manager, leave_out=[FIRST_AID])
    fresh = Reaccreditation.objects.select_related("setting", "accreditation")
    with pytest.raises(ValidationError) as refused:
        services.do_submit_reaccreditation(
            actor=setting_manager, reaccreditation=fresh.get(pk=reaccreditation.pk)
        )
    assert refused.value.messages == [
        "Every requirement needs its evidence before you submit. Still to do:",
        f"{LABEL}: the evidence is not written yet",
    ]
    services.do_save_requirement_evidence(
        actor=setting_manager,
        requirement=requirement(reaccreditation, FIRST_AID),
        evidence="Rotas for the year attached.",
    )
    assert requirement_rows(reaccreditation)[-1].status == RequirementStatus.READY
    submitted = services.do_submit_reaccreditation(
        actor=setting_manager, reaccreditation=fresh.get(pk=reaccreditation.pk)
    )
    assert submitted.status == ReaccreditationStatus.SUBMITTED
