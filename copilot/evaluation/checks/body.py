"""The `body` check: CTA link, unsubscribe tag, sender's postal address, safe links, alt text, size,
and placeholder links (PLACEHOLDER_URL, used when the brief has no cta_url) still to be replaced.

The postal address (required in commercial email by CAN-SPAM and similar laws) is taken from the
brand's products.md: the lines of a section whose heading mentions "address", else any line that
looks like a street address. The body must contain that street line (abbreviations such as
Street/St are treated alike) or the platform's address tag (Mailchimp *|LIST:ADDRESS|*).
Gmail clips messages whose HTML is over 102 KB, hiding the rest (often the unsubscribe link).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from copilot.evaluation.base import register, skipped
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.platforms.tags import find_tags, tag_map
from copilot.settings import Settings
from copilot.text import PLACEHOLDER_URL, html_to_text, placeholder_links, quote
from copilot.variants import CheckResult, Variant

GMAIL_CLIP_BYTES = 102 * 1024
SIZE_WARN_BYTES = 90 * 1024

_HREF = re.compile(r"""\b(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_BARE_URL = re.compile(r"(?<![\"'=])\bhttps?://[^\s<>\"']+", re.I)
_UNSAFE_SCHEME = re.compile(r"^\s*(javascript|data|vbscript)\s*:", re.I)
_IMG = re.compile(r"<img\b[^>]*>", re.I | re.S)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)

_STREET_TYPES = {
    "street": "st", "st": "st", "avenue": "ave", "ave": "ave", "av": "ave", "road": "rd",
    "rd": "rd", "boulevard": "blvd", "blvd": "blvd", "lane": "ln", "ln": "ln", "drive": "dr",
    "dr": "dr", "way": "way", "court": "ct", "ct": "ct", "place": "pl", "pl": "pl",
    "square": "sq", "sq": "sq", "terrace": "ter", "parkway": "pkwy", "pkwy": "pkwy",
    "highway": "hwy", "hwy": "hwy", "suite": "ste", "ste": "ste", "unit": "unit",
    "wharf": "wharf", "quay": "quay", "row": "row", "close": "cl", "crescent": "cres",
    "north": "n", "south": "s", "east": "e", "west": "w",
}  # fmt: skip
_STREET = re.compile(
    r"\b\d{1,6}[A-Za-z]?\s+(?:[A-Za-z][\w.'-]*\s+){0,4}?(?:"
    + "|".join(sorted({k for k in _STREET_TYPES if len(k) > 1}, key=len, reverse=True))
    + r")\b\.?",
    re.I,
)
_PO_BOX = re.compile(r"\bP\.?\s?O\.?\s+Box\s+\d+", re.I)
_POSTCODE = re.compile(
    r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|\b\d{4,5}\s+[A-Z][a-z]+"
)


def _norm_address(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return " ".join(_STREET_TYPES.get(w, w) for w in words)


def looks_like_address(line: str) -> bool:
    """A street with a number, a P.O. box, or a postcode."""
    return bool(_STREET.search(line) or _PO_BOX.search(line) or _POSTCODE.search(line))


def brand_address(products_text: str) -> list[str]:
    """Address lines of the brand from products.md (section 'address' first)."""
    return list(_brand_address(products_text))


@cache
def _brand_address(products_text: str) -> tuple[str, ...]:
    section: list[str] = []
    in_section = False
    for line in products_text.splitlines():
        heading = re.match(r"^#{1,6}\s+(.*)$", line)
        if heading:
            in_section = "address" in heading.group(1).lower()
            continue
        if in_section and line.strip():
            section.append(line.strip(" -*\t"))
    candidates = [line for line in section if looks_like_address(line)]
    if not candidates:
        candidates = [
            line.strip(" -*\t") for line in products_text.splitlines() if looks_like_address(line)
        ]
    return tuple(candidates)


def _address_keys(line: str) -> list[str]:
    """Pieces of an address line that identify it: the street part, the P.O. box."""
    keys = [m.group(0) for m in _STREET.finditer(line)] + [
        m.group(0) for m in _PO_BOX.finditer(line)
    ]
    return [_norm_address(k) for k in keys] or [_norm_address(line)]


def placeholder_problem(url: str) -> str:
    """Why a stand-in link fails, and the fix: the brief's cta_url for the main button, the real
    page for a link the brief has no field for (a sequence step's order or review page)."""
    if url.lower().startswith(PLACEHOLDER_URL.format(name="cta").lower()):
        return (
            f"the button links to the placeholder {url}; set cta_url in the brief to the page "
            "the button should open, then draft the body again"
        )
    return f"placeholder link {url}: replace it with the real page before sending"


def _links(body: str) -> list[tuple[str, str]]:
    """(attribute, url) for every href/src, plus bare URLs in plain-text bodies."""
    out = []
    for m in _HREF.finditer(body):
        out.append((m.group(1).lower(), next(g for g in m.groups()[1:] if g is not None)))
    stripped = _HREF.sub(" ", body)
    out += [("text", m.group(0)) for m in _BARE_URL.finditer(stripped)]
    return out


class BodyCheck:
    """Deliverability and compliance basics of an email body."""

    name = "body"
    hard = True

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings

    def evaluate(
        self, variants: Sequence[Variant], brief: Brief, context: BrandContext
    ) -> list[CheckResult]:
        """One result per variant; on a variant without a body the check is skipped."""
        address = brand_address(context.brand.products_text)
        return [self._one(v.body, brief.platform, address) for v in variants]

    def _one(self, body: str | None, platform: str, address: list[str]) -> CheckResult:
        if body is None:
            return skipped(self.name, "not checked: the variant has no body")
        fails: list[str] = []
        warns: list[str] = []
        tags = find_tags(body, platform)
        syntax = tag_map().platforms[platform]
        links = _links(body)
        for attr, url in links:
            if _UNSAFE_SCHEME.match(url):
                fails.append(f"unsafe {attr} link {quote(url, 50)}")
        unsub_tags = [t for t in tags if t.system and t.field == "UNSUBSCRIBE"]
        unsub_raw = {t.raw for t in unsub_tags}
        ctas = [
            url
            for attr, url in links
            if attr in ("href", "text")
            and re.match(r"https?://", url.strip(), re.I)
            and url.strip() not in unsub_raw
        ]
        if not ctas:
            fails.append("no call-to-action link (an http:// or https:// link)")
        # a warning, not a failure: the drafting loop repairs failed bodies by replacing copy,
        # which cannot change a link; the export refuses to push it (copilot.app.export)
        warns += [placeholder_problem(url) for url in dict.fromkeys(placeholder_links(body))]
        if not unsub_tags:
            fails.append(f"no unsubscribe tag; add {' or '.join(syntax.unsubscribe)}")
        fails += self._address_problems(body, tags, address, syntax.address)
        for img in _IMG.findall(body):
            alt = _ALT.search(img)
            if alt is None:
                fails.append(f"image without alt text: {quote(img, 60)}")
            elif not (next((g for g in alt.groups() if g is not None), "")).strip():
                warns.append(
                    f"image with empty alt text (fine only if decorative): {quote(img, 60)}"
                )
        size = len(body.encode("utf-8"))
        if size > GMAIL_CLIP_BYTES:
            fails.append(f"body is {size / 1024:.0f} KB; Gmail clips over 102 KB")
        elif size > SIZE_WARN_BYTES:
            warns.append(f"body is {size / 1024:.0f} KB, close to Gmail's 102 KB clipping limit")
        if fails:
            return CheckResult(
                name=self.name, status="fail", score=0.0, message="; ".join(fails + warns)
            )
        if warns:
            return CheckResult(name=self.name, status="warn", score=0.6, message="; ".join(warns))
        return CheckResult(
            name=self.name,
            status="pass",
            score=1.0,
            message=f"{len(ctas)} link(s), unsubscribe and address present, {size / 1024:.1f} KB",
        )

    @staticmethod
    def _address_problems(
        body: str, tags: list[Any], address: list[str], address_tags: list[str]
    ) -> list[str]:
        if any(t.system and t.field == "POSTAL_ADDRESS" for t in tags) or any(
            a in body for a in address_tags
        ):
            return []
        visible = _norm_address(html_to_text(body))
        if address:
            for line in address:
                if any(key and f" {key} " in f" {visible} " for key in _address_keys(line)):
                    return []
            return [f"the sender's postal address {quote(address[0], 80)} is missing"]
        if looks_like_address(html_to_text(body)):
            return []
        return ["no postal address (products.md has none to check against; add one there)"]


@register("body")
def _factory(settings: Settings) -> Any:
    return BodyCheck(settings)
