"""Brief page: describe the campaign, generate scored subject lines, see them in a table."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from copilot.brief import Goal, parse_brief
from copilot.errors import CopilotError
from copilot.workflow import generate
from ui.state import cached_embedder, cached_llm, settings, show_error

st.title("Campaign brief")
s = settings()
brands = sorted(p.name for p in s.kb_dir.iterdir() if p.is_dir()) if s.kb_dir.is_dir() else []

with st.form("brief"):
    col1, col2 = st.columns(2)
    with col1:
        brand = st.selectbox("Brand", brands, help="A folder in the knowledge base")
        goal = st.selectbox("Goal", [g.value for g in Goal], index=1)
        platform = st.selectbox("Platform", ["mailchimp", "brevo"])
        offer = st.text_input("Offer (the only offer the copy may state)", "")
        cta = st.text_input("Call to action", "")
        tone = st.text_input("Tone", "")
    with col2:
        seg_name = st.text_input("Segment name", "cart_abandoners")
        seg_desc = st.text_input("Segment description", "")
        lifecycle = st.selectbox("Lifecycle", ["", "subscriber", "lead", "customer", "lapsed"])
        engagement = st.selectbox("Engagement", ["", "high", "medium", "low", "inactive"])
        size = st.number_input("Segment size (recipients)", min_value=0, value=0, step=100)
        fields = st.multiselect(
            "Personalization fields", ["FNAME", "LNAME", "FIRSTNAME", "COMPANY"]
        )
    n = st.slider("Drafts per round", 4, 24, s.gen_n)
    keep = st.slider("Variants to keep", 1, 10, s.gen_keep)
    submitted = st.form_submit_button("Generate variants", type="primary")

if submitted:
    data: dict[str, Any] = {
        "brand": brand or "",
        "goal": goal,
        "platform": platform,
        "segment": {"name": seg_name},
        "personalization": fields,
    }
    for key, value in (("offer", offer), ("cta", cta), ("tone", tone)):
        if value.strip():
            data[key] = value.strip()
    segment = data["segment"]
    if seg_desc.strip():
        segment["description"] = seg_desc.strip()
    if lifecycle:
        segment["lifecycle"] = lifecycle
    if engagement:
        segment["engagement"] = engagement
    if size:
        segment["size"] = int(size)
    try:
        brief = parse_brief(data, source="brief form")
        cached_embedder(s.embedding_model)
        llm = cached_llm(s.model_dump_json())
        bar = st.progress(0.0, text="Starting…")
        with st.spinner("Drafting and scoring variants…"):
            result = generate(
                brief,
                s,
                n=n,
                keep=keep,
                llm=llm,
                progress=lambda msg, frac: bar.progress(min(max(frac, 0.0), 1.0), text=msg),
            )
        bar.empty()
        st.session_state["result"] = result
    except CopilotError as exc:
        show_error(exc)

result = st.session_state.get("result")
if result is not None:
    st.subheader(f"{len(result.variants)} variants")
    rows = [
        {
            "#": i + 1,
            "subject": v.subject,
            "preheader": v.preheader,
            "angle": v.angle,
            "score": None if v.score is None else round(v.score, 1),
            "checks": " ".join(
                {"pass": "✅", "warn": "⚠️", "fail": "❌"}[c.status] + c.name for c in v.checks
            ),
        }
        for i, v in enumerate(result.variants)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, use_container_width=True)
    for note in result.notes:
        st.warning(note)
    u = result.usage.summary()
    st.caption(
        f"{result.model} · {u['calls']} calls · {u['prompt_tokens']} prompt + "
        f"{u['completion_tokens']} completion tokens · {u['latency_s']} s"
    )
