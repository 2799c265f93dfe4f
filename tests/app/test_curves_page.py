"""The curves page draws each curve far enough that the planned marker sits on it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer import curves_from_frame
from roimix.app import figures
from roimix.app.pages.curves import reach_the_plan


def test_a_plan_beyond_the_grid_extends_its_curve_to_the_marker(sample_dir):
    table = pd.read_csv(sample_dir / "truth_curves.csv").drop(columns=["lag_mean_days"])
    table = table[table["segment"] == "existing"]
    ztc = table[table["channel"] == "ztc"]
    current = float(ztc["current_spend"].iloc[0])
    grid = np.linspace(0, 2 * current, 41)
    curve = curves_from_frame(ztc)
    values = np.array([curve.value(np.array([x]))[0] for x in grid])
    bands = pd.DataFrame({"channel": "ztc", "segment": "existing", "spend": grid, "value": values, "low": values * 0.9,
                          "high": values * 1.1})
    planned = 3 * current  # past the grid's end, as a 3× upper bound allows
    shown = pd.DataFrame({"channel": ["ztc"], "current_spend": [current], "current_value": [values[20]],
                          "planned_spend": [planned], "planned_value": [float(curve.value(np.array([planned]))[0])]})
    out = reach_the_plan(bands, table, shown)
    assert out["spend"].max() >= planned and len(out) > len(bands)
    far = out[out["spend"] > grid.max()]
    assert np.allclose(far["value"], [curve.value(np.array([x]))[0] for x in far["spend"]])
    assert (out.iloc[: len(bands)] == bands).all().all(), "the fitted band is kept as it was"
    channels = pd.DataFrame({"channel": ["ztc"], "group": ["paid"], "key_platform": [True], "label_zh": ["直通车"],
                             "label_en": ["ztc"]})
    fig = figures.response_curves(out, shown, channels, "zh")
    line = next(tr for tr in fig.data if tr.mode == "lines" and tr.line.width == 2.5)
    marker = next(tr for tr in fig.data if tr.name == "计划")
    assert max(line.x) >= marker.x[0], "the planned marker is on the drawn curve"
    assert reach_the_plan(bands, table, shown.assign(planned_spend=current)) is bands
