"""The body check: CTA, unsubscribe tag, postal address, safe links, alt text, Gmail clipping."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.evaluation.checks.body import BodyCheck, brand_address
from copilot.io.brief import Brief
from copilot.knowledge.brand import BrandKB, parse_voice
from copilot.knowledge.context import BrandContext
from copilot.variants import Variant

PRODUCTS = """# Demo Tea: facts

## Teas
- Kettle Chai: $16 for a 4 oz tin.

## Contact and address
- Demo Tea Co., 88 Mill Road, Ashby, VT 05031
- hello@demo.example
"""

GOOD = {
    "mailchimp": (
        '<p>Kettle Chai is back.</p><p><a href="https://demo.example/chai">Shop chai</a></p>'
        '<img src="https://demo.example/chai.jpg" alt="A tin of Kettle Chai">'
        '<p>Demo Tea Co., 88 Mill Rd, Ashby, VT 05031 · <a href="*|UNSUB|*">Unsubscribe</a></p>'
    ),
    "brevo": (
        '<p>Kettle Chai is back.</p><p><a href="https://demo.example/chai">Shop chai</a></p>'
        "<p>Demo Tea Co., 88 Mill Road, Ashby, VT 05031 · "
        '<a href="{{ unsubscribe }}">Unsubscribe</a></p>'
    ),
}


def context(products: str = PRODUCTS) -> BrandContext:
    brand = BrandKB(name="demo", folder=Path("."), voice=parse_voice(""), products_text=products)
    return BrandContext(brand=brand)


def check(body: str | None, platform: str = "mailchimp", products: str = PRODUCTS):
    b = Brief.model_validate(
        {"brand": "demo", "goal": "newsletter", "segment": {"name": "all"}, "platform": platform}
    )
    return BodyCheck().evaluate([Variant(subject="Chai", body=body)], b, context(products))[0]


@pytest.mark.parametrize("platform", ["mailchimp", "brevo"])
def test_complete_body_passes(platform: str) -> None:
    result = check(GOOD[platform], platform)
    assert result.status == "pass", result.message


def test_no_body_is_skipped_not_passed() -> None:
    result = check(None)
    assert result.status == "skip" and "no body" in result.message


@pytest.mark.parametrize(
    "change,expected",
    [
        (lambda b: b.replace("https://demo.example/chai", "/chai"), "call-to-action"),
        (lambda b: b.replace("*|UNSUB|*", "https://demo.example/unsub"), "unsubscribe"),
        (lambda b: b.replace("88 Mill Rd, Ashby, VT 05031", "Ashby"), "postal address"),
        (lambda b: b.replace("https://demo.example/chai", "javascript:alert(1)"), "unsafe href"),
        (
            lambda b: b.replace("https://demo.example/chai.jpg", "data:image/png;base64,AAAA"),
            "unsafe src",
        ),
        (lambda b: b.replace(' alt="A tin of Kettle Chai"', ""), "without alt text"),
        (lambda b: b + "<!-- pad -->" + "<p>" + "steep " * 18000 + "</p>", "Gmail clips"),
    ],
)
def test_each_missing_piece_fails(change, expected: str) -> None:
    result = check(change(GOOD["mailchimp"]))
    assert result.status == "fail"
    assert expected in result.message


def test_wrong_platform_unsubscribe_fails() -> None:
    result = check(GOOD["mailchimp"], platform="brevo")
    assert result.status == "fail" and "{{ unsubscribe }}" in result.message


def test_empty_alt_on_decorative_image_warns() -> None:
    result = check(GOOD["mailchimp"].replace("A tin of Kettle Chai", ""))
    assert result.status == "warn"


def test_mailchimp_address_tag_counts_as_address() -> None:
    body = GOOD["mailchimp"].replace(
        "Demo Tea Co., 88 Mill Rd, Ashby, VT 05031", "*|LIST:ADDRESS|*"
    )
    assert check(body).status == "pass"


def test_plain_text_body() -> None:
    body = (
        "Kettle Chai is back: https://demo.example/chai\n"
        "Demo Tea Co., 88 Mill Road, Ashby\n*|UNSUB|*"
    )
    assert check(body).status == "pass"


def test_address_found_without_an_address_heading() -> None:
    products = "# Facts\n\n- Kettle Chai: $16.\n- Visit us at 12 Harbour Lane, Ashby, VT 05031.\n"
    assert brand_address(products) == ["Visit us at 12 Harbour Lane, Ashby, VT 05031."]
    body = GOOD["mailchimp"].replace("88 Mill Rd", "12 Harbour Ln")
    assert check(body, products=products).status == "pass"


def test_without_a_kb_address_any_address_line_is_accepted() -> None:
    products = "# Facts\n\n- Kettle Chai: $16.\n"
    assert check(GOOD["mailchimp"], products=products).status == "pass"
    no_address = GOOD["mailchimp"].replace("Demo Tea Co., 88 Mill Rd, Ashby, VT 05031", "Demo Tea")
    result = check(no_address, products=products)
    assert result.status == "fail" and "products.md has none" in result.message
