"""Checks for evidence files: the allowed kinds, the size, and what the bytes really are.

A file's name can say anything, so each upload is identified from its contents
(its "magic" bytes, and for Office documents the parts inside the zip or OLE
container) and must match both an allowed kind and its own extension. Programs
and web pages are refused with a message that says so.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

MAX_EVIDENCE_FILES = 10
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
ALLOWED_DESCRIPTION = "a PDF, Word, Excel, PowerPoint, JPEG or PNG file"
ACCEPT_ATTRIBUTE = ".pdf,.doc,.docx,.xls,.xlsx,.pptx,.jpg,.jpeg,.png"


@dataclass(frozen=True)
class FileKind:
    code: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


KINDS: dict[str, FileKind] = {
    kind.code: kind
    for kind in (
        FileKind("pdf", "PDF", "application/pdf", ("pdf",)),
        FileKind(
            "docx",
            "Word document",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ("docx",),
        ),
        FileKind(
            "xlsx",
            "Excel spreadsheet",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ("xlsx",),
        ),
        FileKind(
            "pptx",
            "PowerPoint presentation",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ("pptx",),
        ),
        FileKind("doc", "Word 97-2003 document", "application/msword", ("doc",)),
        FileKind("xls", "Excel 97-2003 spreadsheet", "application/vnd.ms-excel", ("xls",)),
        FileKind("jpeg", "JPEG image", "image/jpeg", ("jpg", "jpeg")),
        FileKind("png", "PNG image", "image/png", ("png",)),
    )
}
KIND_BY_EXTENSION = {ext: kind for kind in KINDS.values() for ext in kind.extensions}

# The part every OOXML package of each kind must hold.
OOXML_MAIN_PARTS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Stream names inside the OLE container, stored as UTF-16LE.
OLE_STREAMS = {
    "doc": ("WordDocument".encode("utf-16-le"),),
    "xls": ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le")),
}
EXECUTABLE_MAGIC = (
    b"MZ",  # Windows .exe/.dll
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # a script
)
MARKUP = re.compile(rb"<\s*(script|html|!doctype\s+html|iframe|svg|body|head)\b", re.IGNORECASE)


def max_evidence_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def describe_size(size: int) -> str:
    """10 MB, 2.5 MB, 300 KB, 12 bytes."""
    megabytes = size / (1024 * 1024)
    if megabytes >= 1:
        return f"{megabytes:.1f}".removesuffix(".0") + " MB"
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, with what it really is."""

    upload: UploadedFile
    kind: FileKind
    extension: str
    original_name: str
    size: int


def _read_all(upload: IO[bytes]) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _ooxml_kind(data: bytes, upload: IO[bytes]) -> str | None:
    """docx/xlsx/pptx from the package's parts; None for any other zip or a broken one."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return "macro"
    for code, part in OOXML_MAIN_PARTS.items():
        if part in names:
            return code
    return None


def sniff(data: bytes, upload: IO[bytes]) -> str | None:
    """What the bytes are: a KINDS code, or "executable", "markup", "macro", or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _ooxml_kind(data, upload)
    if data.startswith(OLE_MAGIC):
        for code, streams in OLE_STREAMS.items():
            if any(stream in data for stream in streams):
                return code
        return None
    if data.startswith(EXECUTABLE_MAGIC):
        return "executable"
    if MARKUP.search(data[:4096]):
        return "markup"
    return None


def check_evidence_file(upload: UploadedFile) -> CheckedFile:
    """Return the checked file, or raise ValidationError with a message for the person."""
    original_name = os.path.basename((upload.name or "").replace("\\", "/"))[:255]
    extension = original_name.rsplit(".", 1)[-1].lower() if "." in original_name else ""
    size = upload.size or 0
    if size == 0:
        raise ValidationError("The selected file is empty.", code="empty")
    limit = max_evidence_bytes()
    if size > limit:
        raise ValidationError(
            "The selected file must be smaller than %(limit)s (it is %(size)s).",
            code="too_big",
            params={"limit": describe_size(limit), "size": describe_size(size)},
        )
    claimed = KIND_BY_EXTENSION.get(extension)
    data = _read_all(upload)
    found = sniff(data, upload)
    if found == "executable":
        raise ValidationError(
            "The selected file is a program, not a document. Upload %(allowed)s.",
            code="executable",
            params={"allowed": ALLOWED_DESCRIPTION},
        )
    if found == "markup":
        raise ValidationError(
            "The selected file is a web page (HTML), which could run code. Upload %(allowed)s.",
            code="markup",
            params={"allowed": ALLOWED_DESCRIPTION},
        )
    if found == "macro":
        raise ValidationError(
            "The selected file contains macros. Save it without macros (as .docx, .xlsx "
            "or .pptx) or as a PDF, then upload it.",
            code="macro",
        )
    if claimed is None:
        raise ValidationError(
            "The selected file must be %(allowed)s.",
            code="extension",
            params={"allowed": ALLOWED_DESCRIPTION},
        )
    if found != claimed.code:
        actual = KINDS[found].label if found in KINDS else "not a file type we accept"
        raise ValidationError(
            "The selected file’s name ends in .%(extension)s but it is not a real "
            "%(label)s (its contents are %(actual)s). Upload %(allowed)s.",
            code="mismatch",
            params={
                "extension": extension,
                "label": claimed.label,
                "actual": f"a {actual}" if found in KINDS else actual,
                "allowed": ALLOWED_DESCRIPTION,
            },
        )
    return CheckedFile(
        upload=upload, kind=claimed, extension=extension, original_name=original_name, size=size
    )
