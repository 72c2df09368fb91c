"""Build every form class of the project and fill each label, hint, legend and choice with
script payloads (used by the escaping test)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

from crispy_forms_gds.layout import ConditionalRadios, Fieldset
from django import forms

PROJECT_APPS = ("kqm", "settings", "accreditation", "audits")
PAYLOADS = (
    "<script>alert('label')</script>",
    '<img src=x onerror="alert(1)">',
    "{% debug %}{{ csrf_token }}",
)
PAYLOAD = "".join(PAYLOADS)


def project_form_classes() -> list[type[forms.BaseForm]]:
    """Every concrete form class defined in the project's own modules."""
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            importlib.import_module(info.name)

    def walk(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    found = {
        cls
        for cls in walk(forms.BaseForm)
        if cls.__module__.split(".")[0] in PROJECT_APPS and not inspect.isabstract(cls)
    }
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def required_keywords(cls: type) -> list[str]:
    params = inspect.signature(cls.__init__).parameters.values()
    return [
        p.name
        for p in params
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
        and p.default is p.empty
        and p.name not in ("self",)
    ]


def poison(form: forms.BaseForm) -> None:
    """Put payloads in every label, hint, choice label and legend the form renders."""
    helper = getattr(form, "helper", None)
    layout = getattr(helper, "layout", None)
    # Conditional radios find their follow-up questions by choice label: those labels are
    # fixed text of our own, so they keep their labels (the field's label and hint still change).
    keyed_by_label = _conditional_fields(layout) if layout is not None else set()
    for name, field in form.fields.items():
        field.label = PAYLOAD
        field.help_text = PAYLOAD
        if isinstance(field, forms.ChoiceField) and name not in keyed_by_label:
            values = [value for value, _ in list(field.choices)][:3] or ["x"]
            field.choices = [(value, PAYLOAD) for value in values]
    if layout is not None:
        _poison_layout(layout)


def _conditional_fields(node: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(node, ConditionalRadios):
        names.add(node.field)
    for child in getattr(node, "fields", []) or []:
        if not isinstance(child, str):
            names |= _conditional_fields(child)
    return names


def _poison_layout(node: Any) -> None:
    if isinstance(node, Fieldset):
        node.context["legend"] = PAYLOAD
    for child in getattr(node, "fields", []) or []:
        if not isinstance(child, str):
            _poison_layout(child)
