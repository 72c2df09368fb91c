"""Every amount of money is written one way: £ with thousands separators and pence."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.template import engines

from kqm.money import format_pounds


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("8347.5"), "£8,347.50"),
        (Decimal("1234567.891"), "£1,234,567.89"),
        (105, "£105.00"),
        (Decimal("-12"), "−£12.00"),
        (None, "–"),
    ],
)
def test_pounds(value, shown):
    assert format_pounds(value) == shown
    rendered = engines["django"].from_string("{{ amount|pounds }}").render({"amount": value})
    assert rendered == shown


def test_no_template_writes_a_pound_sign_before_a_value_by_hand():
    templates = Path(django_settings.BASE_DIR) / "templates"
    by_hand = re.compile(r"£\{\{")
    found = [
        str(path.relative_to(templates))
        for path in templates.rglob("*")
        if path.is_file() and by_hand.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
