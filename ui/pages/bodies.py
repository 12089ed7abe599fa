"""Bodies page: draft body variants, preview the HTML at desktop and mobile widths, see the checks."""

from __future__ import annotations

import zlib

import streamlit as st

from copilot.app.bodies import (
    BodiesRequest,
    BodyEdit,
    BodyResult,
    EditRequest,
    edit_body,
    run_bodies,
    split_paragraphs,
)
from ui import state
from ui.views import (
    badge,
    checks_frame,
    html_data_url,
    in_platform_syntax,
    md_escape,
    preview_with_sample_contact,
    score_text,
    tag_legend,
)

DESKTOP_PX = 640
MOBILE_PX = 375
PREVIEW_HEIGHT = 720
SAVED = "bodies_saved_message"  # shown once, after the rerun that shows the edited body


def _edit_form(result: BodyResult, k: int) -> None:
    """Edit one body's text (in the platform's tags), then re-render, re-check and re-score it."""
    body = result.variants[k]
    platform = result.brief.platform
    tag = zlib.crc32(body.html.encode())  # new text, new widgets
    with st.form(f"body_edit_{k}_{tag}"):
        st.caption(tag_legend(platform))
        headline = st.text_input(
            "Headline", in_platform_syntax(body.headline, platform), key=f"body_headline_{k}_{tag}"
        )
        paragraphs = st.text_area(
            "Paragraphs (a blank line starts a new paragraph)",
            "\n\n".join(in_platform_syntax(b, platform) for b in body.blocks),
            height=220,
            key=f"body_blocks_{k}_{tag}",
        )
        b1, b2 = st.columns(2)
        cta_text = b1.text_input(
            "Button text", in_platform_syntax(body.cta_text, platform), key=f"body_cta_{k}_{tag}"
        )
        cta_url = b2.text_input("Button link", body.cta_url, key=f"body_url_{k}_{tag}")
        ps = st.text_input(
            "P.S. (optional)",
            in_platform_syntax(body.ps or "", platform),
            key=f"body_ps_{k}_{tag}",
        )
        if st.form_submit_button("Save, re-check and re-score", icon=":material/refresh:"):
            with state.readable_errors():
                edit = BodyEdit(
                    headline=headline,
                    blocks=split_paragraphs(paragraphs),
                    cta_text=cta_text,
                    cta_url=cta_url,
                    ps=ps,
                )
                asked = EditRequest(
                    body=body,
                    edit=edit,
                    brief=result.brief,
                    context=state.context_for(result.brief),
                )
                with st.spinner("Re-rendering and checking the body…"):
                    new = edit_body(asked, state.settings())
                bodies = list(result.variants)
                bodies[k] = new
                st.session_state[state.BODIES] = result.model_copy(update={"variants": bodies})
                fails = [c.name for c in new.checks if c.status == "fail"]
                st.session_state[SAVED] = (
                    k,
                    f"Body {k + 1} saved and re-checked: score {score_text(body.score)} → "
                    f"{score_text(new.score)}"
                    + (f"; failed checks: {', '.join(fails)}" if fails else "; every check passed")
                    + ".",
                )
                st.rerun()


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
            asked = BodiesRequest(brief=brief, subject=variants[which].subject, keep=keep)
            report, bar = state.progress_bar("Drafting bodies…")
            with (
                st.spinner("Drafting, rendering and checking bodies…"),
                state.using_model() as model,
            ):
                state.warm_up()  # after the model (see copilot.app.generate)
                drafted = run_bodies(asked, state.settings(), llm=model, progress=report)
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
        platform = result.brief.platform
        st.caption(tag_legend(platform))
        for note in result.notes:
            st.warning(note)
        saved = st.session_state.pop(SAVED, None)

        def shown(text: str) -> str:
            return preview_with_sample_contact(text, platform) if sample else text

        for k, body in enumerate(result.variants):
            st.subheader(f"Body {k + 1} · {body.angle} · score {score_text(body.score)}")
            if saved and saved[0] == k:
                st.success(saved[1], icon=":material/check_circle:")
            st.markdown(" ".join(badge(c) for c in body.checks))
            if body.explanation:
                st.caption(body.explanation)
            desktop, mobile, text, code, checks, edit = st.tabs(
                [
                    ":material/desktop_windows: Desktop",
                    ":material/smartphone: Mobile",
                    "Plain text",
                    "HTML code",
                    "Checks",
                    ":material/edit: Edit",
                ]
            )
            with desktop:
                st.iframe(html_data_url(shown(body.html)), width=DESKTOP_PX, height=PREVIEW_HEIGHT)
            with mobile:
                st.iframe(html_data_url(shown(body.html)), width=MOBILE_PX, height=PREVIEW_HEIGHT)
            with text:
                st.code(shown(body.text), language=None, wrap_lines=True)
            with code:
                st.caption(f"As sent, with {platform.capitalize()}'s merge tags.")
                st.code(body.html, language="html", wrap_lines=True)
            with checks:
                st.dataframe(checks_frame(body.checks), hide_index=True, width="stretch")
                st.markdown(
                    f"**Button** {md_escape(body.cta_text)} → `{body.cta_url}`  \n"
                    f"**Who wrote each part:** "
                    + ", ".join(f"{part} ({who})" for part, who in body.origin.items())
                )
            with edit:
                _edit_form(result, k)
            st.download_button(
                "Download HTML",
                body.html,
                file_name=f"{brief.brand}-{brief.goal.value}-body-{k + 1}.html",
                mime="text/html",
                key=f"dl_html_{k}",
            )
        u = result.usage.summary()
        with st.expander("Details"):
            st.caption(f"{result.model} · {u['calls']} calls · {u['latency_s']} s")
