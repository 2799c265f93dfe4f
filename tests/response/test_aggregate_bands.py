"""Aggregate mode widens the stated 90 % bands of the cells only the GMV series tells (evidence ``aggregate``) by
:data:`roimix.aggregate.BAND_WIDENING` in log space about the estimate: their draws leave out what the fit cannot
see (the carry-over's shape, the curve's family), and on the independent markets' development seeds their
marginal-ROI bands held the truth in 86 % of such cells without lift tests and 77–84 % beside 5 tests
(``benchmarks/results/aggregate_dev.md``, 2026-12-06). The draws, the estimate and the plan do not change."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from roimix.aggregate import BAND_WIDENING, AggregateSettings, run_aggregate, widened
from test_aggregate_decisions import NO_CAMPAIGNS, QUICK
from test_aggregate_default_honest import _world

ratios = st.floats(1e-3, 1.0)


@settings(max_examples=200, deadline=None)
@given(st.floats(1e-3, 1e6), ratios, ratios, st.floats(1.0, 3.0))
def test_a_widened_band_holds_the_given_one_and_is_factor_times_as_wide_in_log_space(m, low_ratio, high_ratio,
                                                                                     factor):
    low, high = m * low_ratio, m / high_ratio
    (lo,), (hi,) = widened([m], [low], [high], factor)
    assert lo <= low * (1 + 1e-12) and hi >= high * (1 - 1e-12)
    assert np.isclose(np.log(m / lo), factor * np.log(m / low), rtol=1e-9, atol=1e-9)
    assert np.isclose(np.log(hi / m), factor * np.log(high / m), rtol=1e-9, atol=1e-9)


def test_a_band_that_misses_its_estimate_or_reaches_zero_is_never_narrowed():
    # a band reaching 0; one above its estimate; an estimate of 0 (kept as given); one below its estimate
    lo, hi = widened([1.0, 1.0, 0.0, 2.0], [0.0, 1.5, 0.0, 0.5], [2.0, 3.0, 1.0, 1.0], 1.4)
    assert lo.tolist()[:3] == [0.0, 1.5, 0.0] and np.isclose(lo[3], 2.0 * 0.25 ** 1.4)
    assert np.isclose(hi[0], 2.0 ** 1.4) and np.isclose(hi[1], 3.0 ** 1.4) and hi[2] == 1.0 and hi[3] == 1.0


def test_only_the_cells_the_gmv_alone_tells_get_wider_bands_and_nothing_else_moves():
    """Six channels, a lift test of c0: c0's bands are the draws' own, c1–c5's (evidence ``aggregate``) are
    widened exactly by :func:`widened` (level, marginal ROI, the curve on its grid, and the uncertain-level note's
    yuan band); the curves' estimates and the draws the plan reads are those of ``band_widening=1``."""
    rois = [1.2, 0.4, 0.8, 1.6, 0.6, 1.0]
    spend, outcome, truth = _world(4, rois)
    a0, b0 = truth.loc[0, ["a", "b"]]
    test_spend = 0.5 * float(spend.loc[spend["channel"] == "c0", "spend"].mean())
    lift = pd.DataFrame({"channel": ["c0"], "segment": ["existing"], "start": ["2026-06-01"], "end": ["2026-06-14"],
                         "spend": [test_spend], "incremental_value": [a0 * -np.expm1(-test_spend / b0)],
                         "standard_error": [0.05 * a0 * -np.expm1(-test_spend / b0)]})
    runs = {w: run_aggregate(spend, outcome, lift_tests=lift,
                             settings=AggregateSettings(exclude=NO_CAMPAIGNS, fit=QUICK, band_widening=w))
            for w in (1.0, BAND_WIDENING)}
    plain, wide = runs[1.0], runs[BAND_WIDENING]
    ev = wide.evidence.set_index("channel")["evidence"]
    assert ev["c0"] == "lift_test" and (ev.drop("c0") == "aggregate").all()
    pd.testing.assert_frame_equal(plain.draws, wide.draws, check_exact=True)
    p, w = plain.fit.curves.set_index("channel"), wide.fit.curves.set_index("channel")
    for col in ("a", "b", "s", "marginal_roi", "value_at_current", "a_rel_sd"):
        assert np.array_equal(p[col], w[col], equal_nan=True), col
    assert p.loc["c0", ["a_low", "a_high", "mroi_low", "mroi_high"]].tolist() == \
        w.loc["c0", ["a_low", "a_high", "mroi_low", "mroi_high"]].tolist()
    others = p.index != "c0"
    for est, lo, hi in (("a", "a_low", "a_high"), ("marginal_roi", "mroi_low", "mroi_high")):
        want = widened(p.loc[others, est], p.loc[others, lo], p.loc[others, hi], BAND_WIDENING)
        assert np.allclose(w.loc[others, lo], want[0], rtol=1e-12) and np.allclose(w.loc[others, hi], want[1], rtol=1e-12)
        assert (w.loc[others, hi] - w.loc[others, lo] > p.loc[others, hi] - p.loc[others, lo]).all()
    pb, wb = plain.fit.bands, wide.fit.bands
    c0 = pb["channel"] == "c0"
    assert np.array_equal(pb.loc[c0, ["low", "high"]], wb.loc[c0, ["low", "high"]])
    want = widened(pb.loc[~c0, "value"], pb.loc[~c0, "low"], pb.loc[~c0, "high"], BAND_WIDENING)
    assert np.allclose(wb.loc[~c0, "low"], want[0]) and np.allclose(wb.loc[~c0, "high"], want[1])
    # the reader is told: which cells, by how much (zh and en), and nothing when nothing is widened
    from roimix.text.pipeline import render_warning

    (note,) = [m for m in wide.warnings if m.key == "aggregate.bands_widened"]
    assert note.values["factor_x"] == BAND_WIDENING and note.values["cells"] == [f"c{k}/existing" for k in range(1, 6)]
    assert "×1.4" in render_warning(note, "en") and "c1/Existing products" in render_warning(note, "en")
    assert "×1.4" in render_warning(note, "zh") and "c5/老品" in render_warning(note, "zh")
    assert not [m for m in plain.warnings if m.key == "aggregate.bands_widened"]
    for m in wide.fit.warnings:
        if m.key == "pipeline.fit.uncertain":
            r = w.loc[m.values["cell"].split("/")[0]]
            assert np.isclose(m.values["low_cny"], m.values["value_cny"] * r.a_low / r.a)
            assert np.isclose(m.values["high_cny"], m.values["value_cny"] * r.a_high / r.a)
