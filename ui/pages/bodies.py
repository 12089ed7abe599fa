"""Bodies page: draft body variants, preview the HTML at desktop and mobile widths, see the checks."""

from __future__ import annotations

import streamlit as st

from copilot.generators.bodies import run_bodies
from ui import state
from ui.views import badge, checks_frame, html_data_url, inbox_text, md_escape, score_text

DESKTOP_PX = 640
MOBILE_PX = 375
PREVIEW_HEIGHT = 720

st.title("Email bodies")

if state.need_variants():
    brief = state.brief()
    assert brief is not None
    variants = state.variants()
    picks = state.picked() or list(range(len(variants)))
    with st.form("bodies"):
        which = st.selectbox(
            "Write the body for the subject line",
            picks,
            format_func=lambda i: f"#{i + 1} · {variants[i].subject}",
        )
        keep = st.slider("Body variants (distinct angles)", 1, 3, 2)
        go = st.form_submit_button("Draft bodies", type="primary", icon=":material/auto_awesome:")
    if go:
        with state.readable_errors():
            state.warm_up()
            report, bar = state.progress_bar("Drafting bodies…")
            with (
                st.spinner("Drafting, rendering and checking bodies…"),
                state.using_model() as model,
            ):
                drafted = run_bodies(
                    brief,
                    state.settings(),
                    subject=variants[which].subject,
                    keep=keep,
                    llm=model,
                    progress=report,
                )
            bar.empty()
            st.session_state[state.BODIES] = drafted

    result = st.session_state.get(state.BODIES)
    if result is not None:
        sample = st.toggle(
            "Preview with a sample contact",
            value=True,
            help="Fill merge tags the way a reader sees them; off shows the tags as sent.",
            key="bodies_sample",
        )
        for note in result.notes:
            st.warning(note)

        def shown(html: str) -> str:
            return inbox_text(html) if sample else html

        for k, body in enumerate(result.variants):
            st.subheader(f"Body {k + 1} · {body.angle} · score {score_text(body.score)}")
            st.markdown(" ".join(badge(c) for c in body.checks))
            if body.explanation:
                st.caption(body.explanation)
            desktop, mobile, text, checks = st.tabs(
                [
                    ":material/desktop_windows: Desktop",
                    ":material/smartphone: Mobile",
                    "Plain text",
                    "Checks",
                ]
            )
            with desktop:
                st.iframe(html_data_url(shown(body.html)), width=DESKTOP_PX, height=PREVIEW_HEIGHT)
            with mobile:
                st.iframe(html_data_url(shown(body.html)), width=MOBILE_PX, height=PREVIEW_HEIGHT)
            with text:
                st.code(body.text, language=None, wrap_lines=True)
            with checks:
                st.dataframe(checks_frame(body.checks), hide_index=True, width="stretch")
                st.markdown(
                    f"**CTA** {md_escape(body.cta_text)} → `{body.cta_url}`  \n"
                    f"**Written by the model:** "
                    + ", ".join(f"{part} ({who})" for part, who in body.origin.items())
                )
            st.download_button(
                "Download HTML",
                body.html,
                file_name=f"{brief.brand}-{brief.goal.value}-body-{k + 1}.html",
                mime="text/html",
                key=f"dl_html_{k}",
            )
        u = result.usage.summary()
        st.caption(f"{result.model} · {u['calls']} calls · {u['latency_s']} s")
