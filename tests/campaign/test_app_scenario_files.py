"""Scenarios saved in the app last (issue 17.7): kept as scenario files in a folder, read back by a new session,
run by ``roimix batch``, downloaded and uploaded; two scenarios compare cell by cell and the cells add up."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "app"))
from app_harness import assert_clean, goto, new_app  # noqa: E402


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    path = tmp_path / "scenarios"
    monkeypatch.setenv("ROIMIX_SCENARIOS_DIR", str(path))
    return path


def _demo_app():
    at = new_app()
    at.run()
    at.session_state["curves.source"] = "demo"
    return at


def _save(at, name: str):
    at = goto(at, "scenarios")
    at.text_input(key="w.scenarios.name").set_value(name).run()
    at.button(key="scenario.save").click().run()
    assert_clean(at)
    return at


def _move_budget(at, percent_of_current: int):
    at = goto(at, "optimise")
    from roimix.app import shared

    slider = next(s for s in at.select_slider if str(s.key).startswith("w.whatif.budget"))
    total = at.session_state["whatif.budget"]  # today's spend per day (the slider's 100 %) until moved
    options = shared.budget_options(next(c for c in (total, total - 0.005, total + 0.005)
                                         if shared.budget_at(c, 100) == total))
    slider.set_value(options[percent_of_current - 30]).run()
    assert_clean(at)
    return at


def test_a_saved_scenario_survives_a_new_session(folder):
    at = _save(_demo_app(), "大促前 A")
    assert [p.name for p in folder.glob("*.toml")] == ["大促前_A.toml"]
    budget = at.session_state["scenarios.saved"]["大促前 A"].whatif.budget
    again = goto(_demo_app(), "scenarios")  # a new session: what a reload gives
    assert_clean(again)
    saved = again.session_state["scenarios.saved"]
    assert list(saved) == ["大促前 A"]
    assert saved["大促前 A"].whatif.budget == pytest.approx(budget, abs=0.005)
    assert saved["大促前 A"].result is not None and saved["大促前 A"].result.solved


def test_a_file_saved_by_the_app_runs_with_roimix_batch(folder, tmp_path):
    from roimix.cli import main

    at = _save(_demo_app(), "batch me")
    budget = at.session_state["scenarios.saved"]["batch me"].whatif.budget
    files = list(folder.glob("*.toml"))
    assert len(files) == 1
    out = tmp_path / "out"
    assert main(["batch", str(files[0]), "--out", str(out)]) == 0
    table = pd.read_csv(out / "comparison.csv")
    assert len(table) == 1 and table["status"].iloc[0] == "optimal"
    from roimix.app.scenario_store import FILE_DAYS

    assert round(float(table["spend"].iloc[0]) * 100) == round(budget * FILE_DAYS * 100), "the budget, to the fen"


def test_a_downloaded_file_uploads_back_as_the_same_what_if(folder):
    from roimix.app.scenario_store import from_file, scenario_toml

    at = _save(_demo_app(), "round trip")
    saved = at.session_state["scenarios.saved"]["round trip"]
    back = from_file(scenario_toml(saved), "round trip.toml")
    assert back.name == saved.name and back.source == saved.source
    for field in ("budget", "new_product_cap", "new_customer_cap", "objective", "roi_floor"):
        assert getattr(back.whatif, field) == pytest.approx(getattr(saved.whatif, field), abs=0.005), field
    assert {b[0]: b[1:] for b in back.whatif.bounds} == {b[0]: b[1:] for b in saved.whatif.bounds}


def test_two_scenarios_compare_cell_by_cell_and_the_rows_sum_to_their_totals(folder):
    from roimix.app.scenario_store import compare_cells

    at = _save(_demo_app(), "A")
    at = _move_budget(at, 150)
    at = _save(at, "B")
    scenarios = at.session_state["scenarios.saved"]
    a, b = scenarios["A"].result, scenarios["B"].result
    assert b.totals.spend_cny > a.totals.spend_cny * 1.2
    cells = compare_cells(scenarios["A"], scenarios["B"])
    assert len(cells) == len(a.plan) == len(b.plan)
    assert cells["spend_a"].sum() == pytest.approx(a.totals.spend_cny, abs=0.01)
    assert cells["spend_b"].sum() == pytest.approx(b.totals.spend_cny, abs=0.01)
    assert cells["gmv_a"].sum() == pytest.approx(a.totals.gmv_cny, abs=0.01)
    assert cells["gmv_b"].sum() == pytest.approx(b.totals.gmv_cny, abs=0.01)
    assert cells["spend_delta"].sum() == pytest.approx(b.totals.spend_cny - a.totals.spend_cny, abs=0.01)
    shown = next(d.value for d in at.dataframe if "花费差（B − A）" in d.value.columns)
    assert len(shown) == len(cells)


@pytest.mark.parametrize("text, said_zh", [
    ('name = "x"\n[budget\ntotal = 1\n', "不是有效的 TOML（第 2 行"),
    ('name = "x"\n[budget]\ntotal = "lots"\n', "不是可用的 roimix 方案文件"),
])
def test_an_unusable_scenario_file_is_named_in_the_readers_language(folder, text, said_zh):
    """A scenario file the page cannot use is refused in Chinese on a Chinese page (it showed the reader's English)."""
    at = goto(_demo_app(), "scenarios")
    at.file_uploader(key="scenario.upload").set_value(("坏的.toml", text.encode(), "application/toml")).run()
    shown = [e.value for e in at.error]
    assert any("无法读取方案文件：坏的.toml " in e and said_zh in e for e in shown), shown
    assert not any("not valid TOML" in e or "not a roimix scenario" in e for e in shown), shown


def test_a_file_saved_on_uploaded_aggregate_data_names_those_files_and_runs_beside_them(folder, tmp_path):
    """Aggregate mode on an uploaded shop GMV table (the spend is the sample's): the saved file names the upload
    by its file's name, the sample's tables by path, and fits in aggregate mode; with the uploaded file beside it
    ``roimix batch`` plans it, and the plan says its curves came from spend and the shop's GMV. It used to name
    the sample's journeys and fit them, whatever was uploaded."""
    import io
    import json

    from roimix.app.data import SAMPLE
    from roimix.cli import main

    conv = pd.read_parquet(SAMPLE / "conversions.parquet")
    conv["date"] = pd.to_datetime(conv["timestamp"]).dt.strftime("%Y-%m-%d")
    outcome = conv.groupby("date", as_index=False)["value"].sum()
    at = new_app()
    at.run()
    at = goto(at, "data")
    at.segmented_control(key="w.data.mode.zh").set_value("aggregate").run()
    buffer = io.StringIO()
    outcome.to_csv(buffer, index=False)
    at = at.file_uploader(key="upload.outcome").set_value(("店铺GMV.csv", buffer.getvalue().encode(), "text/csv")).run()
    assert_clean(at)
    at = _save(at, "汇总")
    (path,) = folder.glob("*.toml")
    text = path.read_text(encoding="utf-8")
    assert 'outcome = "店铺GMV.csv"' in text and "keep these files beside this one: 店铺GMV.csv" in text
    assert f'spend = "{(SAMPLE / "spend.csv").as_posix()}"' in text
    assert "touchpoints" not in text and "conversions" not in text  # aggregate mode: the sample's are not the shop's
    assert 'source = "fit"' in text
    outcome.to_csv(folder / "店铺GMV.csv", index=False)
    out = tmp_path / "out"
    assert main(["batch", str(path), "--out", str(out), "--formats", "json"]) == 0
    doc = json.loads((out / f"{path.stem}.json").read_text(encoding="utf-8"))
    curves = next(r for r in doc["assumptions"] if r["item"] in ("曲线", "Curves"))
    assert "店铺GMV.csv" in curves["value"] and ("汇总模式" in curves["value"] or "aggregate mode" in curves["value"])
