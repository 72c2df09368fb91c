"""Factories and helpers for the award tests (awards, certificates, public pages)."""

from __future__ import annotations

import datetime
import shutil
import subprocess
from pathlib import Path

import factory
from factory.django import DjangoModelFactory

from accreditation.models import Award, Status
from accreditation.models.awards import add_years, format_award_number, new_verification_code
from tests.factories import AccreditationFactory


class AwardFactory(DjangoModelFactory[Award]):
    """An award row as the grant service would store it (without queueing the certificate)."""

    class Meta:
        model = Award

    accreditation = factory.SubFactory(AccreditationFactory, status=Status.ACCREDITED)
    setting = factory.LazyAttribute(lambda o: o.accreditation.setting)
    award_date = datetime.date(2026, 3, 14)
    expiry_date = factory.LazyAttribute(lambda o: add_years(o.award_date, 3))
    year = factory.LazyAttribute(lambda o: o.award_date.year)
    sequence = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(lambda o: format_award_number(o.year, o.sequence))
    verification_code = factory.LazyFunction(new_verification_code)


def decode_qr_codes(pdf: Path, workdir: Path) -> list[str]:
    """Render page 1 to PNG with pdftoppm and read every QR code on it with zbarimg."""
    image = workdir / "page"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "150",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(image),
        ],
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", f"{image}.png"],
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in result.stdout.splitlines() if line.strip()]


def qr_tools_missing() -> str | None:
    """Why the QR code cannot be decoded here, or None when it can."""
    missing = [tool for tool in ("pdftoppm", "zbarimg") if shutil.which(tool) is None]
    if missing:
        return (
            f"{' and '.join(missing)} not installed (Debian: poppler-utils, zbar-tools); "
            "the QR code's content is not checked"
        )
    return None
