"""Page 6 · Scenarios and export: save named what-ifs, compare them, download a plan (CSV, Excel, JSON)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from roimix.app import engine, exports, figures, shared, state
from roimix.app import scenario_store
from roimix.app.scenario_store import compare_frame, restore, save_current
from roimix.app.errors import attempt, guard
from roimix.text import STRINGS, error_text, money, percent, t

CURRENT = "__current__"


def compare_view(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    def m(v):
        return money(v, lang, 2) if np.isfinite(v) else "–"

    return pd.DataFrame({
        t("app.scn.col.name", lang): frame["scenario"],
        t("app.opt.objective", lang): [t(f"app.opt.objective.{o}", lang) for o in frame["objective"]],
        t("app.scn.col.budget", lang): [m(v) for v in frame["budget"]],
        t("app.scn.col.caps", lang): [f"{percent(a, lang, 0)} / {percent(b, lang, 0)}"
                                      for a, b in zip(frame["new_product_cap"], frame["new_customer_cap"])],
        t("app.scn.col.locks", lang): frame["locks"],
        t("app.scn.col.status", lang): [t(f"optimizer.status.{s}", lang) for s in frame["status"]],
        t("app.opt.planned_spend", lang): [m(v) for v in frame["spend"]],
        t("app.opt.planned_gmv", lang): [m(v) for v in frame["gmv"]],
        t("app.scn.col.uplift", lang): [f"{m(v)} ({percent(s, lang)})" if np.isfinite(v) else "–"
                                        for v, s in zip(frame["uplift"], frame["uplift_share"])],
        t("app.opt.planned_roi", lang): [f"{v:.2f}" if np.isfinite(v) else "–" for v in frame["roi"]],
        t("app.opt.planned_profit", lang): [m(v) for v in frame["profit"]],
        t("app.scn.col.curves", lang): [t(f"app.cur.source.{s}", lang) for s in frame["source"]],
    })


def downloads(result, whatif, source: str, sources: dict, name: str, labels: dict, lang: str, platform=None) -> None:
    """The plan's finance files; ``platform`` = (curves, spend history) of the plan adds the 投放设置 sheet."""
    if result is None or not result.solved:
        st.info(t("app.scn.no_plan_to_export", lang))
        return
    stem = "roimix-plan-" + "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:60]
    cols = st.columns(3)
    for col, kind in zip(cols, exports.KINDS):
        data = attempt(lang, t("app.scn.export_what", lang, kind=kind.upper()), exports.plan_file, kind, result, whatif,
                       source, sources, labels, lang, name, platform)
        if data is not None:
            col.download_button(t(f"app.scn.download.{kind}", lang), data, file_name=f"{stem}.{kind}",
                                mime=exports.MIME[kind], key=f"download.{kind}", width="stretch",
                                icon=":material/download:", on_click="ignore")


def on_save(curves, ds, planner, lang: str) -> None:
    """Save the current what-if under the typed name (a callback: it runs before the widgets are drawn)."""
    scenarios = state.SCENARIOS.get()
    name = (st.session_state.get(state.SCENARIO_NAME.widget_key) or "").strip()
    chosen = name or t("app.scn.name_placeholder", lang, n=len(scenarios) + 1)
    replaced = chosen in scenarios
    with guard(lang, t("app.scn.save", lang)):
        saved = save_current(chosen, curves, ds, planner, lang)
        if saved is not None:
            path = scenario_store.write_file(saved)
            st.toast(t("app.scn.replaced" if replaced else "app.scn.saved", lang, name=chosen))
            st.toast(t("app.scn.saved_file", lang, name=chosen, path=str(path)))
            state.SCENARIO_NAME.force("")
            pick = [n for n in state.SCENARIO_PICK.get() if n in scenarios and n != chosen]
            state.SCENARIO_PICK.set(pick + [chosen])
            state.SCENARIO_PICK.reset_widget()


def read_saved_files(scenarios: dict, lang: str) -> None:
    """Once a session: the scenario files saved before (a reload or a new session keeps them)."""
    if state.SCENARIO_FOLDER_READ.get():
        return
    state.SCENARIO_FOLDER_READ.set(True)
    found, problems = scenario_store.load_folder()
    for name, saved in found.items():
        scenarios.setdefault(name, saved)
    for problem in problems:
        st.warning(t("app.scn.file_problem", lang, problem=error_text(problem, lang)))


def upload_file(scenarios: dict, lang: str) -> None:
    """A scenario file from the user's disk: added to the scenarios and kept in the folder."""
    from roimix.errors import ScenarioError

    file = st.file_uploader(t("app.scn.upload_file", lang), type=["toml"], key="scenario.upload")
    if file is None or state.UPLOAD_SEEN.get().get("scenario") == file.file_id:
        return
    state.UPLOAD_SEEN.get()["scenario"] = file.file_id
    try:
        saved = scenario_store.from_file(file.getvalue().decode("utf-8-sig"), file.name)
    except (ScenarioError, UnicodeDecodeError) as err:
        st.error(t("app.scn.file_problem", lang, problem=error_text(err, lang)))  # keyed: in the reader's language
        return
    scenarios[saved.name] = saved
    scenario_store.write_file(saved)
    st.toast(t("app.scn.uploaded_file", lang, name=saved.name))
    st.rerun()


def cells_view(cells: pd.DataFrame, labels: dict, lang: str) -> pd.DataFrame:
    def m(v):
        return money(v, lang, 2) if np.isfinite(v) else "–"

    def r(v):
        return f"{v:.2f}" if np.isfinite(v) else "–"

    out = {t("app.scn.cell.channel", lang): [labels.get(c, c) for c in cells["channel"]],
           t("app.scn.cell.segment", lang): [t(f"segment.{s}", lang) if f"segment.{s}" in STRINGS else s
                                            for s in cells["segment"]]}
    for side in ("a", "b"):
        out[t("app.scn.cell.spend", lang, side=side.upper())] = [m(v) for v in cells[f"spend_{side}"]]
        out[t("app.scn.cell.gmv", lang, side=side.upper())] = [m(v) for v in cells[f"gmv_{side}"]]
        out[t("app.scn.cell.roi", lang, side=side.upper())] = [r(v) for v in cells[f"roi_{side}"]]
    out[t("app.scn.cell.spend_delta", lang)] = [m(v) for v in cells["spend_delta"]]
    out[t("app.scn.cell.gmv_delta", lang)] = [m(v) for v in cells["gmv_delta"]]
    out[t("app.scn.cell.roi_delta", lang)] = [r(v) for v in cells["roi_delta"]]
    return pd.DataFrame(out)


def cells_section(scenarios: dict, chosen: list[str], ds, lang: str) -> None:
    """Two of the chosen scenarios side by side per channel × segment, with B − A."""
    st.markdown(f"**{t('app.scn.cells', lang)}**")
    solved = [n for n in chosen if scenarios[n].result is not None and scenarios[n].result.solved]
    if len(solved) < 2:
        st.caption(t("app.scn.cells_need_two", lang))
        return
    pick = [n for n in state.SCENARIO_CELLS.get() if n in solved][:2]
    pick = pick if len(pick) == 2 else solved[:2]
    state.SCENARIO_CELLS.set(pick)
    c1, c2 = st.columns(2)
    a = c1.selectbox("A", solved, index=solved.index(pick[0]), key=f"scenario.cells.a.{lang}")
    b = c2.selectbox("B", solved, index=solved.index(pick[1]), key=f"scenario.cells.b.{lang}")
    state.SCENARIO_CELLS.set([a, b])
    cells = scenario_store.compare_cells(scenarios[a], scenarios[b])
    st.dataframe(cells_view(cells, figures.labels(ds.channels, lang), lang), hide_index=True, width="stretch",
                 key="scenario.cells")


def render() -> None:
    lang = state.lang()
    st.title(t("app.scn.title", lang))
    ds = shared.dataset(lang)
    if ds is None:
        return
    curves, planner = shared.planner_ready(ds, lang)
    if planner is None:
        return
    scenarios: dict = state.SCENARIOS.get()
    read_saved_files(scenarios, lang)
    with guard(lang, t("app.scn.compare", lang)):
        scenario_store.ensure_results(scenarios, curves, ds, planner, lang)

    st.subheader(t("app.scn.save", lang))
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    with c1:
        name = st.text_input(t("app.scn.name", lang), key=state.SCENARIO_NAME.widget(),
                             placeholder=t("app.scn.name_placeholder", lang, n=len(scenarios) + 1))
        state.SCENARIO_NAME.set(name)
    with c2:
        st.button(t("app.scn.save_button", lang), key="scenario.save", type="primary", width="stretch",
                  on_click=on_save, args=(curves, ds, planner, lang))
    st.caption(t("app.scn.save_help_files", lang) + " " + t("app.scn.folder", lang, folder=str(scenario_store.scenarios_dir())))
    upload_file(scenarios, lang)

    st.subheader(t("app.scn.compare", lang))
    if not scenarios:
        st.info(t("app.scn.none", lang))
    else:
        names = list(scenarios)
        if state.SCENARIO_PICK.widget_key in st.session_state:  # drop names deleted since the last run
            alive = [n for n in st.session_state[state.SCENARIO_PICK.widget_key] if n in names]
            st.session_state[state.SCENARIO_PICK.widget_key] = alive
        chosen = st.multiselect(t("app.scn.pick", lang), names, key=state.SCENARIO_PICK.widget())
        state.SCENARIO_PICK.set(list(chosen))
        with guard(lang, t("app.scn.compare", lang)):
            frame = compare_frame([scenarios[n] for n in chosen], lang)
            if len(frame):
                st.dataframe(compare_view(frame, lang), hide_index=True, width="stretch")
                st.plotly_chart(figures.scenario_compare(frame[["scenario", "spend", "gmv", "roi"]], lang),
                                key="fig.compare", config={"displaylogo": False})
        with guard(lang, t("app.scn.cells", lang)):
            cells_section(scenarios, list(chosen), ds, lang)
        c1, c2 = st.columns(2)
        with c1:
            target = st.selectbox(t("app.scn.manage", lang), names, key="scenario.manage")
        with c2:
            b1, b2 = st.columns(2)
            if b1.button(t("app.scn.load", lang), key="scenario.load", width="stretch"):
                restore(scenarios[target])
                st.toast(t("app.scn.loaded", lang, name=target))
                st.rerun()
            st.download_button(t("app.scn.download_file", lang), scenario_store.scenario_toml(scenarios[target]),
                               file_name=f"{scenario_store.file_stem(target)}.toml", mime="application/toml",
                               key="scenario.file", on_click="ignore", icon=":material/download:")
            if b2.button(t("app.scn.delete", lang), key="scenario.delete", width="stretch"):
                scenarios.pop(target, None)
                scenario_store.delete_file(target)
                state.SCENARIO_PICK.set([n for n in state.SCENARIO_PICK.get() if n != target])
                state.SCENARIO_PICK.reset_widget()
                st.rerun()

    st.subheader(t("app.scn.export", lang))
    options = [CURRENT] + list(scenarios)
    if state.SCENARIO_EXPORT.get() not in options:
        state.SCENARIO_EXPORT.force(CURRENT)
    which = st.selectbox(t("app.scn.export_which", lang), options, key=state.SCENARIO_EXPORT.widget(),
                         format_func=lambda n: t("app.scn.current", lang) if n == CURRENT else n)
    state.SCENARIO_EXPORT.set(which)
    labels = figures.labels(ds.channels, lang)
    with guard(lang, t("app.scn.export", lang)):
        if which == CURRENT or which not in scenarios:
            w = shared.whatif(planner.table)
            result = attempt(lang, t("app.opt.solving", lang), engine.solve, planner, w)
            downloads(result, w, curves.source, ds.sources, t("app.scn.current_file", lang), labels, lang,
                      (curves.table, ds.spend))
        else:
            s = scenarios[which]
            downloads(s.result, s.whatif, s.source, s.sources or ds.sources, s.name, labels, lang,
                      (curves.table, ds.spend) if s.source == curves.source else None)
        st.caption(t("app.scn.export_help", lang))


if __name__ == "__main__":
    render()
