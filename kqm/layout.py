"""Layout objects that never treat user text as a template.

crispy-forms' ``HTML`` object compiles its string as a Django template, so text typed by a
user that reaches it (a questionnaire theme, say) could run template tags such as
``{% debug %}``. ``Markup`` takes HTML that our own code has already built with
``format_html`` (every value escaped) and emits it as it is.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString


class Markup:
    """A fixed piece of HTML in a crispy layout: escaped unless our code marked it safe."""

    def __init__(self, html: str) -> None:
        self.html = html

    def render(
        self, form: Any, context: Any, template_pack: Any = None, **kwargs: Any
    ) -> SafeString:
        return SafeString(conditional_escape(self.html))
