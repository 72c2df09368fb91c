"""Helpers for the application and accreditation tests: evidence bytes, uploads, fixtures."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accreditation.models import ApplicationEvidence, CriterionJudgement, EntryCriterion

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00This program cannot be run in DOS mode."
LINUX_EXE = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def ooxml(main_part: str, *, macros: bool = False) -> bytes:
    """A minimal Office Open XML package holding ``main_part``, the same bytes on every run.

    (Fixed timestamps: the bytes appear in test ids, which pytest-xdist's workers compare.)
    """
    buffer = io.BytesIO()
    parts = {"[Content_Types].xml": b"<Types/>", main_part: b"<document/>"}
    if macros:
        parts["word/vbaProject.bin"] = b"\x00"
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in parts.items():
            package.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


DOCX = ooxml("word/document.xml")
XLSX = ooxml("xl/workbook.xml")
PPTX = ooxml("ppt/presentation.xml")
DOC = OLE + b"\x00" * 56 + "WordDocument".encode("utf-16-le") + b"\x00" * 64
XLS = OLE + b"\x00" * 56 + "Workbook".encode("utf-16-le") + b"\x00" * 64


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def answers_post(**extra: object) -> dict[str, object]:
    """A complete, valid application form."""
    data: dict[str, object] = {
        "answer_" + c.code.replace("-", "_"): f"Our practice on {c.title.lower()}."
        for c in EntryCriterion.objects.filter(active=True)
    }
    data.update(extra)
    return data


def judge_all(application, judgement: str = CriterionJudgement.MET) -> None:
    application.answers.update(
        judgement=judgement,
        judgement_note="" if judgement == CriterionJudgement.MET else "Not shown.",
    )


def add_evidence(application, *, title: str = "Ofsted report", content: bytes = PDF):
    evidence = ApplicationEvidence(
        application=application,
        title=title,
        original_name="ofsted report.pdf",
        content_type="application/pdf",
        size=len(content),
        uploaded_by=application.submitted_by,
    )
    evidence.file.save("stored.pdf", io.BytesIO(content), save=False)
    evidence.save()
    return evidence


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
