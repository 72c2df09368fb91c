"""The award certificate as a PDF: A4 landscape, rendered with WeasyPrint.

Everything the page needs is inside the HTML (the stylesheet inline, the QR code
and the seal as SVG data), and WeasyPrint is given a URL fetcher that fetches
nothing else, so rendering never touches the network or the filesystem.
"""

from __future__ import annotations

import math
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string

from kqm.pdf import html_to_pdf, printable_name

from .models import Award


def qr_data_uri(url: str) -> str:
    """The QR code of ``url`` as an SVG data URI (vector, so it prints sharp at any size)."""
    return segno.make(url, error="m", micro=False).svg_data_uri(
        scale=4, border=4, dark="#0b0c0c", light="#ffffff"
    )


def _rosette_points(points: int = 32, outer: float = 50, inner: float = 45.5) -> str:
    """The serrated edge of the seal, as an SVG polygon's points (in a 100 x 100 box)."""
    coordinates = []
    for index in range(points * 2):
        radius = outer if index % 2 == 0 else inner
        angle = math.pi * index / points
        coordinates.append(
            f"{50 + radius * math.sin(angle):.2f},{50 - radius * math.cos(angle):.2f}"
        )
    return " ".join(coordinates)


ROSETTE = _rosette_points()


def _name_size(name: str) -> str:
    """Long names get a smaller type size so that they fit on two lines at most."""
    if len(name) > 70:
        return "s"
    if len(name) > 40:
        return "m"
    return "l"


def certificate_context(award: Award) -> dict[str, Any]:
    url = award.verification_url()
    setting = award.setting
    name = printable_name(setting.display_name)
    return {
        "award": award,
        "setting": setting,
        "setting_name": name,
        "name_size": _name_size(name),
        "place": ", ".join(part for part in (setting.town, setting.postcode) if part),
        "scheme": settings.KQM_SCHEME_NAME,
        "verification_url": url,
        "verify_address": f"{settings.SITE_URL}/verify/",
        "qr": qr_data_uri(url),
        "rosette": ROSETTE,
        "granted_by": award.granted_by.full_name if award.granted_by else "",
    }


def certificate_html(award: Award) -> str:
    return render_to_string("pdf/certificate.html", certificate_context(award))


def render_certificate_pdf(award: Award) -> bytes:
    """The certificate of ``award`` as PDF bytes."""
    return html_to_pdf(certificate_html(award))
