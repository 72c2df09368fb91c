"""Rating audits and the instrument library: their pages live in topic modules, registered here."""

from __future__ import annotations

from django.urls import URLPattern

from . import comparisons, instruments, ratings

urlpatterns: list[URLPattern] = [
    *ratings.urlpatterns,
    *comparisons.urlpatterns,
    *instruments.urlpatterns,
]
