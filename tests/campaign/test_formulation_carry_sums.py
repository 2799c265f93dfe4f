"""What cvxpy hands Clarabel for a campaign (:class:`optimizer.problem.Program`): the carry-over as its recursion
over days (:func:`optimizer.problem._carry_recursion`) and the dense budget and share rows through the means of groups
of one curve's days (:func:`optimizer.problem._group_sums`). Both are the same problem written with fewer nonzeros:
on the 36,000-cell re-plan benchmark the constraint matrix has 0.42 million nonzeros instead of 1.29 million, and
Clarabel's iterations cost about 1.4× less (``benchmarks/results/replan.md``).

The re-plan here is solved both ways (the two switches off is main's formulation before them): the same GMV, the
same total spend to the fen, the same spend per cell and day to the solver's tolerance."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from test_replan_power_scale import _replan  # the benchmark's market, re-planned (a sibling test module)

import optimizer.problem as problem
from optimizer.problem import Program, _carry_recursion
from roimix.shapes import adstock_weights


def _adstock(lags, days: int) -> sp.csr_matrix:
    """The campaign's carry-over matrix (:func:`optimizer.campaign.daily.daily_curves`): one band per curve."""
    blocks = []
    for lag in lags:
        w = adstock_weights(lag)[:days]
        blocks.append(sp.diags(list(w), [-k for k in range(len(w))], shape=(days, days), format="csr"))
    return sp.block_diag(blocks, format="csr")


def test_the_recursion_holds_the_same_effective_spend():
    """``R·w = B·x`` has the solution ``w = C·x`` (cells in any order, as the problem's layout sorts them), with at
    most two terms a row on each side; lags from none (a diagonal block) to five days (a band of ~38 days)."""
    C = _adstock([0.0, 0.3, 1.0, 2.5, 5.0, 5.0], 60)
    perm = np.random.default_rng(3).permutation(C.shape[0])
    C = C[perm][:, perm].tocsr()
    R, B = _carry_recursion(C)
    x = np.random.default_rng(4).uniform(0.0, 10.0, C.shape[0])
    w = spla.spsolve(R.tocsc(), B @ x)
    assert np.allclose(w, C @ x, rtol=1e-12, atol=0.0)
    assert np.diff(R.indptr).max() <= 2 and np.diff(B.indptr).max() <= 2
    assert R.nnz + B.nnz <= C.nnz / 4


def test_a_carryover_that_is_no_recursion_is_left_as_it_is():
    """A band that is not geometric gains nothing from the recursion: the problem keeps ``w = C·x``."""
    rng = np.random.default_rng(5)
    days = 40
    band = sp.diags([rng.uniform(0.1, 1.0, days - k) for k in range(10)], [-k for k in range(10)], format="csr")
    assert _carry_recursion(sp.block_diag([band, band], format="csr")) is None


@pytest.fixture(scope="module")
def both_ways():
    """The benchmark's market in small (40 channels × 2 segments, 20 remaining days: 1,600 cells), re-planned with
    the recursion and the group sums (as shipped) and without them (main's formulation before them)."""
    mp = pytest.MonkeyPatch()
    built = []
    real = Program.__init__

    def init(self, *args, **kwargs):
        real(self, *args, **kwargs)
        built.append(self)

    mp.setattr(Program, "__init__", init)
    new, _ = _replan(40, 26, 6)
    new_program = built[-1]
    mp.setattr(problem, "CARRY_RECURSION", False)
    mp.setattr(problem, "DENSE_ROW_SUMS", False)
    old, _ = _replan(40, 26, 6)
    old_program = built[-1]
    mp.undo()
    return new, old, new_program, old_program


def test_the_reformulation_is_used_and_smaller(both_ways):
    _, _, new_program, old_program = both_ways
    assert new_program.sums is not None and old_program.sums is None
    assert any(v.name() == "effective_spend" for v in new_program.problem.variables())
    assert not any(v.name() == "effective_spend" for v in old_program.problem.variables())
    nnz = [p.problem.get_problem_data("CLARABEL")[0]["A"].nnz for p in (new_program, old_program)]
    assert nnz[0] < 0.6 * nnz[1], nnz


def test_the_reformulation_leaves_the_optimum_where_it_was(both_ways):
    new, old, _, _ = both_ways
    assert new.plan.status == "optimal" and old.plan.status == "optimal"
    assert new.plan.gmv_cny == pytest.approx(old.plan.gmv_cny, rel=1e-8)
    x, y = new.plan.daily["spend"].to_numpy(), old.plan.daily["spend"].to_numpy()
    assert abs(x.sum() - y.sum()) < 0.01  # the total spend to the fen
    assert np.abs(x - y).max() <= 1e-6 * x.sum()  # 1e-7 measured; 6e-5 with the window's end left out
    gains = new.plan.result.rules.set_index("rule")["gain_per_unit"]
    before = old.plan.result.rules.set_index("rule")["gain_per_unit"]
    assert gains["budget"] == pytest.approx(before["budget"], rel=1e-5)
    # a cap over the campaign is the sum of the same cap per phase (same level): their shadow prices are not unique
    # one by one (any split along that sum is optimal, and each way of writing the problem may end elsewhere on it),
    # only their sum is
    family = [r for r in gains.index if r.startswith("new-product cap")]
    assert len(family) > 2
    assert gains[family].sum() == pytest.approx(before[family].sum(), rel=1e-5)


def test_the_group_sums_see_every_dense_row_exactly(both_ways):
    """With the group means at the plan's spend, every budget and share row written over them is the row over the
    cells: the same coefficients, not an approximation."""
    _, _, program, _ = both_ways
    sums, lay = program.sums, program.layout
    z = np.maximum(program.z.value, 0.0)
    program.z.value = z
    sums.s.value = np.bincount(sums.group, weights=z, minlength=len(sums.rep)) / sums.size
    seen = 0
    for b in program.blocks:
        rule, level = b.rule, float(b.level.value)
        if rule.form == "share":
            nn, dd = rule.N[lay.order] * lay.k, rule.D[lay.order] * lay.k
            direct = np.atleast_1d((nn @ z - level * (dd @ z)) / dd.max())
            size = (nn @ z + abs(level) * (dd @ z)) / dd.max()  # the terms' size: a binding row is ~0
        elif rule.form == "linear" and rule.rows == 1:
            A = sp.csr_matrix(rule.L)[:, lay.order] @ sp.diags(lay.k)
            norm = abs(A).max()
            direct = A @ z / norm - level * rule.r / norm
            size = float((abs(A) @ z / norm).max() + abs(level * rule.r / norm).max())
        else:
            continue
        got = np.atleast_1d(b.constraint.expr.value)
        assert np.allclose(np.abs(got), np.abs(direct), rtol=0.0, atol=1e-12 * size), rule.id
        seen += 1
    assert seen >= 10
