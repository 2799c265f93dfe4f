"""Saved scenarios: a named what-if with the plan it gave; kept as scenario files in a folder the user can see
(``~/.roimix/scenarios``, the TOML ``roimix batch`` runs), restored, compared in total and cell by cell."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from roimix.messages import Message
from roimix.settings import BREAK_EVEN, BREAK_EVEN_WORDS, default
from roimix.text import t

from . import engine, shared, state
from .errors import attempt


@dataclass(frozen=True, eq=False)
class SavedScenario:
    """A what-if the user named, with the plan it gave and what it was computed on."""

    name: str
    whatif: engine.WhatIf
    bounds: pd.DataFrame = field(repr=False)
    source: str = "fitted"
    dataset: str = ""
    result: object = field(default=None, repr=False)
    saved_at: str = ""
    sources: dict = field(default_factory=dict)
    """where each table came from (sample or the uploaded file's name)"""


def save_current(name: str, curves: engine.CurveSet, ds, planner, lang: str) -> SavedScenario | None:
    w = shared.whatif(curves.table)
    result = attempt(lang, t("app.opt.solving", lang), engine.solve, planner, w)
    if result is None:
        return None
    saved = SavedScenario(name, w, state.BOUNDS.get().copy(), curves.source, ds.token, result,
                          dt.datetime.now().strftime("%Y-%m-%d %H:%M"), dict(ds.sources))
    scenarios = state.SCENARIOS.get()
    scenarios[name] = saved
    return saved


def restore(saved: SavedScenario) -> None:
    """Put a saved what-if back on the optimise page."""
    w = saved.whatif
    state.OBJECTIVE.force(w.objective)
    state.BUDGET.force(w.budget)
    state.NEW_PRODUCT_CAP.force(int(round((w.new_product_cap or 0) * 100)))
    state.NEW_CUSTOMER_CAP.force(int(round((w.new_customer_cap or 0) * 100)))
    state.ROI_FLOOR.force(float(w.roi_floor))
    state.ROI_BREAK_EVEN.force(bool(w.roi_break_even))
    state.ROI_PER_CHANNEL.force(bool(w.roi_per_channel))
    state.MARGIN_PCT.force(float(w.margin) * 100.0)  # the profit objective's margin and returns, and 平均/稳健
    state.RETURN_PCT.force(float(w.return_rate) * 100.0)
    state.RISK.force(w.risk)
    if w.target_gmv is not None:
        state.TARGET_GMV.force(float(w.target_gmv))
    state.BOUNDS.set(saved.bounds.copy())
    state.BOUNDS.reset_widget()
    state.CURVES_SOURCE.force(saved.source)


def compare_frame(saved: list[SavedScenario], lang: str) -> pd.DataFrame:
    """One row per scenario: its settings and its plan's totals (numbers, for tests and the chart)."""
    rows = []
    for s in saved:
        r, w = s.result, s.whatif
        tot = r.totals if r is not None and r.solved else None
        rows.append({
            "scenario": s.name, "objective": w.objective, "budget": w.budget,
            "new_product_cap": w.new_product_cap, "new_customer_cap": w.new_customer_cap, "roi_floor": "break-even" if w.roi_break_even else w.roi_floor,
            "roi_floor_per": "channel" if w.roi_per_channel else "total",
            "locks": sum(1 for b in w.bounds if b[3]), "status": r.status if r is not None else "",
            "spend": tot.spend_cny if tot else np.nan, "gmv": tot.gmv_cny if tot else np.nan,
            "uplift": tot.gmv_uplift_cny if tot else np.nan, "uplift_share": tot.gmv_uplift_share if tot else np.nan,
            "roi": tot.roi if tot else np.nan, "profit": tot.profit_cny if tot else np.nan,
            "binding": int(r.rules["binding"].sum()) if r is not None and len(r.rules) else 0,
            "source": s.source, "saved_at": s.saved_at,
        })
    return pd.DataFrame(rows)


# --- scenario files: kept in a folder the user can see, the TOML ``roimix batch`` reads -----------------------

FOLDER_ENV = "ROIMIX_SCENARIOS_DIR"
FILE_DAYS = 7
"""A saved what-if (yuan per day) runs in ``roimix batch`` as a plan over this many days, no campaign."""


def scenarios_dir() -> Path:
    """Where saved scenarios live: ``$ROIMIX_SCENARIOS_DIR`` or ``~/.roimix/scenarios``."""
    return Path(os.environ.get(FOLDER_ENV) or Path.home() / ".roimix" / "scenarios")


def file_stem(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:80] or "scenario"


def _q(text: str) -> str:
    return json.dumps(str(text), ensure_ascii=False)  # a TOML basic string is a JSON string


DATA_TABLES = ("touchpoints", "conversions", "spend", "outcome", "channels", "lift_tests")
"""The tables a scenario file's ``[data]`` names (``outcome``: aggregate mode's fit)."""


def data_files(saved: SavedScenario) -> tuple[dict[str, str], list[str]]:
    """(table → path for ``[data]``, the uploaded files' names): the sample's tables by absolute path, an uploaded
    table by its file's name, which ``roimix batch`` reads beside the scenario file (a scenario's paths are relative
    to it). A scenario saved before its sources were kept is the sample's."""
    from .data import SAMPLE, SAMPLE_FILES

    sources = saved.sources or {name: "sample" for name in SAMPLE_FILES}
    paths, uploaded = {}, []
    for table in DATA_TABLES:
        source = sources.get(table) or ""
        if source == "sample" and table in SAMPLE_FILES and (SAMPLE / SAMPLE_FILES[table]).exists():
            paths[table] = (SAMPLE / SAMPLE_FILES[table]).as_posix()
        elif source and source != "sample":
            paths[table] = source
            uploaded.append(source)
    return paths, uploaded


def scenario_toml(saved: SavedScenario, start: dt.date | None = None) -> str:
    """``saved`` as a scenario file for ``roimix batch``: the tables it was computed on (the sample's by absolute
    path, an uploaded one by its file's name, to keep beside this file); curves fitted on them (aggregate mode's
    fit when there is an outcome table), the demo curves' file or the uploaded curves' file. Money per day ×
    :data:`FILE_DAYS` days from ``start`` (default: tomorrow)."""
    from .data import SAMPLE

    w = saved.whatif
    start = start or dt.date.today() + dt.timedelta(days=1)
    paths, uploaded = data_files(saved)
    lines = [f"# roimix app scenario, saved {saved.saved_at}; run: roimix batch <this file> --out out/",
             f"name = {_q(saved.name)}",
             f"description = {_q('saved in the roimix app: a what-if per day, planned over %d days' % FILE_DAYS)}"]
    curves_file = (saved.sources or {}).get("curves") if saved.source == "uploaded" else None
    if uploaded or curves_file:
        names = ", ".join(uploaded + ([curves_file] if curves_file else []))
        lines.insert(1, f"# uploaded in the app; keep these files beside this one: {names}")
    lines += ["", "[data]"] + [f"{table} = {_q(path)}" for table, path in paths.items()]
    lines += ["", "[curves]"]
    if saved.source == "demo":
        lines += ['source = "file"', f"file = {_q((SAMPLE / 'truth_curves.csv').as_posix())}"]
    elif curves_file:
        lines += ['source = "file"', f"file = {_q(curves_file)}"]
    else:
        lines.append('source = "fit"')
    lines.append(f"margin = {float(w.margin):.6g}")
    lines += ["", "[objective]", f"kind = {_q(w.objective)}"]
    if w.objective == "min_spend" and w.target_gmv is not None:
        lines.append(f"target_gmv = {float(w.target_gmv) * FILE_DAYS:.2f}")
    lines += ["", "[budget]", f"total = {float(w.budget) * FILE_DAYS:.2f}",
              "", "[horizon]", f"start = {start.isoformat()}", f"end = {(start + dt.timedelta(days=FILE_DAYS - 1)).isoformat()}",
              "", "[calendar]", 'template = "none"',
              "", "[rules]",
              f"new_product_cap = {'false' if w.new_product_cap is None else f'{w.new_product_cap:.6g}'}",
              f"new_customer_cap = {'false' if w.new_customer_cap is None else f'{w.new_customer_cap:.6g}'}",
              "key_daily_min = false"]
    if w.roi_break_even:
        lines.append(f"roi_floor = {_q(BREAK_EVEN)}")
    elif w.roi_floor:
        lines.append(f"roi_floor = {float(w.roi_floor):.6g}")
    if (w.roi_break_even or w.roi_floor) and w.roi_per_channel:
        lines.append('roi_floor_per = "channel"')
    locks = [c for c, _, _, locked in w.bounds if locked]
    if locks:
        lines.append("locks = [" + ", ".join(_q(c) for c in locks) + "]")
    for channel, lower, upper, locked in w.bounds:
        if locked or (not lower and upper is None):
            continue
        lines += ["", "[[rules.bounds]]", f"name = {_q('bounds: ' + channel)}", f"channels = [{_q(channel)}]"]
        if lower:
            lines.append(f"lower = {float(lower):.6g}")
        if upper is not None:
            lines.append(f"upper = {float(upper):.6g}")
    return "\n".join(lines) + "\n"


def _is_break_even(value) -> bool:
    return isinstance(value, str) and value.strip().lower().replace("_", "-") in BREAK_EVEN_WORDS


def whatif_from_toml(text: str, label: str) -> tuple[str, engine.WhatIf, pd.DataFrame, str]:
    """(name, what-if, bounds table, curve source) of a scenario file; ScenarioError naming ``label`` if it is not one."""
    import tomllib

    from roimix.errors import ScenarioError

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        at = re.search(r"line (\d+), column (\d+)", str(err))  # Python 3.11's decoder gives the place in its text only
        raise ScenarioError(f"{label}: not valid TOML: {err}", message=Message(
            "app.scn.bad_toml", {"file": label, "line": at.group(1) if at else "?",
                                 "column": at.group(2) if at else "?"})) from None
    try:
        budget, horizon = doc.get("budget", {}), doc.get("horizon", {})
        days = (horizon["end"] - horizon["start"]).days + 1 if "start" in horizon and "end" in horizon else FILE_DAYS
        rules, objective = doc.get("rules", {}), doc.get("objective", {})

        def cap(key: str, default: float) -> float | None:
            value = rules.get(key, default)
            return None if value is False else float(value)

        locks = set(rules.get("locks", []))
        bounds = {c: (0.0, 3.0, True) for c in locks}
        for b in rules.get("bounds", []):
            for c in b.get("channels", []):
                bounds[c] = (float(b.get("lower", 0.0)), b.get("upper"), c in locks)
        target = objective.get("target_gmv")
        w = engine.WhatIf(
            budget=float(budget["total"]) / days if "total" in budget else 0.0,
            new_product_cap=cap("new_product_cap", default("new_product_cap")),
            new_customer_cap=cap("new_customer_cap", default("new_customer_cap")),
            objective=str(objective.get("kind", "gmv")), target_gmv=float(target) / days if target is not None else None,
            roi_floor=0.0 if _is_break_even(rules.get("roi_floor")) else float(rules.get("roi_floor", 0.0)),
            roi_break_even=_is_break_even(rules.get("roi_floor")),
            roi_per_channel=rules.get("roi_floor_per", "total") == "channel",
            bounds=tuple((c, lo, None if up is None else float(up), locked) for c, (lo, up, locked) in bounds.items()),
            margin=float(doc.get("curves", {}).get("margin", engine.WhatIf.margin)),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise ScenarioError(f"{label}: not a roimix scenario file ({err})",
                            message=Message("app.scn.not_scenario", {"file": label})) from None
    frame = pd.DataFrame([(c, lo, up if up is not None else np.nan, locked) for c, lo, up, locked in w.bounds],
                         columns=shared.BOUNDS_COLUMNS)
    curves = doc.get("curves", {})
    source = "fitted" if curves.get("source") != "file" else \
        "demo" if Path(str(curves.get("file", ""))).name == "truth_curves.csv" else "uploaded"
    return str(doc.get("name") or Path(label).stem), w, frame, source


def write_file(saved: SavedScenario, folder: Path | None = None) -> Path:
    folder = folder or scenarios_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{file_stem(saved.name)}.toml"
    path.write_text(scenario_toml(saved), encoding="utf-8")
    return path


def from_file(text: str, label: str, saved_at: str = "") -> SavedScenario:
    """A saved scenario from a scenario file's text (its plan is solved when first shown)."""
    name, w, bounds, source = whatif_from_toml(text, label)
    return SavedScenario(name, w, bounds, source, "", None, saved_at, {})


def load_folder(folder: Path | None = None) -> tuple[dict, list[Exception]]:
    """The scenarios saved in ``folder`` (oldest first) and the errors of files that are not scenarios (a page words
    them in its reader's language: :func:`roimix.text.error_text`)."""
    folder = folder or scenarios_dir()
    out, problems = {}, []
    if not folder.is_dir():
        return out, problems
    from roimix.errors import ScenarioError

    for path in sorted(folder.glob("*.toml"), key=lambda p: p.stat().st_mtime):
        try:
            saved = from_file(path.read_text(encoding="utf-8"), str(path),
                              dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M"))
        except (ScenarioError, OSError, UnicodeDecodeError) as err:
            problems.append(err)
            continue
        out[saved.name] = saved
    return out, problems


def delete_file(name: str, folder: Path | None = None) -> None:
    path = (folder or scenarios_dir()) / f"{file_stem(name)}.toml"
    if path.exists():
        path.unlink()


def ensure_results(scenarios: dict, curves: engine.CurveSet, ds, planner, lang: str) -> None:
    """Solve the plan of every scenario read from a file (they carry only their what-if)."""
    for name, s in list(scenarios.items()):
        if s.result is None:
            result = attempt(lang, t("app.opt.solving", lang), engine.solve, planner, s.whatif)
            scenarios[name] = SavedScenario(s.name, s.whatif, s.bounds, s.source, ds.token, result, s.saved_at,
                                            dict(ds.sources))


def compare_cells(a: SavedScenario, b: SavedScenario) -> pd.DataFrame:
    """Channel × segment: spend, GMV and 投产比 (GMV ÷ spend) of two solved scenarios and B − A."""
    keys = ["channel", "segment"]

    def cells(s: SavedScenario) -> pd.DataFrame:
        plan = s.result.plan
        return plan[keys + ["spend", "expected_value"]].rename(columns={"expected_value": "gmv"})

    out = cells(a).merge(cells(b), on=keys, how="outer", suffixes=("_a", "_b")).fillna(
        {"spend_a": 0.0, "spend_b": 0.0, "gmv_a": 0.0, "gmv_b": 0.0})
    with np.errstate(divide="ignore", invalid="ignore"):
        for side in ("a", "b"):
            out[f"roi_{side}"] = np.where(out[f"spend_{side}"] > 0, out[f"gmv_{side}"] / out[f"spend_{side}"], np.nan)
    out["spend_delta"] = out["spend_b"] - out["spend_a"]
    out["gmv_delta"] = out["gmv_b"] - out["gmv_a"]
    out["roi_delta"] = out["roi_b"] - out["roi_a"]
    return out
