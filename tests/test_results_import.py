"""Results import: per-arm numbers from CSV, Mailchimp or Brevo; an honest verdict (z-test and
Bayesian P(beats control), never a winner below the planned sample); outcomes appended to the
brand's past_campaigns.csv without duplicates, atomically, and re-ingested for retrieval."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from fakes.builders import FAST, MAILCHIMP_KEY, make_brief, planned_config, variant
from scipy.special import betaln
from scipy.stats import norm

from copilot.app.export import build_payload
from copilot.app.results import CI_LEVEL, arm_rates
from copilot.errors import InputFileError, KnowledgeBaseError
from copilot.io.abconfig import ABConfig, save_config
from copilot.io.results import ABResult, ArmResult
from copilot.knowledge.brand import load_brand, parse_campaigns
from copilot.knowledge.feedback import append_outcomes, outcome_rows
from copilot.platforms import registry
from copilot.platforms.results import read_results_csv
from copilot.results.importer import import_results, planned_sample
from copilot.results.verdict import judge


def _csv(path: Path, rows: list[tuple[str, int, int, int]]) -> Path:
    lines = ["variant,recipients,opens,clicks"] + [f'"{v}",{n},{o},{c}' for v, n, o, c in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _result(*arms: tuple[int, int]) -> ABResult:
    return ABResult(
        source="csv",
        campaign_id="t",
        arms=[
            ArmResult(label="ABC"[i], subject=f"s{i}", recipients=n, opens=n // 3, clicks=c)
            for i, (n, c) in enumerate(arms)
        ],
    )


def _closed_form_p_beats(a: tuple[int, int], b: tuple[int, int]) -> float:
    """P(rate_b > rate_a) for Beta(1+x, 1+n-x) posteriors (Evan Miller's closed form)."""
    aa, ba = 1 + a[1], 1 + a[0] - a[1]
    ab, bb = 1 + b[1], 1 + b[0] - b[1]
    total = 0.0
    for i in range(ab):
        total += math.exp(
            betaln(aa + i, ba + bb) - math.log(bb + i) - betaln(1 + i, bb) - betaln(aa, ba)
        )
    return total


def test_clear_winner_is_called() -> None:
    v = judge(_result((60_000, 1_800), (60_000, 2_300)), "clicks", 50_000, "plan")
    assert v.status == "winner" and v.winner == "B"
    (c,) = v.comparisons
    assert c.p_value < 1e-6
    assert c.lift == pytest.approx(2_300 / 1_800 - 1)
    assert c.p_beats_control > 0.999


def test_z_test_matches_independent_formula() -> None:
    v = judge(_result((40_000, 1_200), (40_000, 1_290)), "clicks", 1, "plan")
    p1, p2, n = 1_290 / 40_000, 1_200 / 40_000, 40_000
    pooled = (1_200 + 1_290) / 80_000
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (2 / n))
    assert v.comparisons[0].z == pytest.approx(z, rel=1e-6)
    assert v.comparisons[0].p_value == pytest.approx(2 * (1 - norm.cdf(abs(z))), rel=1e-6)


def test_bayesian_probability_matches_closed_form() -> None:
    v = judge(_result((5_000, 150), (5_000, 172)), "clicks", 1, "plan")
    exact = _closed_form_p_beats((5_000, 150), (5_000, 172))
    assert v.comparisons[0].p_beats_control == pytest.approx(exact, abs=0.005)
    same = judge(_result((5_000, 150), (5_000, 150)), "clicks", 1, "plan")
    assert same.comparisons[0].p_beats_control == pytest.approx(0.5, abs=0.01)
    # fixed seed: the same numbers give the same verdict
    assert judge(_result((5_000, 150), (5_000, 172)), "clicks", 1, "plan") == v


def test_no_significant_winner_says_so() -> None:
    v = judge(_result((60_000, 1_800), (60_000, 1_830), (60_000, 1_790)), "clicks", 50_000, "p")
    assert v.status == "no_significant_winner" and v.winner is None
    assert v.message.startswith("No significant winner")
    assert v.alpha_per_comparison == pytest.approx(0.025)


def test_never_a_winner_below_planned_sample() -> None:
    # hugely significant, but the plan asked for 50,000 per arm
    v = judge(_result((10_000, 300), (10_000, 500)), "clicks", 50_000, "plan ab-1")
    assert v.comparisons[0].p_value < 1e-8
    assert v.status == "below_planned_sample" and v.winner is None
    assert "50,000" in v.message and "10,000" in v.message


def test_control_can_win() -> None:
    v = judge(_result((60_000, 2_400), (60_000, 1_800)), "clicks", 1, "p")
    assert v.winner == "A"


def test_arm_rates_carry_wilson_intervals_and_the_comparison() -> None:
    result = _result((1_000, 50), (1_000, 80))
    verdict = judge(result, "clicks", 1, "plan")
    control, challenger = arm_rates(result, verdict)
    # Wilson score interval, written out: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)
    z, n, p = norm.ppf(1 - (1 - CI_LEVEL) / 2), 1_000, 0.05
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert control.ci_low == pytest.approx((centre - half) / (1 + z * z / n))
    assert control.ci_high == pytest.approx((centre + half) / (1 + z * z / n))
    assert control.control and control.lift is None and control.events == 50
    assert not challenger.control and challenger.lift == pytest.approx(0.6)
    assert challenger.p_best == verdict.p_best["B"] and challenger.rate == pytest.approx(0.08)


def test_opens_metric_uses_opens() -> None:
    r = ABResult(
        source="csv",
        campaign_id="t",
        arms=[
            ArmResult(label="A", subject="a", recipients=50_000, opens=15_000, clicks=1_000),
            ArmResult(label="B", subject="b", recipients=50_000, opens=16_500, clicks=1_000),
        ],
    )
    assert judge(r, "opens", 1, "p").winner == "B"
    assert judge(r, "clicks", 1, "p").winner is None


def test_csv_maps_subjects_and_labels_to_config_arms(tidewater_kb: Path, tmp_path: Path) -> None:
    config = planned_config(tidewater_kb, "mailchimp")
    path = _csv(
        tmp_path / "r.csv",
        [
            (config.arms[1].subject, 60_000, 18_000, 2_000),
            ("A", 60_000, 18_000, 1_800),
            ("c", 60_000, 18_000, 1_850),
        ],
    )
    result = read_results_csv(path, config)
    assert [a.label for a in result.arms] == ["A", "B", "C"]  # control first
    assert result.arms[1].clicks == 2_000
    assert result.campaign_id == config.test_id


@pytest.mark.parametrize(
    "rows,message",
    [
        ("variant,recipients,clicks\nA,1,0\n", "missing column(s) opens"),
        ("variant,recipients,opens,clicks\nA,100,10,1\nB,1OO,10,1\n", "line 3: field 'recipients'"),
        ("variant,recipients,opens,clicks\nA,100,10,1\nB,100,200,1\n", "opens (200) exceed"),
        ("variant,recipients,opens,clicks\nA,100,10,1\n", "need at least two variants"),
        ("variant,recipients,opens,clicks\nA,100,10,1\nA,100,10,1\n", "appears twice"),
    ],
)
def test_csv_errors_name_the_line_and_field(tmp_path: Path, rows: str, message: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(rows, encoding="utf-8")
    with pytest.raises(InputFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_results_csv(path)


def test_csv_unknown_variant_for_config(tidewater_kb: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path / "r.csv", [("A", 100, 10, 1), ("Z", 100, 10, 1)])
    with pytest.raises(InputFileError, match="'Z' is not an arm"):
        read_results_csv(path, planned_config(tidewater_kb, "mailchimp"))


def test_planned_sample_from_config_or_stated_default(tidewater_kb: Path) -> None:
    config = planned_config(tidewater_kb, "mailchimp")
    r = _result((1_000, 30), (1_000, 40))
    assert planned_sample(r, "clicks", config) == (
        config.design.n_per_arm_required,
        f"plan {config.test_id}",
    )
    n, why = planned_sample(r, "clicks", None)
    assert n > 40_000 and "no plan given" in why


def test_append_outcomes_no_duplicates_and_valid(tidewater_kb: Path, tmp_path: Path) -> None:
    folder = tidewater_kb / "tidewater"
    config = planned_config(tidewater_kb, "mailchimp")
    # the plan asked for about 63,000 per arm (3 arms, Bonferroni); 64,000 each is enough
    path = _csv(
        tmp_path / "r.csv",
        [("A", 64_000, 18_000, 1_900), ("B", 64_000, 18_500, 2_400), ("C", 64_000, 17_900, 1_880)],
    )
    result = read_results_csv(path, config, campaign_id="mc123")
    before = len(load_brand(folder).campaigns)
    first = import_results(
        result,
        folder,
        "promotion",
        "all_customers",
        "mailchimp",
        "clicks",
        None,
        config=config,
        sent_at="2026-11-03",
        reingest=False,
    )
    assert first.appended.added == 3 and first.verdict.winner == "B"
    rows = load_brand(folder).campaigns
    assert len(rows) == before + 3
    new = [r for r in rows if r.ab_test_id == config.test_id]
    assert {r.campaign_id for r in new} == {"mc123-A", "mc123-B", "mc123-C"}
    assert {r.subject for r in new} == {a.subject for a in config.arms}  # winners and losers
    b = next(r for r in new if r.campaign_id == "mc123-B")
    assert (b.recipients, b.opens, b.clicks, b.sent_at, b.platform) == (
        64_000,
        18_500,
        2_400,
        "2026-11-03",
        "mailchimp",
    )
    again = import_results(
        result,
        folder,
        "promotion",
        "all_customers",
        "mailchimp",
        "clicks",
        None,
        config=config,
        reingest=False,
    )
    assert again.appended.added == 0 and again.appended.skipped == 3
    assert len(load_brand(folder).campaigns) == before + 3


def test_append_is_all_or_nothing(tidewater_kb: Path) -> None:
    folder = tidewater_kb / "tidewater"
    original = (folder / "past_campaigns.csv").read_bytes()
    result = _result((1_000, 30), (1_000, 40))
    rows = outcome_rows(result, "promotion", "all_customers", "csv", "x", sent_at="03/11/2026")
    with pytest.raises(KnowledgeBaseError, match="the file is unchanged.*sent_at"):
        append_outcomes(folder, rows)
    assert (folder / "past_campaigns.csv").read_bytes() == original
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_append_keeps_bom_and_quotes_commas(tidewater_kb: Path) -> None:
    folder = tidewater_kb / "tidewater"
    path = folder / "past_campaigns.csv"
    path.write_text("\ufeff" + path.read_text(encoding="utf-8"), encoding="utf-8")
    r = ABResult(
        source="csv",
        campaign_id="q",
        arms=[
            ArmResult(label="A", subject="Beans, brewed", recipients=100, opens=10, clicks=1),
            ArmResult(label="B", subject='Say "hello"', recipients=100, opens=10, clicks=2),
        ],
    )
    append_outcomes(folder, outcome_rows(r, "promotion", "x", "csv", "q", "2026-01-01"))
    raw = path.read_text(encoding="utf-8")
    assert raw.startswith("\ufeff") and raw.count("\ufeff") == 1
    subjects = [c.subject for c in parse_campaigns(raw[1:])]
    assert subjects[-2:] == ["Beans, brewed", 'Say "hello"']


def test_fetch_mailchimp_variate_results(
    tidewater_kb: Path, fake_mailchimp, mailchimp_client
) -> None:
    config = planned_config(tidewater_kb, "mailchimp")
    pushed = registry.get("mailchimp").push(
        build_payload(config, "mailchimp"), mailchimp_client, FAST
    )
    fake_mailchimp.finish_test(
        pushed.campaign_id,
        [(56_000, 17_000, 1_700), (56_000, 17_400, 2_100), (56_000, 16_900, 1_690)],
    )
    result = registry.get("mailchimp").fetch_results(
        pushed.campaign_id, config, mailchimp_client, FAST
    )
    assert [(a.label, a.recipients, a.opens, a.clicks) for a in result.arms] == [
        ("A", 56_000, 17_000, 1_700),
        ("B", 56_000, 17_400, 2_100),
        ("C", 56_000, 16_900, 1_690),
    ]
    assert result.sent_at and result.sent_at.startswith("2026-11-03")
    assert [a.subject for a in result.arms] == [a.subject for a in config.arms]
    assert fake_mailchimp.violations() == []


def test_fetch_brevo_ab_results(tidewater_kb: Path, fake_brevo, brevo_client) -> None:
    config = planned_config(tidewater_kb, "brevo")
    pushed = registry.get("brevo").push(build_payload(config, "brevo"), brevo_client, FAST)
    split = config.design.platform_split_percent
    fake_brevo.finish_test(
        int(pushed.campaign_id),
        delivered=600_000,
        open_pct=("30%", "31.5%"),
        click_pct=("3%", "3.6%"),
        winner="B",
    )
    result = registry.get("brevo").fetch_results(pushed.campaign_id, config, brevo_client, FAST)
    n = round(600_000 * split / 100)
    assert [(a.label, a.recipients) for a in result.arms] == [("A", n), ("B", n)]
    assert result.arms[1].clicks == round(n * 0.036)
    assert result.arms[1].opens == round(n * 0.315)
    assert "estimated" in result.notes[0]
    assert fake_brevo.violations() == []


def test_cli_import_from_mailchimp(
    tidewater_kb: Path, tmp_path: Path, fake_mailchimp, mailchimp_client, monkeypatch
) -> None:
    from typer.testing import CliRunner

    from copilot.cli import app
    from copilot.settings import get_settings

    config = planned_config(tidewater_kb, "mailchimp")
    config_path = save_config(config, tmp_path / "ab.json")
    pushed = registry.get("mailchimp").push(
        build_payload(config, "mailchimp"), mailchimp_client, FAST
    )
    assert config.design.n_per_arm_required <= 64_000
    fake_mailchimp.finish_test(
        pushed.campaign_id,
        [(64_000, 17_000, 1_900), (64_000, 17_400, 2_400), (64_000, 16_900, 1_880)],
    )
    monkeypatch.setenv("MAILCHIMP_API_KEY", MAILCHIMP_KEY)
    monkeypatch.setenv("COPILOT_MAILCHIMP_BASE_URL", fake_mailchimp.base_url)
    monkeypatch.setenv("COPILOT_KB_DIR", str(tidewater_kb))
    get_settings.cache_clear()
    try:
        args = [
            "results",
            "import",
            "--platform",
            "mailchimp",
            "--campaign",
            pushed.campaign_id,
            "--config",
            str(config_path),
            "--no-ingest",
        ]
        result = CliRunner().invoke(app, [*args, "--json"])
        again = CliRunner().invoke(app, args)
    finally:
        get_settings.cache_clear()
        assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["verdict"]["status"] == "winner" and data["verdict"]["winner"] == "B"
    assert data["appended"]["added"] == 3
    assert again.exit_code == 0, again.output
    assert "0 row(s) added, 3 already there" in again.stdout
    assert MAILCHIMP_KEY not in result.output + again.output


def test_cli_import_csv_needs_context(tmp_path: Path, tidewater_kb: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from copilot.cli import app
    from copilot.results.importer import ResultsError
    from copilot.settings import get_settings

    path = _csv(tmp_path / "r.csv", [("A", 100, 10, 1), ("B", 100, 10, 2)])
    monkeypatch.setenv("COPILOT_KB_DIR", str(tidewater_kb))
    get_settings.cache_clear()
    try:
        missing = CliRunner().invoke(app, ["results", "import", "--csv", str(path)])
        ok = CliRunner().invoke(
            app,
            [
                "results",
                "import",
                "--csv",
                str(path),
                "--brand",
                "tidewater",
                "--goal",
                "promotion",
                "--segment",
                "vip",
                "--no-ingest",
            ],
        )
    finally:
        get_settings.cache_clear()
    assert isinstance(missing.exception, ResultsError)
    assert "--brand, --goal, --segment" in str(missing.exception)
    assert ok.exit_code == 0, ok.output
    assert "No winner called" in ok.stdout  # 100 per arm is far below the default design
    rows = load_brand(tidewater_kb / "tidewater").campaigns
    assert [r.segment for r in rows[-2:]] == ["vip", "vip"]


@pytest.mark.integration
def test_imported_result_changes_what_retrieval_returns(tidewater_kb: Path, tmp_path: Path) -> None:
    from copilot.knowledge.ingest import ingest_brand
    from copilot.knowledge.retrieve import build_context
    from copilot.settings import Settings

    settings = Settings(
        kb_dir=tidewater_kb, chroma_path=tmp_path / "chroma", retrieval_k=2, _env_file=None
    )  # type: ignore[call-arg]
    folder = tidewater_kb / "tidewater"
    ingest_brand(folder, settings)
    brief = make_brief(offer="15% off every bag with HARVEST15")
    before = build_context(brief, settings)
    before_subjects = [i.metadata.get("subject", i.text) for i in before.top_performers]

    winner = "Harvest Sale: 15% off every bag with HARVEST15"
    config = planned_config(
        tidewater_kb,
        "mailchimp",
        max_variants=2,
        variants=[
            variant(winner, "Use HARVEST15 through Sunday.", 80),
            variant("Autumn roasts, smaller prices", "Use HARVEST15 through Sunday.", 70),
        ],
    )
    result = ABResult(
        source="csv",
        campaign_id="mc-harvest",
        arms=[
            ArmResult(
                label="A",
                subject=config.arms[0].subject,
                recipients=60_000,
                opens=24_000,
                clicks=4_800,
            ),
            ArmResult(
                label="B",
                subject=config.arms[1].subject,
                recipients=60_000,
                opens=20_000,
                clicks=2_400,
            ),
        ],
    )
    report = import_results(
        result,
        folder,
        "promotion",
        "all_customers",
        "mailchimp",
        "clicks",
        settings,
        config=config,
        sent_at="2026-11-03",
    )
    assert report.ingested is not None and report.appended.added == 2
    after = build_context(brief, settings)
    after_text = " ".join(i.text for i in after.top_performers)
    assert winner in after_text
    assert not any(winner in s for s in before_subjects)
    assert [i.id for i in after.top_performers] != [i.id for i in before.top_performers]


def test_import_json_roundtrip(tidewater_kb: Path, tmp_path: Path) -> None:
    config = planned_config(tidewater_kb, "mailchimp")
    assert ABConfig.model_validate_json(config.model_dump_json()) == config
