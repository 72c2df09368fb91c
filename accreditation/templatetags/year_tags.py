"""Template helpers for the accreditation year."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from ..richtext import sanitise

register = template.Library()


@register.filter
def rich_text(value: str) -> SafeString:
    """Stored rich text, sanitised again on the way out (it was sanitised when saved)."""
    return mark_safe(sanitise(value or ""))  # nh3 has removed anything unsafe


@register.filter
def attr_of(obj: object, name: str) -> object:
    """A field of ``obj`` named by a variable (a case study's section by its key)."""
    return getattr(obj, name, "")
