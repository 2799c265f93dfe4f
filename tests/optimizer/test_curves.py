"""Curve families: values and slopes match the formulas, the cvxpy forms are exact, the S-curve envelope is
the smallest concave majorant, and bad parameters are rejected with the curve's name."""

from __future__ import annotations


import cvxpy as cp
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer import CurveError, curves_from_frame, envelope_value, shape_value, tangent_point
from optimizer.curves import envelope_tangents, shape_expressions
from optimizer_cases import slope, value
from roimix.tables import CURVES, read_table
from worded_errors import raises_worded


FAST = settings(max_examples=40, deadline=None)


def one_curve(family, a, b, s, x0=1000.0):
    return pd.DataFrame({"channel": ["c"], "segment": ["existing"], "family": [family], "a": [a],
                         "b": [b if family != "power" else np.nan], "s": [s], "current_spend": [x0],
                         "cpc": [1.0], "new_customer_share": [0.3]})


@FAST
@given(
    family=st.sampled_from(["exp", "mm", "log", "power", "hill"]),
    a=st.floats(100, 1e6), b=st.floats(100, 1e5), s=st.floats(0.2, 4.0), x=st.floats(0, 2e5),
)
def test_value_and_marginal_match_the_formulas(family, a, b, s, x):
    if family == "power":
        s = min(s, 0.95)
    df = one_curve(family, a, b, s)
    curves = curves_from_frame(df)
    expected = value(df, [x])[0]
    assert curves.value(np.array([x]))[0] == pytest.approx(expected, rel=1e-9, abs=1e-9)
    if x > 1.0:
        fd = slope(df, [x], h=1e-4 * max(x, 1.0))[0]
        assert curves.marginal(np.array([x]))[0] == pytest.approx(fd, rel=1e-4, abs=1e-9)


@pytest.mark.parametrize("group,s", [("exp", 1.0), ("mm", 1.0), ("log", 1.0), ("power", 0.37), ("power", 0.8),
                                     ("hill_concave", 0.55), ("hill_concave", 0.9)])
def test_cvxpy_form_is_exact(group, s):
    """With z fixed, maximising the expression gives g(z) itself: the representation is exact, not a bound."""
    z0 = np.array([0.0, 0.05, 0.4, 1.0, 2.7, 9.0])
    z = cp.Variable(len(z0))
    expr, extra = shape_expressions(group, z, np.full(len(z0), s))
    prob = cp.Problem(cp.Maximize(cp.sum(expr)), [z == z0] + extra)
    prob.solve(solver="CLARABEL")
    got = np.asarray(expr.value, dtype=float)
    # 1e-8 of feasibility at z = 0 becomes (1e-8)^s of value for power shapes (infinite slope there)
    np.testing.assert_allclose(got[1:], shape_value(group, z0, s)[1:], atol=1e-7, rtol=1e-7)
    assert abs(got[0]) < 1e-4


@pytest.mark.parametrize("s", [1.2, 2.0, 3.5, 8.0])
def test_envelope_is_the_smallest_concave_majorant(s):
    z = np.linspace(0, 12, 6001)
    g = shape_value("hill_s", z, s)
    env = envelope_value(z, s)
    zt = tangent_point(s)
    assert np.all(env >= g - 1e-12)  # a majorant
    assert np.all(np.diff(env, 2) <= 1e-9)  # concave
    np.testing.assert_allclose(env[z >= zt], g[z >= zt])  # the curve itself beyond the tangent point
    # the straight part touches the curve at z*: average return = marginal return there
    assert shape_value("hill_s", zt, s) / zt == pytest.approx((s - 1) / s / zt)
    h = 1e-6
    assert (shape_value("hill_s", zt + h, s) - shape_value("hill_s", zt - h, s)) / (2 * h) == pytest.approx(
        shape_value("hill_s", zt, s) / zt, rel=1e-5)
    # any concave majorant through 0 lies above the line to (z*, g(z*)), so nothing smaller qualifies
    assert np.all(env[z <= zt] == pytest.approx(z[z <= zt] * shape_value("hill_s", zt, s) / zt))


@pytest.mark.parametrize("s", [1.05, 1.5, 3.0, 12.0])
def test_tangent_lines_hold_the_envelope_tightly_from_above(s):
    c, d = envelope_tangents(s)
    z = np.concatenate([np.linspace(0, 50, 20001), np.geomspace(50, 1e9, 4000)])
    pwl = np.minimum(np.min(c[None, :] + d[None, :] * z[:, None], axis=1), 1.0)  # the lines and g ≤ 1
    env = envelope_value(z, s)
    assert np.all(pwl >= env - 1e-12)  # an upper bound everywhere: the plan's bound stays valid
    assert np.max(pwl - env) < 1.5e-4  # and a tight one: within 0.015% of the saturation level a


def test_read_csv_then_curves(tmp_path):
    path = tmp_path / "curves.csv"
    path.write_text(
        "channel,segment,family,a,b,s,current_spend,cpc,new_customer_share\n"
        "ztc,existing,exp,87600,25000,,8000,4.0,0.5\n"
        "xiaohongshu,新品,hill,30000,9000,2.2,3000,1.1,0.6\n"
        "weibo,existing,power,800,,0.5,2000,0.7,0.4\n", encoding="utf-8")
    curves = curves_from_frame(read_table(path, CURVES))
    assert curves.n == 3
    assert list(curves.keys["segment"]) == ["existing", "new", "existing"]
    assert curves.is_s_shaped.tolist() == [False, True, False]
    assert curves.margin.tolist() == [0.45] * 3
    assert curves.value(np.array([25000.0, 0.0, 400.0])) == pytest.approx([87600 * (1 - np.exp(-1)), 0.0, 800 * 20])


@pytest.mark.parametrize("change,message", [
    ({"b": -3.0}, "curve xiaohongshu/new: b must be > 0"),
    ({"family": "sigmoid"}, "curve xiaohongshu/new: family must be one of exp, mm, log, power, hill"),
    ({"family": "power", "s": 1.2}, "curve xiaohongshu/new: s must satisfy 0 < s < 1 for family power"),
    ({"cpc": 0.0}, "curve xiaohongshu/new: cpc must be > 0"),
    ({"new_customer_share": 1.5}, "curve xiaohongshu/new: new_customer_share must be between 0 and 1"),
    ({"a": np.inf}, "curve xiaohongshu/new: a must be a finite number"),
])
def test_bad_curves_are_named(change, message):
    row = {"channel": "xiaohongshu", "segment": "new", "family": "exp", "a": 1000.0, "b": 500.0, "s": np.nan,
           "current_spend": 10.0, "cpc": 1.0, "new_customer_share": 0.3}
    good = {"channel": "ztc", "segment": "existing", "family": "exp", "a": 1000.0, "b": 500.0, "s": np.nan,
            "current_spend": 10.0, "cpc": 1.0, "new_customer_share": 0.3}
    with raises_worded(CurveError, message.replace("(", r"\(")):
        curves_from_frame(pd.DataFrame([good, row | change]))


def test_duplicate_cells_are_named():
    row = {"channel": "ztc", "segment": "new", "family": "exp", "a": 1.0, "b": 1.0, "current_spend": 0.0,
           "cpc": 1.0, "new_customer_share": 0.1}
    with raises_worded(CurveError, "curve ztc/new: appears more than once"):
        curves_from_frame(pd.DataFrame([row, row]))
