"""The app's frame: page set-up, the language switch, navigation, and the last-resort error guard."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from roimix.text import t

from . import data, state
from .errors import report

PAGES_DIR = Path(__file__).parent / "pages"
PAGES = (
    # url path, title key, icon; the file is pages/<url path>.py
    ("data", "app.page.data", ":material/database:"),
    ("attribution", "app.page.attribution", ":material/account_tree:"),
    ("curves", "app.page.curves", ":material/show_chart:"),
    ("optimise", "app.page.optimise", ":material/tune:"),
    ("campaign", "app.page.campaign", ":material/calendar_month:"),
    ("scenarios", "app.page.scenarios", ":material/download:"),
    ("pacing", "app.page.pacing", ":material/fact_check:"),
)


ROOT_URL = "start"
"""The url name the default (first) page reserves; it is served at the root url."""


def page_path(url: str, root: Path) -> str:
    """A page's script path relative to the entry script's folder (``st.Page`` wants it so)."""
    path = PAGES_DIR / f"{url}.py"
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def language_switch() -> str:
    options = list(state.LANGS)
    key = state.LANG.widget()
    chosen = st.sidebar.segmented_control(
        "语言 / Language", options, key=key, format_func=lambda v: "中文" if v == "zh" else "English",
        required=True, width="stretch",
    )
    if chosen in options:
        state.LANG.set(chosen)
    return state.lang()


def main(entry: str | Path) -> None:
    data.prefetch_sample()  # checked while the frame and the page start; the Data page waits for it
    st.set_page_config(page_title="roimix", page_icon=":material/insights:", layout="wide")
    root = Path(entry).resolve().parent
    lang = language_switch()
    pages = [
        st.Page(page_path(url, root), title=t(title, lang), icon=icon, url_path=ROOT_URL if i == 0 else url,
                default=i == 0)
        for i, (url, title, icon) in enumerate(PAGES)
    ]
    # the first page is the default, served at the root url; Streamlit answers its own url (/data) with an English
    # "Page not found" dialog, so that url is also served, by a page the sidebar does not list
    url, title, icon = PAGES[0]
    pages.append(st.Page(page_path(url, root), title=t(title, lang), icon=icon, url_path=url, visibility="hidden"))
    page = st.navigation(pages, position="sidebar")
    st.sidebar.caption(t("app.sidebar.about", lang))
    try:
        page.run()
    except Exception as err:  # noqa: BLE001 - the last line of defence: a message, never a traceback
        report(err, lang, page.title)
