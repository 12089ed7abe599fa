"""Results: import a finished test, judge it honestly, and add the outcome to the knowledge base."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from copilot.app.export import platforms
from copilot.app.results import fetch_results, judge_result, read_results_csv, record_results
from copilot.errors import CopilotError
from copilot.io.abconfig import ABConfig, load_config
from copilot.io.brief import Goal
from ui import state
from ui.views import platform_title, preview_with_sample_contact, rates_frame

PLATFORMS = [p.name for p in platforms()]
#: the config the form was last filled from (its test id); another config fills it again
CONFIG_BASIS = "data_res_config_basis"


def _from_upload(upload: Any, read: Any) -> Any:
    """Run a path-based library reader on an upload, naming the file as the person knows it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        try:
            return read(path)
        except CopilotError as exc:
            raise type(exc)(str(exc).replace(str(path), upload.name)) from None


def _rates_chart(frame: pd.DataFrame, metric: str) -> alt.LayerChart:
    base = alt.Chart(frame).encode(y=alt.Y("arm:N", title=None, sort=None))
    bars = base.mark_rule(
        strokeWidth=3
    ).encode(
        x=alt.X(
            "ci low:Q",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(zero=False),  # the intervals are what matter; zero hides them
            title=f"{metric[:-1]} rate (95% interval)",
        ),
        x2="ci high:Q",
    )
    points = base.mark_point(filled=True, size=120).encode(
        x="rate:Q",
        tooltip=[
            "arm",
            "subject",
            alt.Tooltip("rate:Q", format=".2%"),
            alt.Tooltip("ci low:Q", format=".2%"),
            alt.Tooltip("ci high:Q", format=".2%"),
        ],
    )
    return (bars + points).properties(height=60 + 40 * len(frame))


st.title("Results")
s = state.settings()
current = state.brief()
plan_entry = st.session_state.get(state.PLAN)
plan_config: ABConfig | None = plan_entry[0].config if plan_entry else None

st.caption(
    "Import a finished A/B test from a CSV (columns variant, recipients, opens, clicks) or from "
    "the platform by campaign id. The verdict never calls a winner that is not significant or "
    "that comes from a test below its planned sample."
)
config: ABConfig | None = None
config_choice = st.radio(
    "A/B config",
    ["the plan from this session", "upload a config", "none"],
    index=0 if plan_config else 2,
    horizontal=True,
    key="res_config_choice",
    help="The config the test was exported from: it names the arms, goal, segment and plan.",
)
if config_choice == "the plan from this session":
    if plan_config is None:
        st.info("No plan in this session yet: plan one on the A/B plan & export page.")
    config = plan_config
elif config_choice == "upload a config":
    cfg_upload = st.file_uploader("A/B config (JSON)", type=["json"], key="res_config_upload")
    if cfg_upload is not None:
        with state.readable_errors():
            config = _from_upload(cfg_upload, load_config)

goals = [g.value for g in Goal]
# The form is filled from the chosen config (else the brief); choosing another config fills it
# again, while what the person typed stays until then.
form_values: dict[str, Any] = {
    "res_platform": config.platform if config else (current.platform if current else PLATFORMS[0]),
    "res_brand": config.brand if config else (current.brand if current else ""),
    "res_goal": config.goal if config else (current.goal.value if current else goals[1]),
    "res_segment": config.segment if config else (current.segment.name if current else ""),
    "res_metric": config.design.metric if config else "clicks",
}
if form_values["res_goal"] not in goals:
    form_values["res_goal"] = goals[1]
basis = config.test_id if config is not None else ""
renew = st.session_state.get(CONFIG_BASIS) != basis
for key, value in form_values.items():
    if renew or key not in st.session_state:
        st.session_state[key] = value
st.session_state[CONFIG_BASIS] = basis
if config is not None:
    st.caption(
        f"Filled in from the A/B config: {config.brand} · {config.goal} · {config.segment} · "
        f"{platform_title(config.platform)} · winner on {config.design.metric}."
    )

with st.form("results"):
    source = st.radio(
        "Results from", ["CSV file", "platform campaign id"], horizontal=True, key="res_source"
    )
    upload = st.file_uploader("Results CSV", type=["csv"], key="res_csv")
    r1, r2 = st.columns(2)
    platform = r1.selectbox("Platform", PLATFORMS, format_func=platform_title, key="res_platform")
    campaign = r2.text_input("Campaign id", key="res_campaign")
    c1, c2, c3, c4 = st.columns(4)
    brand = c1.text_input("Brand", key="res_brand")
    goal = c2.selectbox("Goal", goals, key="res_goal")
    segment = c3.text_input("Segment", key="res_segment")
    metric = c4.radio(
        "Metric",
        ["clicks", "opens"],
        key="res_metric",
        help="The metric the verdict judges; a plan sized on the other metric is re-sized for "
        "this one.",
    )
    go = st.form_submit_button("Judge the test", type="primary", icon=":material/balance:")

if go:
    with state.readable_errors():
        if source == "CSV file":
            if upload is None:
                raise CopilotError("choose the results CSV first")
            result = _from_upload(
                upload, lambda p: read_results_csv(p, config, campaign.strip() or None)
            )
            where = platform if config is None else config.platform
        else:
            if not campaign.strip():
                raise CopilotError("give the platform's campaign id")
            if config is None:
                raise CopilotError(
                    "importing by campaign id needs the A/B config the test was exported from "
                    "(it names the arms); choose or upload it above"
                )
            with st.spinner(f"Fetching the report from {platform}…"):
                result = fetch_results(platform, campaign.strip(), config, s)  # type: ignore[arg-type]
            where = platform
        if not brand.strip() or not segment.strip():
            raise CopilotError("give the brand and segment the test was sent to")
        st.session_state[state.RESULTS] = {
            "result": result,
            "config": config,
            "brand": brand.strip(),
            "goal": goal,
            "segment": segment.strip(),
            "platform": where,
            "metric": metric,
        }
        st.session_state.pop("res_added", None)

entry = st.session_state.get(state.RESULTS)
if entry is not None:
    result = entry["result"]
    cfg = entry["config"]
    verdict = judge_result(result, entry["metric"], cfg)
    show = {
        "winner": st.success,
        "no_significant_winner": st.info,
        "below_planned_sample": st.warning,
    }[verdict.status]
    show(verdict.message)
    for note in result.notes:
        st.caption(f"Note: {note}")
    frame = rates_frame(result, verdict)
    # previews show the sample contact, as on every page
    frame["subject"] = [preview_with_sample_contact(t, entry["platform"]) for t in frame["subject"]]
    st.altair_chart(_rates_chart(frame, verdict.metric), width="stretch")
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            col: st.column_config.NumberColumn(format="percent")
            for col in ("rate", "ci low", "ci high", "lift", "P(beats control)", "P(best)")
        },
    )
    st.caption(
        f"Judged on {verdict.metric}. The test needed {verdict.planned_n_per_arm:,} recipients "
        f"per arm to be trusted. “P(best)” is the chance each arm is really the best."
    )
    with st.expander("Details", icon=":material/tune:"):
        st.caption(
            "Two-proportion z-tests against the control at alpha "
            f"{verdict.alpha_per_comparison:.3g} per comparison; P(best) and P(beats control) "
            f"from Beta(1, 1) posteriors. Planned {verdict.planned_n_per_arm:,} per arm "
            f"({verdict.planned_source})."
        )
    if st.button(
        "Add this outcome to the knowledge base", type="primary", icon=":material/menu_book:"
    ):
        with state.readable_errors():
            state.warm_up()
            with st.spinner("Appending to past campaigns and re-ingesting…"):
                report = record_results(
                    result,
                    entry["brand"],
                    entry["goal"],
                    entry["segment"],
                    entry["platform"],
                    entry["metric"],
                    s,
                    config=cfg,
                )
            st.session_state["res_added"] = report.appended
            state.forget_contexts()
    added = st.session_state.get("res_added")
    if added is not None:
        st.success(
            f"{added.added} row(s) added to {Path(added.path).name}, {added.skipped} already "
            "there. The next generation for this goal and segment retrieves them."
        )
