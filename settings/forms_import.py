"""Forms of the Ofsted data import. They validate; the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from kqm.forms import GovForm

from . import importer

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx", ".ods")


def max_upload_bytes() -> int:
    return int(getattr(settings, "OFSTED_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def too_large_message(size: int) -> str | None:
    """The message for a file over the size limit (the upload and the command share it)."""
    limit = max_upload_bytes()
    if size > limit:
        return f"The selected file must be smaller than {limit / (1024 * 1024):g} MB"
    return None


def check_name(name: str) -> str | None:
    """The message for a file whose name says it is none of the formats that work."""
    if not name.lower().endswith(EXTENSIONS):
        return importer.FORMATS_MESSAGE
    return None


class OfstedUploadForm(GovForm, forms.Form):
    file = forms.FileField(
        label="Ofsted childcare providers file (CSV, XLSX or ODS)",
        help_text="“Childcare providers and inspections: management information”, the "
        "provider-level file from GOV.UK, as published (CSV) or saved as a spreadsheet. "
        "Nothing is changed on the register until you have checked what the file contains "
        "and confirmed.",
        error_messages={
            "required": "Select the Ofsted CSV file",
            "empty": "The selected file is empty",
            "invalid": "Select the Ofsted CSV file",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.encoding = "utf-8-sig"
        self._init_helper()

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        problem = too_large_message(upload.size or 0) or check_name(upload.name or "")
        if problem:
            raise forms.ValidationError(problem)
        try:
            self.encoding = importer.inspect_file(upload)
        except importer.ImportFileError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


class ConfirmImportForm(GovForm, forms.Form):
    """Confirming a preview; with rejected rows, the manager ticks that only valid rows go in."""

    valid_rows_only = forms.BooleanField(
        required=True,
        error_messages={
            "required": "Confirm that only the valid rows will be imported",
        },
    )

    def __init__(self, *args: Any, rejected: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rejected:
            self.fields["valid_rows_only"].label = (
                f"I understand that the {rejected:,} rejected "
                f"row{'s' if rejected != 1 else ''} will not be imported"
            )
        else:
            del self.fields["valid_rows_only"]
        self._init_helper()
