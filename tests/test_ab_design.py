"""A/B test design: sample size from a power analysis, test share, wait time, the winner metric,
refusing tests that cannot reach their power (with the ways out), and choosing the arms."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from fakes.builders import make_brief, planned_config, sample_variants, variant
from scipy.stats import norm

from copilot.errors import ConfigError
from copilot.io.abconfig import ABConfig
from copilot.io.loader import load_file
from copilot.knowledge.brand import load_brand, parse_campaigns
from copilot.planning.baseline import Baseline, PlanningDefaults, baseline_rate
from copilot.planning.design import (
    MPP_WARNING,
    PlanError,
    PlanRequest,
    design_test,
    plan_test,
    render_plan,
    retarget,
)
from copilot.planning.power import min_detectable_lift, n_per_arm
from copilot.planning.select import select_variants
from copilot.planning.sender import sender_from_brand


def _base(rate: float = 0.03, source: str = "goal+segment") -> Baseline:
    return Baseline(rate=rate, source=source, detail="test baseline")  # type: ignore[arg-type]


def _textbook_n(p0: float, p1: float, alpha: float, power: float) -> float:
    """Classic normal-approximation sample size (Fleiss), independent of statsmodels."""
    za, zb = norm.ppf(1 - alpha / 2), norm.ppf(power)
    pbar = (p0 + p1) / 2
    num = za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p0 * (1 - p0) + p1 * (1 - p1))
    return (num / (p1 - p0)) ** 2


def test_click_test_at_3_percent_needs_about_50k_per_arm() -> None:
    n = n_per_arm(0.03, 0.10, 0.05, 0.8)
    assert 48_000 < n < 56_000  # "about 50,000 recipients per arm"
    assert n == pytest.approx(_textbook_n(0.03, 0.033, 0.05, 0.8), rel=0.01)


@pytest.mark.parametrize("p0,mde", [(0.025, 0.2), (0.30, 0.05), (0.10, 0.3)])
def test_sample_size_matches_textbook_formula(p0: float, mde: float) -> None:
    assert n_per_arm(p0, mde, 0.05, 0.8) == pytest.approx(
        _textbook_n(p0, p0 * (1 + mde), 0.05, 0.8), rel=0.02
    )


def test_min_detectable_lift_inverts_sample_size() -> None:
    n = n_per_arm(0.04, 0.15, 0.05, 0.8)
    assert min_detectable_lift(0.04, n, 0.05, 0.8) == pytest.approx(0.15, abs=0.002)


def test_small_segment_is_refused_with_numbers_and_ways_out() -> None:
    d = design_test(_base(0.03), 8_000, 3, "mailchimp", alt_baseline=_base(0.30, "goal"))
    assert d.status == "refused"
    assert d.n_per_arm_required > 50_000
    assert "8,000" in d.verdict and f"{d.n_per_arm_required:,}" in d.verdict
    actions = [w.action for w in d.ways_out]
    for expected in (
        "fewer variants",
        "larger minimum lift",
        "larger segment",
        "longer test",
        "no test",
    ):
        assert expected in actions
    mde_way = next(w for w in d.ways_out if w.action == "larger minimum lift")
    # the suggested MDE is really detectable with everyone in the test
    suggested = float(mde_way.option.split()[-1])  # type: ignore[union-attr]
    assert n_per_arm(0.03, suggested, 0.025, 0.8) <= 8_000 // 3
    longer = next(w for w in d.ways_out if w.action == "longer test")
    assert str(math.ceil(d.n_per_arm_required * 3 / 8_000)) in longer.detail


def test_fewer_variants_way_out_is_offered_when_it_fits() -> None:
    # three arms need 3 x n(alpha/2); two arms need less and fit in 120k
    d = design_test(_base(0.03), 120_000, 3, "mailchimp")
    assert d.status == "refused"
    way = next(w for w in d.ways_out if w.action == "fewer variants")
    assert way.option == "--max-variants 2"
    assert "instead of 3" in way.detail


def test_opens_way_out_only_when_it_fits_and_warns_about_mpp() -> None:
    d = design_test(_base(0.03), 40_000, 2, "mailchimp", alt_baseline=_base(0.30, "goal"))
    way = next(w for w in d.ways_out if w.action == "test on opens")
    assert "Apple Mail Privacy Protection" in way.detail


def test_ok_plan_sizes_test_share_and_wait() -> None:
    d = design_test(_base(0.03), 1_000_000, 2, "mailchimp", wait_hours=6)
    assert d.status == "ok"
    assert d.n_per_arm >= d.n_per_arm_required
    assert d.platform_split_percent == math.ceil(100 * 2 * d.n_per_arm_required / 1_000_000)
    assert d.test_share == pytest.approx(d.n_per_arm * 2 / 1_000_000)
    assert d.wait_hours == 6
    assert d.achieved_power is not None and d.achieved_power >= 0.8
    assert d.ways_out == []


def test_mailchimp_minimum_test_size_is_ten_percent() -> None:
    d = design_test(_base(0.30), 1_000_000, 2, "mailchimp")
    assert d.platform_split_percent == 10
    assert d.n_per_arm == 50_000 > d.n_per_arm_required


def test_weak_plan_says_so() -> None:
    d = design_test(_base(0.03), 130_000, 2, "mailchimp")
    assert d.status == "weak"
    assert d.verdict.startswith("Weak but possible")
    assert any("winner reaches only" in w for w in d.warnings)


def test_large_mde_is_weak() -> None:
    d = design_test(_base(0.03), 1_000_000, 2, "mailchimp", mde=0.3)
    assert d.status == "weak"
    assert "5-15%" in d.verdict


def test_wait_time_must_be_at_least_four_whole_hours() -> None:
    with pytest.raises(PlanError, match="at least 4 whole hours"):
        design_test(_base(), 1_000_000, 2, "mailchimp", wait_hours=2)
    with pytest.raises(PlanError, match="168"):
        design_test(_base(), 1_000_000, 2, "brevo", wait_hours=200)


def test_opens_metric_carries_the_mpp_warning() -> None:
    d = design_test(_base(0.3), 1_000_000, 2, "mailchimp", metric="opens")
    assert MPP_WARNING in d.warnings
    assert design_test(_base(0.03), 1_000_000, 2, "mailchimp").warnings == []


def test_bonferroni_for_three_arms() -> None:
    two = design_test(_base(), 2_000_000, 2, "mailchimp")
    three = design_test(_base(), 2_000_000, 3, "mailchimp")
    assert three.alpha_per_comparison == pytest.approx(0.025)
    assert three.n_per_arm_required > two.n_per_arm_required


def test_brevo_split_is_per_arm_and_capped_at_half() -> None:
    d = design_test(_base(), 1_000_000, 2, "brevo")
    assert d.platform_split_percent == math.ceil(100 * d.n_per_arm_required / 1_000_000)
    refused = design_test(_base(), 100_000, 2, "brevo")
    assert refused.status == "refused"


def test_baseline_from_goal_and_segment_then_goal_then_default(tidewater_kb: Path) -> None:
    rows = load_brand(tidewater_kb / "tidewater").campaigns
    seg = baseline_rate(rows, "promotion", "all_customers", "clicks")
    assert seg.source == "goal+segment"
    assert seg.rate == pytest.approx((600 + 744) / (20_000 + 24_000))
    goal = baseline_rate(rows, "promotion", "vip", "opens")
    assert goal.source == "goal"
    assert goal.rate == pytest.approx((6200 + 7000 + 900) / (20_000 + 24_000 + 5_000))
    default = baseline_rate(rows, "birthday", "vip", "clicks")
    assert default.source == "default" and default.rate == 0.025
    assert "stated default" in default.detail
    # too little history (800 recipients) falls back to the default, and says why
    small = baseline_rate(rows, "welcome", "new_subscribers", "opens")
    assert small.source == "default" and "800" in small.detail


DEFAULTS = Path(__file__).resolve().parents[1] / "copilot" / "planning" / "data" / "defaults.yaml"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("test_share: 0.5", "test_share: 1.5", "weak.test_share"),
        ("alpha: 0.05", "alpha: often", "alpha"),
        ("power: 0.8", "powr: 0.8", "power"),  # a misspelt key is missing, not ignored
    ],
)
def test_planning_defaults_errors_name_the_file_and_the_field(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    text = DEFAULTS.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "defaults.yaml"
    bad.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"defaults\.yaml: field '{field}'"):
        load_file(bad, PlanningDefaults)


def test_selection_skips_failed_and_near_duplicates() -> None:
    chosen = select_variants(sample_variants(), 3)
    subjects = [v.subject for v in chosen]
    assert subjects[0] == "Harvest Sale: 15% off every bag"
    assert "FREE!!! BUY NOW" not in subjects  # failed a check despite its score
    assert "Harvest Sale: 15% off every bag!" not in subjects  # near-duplicate of the best
    assert len(subjects) == 3


def test_plan_holds_preheader_constant_in_subject_test(tidewater_kb: Path) -> None:
    config = planned_config(tidewater_kb, "mailchimp")
    assert len(config.arms) == 3
    assert len({a.preheader for a in config.arms}) == 1
    assert config.arms[0].preheader == "Use HARVEST15 through Sunday."
    assert config.variables == ["subject"]


def test_preheader_test_holds_subject_constant(tidewater_kb: Path) -> None:
    config = planned_config(tidewater_kb, "mailchimp", variables=["preheader"])
    assert len({a.subject for a in config.arms}) == 1
    assert len({a.preheader for a in config.arms}) == len(config.arms)


def test_config_refuses_arms_differing_in_untested_variable(tidewater_kb: Path) -> None:
    data = planned_config(tidewater_kb, "mailchimp").model_dump(mode="json")
    data["arms"][1]["preheader"] = "Something else"
    with pytest.raises(ValueError, match="differ in 'preheader'"):
        ABConfig.model_validate(data)


def test_multivariate_grid_on_mailchimp_only(tidewater_kb: Path) -> None:
    config = planned_config(tidewater_kb, "mailchimp", variables=["subject", "preheader"])
    assert len(config.arms) == 4  # 2 subjects x 2 preheaders
    assert {(a.subject, a.preheader) for a in config.arms} == {
        (s, p) for s in config.levels()["subject"] for p in config.levels()["preheader"]
    }
    with pytest.raises(PlanError, match="brevo cannot test preheader"):
        planned_config(tidewater_kb, "brevo", variables=["subject", "preheader"])


def test_from_name_levels(tidewater_kb: Path) -> None:
    config = planned_config(
        tidewater_kb,
        "mailchimp",
        variables=["from_name"],
        levels=[
            "Tidewater Coffee <hello@tidewater.example>",
            "Sam at Tidewater <sam@tidewater.example>",
        ],
    )
    assert [a.from_name for a in config.arms] == ["Tidewater Coffee", "Sam at Tidewater"]
    assert len({a.subject for a in config.arms}) == 1


def test_too_few_usable_variants(tidewater_kb: Path) -> None:
    only = [variant("One good subject line"), variant("Bad", status="fail")]
    with pytest.raises(PlanError, match="at least 2 usable variants"):
        planned_config(tidewater_kb, "mailchimp", variants=only)


def test_segment_size_required(tidewater_kb: Path) -> None:
    folder = tidewater_kb / "tidewater"
    brief = make_brief()
    brief.segment.size = None
    with pytest.raises(PlanError, match="segment.size"):
        plan_test(brief, sample_variants(), [], sender_from_brand(folder, "tidewater"))


def test_refused_plan_has_no_config_and_readable_report(tidewater_kb: Path) -> None:
    folder = tidewater_kb / "tidewater"
    plan = plan_test(
        make_brief(size=9_000),
        sample_variants(),
        load_brand(folder).campaigns,
        sender_from_brand(folder, "tidewater"),
    )
    assert plan.config is None
    text = render_plan(plan)
    assert text.startswith("Refused")
    assert "Ways out:" in text and "--mde" in text


def test_test_id_is_deterministic_and_changes_with_content(tidewater_kb: Path) -> None:
    a = planned_config(tidewater_kb, "mailchimp")
    b = planned_config(tidewater_kb, "mailchimp")
    assert a.test_id == b.test_id and a.title == b.title
    data = a.model_dump(mode="json")
    data["arms"][2]["subject"] = "A different third subject"
    assert ABConfig.model_validate(data).test_id != a.test_id


def test_retarget_resizes_for_brevo(tidewater_kb: Path) -> None:
    config = planned_config(tidewater_kb, "mailchimp", max_variants=2)
    moved = retarget(config, "brevo")
    assert moved.platform == "brevo"
    assert moved.design.n_per_arm >= moved.design.n_per_arm_required
    assert moved.test_id != config.test_id


def test_sender_from_brand_reads_address_section(tidewater_kb: Path) -> None:
    sender = sender_from_brand(tidewater_kb / "tidewater", "tidewater")
    assert sender.postal_address == "Tidewater Coffee Co., 9 Quay Road, Saltmarsh, ME 04001, USA"
    assert sender.from_name == "Tidewater Coffee Co."
    assert sender.email == "hello@tidewater.example"
    assert "products.md line" in sender.provenance["postal_address"]


def test_fixture_history_parses() -> None:
    from fakes.builders import CAMPAIGNS_CSV

    assert len(parse_campaigns(CAMPAIGNS_CSV)) == 5


def test_plan_request_defaults() -> None:
    req = PlanRequest()
    assert req.metric == "clicks" and req.mde == 0.10 and req.variables == ["subject"]
