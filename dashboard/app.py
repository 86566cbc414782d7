"""绩效看板: the Streamlit entry point (`streamlit run dashboard/app.py`, or `jixiao app`).

Page setup only: the page list, the sidebar selection every page shares, the 示例数据 marker. The pages live in
dashboard/views/ rather than pages/: Streamlit runs a `pages/` folder next to the entry script as an old-style
multipage app on a fresh server, so a shared link such as /ranking?year=2022 would open that page without this
file's navigation and sidebar.
"""

import time

import streamlit as st

from dashboard import ui

started = time.perf_counter()
st.set_page_config(page_title="绩效看板", page_icon=ui.FAVICON, layout="wide", initial_sidebar_state="auto")
ui.chinese_chrome()
user = ui.gate()  # None when login is off (JIXIAO_AUTH unset); otherwise stops here until a login succeeds

pages = ui.allowed_pages(ui.PAGES, user)
first = next(iter(pages))
page = st.navigation(
    [
        st.Page(path, title=title, icon=icon, url_path=url_path, default=(url_path == first))
        for url_path, (path, title, icon) in pages.items()
    ]
)
if page.url_path == "admin":
    page.run()
    st.stop()
if ui.database().exists:
    selection, options = ui.sidebar()
    ui.synthetic_banner(selection, options)
else:
    ui.missing_database_message()
    if page.url_path != "import":
        st.stop()
try:
    page.run()
finally:
    ui.log_run_time(page.url_path or "overview", time.perf_counter() - started)
