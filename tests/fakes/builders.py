"""Builders for the planning/export/results/upload tests: a small brand, a brief, variants, planned
configs, and the keys the fake servers accept. Fixtures live in fakes/fixtures.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from copilot.io.abconfig import ABConfig
from copilot.io.brief import Brief, parse_brief
from copilot.knowledge.brand import load_brand
from copilot.planning.design import PlanRequest, plan_test
from copilot.planning.sender import sender_from_brand
from copilot.platforms.http import RetryPolicy
from copilot.variants import CheckResult, Variant

MAILCHIMP_KEY = "0123456789abcdef" * 2 + "-us21"  # fake, key-shaped
BREVO_KEY = "xkeysib-" + "0123456789abcdef" * 2 + "-Zq9sEcReT"  # fake
#: fast retries for tests; nothing asserts on elapsed time
FAST = RetryPolicy(max_retries=4, backoff_s=0.0, max_backoff_s=2.0)

CAMPAIGNS_CSV = """campaign_id,ab_test_id,sent_at,goal,segment,subject,preheader,body,recipients,opens,clicks,conversions,revenue,platform
t-001,,2025-03-04,promotion,all_customers,Spring roasts are 10% off this week,Code SPRING10 at checkout.,,20000,6200,600,40,,mailchimp
t-002,,2025-04-08,promotion,all_customers,Ten percent off every bag until Sunday,No code needed.,,24000,7000,744,51,,mailchimp
t-003,,2025-05-06,promotion,lapsed_90d,We saved you a bag: 10% off,Come back for a fresh roast.,,5000,900,60,4,,mailchimp
t-004,,2025-06-03,newsletter,subscribers_active,The Harbor Log for June,What we're roasting this month.,,9000,3100,210,9,,mailchimp
t-005,,2025-07-01,welcome,new_subscribers,Welcome to Tidewater Coffee,Here is 10% off your first bag.,,800,420,64,12,,mailchimp
"""

#: rows of an uploaded past_campaigns.csv (CAMPAIGNS_CSV's columns): new, a quoted body over two
#: lines, a count that is not a number, more clicks than recipients
GOOD_ROW = "n-001,,2025-08-05,promotion,all_customers,A new roast for August,Fresh this week.,,3000,900,90,,,mailchimp"
MULTILINE_ROW = (
    'n-002,,2025-08-12,promotion,all_customers,Two lines of body,Still fresh.,"First line\n'
    'second line",3000,800,70,,,mailchimp'
)
BAD_NUMBER = "n-003,,2025-08-19,promotion,all_customers,Bad count,Oops.,,lots,800,70,,,mailchimp"
TOO_MANY_CLICKS = (
    "n-004,,2025-08-26,promotion,all_customers,Too many clicks,Oops.,,100,50,500,,,mailchimp"
)


def upload_csv(*rows: str) -> bytes:
    """An uploaded past_campaigns.csv: CAMPAIGNS_CSV's header, then `rows`."""
    return ("\n".join([CAMPAIGNS_CSV.splitlines()[0], *rows]) + "\n").encode()


VOICE_MD = """# Tidewater Coffee: voice guide

Warm, plain-spoken, never shouty.

## Do
- Lead with the coffee.

## Don't
- Shout in capitals.

## Vocabulary
- roast, bag, harbor

## Sample lines
- Fresh from the roaster this Monday.
"""

PRODUCTS_MD = """# Tidewater Coffee: products

## Coffee
- Harbor Blend: $16.00 for a 12 oz bag.

## Contact and address
- Tidewater Coffee Co., 9 Quay Road, Saltmarsh, ME 04001, USA
- Support: hello@tidewater.example
"""


def make_brand(kb_dir: Path, name: str = "tidewater", campaigns: str = CAMPAIGNS_CSV) -> Path:
    """A small brand folder (voice, products with a postal address, past campaigns)."""
    folder = kb_dir / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "voice.md").write_text(VOICE_MD, encoding="utf-8")
    (folder / "products.md").write_text(PRODUCTS_MD, encoding="utf-8")
    (folder / "past_campaigns.csv").write_text(campaigns, encoding="utf-8")
    return folder


def make_brief(size: int = 600_000, platform: str = "mailchimp", **extra: Any) -> Brief:
    data: dict[str, Any] = {
        "brand": "tidewater",
        "goal": "promotion",
        "segment": {"name": "all_customers", "size": size},
        "platform": platform,
        "cta": "Shop the sale",
        "cta_url": "https://tidewater.example/sale",
        "personalization": ["FNAME"],
    }
    data.update(extra)
    return parse_brief(data)


def variant(
    subject: str,
    preheader: str = "Fresh roasts, 15% off.",
    score: float | None = 70.0,
    status: str = "pass",
    body: str | None = None,
    angle: str = "",
) -> Variant:
    return Variant(
        subject=subject,
        preheader=preheader,
        score=score,
        body=body,
        angle=angle,
        sources=["products.md#coffee"],
        checks=[CheckResult(name="spam", status=status, score=1.0)],
    )  # type: ignore[arg-type]


def sample_variants() -> list[Variant]:
    """Five candidates: one fails a check, one near-duplicates the best."""
    return [
        variant(
            "Harvest Sale: 15% off every bag", "Use HARVEST15 through Sunday.", 82, angle="offer"
        ),
        variant("Harvest Sale: 15% off every bag!", "Use HARVEST15.", 81, angle="offer"),
        variant("FREE!!! BUY NOW", "Act now", 95, status="fail"),
        variant("Our autumn roasts are 15% off", "Code HARVEST15", 74, angle="product"),
        variant("A quieter week, a cheaper bag", "15% off through Sunday", 66, angle="story"),
    ]


def variants_json(path: Path, variants: list[Variant]) -> Path:
    """Write variants in the shape `copilot generate --json` prints."""
    path.write_text(
        json.dumps(
            {
                "brief": {},
                "model": "fake",
                "usage": {},
                "variants": [v.model_dump(mode="json") for v in variants],
            }
        ),
        encoding="utf-8",
    )
    return path


def planned_config(
    kb_dir: Path,
    platform: str = "mailchimp",
    size: int = 600_000,
    max_variants: int | None = None,
    brief: Brief | None = None,
    variants: list[Variant] | None = None,
    **request: Any,
) -> ABConfig:
    """Plan a test for the tmp brand and return its config (fails the test if refused)."""
    folder = kb_dir / "tidewater"
    kb = load_brand(folder)
    sender = sender_from_brand(folder, "tidewater")
    plan = plan_test(
        brief or make_brief(size, platform),
        variants or sample_variants(),
        kb.campaigns,
        sender,
        PlanRequest(max_variants=max_variants, **request),
        platform,  # type: ignore[arg-type]
    )
    assert plan.config is not None, plan.design.verdict
    return plan.config


def body_html(
    platform: str = "mailchimp", cta_url: str = "https://tidewater.example/sale"
) -> tuple[str, str]:
    """A body as the Bodies page drafts it (real renderer, a goal footer): HTML and text, its
    button linking to `cta_url`."""
    from copilot.rendering.render import EmailContent, Footer, render_email

    content = EmailContent(
        headline="The Harvest Sale is on",
        blocks=["Hi {{FNAME|there}}, every bag is 15% off this week.", "Use HARVEST15."],
        cta_text="Shop the sale",
        cta_url=cta_url,
        greeting="Hi {{FNAME|there}},",
        subject="Harvest Sale: 15% off every bag",
        preheader="Use HARVEST15 through Sunday.",
    )
    footer = Footer(
        sender_name="Tidewater Coffee",
        postal_address="Tidewater Coffee Co., 9 Quay Road, Saltmarsh, ME 04001, USA",
        reason="you bought coffee from Tidewater Coffee",
    )
    out = render_email(content, footer, platform, ["FNAME"])
    return out.html, out.text


def drafted_bodies(brief: Brief) -> Any:
    """What the Bodies page keeps in the session after drafting one body (a BodyResult)."""
    from copilot.generation.bodies.generator import BodyResult, BodyVariant

    html, text = body_html(brief.platform)
    body = BodyVariant(
        angle="benefit",
        headline="The Harvest Sale is on",
        blocks=["Hi {{FNAME|there}}, every bag is 15% off this week.", "Use HARVEST15."],
        cta_text="Shop the sale",
        cta_url="https://tidewater.example/sale",
        subject="Harvest Sale: 15% off every bag",
        preheader="Use HARVEST15 through Sunday.",
        html=html,
        text=text,
        score=80.0,
        checks=[CheckResult(name="body", status="pass", score=1.0, message="ok")],
    )
    return BodyResult(
        brief=brief, model="fake", provider="fake", prompt_style="completion", variants=[body]
    )


def with_body(config: ABConfig) -> ABConfig:
    """The config with a drafted body on every arm (as the export page attaches it)."""
    from copilot.planning.design import neutral_tags

    html, text = body_html(config.platform)
    data = config.model_dump(mode="json")
    for arm in data["arms"]:
        arm.update(html=neutral_tags(html), plain_text=neutral_tags(text), body_text=None)
    data["test_id"] = ""
    return ABConfig.model_validate(data)
