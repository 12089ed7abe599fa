"""Email rendering: hostile HTML is sanitised, the footer is mandatory, merge tags fit the platform."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from copilot.errors import BriefError, KnowledgeBaseError
from copilot.evaluation.checks.body import BodyCheck
from copilot.evaluation.checks.merge_tags import MergeTagsCheck
from copilot.io.brief import parse_brief
from copilot.knowledge.brand import BrandKB, VoiceGuide
from copilot.knowledge.context import BrandContext
from copilot.platforms.tags import MergeTagError
from copilot.rendering.render import EmailContent, footer_for, greeting_for, render_email
from copilot.rendering.sanitise import sanitise_html
from copilot.variants import Variant

PRODUCTS = """# Tidewater Tea Co.: facts

## Products

- Sencha: $12 for 100 g.

## Contact and address

- Tidewater Tea Co., 7 Harbour Road, Fairhaven, MA 02719, USA
- Email: hello@tidewater.example
"""

HOSTILE = [
    ("<script>alert(1)</script><p>ok</p>", ["<script", "alert(1)"]),
    ('<img src="x.png" alt="x" onerror="alert(1)">', ["onerror"]),
    ('<a href="javascript:alert(1)">x</a>', ["javascript:"]),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', ["javascript:", "JaVaScRiPt"]),
    ('<a href=" &#106;avascript:alert(1)">x</a>', ["avascript"]),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', ["data:"]),
    ('<a href="vbscript:msgbox(1)">x</a>', ["vbscript"]),
    ('<svg onload="alert(1)"><circle r="1"/></svg>', ["<svg", "onload"]),
    ('<iframe src="https://evil.example"></iframe>', ["<iframe"]),
    ('<object data="x.swf"></object><embed src="x.swf">', ["<object", "<embed"]),
    ('<form action="https://evil.example"><input name="pw"></form>', ["<form", "<input"]),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example">', ["<meta", "refresh"]),
    ('<p style="background:url(javascript:alert(1))">x</p>', ["javascript", "url("]),
    ('<p style="width: expression(alert(1))">x</p>', ["expression"]),
    ('<div onclick="steal()" onmouseover="steal()">x</div>', ["onclick", "onmouseover"]),
    ("<!--[if mso]><script>alert(1)</script><![endif]--><p>x</p>", ["<script", "<!--"]),
    ('<base href="https://evil.example/">', ["<base"]),
    ('<style>@import url("https://evil.example/x.css");</style>', ["@import", "<style"]),
]


@pytest.mark.parametrize(("markup", "forbidden"), HOSTILE)
def test_hostile_markup_is_removed(markup: str, forbidden: list[str]) -> None:
    clean = sanitise_html(markup).html
    for piece in forbidden:
        assert piece.lower() not in clean.lower(), (markup, clean)


def test_safe_markup_and_merge_tag_links_survive() -> None:
    markup = (
        '<p style="color:#222222;font-size:17px">Hi {{FNAME|there}}</p>'
        '<a href="https://shop.example/cart">Cart</a> <a href="*|UNSUB|*">u</a>'
        ' <a href="{{ unsubscribe }}">b</a> <a href="mailto:hi@shop.example">mail</a>'
    )
    clean = sanitise_html(markup).html
    for piece in (
        "color:#222222",
        "{{FNAME|there}}",
        'href="https://shop.example/cart"',
        'href="*|UNSUB|*"',
        'href="{{ unsubscribe }}"',
        'href="mailto:hi@shop.example"',
    ):
        assert piece in clean


def test_images_without_alt_text_are_dropped_and_reported() -> None:
    result = sanitise_html(
        '<img src="https://x.example/a.png"><img src="https://x.example/b.png" alt="">'
        '<img src="https://x.example/c.png" alt="A bag of Sencha">'
    )
    assert "a.png" not in result.html and "b.png" not in result.html
    assert 'alt="A bag of Sencha"' in result.html
    assert len(result.removed) == 2


def _elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag in a document with its attributes, as a browser's parser sees them."""
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Collect().feed(html)
    return found


def _brand(products: str = PRODUCTS) -> BrandKB:
    return BrandKB(
        name="tidewater",
        folder=Path("."),
        voice=VoiceGuide(text="Calm and plain."),
        products_text=products,
    )


def _content(**kw: object) -> EmailContent:
    data: dict[str, object] = {
        "headline": "Your tea is waiting",
        "blocks": ["We kept your cart just as you left it.", "Reply if you have a question."],
        "cta_text": "Return to your cart",
        "cta_url": "https://tidewater.example/cart",
        "ps": "The kettle is always on.",
        "greeting": greeting_for(["FNAME"]),
        "subject": "{{FNAME|there}}, your tea is waiting",
        "preheader": "Everything you picked is saved, whenever you are ready to come back to it.",
    }
    data.update(kw)
    return EmailContent.model_validate(data)


def _checks(html: str, platform: str, fields: list[str]) -> list:
    brief = parse_brief(
        {
            "brand": "tidewater",
            "goal": "abandoned_cart",
            "segment": {"name": "carts"},
            "platform": platform,
            "personalization": fields,
        }
    )
    context = BrandContext(brand=_brand())
    variant = Variant(subject="Your tea is waiting", body=html)
    return [
        BodyCheck().evaluate([variant], brief, context)[0],
        MergeTagsCheck().evaluate([variant], brief, context)[0],
    ]


@pytest.mark.parametrize(
    ("platform", "fields", "name_tag", "unsubscribe", "preferences"),
    [
        ("mailchimp", ["FNAME"], "*|FNAME|*", "*|UNSUB|*", "*|UPDATE_PROFILE|*"),
        (
            "brevo",
            ["FIRSTNAME"],
            "{{ contact.FIRSTNAME | default:'there' }}",
            "{{ unsubscribe }}",
            "{{ update_profile }}",
        ),
    ],
)
def test_rendered_email_has_platform_tags_footer_and_passes_body_checks(
    platform: str, fields: list[str], name_tag: str, unsubscribe: str, preferences: str
) -> None:
    footer = footer_for(_brand(), "abandoned_cart")
    out = render_email(_content(), footer, platform, fields)
    for part in (out.html, out.text):
        assert name_tag in part
        assert unsubscribe in part
        assert preferences in part
        assert "7 Harbour Road" in part
        assert "You are receiving this email because" in part
        assert "{{FNAME" not in part  # no neutral tag left behind
    if platform == "mailchimp":  # guarded, so an empty first name shows the fallback
        assert "*|IF:FNAME|*" in out.html and "*|ELSE:|*there*|END:IF|*" in out.html
    assert 'href="https://tidewater.example/cart"' in out.html
    assert "Return to your cart: https://tidewater.example/cart" in out.text
    assert 'name="viewport"' in out.html and "@media" in out.html  # responsive
    assert [c.status for c in _checks(out.html, platform, fields)] == ["pass", "pass"]


def test_generated_text_cannot_become_markup() -> None:
    footer = footer_for(_brand(), "abandoned_cart")
    hostile = _content(
        headline='<script>alert("x")</script>Hi',
        blocks=['<a href="javascript:alert(1)">click</a> <img src=x onerror=alert(1)>'],
        ps="<iframe src=https://evil.example></iframe>",
    )
    html = render_email(hostile, footer, "mailchimp", ["FNAME"]).html
    elements = _elements(html)
    names = {name for name, _ in elements}
    assert not names & {"script", "iframe", "img"}
    attrs = [(k, v or "") for _, pairs in elements for k, v in pairs]
    assert not [k for k, _ in attrs if k.startswith("on")]
    assert not [v for k, v in attrs if k == "href" and "javascript" in v.lower()]
    assert "&lt;script&gt;" in html  # shown as text, harmlessly


def test_cta_must_be_an_http_link() -> None:
    footer = footer_for(_brand(), "welcome")
    with pytest.raises(BriefError, match="cta_url"):
        render_email(_content(cta_url="javascript:alert(1)"), footer, "mailchimp", ["FNAME"])


def test_no_greeting_without_a_name_field_and_unlisted_fields_refused() -> None:
    assert greeting_for([]) is None
    footer = footer_for(_brand(), "welcome")
    out = render_email(_content(greeting=None), footer, "brevo", [])
    assert "contact.FIRSTNAME" not in out.html
    with pytest.raises(MergeTagError, match="COMPANY"):
        render_email(_content(blocks=["Hello {{COMPANY}} team."]), footer, "mailchimp", ["FNAME"])


def test_footer_needs_a_postal_address() -> None:
    with pytest.raises(KnowledgeBaseError, match="postal address"):
        footer_for(_brand("# Tidewater\n\n## Products\n\n- Sencha\n"), "welcome")
    footer = footer_for(_brand(), "birthday", reason="you asked for birthday treats")
    assert footer.reason == "you asked for birthday treats"
    assert footer.sender_name == "Tidewater Tea Co."
