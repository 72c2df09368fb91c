"""Evidence files are checked by what their bytes are, not by what their names say."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accreditation.models import Application, ApplicationEvidence
from accreditation.uploads import check_evidence_file, describe_size
from kqm.models import Role
from tests.access import assert_field_error
from tests.factories import CohortFactory

from .programme_helpers import (
    DOC,
    DOCX,
    HTML,
    JPEG,
    LINUX_EXE,
    PDF,
    PNG,
    PPTX,
    WINDOWS_EXE,
    XLS,
    XLSX,
    _media_in_tmp,  # noqa: F401
    answers_post,
    ooxml,
    upload,
)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Ofsted report.pdf", PDF, "application/pdf"),
        ("room plan.PNG", PNG, "image/png"),
        ("garden.jpg", JPEG, "image/jpeg"),
        ("garden.jpeg", JPEG, "image/jpeg"),
        (
            "SEF.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "ECERS scores.xlsx",
            XLSX,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "network talk.pptx",
            PPTX,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("old policy.doc", DOC, "application/msword"),
        ("old scores.xls", XLS, "application/vnd.ms-excel"),
    ],
)
def test_allowed_kinds_pass_with_the_type_found_in_their_bytes(name, content, content_type):
    checked = check_evidence_file(upload(name, content, "text/plain"))
    assert checked.kind.content_type == content_type  # not what the browser claimed
    assert checked.original_name == name
    assert checked.size == len(content)


def _refused(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as error:
        check_evidence_file(upload(name, content))
    return error.value.messages[0]


@pytest.mark.parametrize("content", [WINDOWS_EXE, LINUX_EXE, b"#!/bin/sh\nrm -rf /\n"])
def test_a_program_renamed_as_a_pdf_is_refused(content):
    assert _refused("report.pdf", content) == (
        "The selected file is a program, not a document. "
        "Upload a PDF, Word, Excel, PowerPoint, JPEG or PNG file."
    )


@pytest.mark.parametrize("name", ["policy.docx", "policy.html", "policy.pdf", "photo.png"])
def test_a_web_page_with_script_is_refused_whatever_its_name(name):
    assert _refused(name, HTML).startswith(
        "The selected file is a web page (HTML), which could run code."
    )


def test_a_document_with_macros_is_refused():
    message = _refused("plan.docx", ooxml("word/document.xml", macros=True))
    assert message.startswith("The selected file contains macros.")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("photo.pdf", PNG, "name ends in .pdf but it is not a real PDF (its contents are a PNG"),
        ("scores.docx", XLSX, "not a real Word document (its contents are a Excel spreadsheet"),
        ("notes.docx", ooxml("other/thing.xml"), "not a real Word document"),
        ("notes.pdf", b"just some text", "not a real PDF (its contents are not a file type"),
        ("sheet.xls", DOC, "not a real Excel 97-2003 spreadsheet"),
    ],
)
def test_contents_that_do_not_match_the_name_are_refused(name, content, expected):
    assert expected in _refused(name, content)


@pytest.mark.parametrize("name", ["tool.exe", "notes.txt", "archive.zip", "no-extension"])
def test_other_kinds_of_file_are_refused(name):
    assert _refused(name, b"plain bytes") == (
        "The selected file must be a PDF, Word, Excel, PowerPoint, JPEG or PNG file."
    )


def test_an_empty_file_is_refused():
    assert _refused("empty.pdf", b"") == "The selected file is empty."


def test_an_oversized_file_is_refused(settings):
    settings.EVIDENCE_MAX_BYTES = 2048
    assert _refused("big.pdf", PDF + b"\x00" * 3000) == (
        "The selected file must be smaller than 2 KB (it is 3 KB)."
    )
    assert check_evidence_file(upload("small.pdf", PDF)).size == len(PDF)


def test_the_default_limit_is_ten_megabytes():
    assert describe_size(10 * 1024 * 1024) == "10 MB"
    assert describe_size(2_621_440) == "2.5 MB"


# Through the application form: the message is beside the field and nothing is saved.


@pytest.fixture
def apply_url(db):
    return reverse("accreditation:application-apply", args=[CohortFactory().pk])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", WINDOWS_EXE, "The selected file is a program, not a document."),
        ("report.pdf", LINUX_EXE, "The selected file is a program, not a document."),
        ("policy.docx", HTML, "The selected file is a web page (HTML), which could run code."),
        ("policy.html", HTML, "The selected file is a web page (HTML), which could run code."),
    ],
)
def test_the_form_refuses_dangerous_files_beside_the_field(
    client, users, apply_url, name, content, message
):
    client.force_login(users[Role.SETTING_MANAGER])
    data = answers_post(evidence_1_file=upload(name, content), evidence_1_title="Our report")
    response = client.post(apply_url, data)
    assert_field_error(response, "evidence_1_file", message)
    assert not Application.objects.exists()
    assert not ApplicationEvidence.objects.exists()
    # What the person typed is kept.
    assert "Our report" in response.content.decode()


@pytest.mark.django_db
def test_the_form_refuses_an_oversized_file_beside_the_field(client, users, apply_url, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(users[Role.SETTING_MANAGER])
    data = answers_post(
        evidence_2_file=upload("big.pdf", PDF + b"\x00" * 2048), evidence_2_title="Big"
    )
    response = client.post(apply_url, data)
    assert_field_error(response, "evidence_2_file", "The selected file must be smaller than 1 KB")
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_a_file_needs_a_title_and_a_title_needs_a_file(client, users, apply_url):
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(apply_url, answers_post(evidence_1_file=upload("a.pdf", PDF)))
    assert_field_error(response, "evidence_1_title", "Enter a title for file 1")
    response = client.post(apply_url, answers_post(evidence_3_title="Our SEF"))
    assert_field_error(response, "evidence_3_file", "Select the file for “Our SEF”")
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_stored_files_get_our_name_and_keep_the_persons_name_as_data(client, users, apply_url):
    client.force_login(users[Role.SETTING_MANAGER])
    data = answers_post(
        evidence_1_file=upload("../../etc/Ofsted <report>.pdf", PDF),
        evidence_1_title="Ofsted report",
    )
    response = client.post(apply_url, data)
    assert response.status_code == 302
    evidence = ApplicationEvidence.objects.get()
    assert evidence.original_name == "Ofsted <report>.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.file.name.startswith(f"evidence/applications/{evidence.application_id}/")
    assert "report" not in evidence.file.name and evidence.file.name.endswith(".pdf")
    with evidence.file.open("rb") as handle:
        assert handle.read() == PDF
