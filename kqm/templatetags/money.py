"""Money as people read it, on every page, PDF and email: ``{{ amount|pounds }}``.

A builtin of the template engine (``TEMPLATES[...]["OPTIONS"]["builtins"]``), so no
template needs to load it, and no amount is written any other way.
"""

from __future__ import annotations

from django import template

from kqm.money import format_pounds

register = template.Library()


@register.filter
def pounds(value: object) -> str:
    return format_pounds(value)
