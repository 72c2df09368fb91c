"""The accessibility statement, a public page linked from every page's footer.

Its text is ``docs/accessibility.md`` (kept with the code, reviewed with each release),
rendered here so the page and the document never disagree.
"""

from __future__ import annotations

from functools import cache

import markdown
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from .access import public

STATEMENT = settings.BASE_DIR / "docs" / "accessibility.md"
# GOV.UK classes for what Markdown writes, so the page looks like the rest of the service.
STYLES = {
    "<h2>": '<h2 class="govuk-heading-l">',
    "<h3>": '<h3 class="govuk-heading-m">',
    "<h4>": '<h4 class="govuk-heading-s">',
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<a href=": '<a class="govuk-link" href=',
}


@cache
def statement_html() -> tuple[str, SafeString]:
    """The statement's heading (its first line) and the rest as HTML with GOV.UK classes.

    The file is the project's own, not user input: its HTML is trusted.
    """
    title, _, body = STATEMENT.read_text(encoding="utf-8").partition("\n")
    html = markdown.markdown(body)
    for plain, styled in STYLES.items():
        html = html.replace(plain, styled)
    return title.removeprefix("# ").strip(), mark_safe(html)


@require_GET
@public
def statement(request: HttpRequest) -> HttpResponse:
    heading, body = statement_html()
    return render(request, "accessibility.html", {"heading": heading, "body": body})
