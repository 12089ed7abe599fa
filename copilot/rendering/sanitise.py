"""Sanitise generated HTML with nh3 (Rust ammonia): an allowlist of tags, attributes, URL schemes
and CSS properties; images without alt text are removed.

Generated copy enters the layouts as escaped text, so this is the second line of defence: it also
covers any HTML a chat model or a person pastes into a body. What passes: layout tags (tables,
paragraphs, headings, links, images), `style` limited to presentational properties, links to
http(s)/mailto and merge-tag URLs (relative, such as *|UNSUB|* or {{ unsubscribe }}).
"""

from __future__ import annotations

import re

import nh3
from pydantic import BaseModel, Field

TAGS = {
    "a", "b", "br", "blockquote", "center", "div", "em", "h1", "h2", "h3", "h4", "hr", "i",
    "img", "li", "ol", "p", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_LAYOUT_ATTRS = {"align", "valign", "width", "height", "bgcolor", "border", "role", "dir", "lang"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": {"style", "class", "id", "title", "dir", "lang"},
    "a": {"href", "target", "name"},
    "img": {"src", "alt", "width", "height", "border"},
    "table": _LAYOUT_ATTRS | {"cellpadding", "cellspacing"},
    "td": _LAYOUT_ATTRS | {"colspan", "rowspan"},
    "th": _LAYOUT_ATTRS | {"colspan", "rowspan", "scope"},
    "tr": _LAYOUT_ATTRS,
    "div": _LAYOUT_ATTRS,
    "p": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
#: presentational CSS only: no url(), position, behaviour or expression() can get through
STYLE_PROPERTIES = {
    "background-color", "border", "border-bottom", "border-collapse", "border-radius",
    "border-top", "color", "display", "font-family", "font-size", "font-style", "font-weight",
    "height", "letter-spacing", "line-height", "margin", "margin-bottom", "margin-left",
    "margin-right", "margin-top", "max-height", "max-width", "min-width", "mso-hide",
    "opacity", "overflow", "padding", "padding-bottom", "padding-left", "padding-right",
    "padding-top", "text-align", "text-decoration", "vertical-align", "width", "word-break",
}  # fmt: skip
# nh3 serialises attributes as name="value", so on its output this pattern is reliable
#: CSS values that can run code or fetch from elsewhere in some clients
_UNSAFE_STYLE = re.compile(r"expression\s*\(|url\s*\(|javascript:|behaviou?r\s*:|@import", re.I)
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ALT = re.compile(r'\salt="([^"]*)"', re.I)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """Drop a style that still carries code after the property allowlist."""
    if attribute == "style" and _UNSAFE_STYLE.search(value):
        return None
    return value


class Sanitised(BaseModel):
    """Clean HTML and what was taken out, for the variant's notes."""

    html: str
    removed: list[str] = Field(default_factory=list)


def sanitise_html(markup: str) -> Sanitised:
    """Allowlist-clean an HTML fragment; drop images that have no alt text."""
    clean = nh3.clean(
        markup,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        filter_style_properties=STYLE_PROPERTIES,
        strip_comments=True,
        link_rel="noopener noreferrer",
        attribute_filter=_attribute_filter,
    )
    removed: list[str] = []

    def keep_img(m: re.Match[str]) -> str:
        alt = _ALT.search(m.group(0))
        if alt is None or not alt.group(1).strip():
            removed.append(f"image without alt text: {m.group(0)[:80]}")
            return ""
        return m.group(0)

    clean = _IMG.sub(keep_img, clean)
    return Sanitised(html=clean, removed=removed)
