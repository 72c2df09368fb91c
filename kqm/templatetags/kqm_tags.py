from __future__ import annotations

from typing import Any

from django import forms, template
from django.db.models import Model
from django.forms.formsets import BaseFormSet

from kqm.history import history_rows

register = template.Library()


@register.inclusion_tag("partials/history.html", takes_context=True)
def history_table(context: dict[str, Any], obj: Model) -> dict[str, Any]:
    """The record's audit trail, for the KQM manager only."""
    user = context["request"].user
    visible = getattr(user, "is_manager", False)
    return {"rows": history_rows(obj) if visible else [], "visible": visible}


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@register.filter
def error_anchor(bound_field: Any, field_id: str) -> str:
    """Where an error-summary link should point for a field.

    GOV.UK radios and checkboxes number their inputs from 1 (``id_outcome_1``) and
    none of them carries the field's own id, so the link goes to the first one.
    """
    from django import forms

    widget = bound_field.field.widget
    if field_id == bound_field.auto_id and isinstance(
        widget, forms.RadioSelect | forms.CheckboxSelectMultiple
    ):
        return f"id_{bound_field.html_name}_1"
    return field_id


ERROR_PREFIX = "Error: "


def _bound_with_errors(value: Any) -> bool:
    """A bound form or formset with errors (validated here if the view has not: a bound
    form on the page is validated when it is rendered anyway)."""
    if isinstance(value, BaseFormSet) and value.is_bound:
        return value.total_error_count() > 0
    if isinstance(value, forms.BaseForm) and value.is_bound:
        return bool(value.errors)
    return False


@register.simple_tag(takes_context=True)
def error_prefix(context: template.Context, *conditions: Any) -> str:
    """The title's "Error: " prefix when the page shows errors, written once.

    The page shows errors when a bound form or formset in its context has errors, or
    when any of ``conditions`` (a page's own problems that are not form errors, such as
    a refused submission) is true. The base layout is the only place that writes the
    prefix; a page with such problems passes them by overriding the ``error_prefix``
    block.
    """
    if any(conditions) or any(_bound_with_errors(v) for v in context.flatten().values()):
        return ERROR_PREFIX
    return ""
