"""Spend without clicks in the app: CPC is never assumed (as in the CLI); the new-customer cap, which needs
clicks, is off and the optimise page says so."""

from __future__ import annotations

import io
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from app_harness import assert_clean, goto

from optimizer import traffic_unknown
from roimix.app import engine


def test_a_channel_without_clicks_is_unknown_never_given_a_median_cpc(sample_dir):
    spend = pd.read_csv(sample_dir / "spend.csv")
    spend.loc[spend["channel"] == "xiaohongshu", ["clicks", "new_customer_clicks"]] = np.nan
    channels = pd.read_csv(sample_dir / "channels.csv")
    curves = pd.read_csv(sample_dir / "truth_curves.csv").drop(columns=["lag_mean_days", "cpc", "new_customer_share"])
    table = engine.with_attributes(curves, SimpleNamespace(spend=spend, channels=channels))
    unknown = traffic_unknown(table)
    assert set(table.loc[unknown, "channel"]) == {"xiaohongshu"}
    assert engine.traffic_unknown_cells(table) == ("xiaohongshu/existing", "xiaohongshu/new")
    # the known cells' CPC is their own spend ÷ clicks
    ztc = spend[(spend["channel"] == "ztc") & (spend["segment"] == "existing")]
    row = table[(table["channel"] == "ztc") & (table["segment"] == "existing")].iloc[0]
    assert row["cpc"] == pytest.approx(ztc["spend"].sum() / ztc["clicks"].sum(), rel=1e-12)
    assert row["new_customer_share"] == pytest.approx(ztc["new_customer_clicks"].sum() / ztc["clicks"].sum(), rel=1e-12)


def test_spend_without_clicks_plans_without_the_new_customer_cap_and_says_so(app, sample_dir, monkeypatch):
    seen = []
    solve = engine.solve
    monkeypatch.setattr(engine, "solve", lambda planner, w: seen.append(w) or solve(planner, w))
    app.session_state["curves.source"] = "demo"
    at = goto(app, "optimise")  # the sample has clicks: the cap is on
    assert_clean(at)
    assert seen and {w.new_customer_cap for w in seen} == {0.30}
    assert not at.slider(key="w.whatif.new_customer_cap_pct").disabled

    spend = pd.read_csv(sample_dir / "spend.csv").drop(columns=["clicks", "new_customer_clicks"])
    curves = pd.read_csv(sample_dir / "truth_curves.csv").assign(cpc=None, new_customer_share=None)
    at = goto(at, "data")
    for key, name, frame in (("upload.spend", "花费.csv", spend), ("upload.curves", "曲线.csv", curves)):
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False)
        at.file_uploader(key=key).set_value((name, buffer.getvalue().encode(), "text/csv")).run()
        assert_clean(at)
    at.session_state["curves.source"] = "uploaded"
    seen.clear()
    at = goto(at, "optimise")
    assert_clean(at)
    assert at.slider(key="w.whatif.new_customer_cap_pct").disabled
    assert any(c.value.startswith("新客上限未启用") and "ztc/existing" in c.value for c in at.caption)
    assert seen and {w.new_customer_cap for w in seen} == {None}
    assert not any("新客" in m.value for m in at.markdown)  # no new-customer rule among the binding ones
