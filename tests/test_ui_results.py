"""Results page: import a finished test from CSV (or by campaign id), the honest verdict with its
figures and a chart of rates with intervals, and one click to add the outcome to the KB."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.builders import make_brief, planned_config
from streamlit.testing.v1 import AppTest

from copilot.io.results import ABResult, ArmResult
from copilot.results.verdict import judge
from copilot.settings import Settings
from ui import state
from ui.testing import open_app, texts
from ui.views import rates_frame

JUDGE = "FormSubmitter:results-Judge the test"
CLEAR_WINNER = b"variant,recipients,opens,clicks\nA,60000,18000,1800\nB,60000,18600,2340\n"
NO_DIFFERENCE = b"variant,recipients,opens,clicks\nA,60000,18000,1800\nB,60000,18050,1815\n"


def _settings(tmp_path: Path, kb: Path) -> Settings:
    return Settings(chroma_path=tmp_path / "chroma", kb_dir=kb, _env_file=None)  # type: ignore[call-arg]


def _judge(at: AppTest, csv: bytes) -> AppTest:
    # inside a form the file is committed by the submit, as in the browser
    at.get("file_uploader")[-1].set_value(("results.csv", csv, "text/csv"))
    at.button(key=JUDGE).click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _results_page(tmp_path: Path, kb: Path) -> AppTest:
    brief = make_brief(size=600_000)
    return open_app(_settings(tmp_path, kb), "results", timeout=120, **{state.BRIEF: brief})


def test_a_clear_difference_is_called_a_winner_with_its_figures(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    at = _judge(_results_page(tmp_path, tidewater_kb), CLEAR_WINNER)
    assert any(s.value.startswith("Winner: B") for s in at.success)
    table = at.dataframe[0].value
    assert list(table["arm"]) == ["A (control)", "B"]
    assert (table["ci low"] < table["rate"]).all() and (table["rate"] < table["ci high"]).all()
    assert table.loc[1, "p-value"] < 0.05
    assert at.get("vega_lite_chart")  # the chart of rates with their intervals


def test_no_real_difference_says_so(tmp_path: Path, tidewater_kb: Path) -> None:
    at = _judge(_results_page(tmp_path, tidewater_kb), NO_DIFFERENCE)
    assert any(i.value.startswith("No significant winner") for i in at.info)
    assert not at.success


def test_a_test_below_its_planned_sample_calls_no_winner(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    config = planned_config(tidewater_kb, max_variants=2)
    at = _results_page(tmp_path, tidewater_kb)
    at.radio(key="res_config_choice").set_value("upload a config").run()
    at.get("file_uploader")[0].set_value(
        ("ab_config.json", config.model_dump_json().encode(), "application/json")
    )
    at.run()
    small = b"variant,recipients,opens,clicks\nA,900,300,30\nB,900,320,90\n"
    at = _judge(at, small)
    assert any(w.value.startswith("No winner called") for w in at.warning)
    assert "below the planned" in texts(at)


def test_a_campaign_id_without_its_config_is_a_readable_error(
    tmp_path: Path, tidewater_kb: Path
) -> None:
    at = _results_page(tmp_path, tidewater_kb)
    at.radio(key="res_source").set_value("platform campaign id")
    at.text_input(key="res_campaign").set_value("abc123")
    at.button(key=JUDGE).click().run()
    assert not at.exception
    assert any("needs the A/B config" in e.value for e in at.error)


def test_rate_intervals_hold_each_arms_rate() -> None:
    result = ABResult(
        source="csv",
        campaign_id="t",
        arms=[
            ArmResult(label="A", subject="a", recipients=1000, opens=300, clicks=20),
            ArmResult(label="B", subject="b", recipients=1000, opens=310, clicks=45),
        ],
    )
    verdict = judge(result, "clicks", 500, "test")
    frame = rates_frame(result, verdict)
    assert list(frame["clicks"]) == [20, 45]
    for _, row in frame.iterrows():
        assert row["ci low"] <= row["rate"] <= row["ci high"]
    assert frame.loc[0, "lift"] is None or frame.loc[0, "lift"] != frame.loc[0, "lift"]  # control
    assert frame.loc[1, "lift"] == pytest.approx(1.25)


@pytest.mark.integration
def test_one_click_adds_the_outcome_to_the_kb_once(tmp_path: Path, tidewater_kb: Path) -> None:
    csv = tidewater_kb / "tidewater" / "past_campaigns.csv"
    rows_before = csv.read_text().count("\n")
    at = _judge(_results_page(tmp_path, tidewater_kb), CLEAR_WINNER)
    add = next(b for b in at.button if b.label == "Add this outcome to the knowledge base")
    add.click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("2 row(s) added" in s.value for s in at.success)
    assert csv.read_text().count("\n") == rows_before + 2
    add = next(b for b in at.button if b.label == "Add this outcome to the knowledge base")
    add.click().run()
    assert any("0 row(s) added" in s.value and "2 already" in s.value for s in at.success)
    assert csv.read_text().count("\n") == rows_before + 2
