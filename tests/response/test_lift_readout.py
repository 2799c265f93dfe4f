"""A lift test read over its own window: ``readout_start`` … ``readout_end`` (default: the test's own days).

Holdout tests are often reported over the test and some days after it (the carry-over left when the spend
stopped). Read right, such a number sets the level as well as a test read over its own days; read as if it
covered only the spend days, it pulls the level far off (the fit: ``tests/response/test_fit.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from response.candidates import make_candidate, step_response
from response.inputs import readout_window
from response.lag import adstock_weights
from roimix.cli import main


@settings(max_examples=60, deadline=None)
@given(lag=st.floats(0.0, 8.0), form=st.sampled_from(["adstock", "lagged"]),
       family=st.sampled_from(["exp", "mm", "log", "power"]), spend=st.floats(10.0, 5000.0),
       n=st.integers(1, 20), first=st.integers(0, 30), length=st.integers(1, 30))
def test_step_response_is_the_mean_over_the_readout_of_a_simulated_step(lag, form, family, spend, n, first, length):
    """``step_response`` equals the candidate's own response, simulated on a timeline with nothing spent before
    the test, ``spend`` for ``n`` periods, nothing after, averaged over the readout periods."""
    kernel = adstock_weights(lag)
    scale, exponent = 800.0, (0.5 if family == "power" else 1.0)
    history = np.full(50, 400.0)
    candidate = make_candidate(family, 400.0 if family == "power" else scale, exponent, kernel, form, 400.0, history)
    pad = len(kernel) + 5  # zeros long enough that the series' first value (repeated into the past) is 0
    timeline = np.zeros(pad + first + length + n + len(kernel))
    timeline[pad:pad + n] = spend
    simulated = make_candidate(family, candidate.scale, exponent, kernel, form, 400.0, timeline).h
    window = (n, first, first + length)
    expected = simulated[pad + first:pad + first + length].mean()
    assert abs(step_response(candidate, spend, window) - expected) <= 1e-9 * max(1.0, abs(expected))


def test_readout_window_counts_periods_from_the_tests_start():
    row = pd.Series({"start": "2026-04-01", "end": "2026-04-14", "readout_start": "2026-04-15",
                     "readout_end": "2026-04-28"})
    assert readout_window(row, 1) == (14, 14, 28)
    assert readout_window(row.drop(["readout_start", "readout_end"]), 1) == (14, 0, 14)
    assert readout_window(pd.Series({**row, "readout_start": np.nan}), 1) == (14, 0, 28)  # the test and 14 days after
    assert readout_window(row, 7) == (2, 2, 4)  # weekly data: whole weeks


def test_a_readout_before_the_test_or_ending_before_it_starts_is_named_by_row_and_column(tmp_path, capsys):
    tests = pd.DataFrame({
        "channel": ["ztc"] * 4, "segment": ["existing"] * 4, "start": ["2026-04-01"] * 4, "end": ["2026-04-14"] * 4,
        "spend": [1000.0] * 4, "incremental_value": [900.0] * 4, "standard_error": [90.0] * 4,
        "readout_start": ["2026-04-01", "2026-03-30", "2026-04-10", "2026-04-20"],
        "readout_end": ["2026-04-28", "2026-04-28", "2026-04-05", None],
    })
    tests.to_csv(tmp_path / "lifts.csv", index=False)
    code = main(["validate", "--lift-tests", str(tmp_path / "lifts.csv"), "--lang", "en"])
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == 2
    assert "lifts.csv, row 3, column readout_start" in text and "on or after the test's start" in text
    assert "lifts.csv, row 4, column readout_end" in text and "on or after the readout start" in text
    assert "lifts.csv, row 5, column readout_end" in text and "readout starts after the test ends" in text
    assert "row 2," not in text  # the good row: the test and 14 days after
