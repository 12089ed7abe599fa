"""Campaign Copilot web UI (Streamlit). Thin over `copilot/`: parse input, call, render."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run ui/app.py` from a checkout without an install
    sys.path.insert(0, str(ROOT))

from ui.state import model_banner  # noqa: E402

st.set_page_config(page_title="Campaign Copilot", page_icon="✉️", layout="wide")

pages = [
    st.Page(str(ROOT / "ui" / "pages" / "brief.py"), title="Brief", icon="📝", default=True),
]
model_banner()
st.navigation(pages).run()
