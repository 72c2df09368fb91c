"""Rich text written in the browser: sanitised on the way in, compared between versions.

Only a small set of formatting survives :func:`sanitise` (paragraphs, line breaks,
bold, italics, lists and links); scripts, event-handler attributes, styles and any
other markup are removed by nh3 before anything is stored. Text typed without
markup (for example with JavaScript off) is turned into paragraphs.
"""

from __future__ import annotations

import difflib
import html
import re

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript"}

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!]")
_BLOCK_END = re.compile(r"</(p|li|ul|ol)>|<br\s*/?>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<li>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]+>")
_BLOCK_TAG = re.compile(r"<\s*/?\s*(p|div|ul|ol|li|br|h[1-6]|table|blockquote)\b", re.IGNORECASE)
# Browsers' editable areas wrap new lines in <div>; keep them as paragraphs.
_DIV_OPEN = re.compile(r"<div(\s[^>]*)?>", re.IGNORECASE)
_DIV_CLOSE = re.compile(r"</div\s*>", re.IGNORECASE)


def _paragraphs(text: str, *, markup: bool) -> str:
    """Text typed without paragraph markup as paragraphs, single line breaks kept.

    Without any markup at all the text is escaped; with inline markup (bold, a link)
    it is left for nh3 to clean.
    """
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]
    return "".join(
        "<p>" + (block if markup else escape(block)).replace("\n", "<br>") + "</p>"
        for block in blocks
    )


def sanitise(value: str) -> str:
    """Safe HTML from what the person typed or the editor produced; '' when nothing is left."""
    value = (value or "").strip()
    if not value:
        return ""
    if not _TAG.search(value):
        value = _paragraphs(value, markup=False)
    elif not _BLOCK_TAG.search(value):
        value = _paragraphs(value, markup=True)
    value = _DIV_CLOSE.sub("</p>", _DIV_OPEN.sub("<p>", value))
    cleaned = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
    return cleaned if to_text(cleaned).strip() else ""


def to_text(value: str) -> str:
    """The words of (sanitised) HTML, one line per paragraph or list item."""
    value = _LIST_ITEM.sub("• ", value or "")
    value = _BLOCK_END.sub("\n", value)
    value = html.unescape(_ANY_TAG.sub("", value))
    lines = [" ".join(line.split()) for line in value.splitlines()]
    return "\n".join(line for line in lines if line)


def _tokens(text: str) -> list[str]:
    return re.findall(r"\n|[^\s]+", text)


def _render(tokens: list[str]) -> str:
    out: list[str] = []
    for token in tokens:
        if token == "\n":
            out.append("<br>")
        else:
            if out and out[-1] != "<br>":
                out.append(" ")
            out.append(escape(token))
    return "".join(out)


def diff(old_html: str, new_html: str) -> SafeString:
    """Word-by-word changes from one version of a section to the next, as <del> and <ins>.

    The comparison is on the words (``to_text``), and every word is escaped, so the
    result is safe to show whatever either version held.
    """
    old, new = _tokens(to_text(old_html)), _tokens(to_text(new_html))
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(_render(old[a1:a2]))
            continue
        if op in ("delete", "replace"):
            parts.append(
                '<del class="kqm-diff-del"><span class="govuk-visually-hidden">removed: </span>'
                + _render(old[a1:a2])
                + "</del>"
            )
        if op in ("insert", "replace"):
            parts.append(
                '<ins class="kqm-diff-ins"><span class="govuk-visually-hidden">added: </span>'
                + _render(new[b1:b2])
                + "</ins>"
            )
    return mark_safe(" ".join(p for p in parts if p))  # every word above is escaped
