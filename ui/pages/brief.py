"""Brief page: describe the campaign (form or file), generate scored variants, refine them by chat."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from copilot.app.export import platform_names
from copilot.app.generate import GenerateRequest, generate
from copilot.app.knowledge import BrandRequest, IngestRequest, brands, ingest, is_ingested
from copilot.app.refine import RefineRequest, refine
from copilot.errors import CopilotError
from copilot.io.brief import Brief, Goal, load_brief, parse_brief
from ui import state
from ui.views import checks_line, inbox_text, md_escape, score_text

LIFECYCLES = ["", "subscriber", "lead", "customer", "lapsed"]
ENGAGEMENTS = ["", "high", "medium", "low", "inactive"]
PLATFORMS = platform_names()
CHAT_HINT = "Refine: “shorter”, “more playful”, “add urgency”, “write three more like #2”"

# form widget keys, so an uploaded brief can fill the form
FIELDS = {
    "brand": "f_brand",
    "goal": "f_goal",
    "platform": "f_platform",
    "offer": "f_offer",
    "cta": "f_cta",
    "cta_url": "f_cta_url",
    "tone": "f_tone",
    "seg_name": "f_seg_name",
    "seg_desc": "f_seg_desc",
    "lifecycle": "f_lifecycle",
    "engagement": "f_engagement",
    "size": "f_size",
    "fields": "f_fields",
    "language": "f_language",
}


def _fill_form(b: Brief) -> None:
    """Put a brief's values into the form widgets (before they are drawn)."""
    ss = st.session_state
    ss[FIELDS["brand"]] = b.brand
    ss[FIELDS["goal"]] = b.goal.value
    ss[FIELDS["platform"]] = b.platform
    ss[FIELDS["offer"]] = b.offer or ""
    ss[FIELDS["cta"]] = b.cta or ""
    ss[FIELDS["cta_url"]] = b.cta_url or ""
    ss[FIELDS["tone"]] = b.tone or ""
    ss[FIELDS["seg_name"]] = b.segment.name
    ss[FIELDS["seg_desc"]] = b.segment.description or ""
    ss[FIELDS["lifecycle"]] = b.segment.lifecycle or ""
    ss[FIELDS["engagement"]] = b.segment.engagement or ""
    ss[FIELDS["size"]] = int(b.segment.size or 0)
    ss[FIELDS["fields"]] = ", ".join(b.personalization)
    ss[FIELDS["language"]] = b.language


def _brief_from_form() -> Brief:
    ss = st.session_state
    segment: dict[str, Any] = {"name": ss[FIELDS["seg_name"]].strip()}
    if ss[FIELDS["seg_desc"]].strip():
        segment["description"] = ss[FIELDS["seg_desc"]].strip()
    if ss[FIELDS["lifecycle"]]:
        segment["lifecycle"] = ss[FIELDS["lifecycle"]]
    if ss[FIELDS["engagement"]]:
        segment["engagement"] = ss[FIELDS["engagement"]]
    if ss[FIELDS["size"]]:
        segment["size"] = int(ss[FIELDS["size"]])
    data: dict[str, Any] = {
        "brand": ss[FIELDS["brand"]] or "",
        "goal": ss[FIELDS["goal"]],
        "platform": ss[FIELDS["platform"]],
        "segment": segment,
        "personalization": [f for f in ss[FIELDS["fields"]].replace(";", ",").split(",")],
        "language": ss[FIELDS["language"]].strip() or "en",
    }
    for key in ("offer", "cta", "cta_url", "tone"):
        value = ss[FIELDS[key]].strip()
        if value:
            data[key] = value
    return parse_brief(data, source="brief form")


def _load_upload(upload: Any) -> Brief:
    """A brief from an uploaded YAML/JSON file, with the library's validation and messages."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        try:
            return load_brief(path)
        except CopilotError as exc:
            # name the file as the person knows it, not by its temp path
            raise type(exc)(str(exc).replace(str(path), upload.name)) from None


def _start_over(new_brief: Brief) -> None:
    """A new brief or generation: earlier chat, picks, bodies and plans no longer apply."""
    st.session_state[state.BRIEF] = new_brief
    state.set_variants([])
    for key in (
        state.RESULT,
        state.CHAT,
        state.UNDO,
        state.PICKED,
        state.BODIES,
        state.SEQUENCE,
        state.PLAN,
        state.PUSH,
        "last_changed",
    ):
        st.session_state.pop(key, None)


def _brand_label(brand: str) -> str:
    return f"{brand} · {'ready' if ready.get(brand) else 'not ingested yet'}"


st.title("Campaign brief")
s = state.settings()
names = brands(s)
ready: dict[str, bool] = {}
if names:
    with state.readable_errors():
        state.cached_store(s.model_dump_json())
        ready = {b: is_ingested(BrandRequest(brand=b), s) for b in names}
INGESTED = "brief_ingested_message"
if not names:
    st.warning(
        f"No brands in the knowledge base folder `{s.kb_dir}`: add one on the Knowledge base page.",
        icon=":material/menu_book:",
    )

# defaults the first time, so the form shows a sensible example
defaults: dict[str, Any] = {
    "brand": next((b for b in names if ready.get(b)), names[0] if names else ""),
    "goal": Goal.abandoned_cart.value,
    "platform": "mailchimp",
    "offer": "",
    "cta": "",
    "cta_url": "",
    "tone": "",
    "seg_name": "cart_abandoners",
    "seg_desc": "",
    "lifecycle": "",
    "engagement": "",
    "size": 0,
    "fields": "FNAME",
    "language": "en",
}
known = state.brief()
if known is not None and FIELDS["seg_name"] not in st.session_state:
    _fill_form(known)  # widget values are dropped while another page is shown
for name, key in FIELDS.items():
    st.session_state.setdefault(key, defaults[name])

with st.expander("Upload a brief file (YAML or JSON) instead", icon=":material/upload_file:"):
    upload = st.file_uploader("Brief file", type=["yaml", "yml", "json"], key="brief_upload")
    if upload is not None and st.button("Use this brief", key="use_upload"):
        with state.readable_errors():
            loaded = _load_upload(upload)
            if loaded.brand not in names:
                st.warning(f"Brand {loaded.brand!r} is not in the knowledge base yet.")
            else:
                _fill_form(loaded)
                _start_over(loaded)
                st.rerun()

has_results = bool(state.variants())
form_label = "Brief"
if known is not None:
    form_label += f" · {known.brand} · {known.goal.value} · {known.segment.name}"
with st.expander(form_label, expanded=not has_results, icon=":material/edit_note:"):
    pick, act = st.columns([2, 1], vertical_alignment="bottom")
    pick.selectbox(
        "Brand",
        names,
        key=FIELDS["brand"],
        format_func=_brand_label,
        help="A brand folder in the knowledge base. “Ready” brands have their voice, products "
        "and past results in the store; others must be ingested once before generating.",
    )
    chosen = st.session_state.get(FIELDS["brand"])
    message = st.session_state.pop(INGESTED, None)
    if message:
        st.success(message, icon=":material/check_circle:")
    if chosen and not ready.get(chosen, False):
        st.info(
            f"{chosen} is not ingested yet: its voice guide, product facts and past results are "
            "not in the knowledge base store, so variants cannot be grounded in them. Ingest it "
            "once (it takes about a minute), then generate.",
            icon=":material/menu_book:",
        )
        if act.button(f"Ingest {chosen} now", icon=":material/sync:", key="brief_ingest"):
            line = st.empty()  # an expander cannot hold a status box, so progress is one line
            with state.readable_errors(), st.spinner(f"Ingesting {chosen}…"):
                state.warm_up()
                done = ingest(
                    IngestRequest(brand=chosen), s, progress=lambda msg, _frac: line.caption(msg)
                )
                st.session_state[INGESTED] = f"{chosen} is ready: {done.total} chunks in the store."
                state.forget_contexts()
                st.rerun()
    with st.form("brief"):
        col1, col2 = st.columns(2)
        with col1:
            st.selectbox("Goal", [g.value for g in Goal], key=FIELDS["goal"])
            st.selectbox("Platform", PLATFORMS, key=FIELDS["platform"])
            st.text_input(
                "Offer",
                key=FIELDS["offer"],
                help="The only offer the copy may state; leave empty for no offer.",
                placeholder="e.g. Free standard shipping on orders over $40",
            )
            st.text_input("Call to action", key=FIELDS["cta"], placeholder="e.g. Finish your order")
            st.text_input("CTA link", key=FIELDS["cta_url"], placeholder="https://…")
            st.text_input(
                "Tone", key=FIELDS["tone"], placeholder="e.g. warm and helpful, no pressure"
            )
        with col2:
            st.text_input("Segment name", key=FIELDS["seg_name"])
            st.text_input("Segment description", key=FIELDS["seg_desc"])
            st.selectbox("Lifecycle", LIFECYCLES, key=FIELDS["lifecycle"])
            st.selectbox("Engagement", ENGAGEMENTS, key=FIELDS["engagement"])
            st.number_input("Segment size (recipients)", min_value=0, step=100, key=FIELDS["size"])
            st.text_input(
                "Personalization fields",
                key=FIELDS["fields"],
                help="Merge fields your list has, comma-separated, e.g. FNAME, LNAME",
            )
            st.text_input("Language", key=FIELDS["language"])
        c1, c2 = st.columns(2)
        n = c1.slider("Drafts per round", 2, 24, min(s.gen_n, 24), key="f_n")
        keep = c2.slider("Variants to keep", 1, 10, min(s.gen_keep, 10), key="f_keep")
        submitted = st.form_submit_button(
            "Generate variants", type="primary", icon=":material/auto_awesome:"
        )

if submitted:
    with state.readable_errors():
        new_brief = _brief_from_form()
        if not ready.get(new_brief.brand, False):
            st.warning(
                f"{new_brief.brand} is not ingested yet: press “Ingest {new_brief.brand} now” "
                "next to the brand picker first.",
                icon=":material/menu_book:",
            )
        else:
            _start_over(new_brief)
            with st.spinner("Drafting and scoring variants…"), state.using_model() as model:
                context = state.context_for(new_brief)  # after the model: see state.context_for
                report, bar = state.progress_bar("Drafting…")
                request = GenerateRequest(brief=new_brief, n=n, keep=keep, context=context)
                generated = generate(request, s, llm=model, progress=report)
            bar.empty()
            st.session_state[state.RESULT] = generated
            state.set_variants(generated.variants)

current = state.brief()
variants = state.variants()
result = st.session_state.get(state.RESULT)
if current is not None and (variants or result is not None):
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader(f"{len(variants)} variants")
        changed = set(st.session_state.get("last_changed", []))
        for i, v in enumerate(variants):
            with st.container(border=True):
                mark = " ★ new" if i in changed else ""
                shown = inbox_text(v.subject)
                st.markdown(f"**#{i + 1}{mark} · {md_escape(shown)}**")
                st.caption(md_escape(v.preheader) or "(no preheader)")
                if shown != v.subject:
                    st.caption(f"with merge tags: `{v.subject}`")
                st.markdown(
                    f"Score **{score_text(v.score)}** · angle `{v.angle or '–'}` · "
                    f"{checks_line(v.checks)}"
                )
        if result is not None:
            for note in result.notes:
                st.warning(note)
            u = result.usage.summary()
            with st.expander("Details"):
                st.caption(
                    f"{result.model} · {u['calls']} calls · {u['prompt_tokens']} prompt + "
                    f"{u['completion_tokens']} completion tokens · {u['latency_s']} s"
                )
        st.page_link(
            "pages/variants.py", label="Details, edits and picks", icon=":material/manage_search:"
        )
    with right:
        st.subheader("Refine by chat")
        history = st.container(height=420)
        with history:
            for message in st.session_state.get(state.CHAT, []):
                with st.chat_message(message["role"]):
                    # people's words and model copy, shown as typed (no markdown, no LaTeX)
                    st.markdown(md_escape(message["content"]))
                    if message.get("notes"):
                        st.markdown("\n".join(f"- {md_escape(n)}" for n in message["notes"]))
                    tried = message.get("tried") or []
                    if tried:
                        with st.expander(f"Drafts I did not use ({len(tried)})"):
                            st.markdown(
                                "\n".join(
                                    f"- {md_escape(inbox_text(t['subject']))}: "
                                    f"{md_escape(t['reason'])}"
                                    for t in tried
                                )
                            )
        prompt = st.chat_input(CHAT_HINT, key="chat_input")
        if st.session_state.get(state.UNDO) and st.button(
            "Undo the last change", icon=":material/undo:", key="chat_undo"
        ):
            state.set_variants(st.session_state[state.UNDO].pop())
            st.session_state.pop("last_changed", None)
            st.session_state.setdefault(state.CHAT, []).append(
                {"role": "assistant", "content": "Undone: the variants are back as they were."}
            )
            st.rerun()
        if prompt:
            chat = st.session_state.setdefault(state.CHAT, [])
            chat.append({"role": "user", "content": prompt})
            try:
                with st.spinner("Redrafting and re-scoring…"), state.using_model() as model:
                    asked = RefineRequest(
                        request=prompt,
                        variants=variants,
                        brief=current,
                        context=state.context_for(current),
                    )
                    report, bar = state.progress_bar("Redrafting…")
                    refined = refine(asked, s, llm=model, progress=report)
                bar.empty()
            except CopilotError as exc:
                chat.append({"role": "assistant", "content": f"⚠ {exc}"})
            else:
                if refined.changes:
                    undo = st.session_state.setdefault(state.UNDO, [])
                    undo.append(variants)
                state.set_variants(refined.variants)
                st.session_state["last_changed"] = [c.index for c in refined.changes]
                chat.append(
                    {
                        "role": "assistant",
                        "content": refined.reply,
                        "notes": refined.notes,
                        "tried": [
                            {"subject": r.subject, "reason": r.reason} for r in refined.rejected
                        ],
                    }
                )
            st.rerun()
elif current is None:
    st.caption(
        "Fill in the brief and press **Generate variants**. On the small embedded model a "
        "round of drafts takes a few minutes on a laptop CPU."
    )
