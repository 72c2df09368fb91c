"""The helpline's message form."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from kqm.forms import GovForm

from ..services.messages import MAX_MESSAGE_LENGTH


class MessageForm(GovForm, forms.Form):
    body = forms.CharField(
        label="Your message",
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter your message",
            "max_length": f"Your message must be {MAX_MESSAGE_LENGTH:,} characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.helper.layout = Layout(Field.textarea("body", label_size=Size.MEDIUM, label_tag="h2"))
