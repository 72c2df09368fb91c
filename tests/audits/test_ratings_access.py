"""Who may open each rating-audit and instrument page: every URL, every role.

Allowed roles get 200, other roles 403, a wrong method 405, and a user who may use the
page but not see this setting's object 404 (an evaluator opening an audit of a setting
not assigned to them, a setting's staff opening another setting's audit).
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse

from audits.models import Occasion
from kqm.models import Role
from tests.access import assert_access, assert_not_found
from tests.factories import CohortFactory, UserFactory

from .ratings_factories import assign, library, make_audit, other_evaluator

pytestmark = pytest.mark.django_db

M, E, SM, P, V = (
    Role.MANAGER,
    Role.EVALUATOR,
    Role.SETTING_MANAGER,
    Role.PRACTITIONER,
    Role.VIEWER,
)
READ = [M, E, SM, P]
SCORE = [M, E, SM]


@pytest.fixture
def world(users, setting, other_setting):
    versions = library()
    ecers = versions["ecers-3"]
    cohort = CohortFactory()
    accreditation = assign(setting, users[E], cohort)
    other_accreditation = assign(other_setting, other_evaluator(), cohort)
    evaluator_audit = make_audit(
        setting=setting,
        version=ecers,
        created_by=users[E],
        accreditation=accreditation,
        score=5,
    )
    completed = make_audit(
        setting=setting,
        version=ecers,
        created_by=users[E],
        accreditation=accreditation,
        score=4,
        completed=True,
        occasion=Occasion.END_OF_YEAR,
        date=datetime.date(2027, 6, 20),
    )
    self_audit = make_audit(
        setting=setting,
        version=ecers,
        created_by=users[SM],
        accreditation=accreditation,
        is_self_audit=True,
    )
    second = make_audit(
        setting=setting,
        version=ecers,
        created_by=users[SM],
        accreditation=accreditation,
        score=5,
        completed=True,
        paired_with=completed,
        occasion=Occasion.END_OF_YEAR,
        date=datetime.date(2027, 6, 20),
    )
    elsewhere = make_audit(
        setting=other_setting,
        version=ecers,
        created_by=other_accreditation.evaluator,
        accreditation=other_accreditation,
        score=3,
        completed=True,
    )
    elsewhere_open = make_audit(
        setting=other_setting,
        version=ecers,
        created_by=other_accreditation.evaluator,
        accreditation=other_accreditation,
    )
    return {
        "elsewhere_open": elsewhere_open,
        "version": ecers,
        "cohort": cohort,
        "audit": evaluator_audit,
        "completed": completed,
        "self_audit": self_audit,
        "second": second,
        "elsewhere": elsewhere,
    }


def url(name, *args):
    return reverse(f"audits:{name}", args=args)


def test_audit_list_and_start(client, users, world, setting, other_setting):
    assert_access(client, url("audit-list"), users, READ)
    assert_access(client, url("audit-new"), users, SCORE)
    assert_access(client, f"{url('audit-new')}?setting={setting.pk}", users, SCORE)
    assert_access(
        client, f"{url('audit-new')}?setting={other_setting.pk}", users, [M], not_found=[E, SM]
    )


def test_audit_pages_for_readers(client, users, world):
    audit = world["completed"]
    for name in ("audit-detail", "audit-pdf", "audit-csv", "audit-agreement"):
        assert_access(client, url(name, audit.pk), users, READ)


def test_another_settings_audit_is_not_found(client, users, world):
    """An evaluator not assigned to the setting, and another setting's staff, get 404."""
    elsewhere = world["elsewhere"].pk
    for name in ("audit-detail", "audit-pdf", "audit-csv"):
        assert_access(client, url(name, elsewhere), users, [M], not_found=[E, SM, P])
    still_open = world["elsewhere_open"].pk
    for name in ("audit-score", "audit-complete", "audit-second-observation"):
        assert_access(client, url(name, still_open), users, [M], not_found=[E, SM])
    assert_not_found(client, url("audit-agreement", elsewhere), [users[E], users[SM], users[P]])


def test_scoring_an_evaluator_audit(client, users, world):
    audit = world["audit"].pk
    assert_access(client, url("audit-score", audit), users, [M, E])
    assert_access(client, url("audit-complete", audit), users, [M, E])


def test_scoring_a_self_audit(client, users, world):
    audit = world["self_audit"].pk
    assert_access(client, url("audit-score", audit), users, [M, SM])
    assert_access(client, url("audit-complete", audit), users, [M, SM])


def test_a_completed_audit_is_locked_for_everyone(client, users, world):
    """Completed: 403 to the setting manager and the evaluator (and the manager) who try to edit."""
    completed = world["completed"]
    for name in ("audit-score", "audit-complete"):
        assert_access(client, url(name, completed.pk), users, [], wrong_method=None)
    for role in (SM, E, M):
        client.force_login(users[role])
        response = client.post(url("audit-score", completed.pk), {"revision": completed.revision})
        assert response.status_code == 403, role
        response = client.post(
            url("audit-autosave", completed.pk),
            json.dumps({"item": 1, "score": "3", "revision": completed.revision}),
            content_type="application/json",
        )
        assert response.status_code == 403, role


def test_reopen_and_second_observation(client, users, world):
    assert_access(client, url("audit-reopen", world["completed"].pk), users, [M])
    assert_access(client, url("audit-second-observation", world["audit"].pk), users, SCORE)


def test_consensus(client, users, world):
    assert_access(client, url("audit-consensus", world["completed"].pk), users, SCORE)
    assert_access(
        client,
        url("audit-consensus", world["elsewhere"].pk),
        users,
        [],
        not_found=[M, E, SM],  # the manager sees it, but it has no second observation
        wrong_method=None,
    )


def test_autosave_roles(client, users, world):
    audit = world["audit"]
    item = audit.version.items.order_by("number").first()
    endpoint = url("audit-autosave", audit.pk)
    expected = {M: 200, E: 200, SM: 403, P: 403, V: 403}
    for role, status in expected.items():
        audit.refresh_from_db()
        client.force_login(users[role])
        response = client.post(
            endpoint,
            json.dumps({"item": item.pk, "score": "6", "revision": audit.revision}),
            content_type="application/json",
        )
        assert response.status_code == status, role
    client.force_login(users[M])
    assert client.get(endpoint).status_code == 405
    client.force_login(users[E])
    elsewhere = url("audit-autosave", world["elsewhere"].pk)
    response = client.post(
        elsewhere, json.dumps({"item": 1, "revision": 0}), content_type="application/json"
    )
    assert response.status_code == 404


def test_comparison_pages(client, users, world, setting, other_setting):
    assert_access(client, url("setting-comparison", setting.pk), users, READ)
    assert_access(
        client, url("setting-comparison", other_setting.pk), users, [M], not_found=[E, SM, P]
    )
    assert_access(client, url("cohort-list"), users, [M, V])
    assert_access(client, url("cohort-comparison", world["cohort"].pk), users, [M, V])
    assert_access(client, url("cohort-csv", world["cohort"].pk), users, [M])
    assert_access(
        client, url("cohort-comparison", 999999), users, [], not_found=[M, V], wrong_method=None
    )


def test_instrument_pages(client, users, world):
    version = world["version"]
    assert_access(client, url("instrument-list"), users, READ)
    assert_access(client, url("instrument-version", version.pk), users, READ)
    for name in (
        "instrument-version-copy",
        "instrument-version-edit",
        "instrument-version-current",
        "instrument-version-json",
    ):
        assert_access(client, url(name, version.pk), users, [M])
    assert_access(client, url("instrument-upload"), users, [M])
    assert_access(
        client, url("instrument-version", 999999), users, [], not_found=READ, wrong_method=None
    )


def test_a_practitioner_reads_but_does_not_score(client, users, world):
    client.force_login(users[P])
    page = client.get(url("audit-detail", world["audit"].pk)).content.decode()
    assert "Continue scoring" not in page
    assert client.get(url("audit-score", world["audit"].pk)).status_code == 403


def test_navigation_shows_audits_to_the_roles_that_use_them(client, users, world):
    for role in (M, E, SM, P):
        client.force_login(users[role])
        assert f'href="{url("audit-list")}"' in client.get(reverse("dashboard")).content.decode()
    client.force_login(users[V])
    page = client.get(reverse("dashboard")).content.decode()
    assert f'href="{url("audit-list")}"' not in page
    assert f'href="{url("cohort-list")}"' in page


def test_an_unassigned_evaluator_sees_no_audit(client, users, world):
    stranger = UserFactory(role=E)
    client.force_login(stranger)
    assert client.get(url("audit-detail", world["audit"].pk)).status_code == 404
    assert "There are no audits yet" in client.get(url("audit-list")).content.decode()
