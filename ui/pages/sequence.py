"""Sequence page: a playbook adapted to the brief, on a timeline with delays and branches, with
every step's copy and checks, and ready drafts for the platform."""

from __future__ import annotations

import json

import altair as alt
import streamlit as st

from copilot.app.sequence import (
    PLATFORM_NOTES,
    DraftsRequest,
    SequenceCopy,
    SequencePlan,
    SequenceRequest,
    load_playbooks,
    plan_markdown,
    playbook_for,
    run_sequence,
    sequence_drafts,
    steps_csv,
)
from copilot.errors import CopilotError
from ui import state
from ui.views import (
    badge,
    checks_frame,
    html_data_url,
    inbox_text,
    md_escape,
    preview_with_sample_contact,
    score_text,
    tag_legend,
    timeline_frames,
    when,
)

MOBILE_PX = 375
PREVIEW_HEIGHT = 600


def timeline_chart(plan: SequencePlan) -> alt.LayerChart | alt.FacetChart:
    """Steps on a day axis, the delay between each, and each step's branch rules."""
    steps, gaps, branches = timeline_frames(plan)
    order = list(steps["step"])
    # room on the right of the last step for its subject and rules
    last = float(steps["day"].max()) if len(steps) else 1.0
    x_scale = alt.Scale(domain=[0, max(last * 1.6, last + 1.5)], nice=False)
    y = alt.Y("step:N", sort=order, title=None)
    gap_rules = (
        alt.Chart(gaps)
        .mark_rule(color="#9aa5b1", strokeDash=[4, 3])
        .encode(x=alt.X("from:Q"), x2="to:Q", y=y)
    )
    gap_text = (
        alt.Chart(gaps)
        .mark_text(dy=-9, fontSize=11, color="#52606d")
        .encode(x="mid:Q", y=y, text="label:N")
    )
    points = (
        alt.Chart(steps)
        .mark_point(filled=True, size=160)
        .encode(
            x=alt.X("day:Q", title="Days after the trigger", scale=x_scale),
            y=y,
            color=alt.Color("angle:N", legend=alt.Legend(orient="bottom", title="angle")),
            shape=alt.Shape("incentive:N", legend=None),
            tooltip=["step", "at", "delay", "condition", "angle", "subject", "branches"],
        )
    )
    labels = (
        alt.Chart(steps)
        .mark_text(align="left", dx=12, dy=-7, fontSize=12)
        .encode(x="day:Q", y=y, text="subject:N")
    )
    rules = (
        alt.Chart(steps)
        .mark_text(align="left", dx=12, dy=9, fontSize=10, color="#d64545")
        .encode(x="day:Q", y=y, text="branches:N")
    )
    layers = [gap_rules, gap_text, points, labels, rules]
    if not branches.empty:
        layers.append(
            alt.Chart(branches)
            .mark_point(shape="triangle-right", size=90, color="#d64545", xOffset=-14)
            .encode(x="day:Q", y=y, tooltip=["step", "rule"])
        )
        jumps = branches.dropna(subset=["target"])
        if not jumps.empty:
            layers.append(
                alt.Chart(jumps)
                .mark_rule(color="#d64545", strokeDash=[2, 2])
                .encode(x="day:Q", x2="target_day:Q", y=y, y2=alt.Y2("target:N"))
            )
    return alt.layer(*layers)


st.title("Sequence")

if state.brief() is None:
    st.info(
        "Fill in a brief on the Brief page first: the sequence follows its goal.",
        icon=":material/edit_note:",
    )
    st.page_link("pages/brief.py", label="Go to the Brief page", icon=":material/edit_note:")
else:
    brief = state.brief()
    assert brief is not None
    s = state.settings()
    books = load_playbooks()
    default = None
    try:
        default = playbook_for(brief).name
    except CopilotError as exc:
        st.info(str(exc), icon=":material/info:")
    names = sorted(books)
    name = st.selectbox(
        "Playbook",
        names,
        index=names.index(default) if default in names else 0,
        format_func=lambda n: f"{books[n].title} ({n})",
        key="seq_playbook",
    )
    book = books[name]
    st.caption(f"{book.description} Trigger: {book.trigger}. Practice: {book.practice}")
    with st.form("sequence"):
        c1, c2 = st.columns(2)
        drafts = c1.slider("Subject drafts per step", 1, 4, 2)
        per_week = c2.number_input("Most sends per week", 1, 14, 4)
        go = st.form_submit_button("Plan the sequence", type="primary", icon=":material/timeline:")
    if go:
        with state.readable_errors():
            asked = SequenceRequest(
                brief=brief,
                playbook=name,
                step_copy=SequenceCopy(subject_drafts=drafts),
                max_sends_per_week=int(per_week),
            )
            report, bar = state.progress_bar("Adapting the playbook…")
            with (
                st.spinner("Writing every step and checking the sequence…"),
                state.using_model() as model,
            ):
                state.warm_up()  # after the model (see copilot.app.generate)
                planned = run_sequence(asked, s, progress=report, llm=model)
            bar.empty()
            st.session_state[state.SEQUENCE] = planned

    plan = st.session_state.get(state.SEQUENCE)
    if plan is not None:
        st.subheader(plan.title)
        st.markdown(f"**Trigger:** {md_escape(plan.trigger)}")
        st.markdown(
            "**Exits:** "
            + "; ".join(
                md_escape(e.when) + (" (conversion)" if e.conversion else "") for e in plan.exit
            )
        )
        st.markdown(" ".join(badge(c) for c in plan.checks))
        for c in plan.checks:
            if c.status != "pass":
                st.caption(f"{c.name}: {c.message}")
        for note in plan.notes:
            st.warning(note)
        st.altair_chart(timeline_chart(plan), width="stretch", height=90 + 80 * len(plan.steps))
        if plan.adaptations:
            with st.expander(f"{len(plan.adaptations)} change(s) to the playbook for this brief"):
                for a in plan.adaptations:
                    st.markdown(f"- **{a.action}** `{a.step}` ({a.by}): {md_escape(a.reason)}")
        for i, step in enumerate(plan.steps):
            label = (
                f"{i + 1}. {step.id} · day {step.day} · {md_escape(inbox_text(step.subject))} · "
                f"score {score_text(step.score)}"
            )
            with st.expander(label):
                st.markdown(" ".join(badge(c) for c in step.checks))
                st.markdown(
                    f"**When:** {when(step.at_hours)} after the trigger "
                    f"({when(step.delay_hours)} after the previous step) · **condition:** "
                    f"{md_escape(step.condition)} · **goal:** {md_escape(step.goal)} · "
                    f"**angle:** {step.angle}"
                )
                st.markdown(
                    f"**Subject:** {md_escape(inbox_text(step.subject))}  \n"
                    f"**Preheader:** {md_escape(inbox_text(step.preheader))}  \n"
                    f"**Button:** {md_escape(step.cta.text)} → `{step.cta.url}`"
                )
                if inbox_text(step.subject) != step.subject:
                    st.caption(f"Subject with merge tags: `{step.subject}`")
                for b in step.branches:
                    st.markdown(f"- ↳ {md_escape(b.describe())}")
                html_tab, text_tab, code_tab, checks_tab = st.tabs(
                    ["Email", "Plain text", "HTML code", "Checks"]
                )
                with html_tab:
                    st.caption(tag_legend(plan.platform))
                    st.iframe(
                        html_data_url(preview_with_sample_contact(step.body_html, plan.platform)),
                        width=MOBILE_PX,
                        height=PREVIEW_HEIGHT,
                    )
                with text_tab:
                    st.code(
                        preview_with_sample_contact(step.body_text, plan.platform),
                        language=None,
                        wrap_lines=True,
                    )
                with code_tab:
                    st.caption(f"As sent, with {plan.platform.capitalize()}'s merge tags.")
                    st.code(step.body_html, language="html", wrap_lines=True)
                with checks_tab:
                    st.dataframe(checks_frame(step.checks), hide_index=True, width="stretch")
                for note in step.notes:
                    st.caption(note)

        st.subheader("Take it to the platform")
        st.info(PLATFORM_NOTES.get(plan.platform, ""), icon=":material/info:")
        d1, d2, d3 = st.columns(3)
        d1.download_button(
            "Team brief (Markdown)",
            plan_markdown(plan),
            file_name=f"{plan.playbook}-sequence.md",
            mime="text/markdown",
        )
        d2.download_button(
            "Steps (CSV)", steps_csv(plan), file_name=f"{plan.playbook}-steps.csv", mime="text/csv"
        )
        d3.download_button(
            "Plan (JSON)",
            json.dumps(plan.to_json(), indent=2, ensure_ascii=False),
            file_name=f"{plan.playbook}-sequence.json",
            mime="application/json",
        )
        with state.readable_errors():
            payload = sequence_drafts(DraftsRequest(plan=plan), s)
            if payload.warnings:
                with st.expander(f"Details: {len(payload.warnings)} note(s) on the step drafts"):
                    for warning in payload.warnings:
                        st.caption(f"⚠ {md_escape(warning)}")
            st.download_button(
                f"Step drafts for {plan.platform.capitalize()} (JSON)",
                json.dumps(payload.model_dump(mode="json"), indent=2, ensure_ascii=False),
                file_name=f"{plan.platform}-{payload.test_id}-drafts.json",
                mime="application/json",
            )
