"""Forms of the Ofsted data import. They validate; the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from kqm.forms import GovForm

from . import importer

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "OFSTED_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


class OfstedUploadForm(GovForm, forms.Form):
    file = forms.FileField(
        label="Ofsted childcare providers file (CSV)",
        help_text="“Childcare providers and inspections: management information”, the "
        "provider-level CSV file from GOV.UK. Nothing is changed on the register until you "
        "have checked what the file contains and confirmed.",
        error_messages={
            "required": "Select the Ofsted CSV file",
            "empty": "The selected file is empty",
            "invalid": "Select the Ofsted CSV file",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.encoding = "utf-8-sig"
        self._init_helper()

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if (upload.size or 0) > limit:
            raise forms.ValidationError(
                "The selected file must be smaller than %(size)s MB",
                params={"size": f"{limit / (1024 * 1024):g}"},
            )
        if not (upload.name or "").lower().endswith(".csv"):
            raise forms.ValidationError("The selected file must be a CSV")
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
