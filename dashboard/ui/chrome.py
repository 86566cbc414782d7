"""Streamlit's own chrome in Chinese: what its API cannot translate is hidden or relabelled with CSS.

Streamlit 1.67 has no locale setting: the file uploader's "Drag and drop files here / Browse files / Limit … per
file", the element toolbar ("Fullscreen", the table search and download) and the running indicator ("Stop") are
English. The pages have their own Chinese downloads, so the element toolbar and the running indicator are
hidden and the uploader's words are replaced. Plotly's mode bar (English tooltips; Streamlit does not register
plotly.js locales) is switched off in downloads.PLOTLY_CONFIG.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

FAVICON = str(Path(__file__).resolve().parents[1] / "assets" / "favicon.png")  # local: nothing fetched online

CSS = """
<style>
[data-testid="stElementToolbar"] { display: none !important; }
[data-testid="stStatusWidget"] { visibility: hidden; }
[data-testid="stFileUploaderDropzoneInstructions"] span,
[data-testid="stFileUploaderDropzoneInstructions"] small { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {
    content: "拖放文件到此处，或点击右侧按钮选择文件"; font-size: 0.95rem;
}
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"] { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"] > * { display: none; }
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"]::after {
    content: "选择文件"; font-size: 0.9rem;
}
@media (max-width: 640px) {
    section[data-testid="stSidebar"][aria-expanded="true"] { width: 85vw !important; }
}
</style>
"""


def chinese_chrome() -> None:
    st.html(CSS)
