"""Variants page: scores and checks, why each scored as it did, inline edits, picks for the test."""

from __future__ import annotations

import zlib

import altair as alt
import streamlit as st

from copilot.app.generate import scorer
from ui import state
from ui.views import (
    badge,
    checks_frame,
    components_frame,
    inbox_text,
    md_escape,
    score_text,
    sources_frame,
    tag_legend,
    variants_frame,
)

st.title("Variants")

if state.need_variants():
    brief = state.brief()
    assert brief is not None
    s = state.settings()
    variants = state.variants()
    context = None
    with state.readable_errors():
        context = state.context_for(brief)

    st.caption(
        "Tick the variants that go into the A/B test. Scores are 0–100; a failed hard check "
        "(✗) means the variant is never sent as it is."
    )
    frame = variants_frame(variants, state.picked())
    edited = st.data_editor(
        frame,
        key=state.TABLE,
        hide_index=True,
        width="stretch",
        disabled=["#", "inbox", "score", "angle", "checks", "subject", "preheader"],
        column_config={
            "test": st.column_config.CheckboxColumn("In test", help="Include in the A/B test"),
            "score": st.column_config.ProgressColumn(
                "Score", min_value=0, max_value=100, format="%.0f"
            ),
            "inbox": st.column_config.TextColumn(
                "Inbox preview",
                width="medium",
                help="Merge tags shown as a reader sees them (a sample first name)",
            ),
            "subject": st.column_config.TextColumn("Subject (with merge tags)", width="medium"),
            "preheader": st.column_config.TextColumn("Preheader", width="medium"),
        },
    )
    chosen = [int(row["#"]) - 1 for _, row in edited.iterrows() if bool(row["test"])]
    if chosen != state.picked():
        st.session_state[state.PICKED] = chosen
    failing = [i + 1 for i in chosen if any(c.status == "fail" for c in variants[i].checks)]
    if failing:
        st.warning(
            f"#{', #'.join(map(str, failing))} failed a hard check: the planner leaves "
            "failing variants out of the test. Edit them below or untick them."
        )
    st.caption(f"{len(chosen)} of {len(variants)} picked for the test.")

    comp = components_frame(variants)
    if not comp.empty:
        st.subheader("Score components")
        base = alt.Chart(comp).encode(
            x=alt.X("check:N", title=None, axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("variant:N", title=None, sort=None),
        )
        heat = base.mark_rect().encode(
            color=alt.Color(
                "score:Q", scale=alt.Scale(domain=[0, 1], scheme="redyellowgreen"), title="score"
            ),
            tooltip=["variant", "check", "status", alt.Tooltip("score:Q", format=".2f"), "message"],
        )
        labels = base.mark_text(fontSize=11).encode(text=alt.Text("score:Q", format=".2f"))
        st.altair_chart(heat + labels, width="stretch", height=60 + 34 * len(variants))

    st.subheader("Each variant")
    for i, v in enumerate(variants):
        with st.expander(
            f"#{i + 1} · {md_escape(inbox_text(v.subject))} · score {score_text(v.score)}"
        ):
            st.markdown(" ".join(badge(c) for c in v.checks) or "not scored")
            if v.explanation:
                st.info(v.explanation)
            st.markdown("**Score breakdown**")
            st.dataframe(checks_frame(v.checks), hide_index=True, width="stretch")
            st.markdown("**Past campaigns it drew on**")
            sources = sources_frame(v, context)
            if sources.empty:
                st.caption("No sources recorded.")
            else:
                st.dataframe(
                    sources,
                    hide_index=True,
                    width="stretch",
                    column_config={
                        "open rate": st.column_config.NumberColumn(format="percent"),
                        "click rate": st.column_config.NumberColumn(format="percent"),
                    },
                )
            tag = zlib.crc32(f"{v.subject}|{v.preheader}".encode())  # new text, new widgets
            with st.form(f"edit_{i}_{tag}"):
                st.markdown("**Edit**")
                st.caption(tag_legend(brief.platform))
                subject = st.text_input("Subject", v.subject, key=f"edit_subject_{i}_{tag}")
                preheader = st.text_input("Preheader", v.preheader, key=f"edit_preheader_{i}_{tag}")
                if st.form_submit_button("Save and re-score", icon=":material/refresh:"):
                    if context is None:
                        st.error("The brand context could not be loaded; see the message above.")
                    else:
                        with state.readable_errors():
                            updated = [
                                x.model_copy(
                                    update={"score": None, "checks": [], "explanation": None}
                                )
                                for x in variants
                            ]
                            updated[i] = updated[i].model_copy(
                                update={"subject": subject.strip(), "preheader": preheader.strip()}
                            )
                            with st.spinner("Re-scoring the set…"):
                                rescored = scorer(brief, context, s)(updated)
                            state.set_variants(rescored)
                            st.session_state["last_changed"] = [i]
                            st.rerun()
