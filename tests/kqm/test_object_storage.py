"""Media on an S3-compatible object store (``MEDIA_STORAGE=s3``), against a real server.

The server is moto's, in server mode on a port of 127.0.0.1 (``tests/kqm/s3_helpers.py``):
django-storages speaks real S3 HTTP to it, as it would to AWS, MinIO or Ceph.
"""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from accreditation.models import ApplicationEvidence
from accreditation.tasks import render_certificate
from kqm.models import Role, User
from tests.access import assert_not_found
from tests.accreditation.award_factories import AwardFactory
from tests.accreditation.programme_helpers import PDF, add_evidence, upload
from tests.factories import ApplicationFactory, CohortFactory, UserFactory

from .s3_helpers import s3_media_fixture, s3_server_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def url(name: str, *args: object) -> str:
    return reverse(f"accreditation:{name}", args=args)


@pytest.fixture
def application(users, setting):
    return ApplicationFactory(
        setting=setting, cohort=CohortFactory(), submitted_by=users[Role.SETTING_MANAGER]
    )


def test_an_upload_through_the_form_lands_in_the_bucket(client, users, application, s3_media):
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(
        url("application-evidence-add", application.pk),
        {"file": upload("leuven.pdf", PDF), "title": "Leuven summary"},
    )
    assert response.status_code == 302
    evidence = application.evidence.get()
    assert s3_media.keys() == [f"media/{evidence.file.name}"]
    assert s3_media.read(f"media/{evidence.file.name}") == PDF


def test_objects_are_private_and_downloads_go_through_the_checked_view(
    client, users, application, other_setting, s3_media
):
    evidence = add_evidence(application)
    key = f"media/{evidence.file.name}"
    # No public read: the object's ACL grants its owner only, and an unsigned GET is refused.
    grants = s3_media.client().get_object_acl(Bucket=s3_media.name, Key=key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all(grant["Grantee"].get("Type") == "CanonicalUser" for grant in grants)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_media.endpoint}/{s3_media.name}/{key}", timeout=5)
    assert refused.value.code == 403

    path = url("application-evidence", application.pk, evidence.pk)
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    outsider: User = UserFactory(role=Role.SETTING_MANAGER, settings=[other_setting])
    assert_not_found(client, path, [outsider])
    # A URL the storage would sign is short-lived, and is never put on a page.
    assert "X-Amz-Expires=60" in default_storage.url(evidence.file.name)


def test_a_removed_file_leaves_the_bucket_only_once_the_removal_commits(
    client, users, application, s3_media, django_capture_on_commit_callbacks
):
    evidence = add_evidence(application, title="Old floor plan")
    key = f"media/{evidence.file.name}"
    client.force_login(users[Role.SETTING_MANAGER])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url("application-evidence-remove", application.pk, evidence.pk))
    assert response.status_code == 302
    assert not ApplicationEvidence.objects.filter(pk=evidence.pk).exists()
    assert s3_media.keys() == [key]  # not before the commit
    for callback in callbacks:
        callback()
    assert s3_media.keys() == []


def test_a_missing_object_is_a_404_not_a_500(client, users, application, s3_media):
    evidence = add_evidence(application)
    s3_media.client().delete_object(Bucket=s3_media.name, Key=f"media/{evidence.file.name}")
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.get(url("application-evidence", application.pk, evidence.pk))
    assert response.status_code == 404


def test_certificates_are_stored_in_the_bucket_and_replaced_in_place(client, manager, s3_media):
    award = AwardFactory(year=2026, sequence=7)
    assert render_certificate(award.pk) is True
    award.refresh_from_db()
    assert award.certificate.name == "certificates/2026/KQM-2026-0007.pdf"
    first = s3_media.read("media/certificates/2026/KQM-2026-0007.pdf")
    assert first.startswith(b"%PDF")
    # Rendered again: the same name, not a second object beside it.
    assert render_certificate(award.pk) is True
    award.refresh_from_db()
    assert award.certificate.name == "certificates/2026/KQM-2026-0007.pdf"
    assert s3_media.keys() == ["media/certificates/2026/KQM-2026-0007.pdf"]
    client.force_login(manager)
    response = client.get(reverse("accreditation:award-certificate", args=[award.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == s3_media.read(
        "media/certificates/2026/KQM-2026-0007.pdf"
    )
