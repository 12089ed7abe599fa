"""Bodies page: body variants for a chosen subject, previewed as HTML at desktop and mobile
widths (in iframes of their own origin), with the plain-text part and the checks."""

from __future__ import annotations

import base64

from copilot.io.brief import parse_brief
from copilot.settings import Settings
from copilot.variants import CheckResult, Variant
from tests.llm_fakes.fake_llm import FakeLLM
from ui import state
from ui.testing import open_app, texts
from ui.views import html_data_url


def test_previews_get_an_origin_of_their_own() -> None:
    url = html_data_url("<p>Hi *|FNAME|*</p>")
    assert url.startswith("data:text/html;charset=utf-8;base64,")
    assert base64.b64decode(url.split(",", 1)[1]).decode() == "<p>Hi *|FNAME|*</p>"


# a scripted fake model over the real ingested store, so not marked `integration`
def test_drafting_bodies_shows_previews_text_and_checks(ingested_sample: Settings) -> None:
    brief = parse_brief(
        {
            "brand": "harbor_bean",
            "goal": "abandoned_cart",
            "segment": {"name": "cart_abandoners"},
            "offer": "Free standard shipping on orders over $40",
            "cta": "Finish your order",
            "cta_url": "https://harborbean.example/cart",
            "personalization": ["FNAME"],
        }
    )
    chosen = Variant(
        subject="Your cart is still here",
        preheader="Orders over $40 ship free; every bag is roasted to order.",
        angle="benefit",
        score=80.0,
        checks=[CheckResult(name="spam", status="pass", score=1.0)],
    )
    llm = FakeLLM(lambda _p: " Your coffee is roasted to order and waiting for you.\n###")
    session = {state.BRIEF: brief, state.VARIANTS: [chosen]}
    at = open_app(ingested_sample, "bodies", llm=llm, timeout=900, **session)
    at.slider[0].set_value(1)
    at.button(key="FormSubmitter:bodies-Draft bodies").click().run()
    assert not at.exception, [e.message for e in at.exception]
    result = at.session_state[state.BODIES]
    assert len(result.variants) == 1
    body = result.variants[0]
    assert body.subject == chosen.subject
    assert [s.value for s in at.subheader][0].startswith("Body 1 · ")
    iframes = at.get("iframe")
    assert len(iframes) == 2  # desktop and mobile
    assert "*|UNSUB|*" in body.text  # the plain-text part carries the unsubscribe tag
    # the "Plain text" tab is a preview: tags filled for a sample contact; "HTML code" keeps them
    assert "Hi Alex," in at.code[0].value and "*|" not in at.code[0].value
    assert "*|UNSUB|*" in at.code[1].value
    assert "Finish your order" in texts(at)
    assert not [c for c in body.checks if c.status == "fail"]
