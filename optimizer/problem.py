"""The plan as one convex problem in cvxpy, built once per scenario structure and re-solved (DPP).

Decision variable ``z = x / k`` (spend per cell over its spend scale, see :mod:`optimizer.curves`);
values are in units of ``S_v`` (the cells' total GMV at ``z = 1``) and every linear row is divided
by its largest coefficient, so the problem is well scaled whatever the currency amounts. Each rule
is one constraint block whose level is a scalar :class:`cvxpy.Parameter`; nothing else is a
Parameter, which keeps cvxpy's parametric program small (its size grows with variables ×
parameters: per-cell bound Parameters would need gigabytes at 36,000 cells).

Dual values are turned into *improvement per unit of relaxation*: for every block,
``gain = Σ_rows dual · ∂rhs/∂level`` in objective units per unit of the rule's level, moved in the
direction that loosens it (up for ≤ and =, down for ≥). This is cvxpy's sign convention for both
maximisation and minimisation (with every constraint written as ``lhs − rhs (≤|≥|=) 0``, see
:func:`_sense`), so money values need no case analysis.

A *phase-one* program of the same rules adds a non-negative elastic term to every block (capped
by a Parameter, so each block can be made elastic or hard without rebuilding) and minimises the
weighted relaxation: :mod:`optimizer.explain` uses it to name conflicting rules.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field, replace

import cvxpy as cp
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .curves import GROUPS, Curves, shape_expressions, tangent_point
from .draw_grid import MAX_EXACT_EXPONENTS, SNAP_RANGE, SnapReport, snap, too_far
from .draws import CurveDraws
from .rules import ResolvedRule
from .scenario import Risk

STATUSES = ("optimal", "optimal_inaccurate", "infeasible", "unbounded", "solver_error")
"""Every result has one of these statuses."""
SOLVED = ("optimal", "optimal_inaccurate")
DEFAULT_SOLVER = "CLARABEL"
CLARABEL_FIRST = {"equilibrate_enable": False, "max_step_fraction": 0.97}
CLARABEL_RETRY = {"equilibrate_enable": True, "equilibrate_max_iter": 30, "equilibrate_min_scaling": 1e-6,
                  "equilibrate_max_scaling": 1e6, "max_step_fraction": 0.95}
CLARABEL_SHORT = {"equilibrate_enable": False, "max_step_fraction": 0.9}
"""Clarabel settings of the first attempt, of the retry after a stall and of the last attempt (see
:meth:`Program.solve`)."""
LARGE_MIN_CELLS = 10_000
"""From this many cells on, every attempt also takes :data:`CLARABEL_LARGE`."""
CLARABEL_LARGE = {"tol_gap_abs": 1e-7, "tol_gap_rel": 1e-7,
                  "iterative_refinement_reltol": 1e-10, "iterative_refinement_abstol": 1e-10}
"""Clarabel's stopping and refinement tolerances for a large problem. The objective is in units of
:attr:`Layout.value_scale` (Σ f(k), about the plan's GMV), where it is ~0.1, so Clarabel's relative gap (over
max(1, |objective|)) is an absolute one: the default 1e-8 asked for the optimum to ~1e-9 of the GMV, and on the
36,000-cell re-plan benchmark its last ~12 of 57 iterations went there at short steps, with each linear solve
refined to 1e-13. Here the gap stops at 1e-7 of Σ f(k) and refinement at 1e-10: 45 iterations instead of 57,
7.4 s instead of 9.7 s, and the plan's certified distance to the optimum (:class:`~optimizer.result.Evidence`)
¥14 of ¥4.15 亿 instead of ¥2; its total spend 3 fen and each cell-day at most ¥8 from the tight solve's
(``benchmarks/results/replan.md``). Small problems keep Clarabel's defaults: they take a fraction of a second, and
tests hold some of them to a few fen."""
CLARABEL_LARGE_FAST = {"iterative_refinement_enable": False}
"""The first attempt at a large problem also skips iterative refinement of the linear solves: on the 36,000-cell
re-plan benchmark the refinement took 2.4 of Clarabel's 6.6 s and saved no iteration (48 with it, 44 without).
Against a tight solve the plan's GMV is ¥3.5 lower of ¥4.15 亿 (¥3.4 with refinement) and every cell-day is within
¥12 (¥20 with refinement; ``benchmarks/results/replan.md``). An inexact
direction can cost accuracy on another problem, so an attempt without it that ends anything but ``optimal`` is run
again with it (:meth:`Program.solve`)."""
CVAR_MEAN_WEIGHT = 0.01
"""A risk (CVaR) objective adds this share of the mean gain: among equally safe plans it takes the one
with more expected gain, and it keeps every draw's value tight (without it the draws outside the tail
leave the power-cone hypographs free, a degenerate face on which Clarabel stalls)."""
POWER_SCALE_MAX = 1e3
"""Largest factor by which a power curve's spend scale is raised above its current spend (see :class:`Layout`)."""
REWRITE_MIN_CELLS = 1000
"""The carry-over recursion and the group sums are used from this many cells on: below it Clarabel takes a fraction
of a second either way, and the problem stays as written (the same optimum, one path less to it)."""
CARRY_RECURSION = True
"""Write the carry-over as its recursion over days (:func:`_carry_recursion`) when that is much sparser."""
CARRY_DROP = 1e-12
"""Entries of the recursion's right side below this share of their row's largest carry-over weight are rounding
left by the subtraction (the geometric terms cancel exactly in exact arithmetic) and are dropped."""
DENSE_ROW_SUMS = True
"""Let rules' dense rows see the spend through group sums (:func:`_group_sums`)."""
DENSE_ROW = 500
"""A rule's row with more nonzeros than this is dense (see :func:`_group_sums`)."""
DENSE_ROWS_MOST = 200
"""Most dense rows grouped (each one is a row of the grouping key, held densely)."""
DENSE_GROUP_SHARE = 0.25
"""Group sums are used when there are at most this share as many groups as cells."""
ELASTIC_CAP = 1e4
"""Largest relaxation of an elastic block in phase one, in units of its scale (far beyond any real need)."""

_CLARABEL_STATUS = {
    "Solved": "optimal",
    "AlmostSolved": "optimal_inaccurate",
    "PrimalInfeasible": "infeasible",
    "AlmostPrimalInfeasible": "infeasible",
    "DualInfeasible": "unbounded",
    "AlmostDualInfeasible": "unbounded",
}
_CVXPY_STATUS = {
    cp.OPTIMAL: "optimal",
    cp.OPTIMAL_INACCURATE: "optimal_inaccurate",
    cp.INFEASIBLE: "infeasible",
    cp.INFEASIBLE_INACCURATE: "infeasible",
    cp.UNBOUNDED: "unbounded",
    cp.UNBOUNDED_INACCURATE: "unbounded",
}


@dataclass(frozen=True, eq=False)
class Layout:
    """Where cells sit inside the problem: grouped by curve group, with their scales.

    ``k`` is each cell's spend scale inside the problem (``z = x / k``): the curve's own scale
    (:attr:`Curves.scale_cny`), except for power curves, whose scale is free (``a·x^s = a·k^s·(x/k)^s``
    for any ``k``): there it is the larger of the current spend and ``power_spend`` (a guess of the plan's
    spend, :func:`power_spend_estimate`), at most :data:`POWER_SCALE_MAX` times the current spend, and
    ``amplitude`` carries the matching ``a·k^s``. Cells linked by ``carryover`` (one curve's days) share the
    largest of their scales: a scale that changes from day to day makes the carry-over rows uneven (the
    100-channel re-plan benchmark took 117 iterations so, 51 with one scale per curve). The optimum is the
    same whatever ``k``; only the solver's path to it changes.
    """

    order: np.ndarray  # internal position -> cell index
    spans: tuple[tuple[str, int, int], ...]
    k: np.ndarray  # spend scale per internal position (yuan)
    value_scale: float  # S_v, yuan of GMV per unit of value
    amplitude: np.ndarray | None = None  # A in f(x) = A · g(x / k) per internal position (yuan)

    @classmethod
    def of(cls, curves: Curves, power_spend: np.ndarray | None = None, carryover=None) -> Layout:
        group = curves.group
        rank = np.full(curves.n, len(GROUPS))
        for i, g in enumerate(GROUPS):
            rank[group == g] = i
        order = np.argsort(rank, kind="stable")
        spans, start = [], 0
        for g in GROUPS:
            m = int((group == g).sum())
            if m:
                spans.append((g, start, start + m))
                start += m
        own = curves.scale_cny
        factor = np.ones(curves.n)
        power = curves.family == "power"
        if power_spend is not None:
            wanted = np.asarray(power_spend, dtype=float) / own
            factor[power] = np.clip(np.nan_to_num(wanted[power], nan=1.0, posinf=1.0), 1.0, POWER_SCALE_MAX)
        if carryover is not None and (factor > 1).any():  # one scale per curve over its days: the largest
            count, label = connected_components(sp.csr_matrix(carryover), directed=False)
            top = np.zeros(count)
            np.maximum.at(top, label, np.log(factor))
            factor = np.where(power, np.exp(top[label]), 1.0)
        s = np.nan_to_num(curves.s, nan=1.0)
        amplitude = curves.amplitude * np.where(power, factor ** s, 1.0)
        scale = float(max(curves.value(own).sum(), 1.0))  # Σ f(k): every cell at z = 1 on its own scale
        return cls(order, tuple(spans), (own * factor)[order], scale, amplitude[order])

    def to_cells(self, internal: np.ndarray) -> np.ndarray:
        out = np.empty_like(internal)
        out[self.order] = internal
        return out


@dataclass(eq=False)
class Block:
    """One rule's constraint in the compiled problem, with its level Parameter and elastic term."""

    rule: ResolvedRule
    constraint: cp.Constraint
    level: cp.Parameter
    gain: object  # z -> per-row ∂rhs/∂level in the loosening direction (objective units)
    relaxed: object  # (level, elastic value, z) -> relaxed level, phase one only
    elastic: cp.Variable | None = None
    cap: cp.Parameter | None = None
    weight: cp.Parameter | None = None


@dataclass(frozen=True, eq=False)
class RawSolution:
    """What one solve returned, in yuan and in cell order."""

    status: str
    solver_status: str
    spend_cny: np.ndarray | None
    objective: float  # in objective money units (GMV, profit or spend yuan per day); nan without a solution
    duality_gap: float  # |primal − dual objective| in the same units (nan when the solver does not say)
    relative_duality_gap: float  # duality_gap over max(|primal objective|, ¥1)
    primal_residual: float
    dual_residual: float
    gains: dict[str, float] = field(default_factory=dict)  # rule id -> objective money per unit of loosening
    row_gains: dict[str, np.ndarray] = field(default_factory=dict)
    elastic: dict[str, float] = field(default_factory=dict)  # rule id -> relaxed level (phase one)
    compile_s: float = 0.0
    solver_s: float = 0.0
    total_s: float = 0.0
    iterations: int = 0
    message: str = ""


class Program:
    """One compiled cvxpy problem: the plan (``mode="plan"``) or its elastic phase one (``"phase_one"``).

    ``fixed_zero``/``fixed_up`` (cell masks) pin S-curve cells at 0 or at/above their threshold
    spend; they are constants, used by the S-curve rounding pass.
    """

    def __init__(
        self,
        curves: Curves,
        rules: tuple[ResolvedRule, ...],
        objective: str,
        *,
        mode: str = "plan",
        carryover: sp.spmatrix | None = None,
        carry_in: np.ndarray | None = None,
        fixed_zero: np.ndarray | None = None,
        fixed_up: np.ndarray | None = None,
        draws: CurveDraws | None = None,
        risk: Risk | None = None,
    ):
        started = time.perf_counter()
        self.curves, self.mode = curves, mode
        self.weighs_draws = False
        """Whether the objective is a risk (CVaR) over curve draws: then a first attempt skips iterative refinement
        (see :meth:`solve`)."""
        self.snap: SnapReport | None = None
        """How far the solver's draws were moved to an exponent grid (see :mod:`optimizer.draw_grid`); None: not at all."""
        self.layout = lay = Layout.of(curves, power_spend_estimate(curves, rules, objective), carryover)
        n, order, k, Sv = curves.n, lay.order, lay.k, lay.value_scale
        self.z = z = cp.Variable(n, nonneg=True, name="spend_over_scale")
        constraints = []
        ci = None if carry_in is None else np.asarray(carry_in, dtype=float)[order]
        recursion_c = sp.csr_matrix(carryover)[order][:, order] if carryover is not None else None
        rewrite = carryover is not None and n >= REWRITE_MIN_CELLS
        recursion = _carry_recursion(recursion_c) if rewrite and CARRY_RECURSION else None
        if recursion is not None:  # w explicit, held by R·(k∘w) = B·(k∘z) + R·carry_in (rows over k)
            R, B = recursion
            w = cp.Variable(n, name="effective_spend")
            rhs = sp.diags(1.0 / k) @ B @ sp.diags(k) @ z
            if ci is not None:
                rhs = rhs + (R @ ci) / k
            constraints.append(sp.diags(1.0 / k) @ R @ sp.diags(k) @ w == rhs)
        else:
            if carryover is not None:
                w = sp.diags(1.0 / k) @ recursion_c @ sp.diags(k) @ z
            else:
                w = z
            if ci is not None:  # effective spend carried in from before the plan (a constant)
                w = w + ci / k
        s_int = np.nan_to_num(curves.s[order], nan=1.0)
        amp = lay.amplitude / Sv
        pieces = []
        for group, a0, a1 in lay.spans:
            expr, extra = shape_expressions(group, w[a0:a1], s_int[a0:a1])
            pieces.append(cp.multiply(amp[a0:a1], expr))
            constraints += extra
        self.v = v = pieces[0] if len(pieces) == 1 else cp.hstack(pieces)
        spend = (k / Sv) @ z  # total spend in value units

        if fixed_zero is not None and fixed_zero.any():
            constraints.append(z[np.flatnonzero(fixed_zero[order])] == 0)
        if fixed_up is not None and fixed_up.any():
            idx = np.flatnonzero(fixed_up[order])
            constraints.append(z[idx] >= tangent_point(s_int[idx]))

        self.sums = _group_sums(rules, lay, z, recursion_c) if rewrite and DENSE_ROW_SUMS else None
        if self.sums is not None:
            constraints.append(self.sums.constraint)
        self.blocks = [self._block(rule, z, v) for rule in rules]
        constraints += [b.constraint for b in self.blocks]
        for b in self.blocks:
            if b.elastic is not None:
                constraints.append(b.elastic <= b.cap)

        if mode == "phase_one":
            terms = [b.weight * cp.sum(b.elastic) for b in self.blocks]
            goal = cp.Minimize(cp.sum(cp.hstack(terms)) if terms else cp.Constant(0.0))
        elif draws is not None and risk is not None and risk.kind == "cvar" and objective in ("gmv", "profit"):
            self.weighs_draws = True
            margin = curves.margin if objective == "profit" else np.ones(n)
            per_draw = self._draw_values(draws, w, margin, constraints) - (spend if objective == "profit" else 0.0)
            current = curves.current_spend_cny
            offset = draws.totals(current, margin) - (current.sum() if objective == "profit" else 0.0)
            t = cp.Variable(name="value_at_risk")
            shortfall = cp.Variable(draws.n_draws, nonneg=True, name="shortfall")
            constraints.append(shortfall >= t - (per_draw - offset / Sv))
            tail = t - cp.sum(shortfall) / ((1 - risk.level) * draws.n_draws)
            mean_gain = cp.sum(per_draw - offset / Sv) / draws.n_draws
            goal = cp.Maximize(tail + CVAR_MEAN_WEIGHT * mean_gain)
        elif objective == "gmv":
            goal = cp.Maximize(cp.sum(v))
        elif objective == "profit":
            goal = cp.Maximize(curves.margin[order] @ v - spend)
        else:
            goal = cp.Minimize(spend)
        self.problem = cp.Problem(goal, constraints)
        self.build_s = time.perf_counter() - started
        self.solves = 0

    def _draw_values(self, draws: CurveDraws, w, weight: np.ndarray, constraints: list):
        """Per draw ``Σ_c weight_c · f_dc(x_c)`` in value units, as a concave expression of ``w``: each
        (draw, cell) row sees its cell's effective spend on its own scale, rows grouped by shape.

        Power and concave-Hill rows go through cvxpy's power atom (second-order cones), one block per
        exponent; a group with more than :data:`optimizer.draw_grid.MAX_EXACT_EXPONENTS` distinct exponents
        is snapped to a grid first (:func:`_snapped_rows`), and ``self.snap`` says by how much."""
        lay = self.layout
        pos = np.empty(len(lay.order), dtype=int)
        pos[lay.order] = np.arange(len(lay.order))
        rows_pos = pos[draws.cell]
        dc = draws.curves
        ratio = lay.k[rows_pos] / dc.scale_cny
        amp = dc.amplitude * weight[draws.cell] / lay.value_scale
        s_rows = np.nan_to_num(dc.s, nan=1.0)
        group = dc.group
        exact = (amp.copy(), ratio.copy(), s_rows.copy())
        ratio, amp, s_rows, self.snap = _snapped_rows(draws, group, ratio, amp, s_rows, self.curves.n)
        # snapped rows are shifted so each draw's value at the current allocation is exact: keeping today's
        # plan gains exactly 0 in every draw, as it does on the draws as given
        shift = np.zeros(draws.n_draws)
        if self.snap is not None:
            current = (self.curves.current_spend_cny / self.layout.k[pos])[draws.cell]  # z of the row's cell
            moved = (s_rows != exact[2]) | (amp != exact[0]) | (ratio != exact[1])
            for g in ("power", "hill_concave"):
                sel = moved & (group == g)
                if sel.any():
                    given = exact[0][sel] * _unit(g, current[sel] * exact[1][sel], exact[2][sel])
                    seen = amp[sel] * _unit(g, current[sel] * ratio[sel], s_rows[sel])
                    shift += np.bincount(draws.draw[sel], weights=seen - given, minlength=draws.n_draws)
        total = cp.Constant(-shift)
        for g in GROUPS:
            sel = np.flatnonzero((group == g) & (amp > 0))  # a draw at level 0 adds nothing
            if not len(sel):
                continue
            # power and concave Hill rows go through cvxpy's power atom (second-order cones), one block per
            # exponent: mixed with other families, hundreds of rows of 3D power cones stall Clarabel
            blocks = [(sel, None)] if g not in ("power", "hill_concave") else \
                [(sel[s_rows[sel] == e], float(e)) for e in np.unique(s_rows[sel])]
            for rows, exponent in blocks:
                # draws that share a cell's shape (the same cell, spend scale and exponent; e.g. a cell whose
                # draws differ only in level) share one expression: repeated cone rows are degenerate for an
                # interior-point solver (Clarabel stalled on 200 copies) and cost time
                key = np.column_stack([rows_pos[rows], ratio[rows], s_rows[rows]])
                _, inverse = np.unique(key, axis=0, return_inverse=True)
                inverse = np.asarray(inverse).ravel()
                m = int(inverse.max()) + 1
                first = np.empty(m, dtype=int)
                first[inverse] = rows
                P = sp.csr_matrix((ratio[first], (np.arange(m), rows_pos[first])), shape=(m, len(pos)))
                if exponent is None:
                    expr, extra = shape_expressions(g, P @ w, s_rows[first])
                    constraints += extra
                elif g == "power":
                    expr = cp.power(P @ w, exponent)
                else:
                    expr = 1 - cp.inv_pos(1 + cp.power(P @ w, exponent))
                D = sp.csr_matrix((amp[rows], (draws.draw[rows], inverse)), shape=(draws.n_draws, m))
                total = total + D @ expr
        return total

    # --- blocks ------------------------------------------------------------------------------------------

    def _block(self, rule: ResolvedRule, z, v) -> Block:
        lay, elastic = self.layout, self.mode == "phase_one"
        order, k, Sv = lay.order, lay.k, lay.value_scale
        level = cp.Parameter(name=f"level[{rule.id}]", value=float(rule.level))
        e = cap = weight = None
        if elastic:
            size = 2 if (rule.sense == "eq" and rule.form == "linear") else (rule.rows if rule.form == "roi" else 1)
            e = cp.Variable(size, nonneg=True, name=f"relax[{rule.id}]")
            cap = cp.Parameter(nonneg=True, value=ELASTIC_CAP, name=f"cap[{rule.id}]")
            weight = cp.Parameter(nonneg=True, value=1.0, name=f"weight[{rule.id}]")
        scale_e = _elastic_scale(rule)

        if rule.form == "linear":
            A = sp.csr_matrix(rule.L)[:, order] @ sp.diags(k)
            norm = np.asarray(abs(A).max(axis=1).todense()).ravel()
            norm = np.where(norm > 0, norm, 1.0)
            A = sp.diags(1.0 / norm) @ A
            c = rule.r / norm
            lhs, rhs = self._times(A, z), level * c
            if elastic:
                move = (e[0] - e[1]) if rule.sense == "eq" else e[0]
                sign = -1.0 if rule.sense == "ge" else 1.0
                rhs = rhs + sign * scale_e * move * c

                def relaxed(lv, ev, zv, sign=sign):
                    move = ev[0] - ev[1] if len(ev) == 2 else ev[0]
                    return lv + sign * scale_e * move
            else:
                relaxed = None
            con = _sense(lhs, rhs, rule.sense)
            return Block(rule, con, level, lambda zv, c=c: c, relaxed, e, cap, weight)

        if rule.form == "share":
            nn, dd = rule.N[order] * k, rule.D[order] * k
            norm = float(np.max(dd, initial=0.0)) or 1.0
            nn, dd = nn / norm, dd / norm
            lhs = self._times(nn, z) - level * self._times(dd, z)
            sign = 1.0 if rule.sense == "le" else -1.0
            con = _sense(lhs, (sign * e[0]) if elastic else 0.0, rule.sense)

            def relaxed(lv, ev, zv):
                den = float(dd @ zv)
                return lv + sign * ev[0] / den if den > 0 else (1.0 if sign > 0 else 0.0)

            return Block(rule, con, level, lambda zv: np.array([dd @ zv]), relaxed if elastic else None, e, cap, weight)

        if rule.form == "roi":
            M = sp.csr_matrix(rule.M)[:, order]
            Ms = M @ sp.diags(k / Sv)
            Mv = M if rule.value_weight is None else M @ sp.diags(np.asarray(rule.value_weight, dtype=float)[order])
            norm = np.asarray(abs(Ms).max(axis=1).todense()).ravel()
            norm = np.where(norm > 0, norm, 1.0)
            Ms = sp.diags(1.0 / norm) @ Ms
            lhs = cp.multiply(1.0 / norm, Mv @ v) - level * (Ms @ z)
            con = _sense(lhs, -e if elastic else 0.0, "ge")

            def relaxed(lv, ev, zv):
                spend_rows = Ms @ zv
                need = np.where(spend_rows > 0, ev / np.maximum(spend_rows, 1e-300), 0.0)
                return lv - float(np.max(need, initial=0.0))

            return Block(rule, con, level, lambda zv: Ms @ zv, relaxed if elastic else None, e, cap, weight)

        # target: Σ v ≥ level / S_v
        rhs = level * (1.0 / Sv)
        if elastic:
            rhs = rhs - e[0] * (scale_e / Sv)
        con = _sense(cp.sum(v), rhs, "ge")
        return Block(rule, con, level, lambda zv: np.array([1.0 / Sv]),
                     (lambda lv, ev, zv: lv - scale_e * ev[0]) if elastic else None, e, cap, weight)

    def _times(self, A, z):
        """``A @ z``, through the group sums (:func:`_group_sums`) when ``A`` has a dense row and is the same on
        every cell of each group (then exactly ``A[:, rep] @ sums``)."""
        sums = self.sums
        if sums is None:
            return A @ z
        M = sp.csr_matrix(np.atleast_2d(A) if not sp.issparse(A) else A)
        if np.diff(M.indptr).max(initial=0) <= DENSE_ROW:
            return A @ z
        Mr = M[:, sums.rep]
        if (Mr[:, sums.group] != M).nnz:
            return A @ z
        Mr = Mr @ sp.diags(sums.size)  # Σ_{i∈g} a_i z_i = a_g · size_g · mean_g
        return (Mr @ sums.s) if sp.issparse(A) or np.ndim(A) == 2 else (Mr.toarray().ravel() @ sums.s)

    # --- levels and solving ------------------------------------------------------------------------------

    def set_levels(self, rules: tuple[ResolvedRule, ...]) -> None:
        """Copy the rules' levels into the Parameters (the rules must have this program's structure)."""
        by_id = {r.id: r for r in rules}
        for b in self.blocks:
            b.level.value = float(by_id[b.rule.id].level)
            b.rule = by_id[b.rule.id]

    def set_elastic(self, active: set[str] | None) -> None:
        """Phase one: let only the blocks in ``active`` relax (``None``: all of them)."""
        for b in self.blocks:
            on = active is None or b.rule.id in active
            b.cap.value = ELASTIC_CAP if on else 0.0

    def solve(self, solver: str = DEFAULT_SOLVER, options: dict | None = None) -> RawSolution:
        """Solve with the current levels.

        Clarabel first runs without its own equilibration (the problem is scaled already) and with
        steps of at most 97% of the way to the cone boundary: on the benchmark markets (300 to 36,000
        cells, several seeds) that took the fewest iterations and never stalled, where Clarabel's
        defaults stalled on some 36,000-cell markets. If it stalls anyway, it is run again with a
        stronger equilibration and shorter steps, which takes a different path to the same optimum; if that
        stalls too, once more without equilibration and with steps of at most 90 % (a 100-channel Double 11
        plan of 12,000 daily cells under every daily rule stalled twice and solved so, in 103 iterations; since
        power curves are scaled to their planned spend, see :class:`Layout`, it solves in the first, in 45–49).
        From :data:`LARGE_MIN_CELLS` cells on every attempt stops at :data:`CLARABEL_LARGE`'s tolerances, and a
        first attempt without iterative refinement (:data:`CLARABEL_LARGE_FAST`) comes before the sequence; it stands
        only if it ends ``optimal``. A risk objective over curve draws (CVaR) takes that first attempt too, at
        Clarabel's default tolerances: its many cone rows make each refined linear solve dear (the app's sample
        plan over 200 draws: 26 iterations in 45 ms against 29 in 74 ms with refinement, the objective 4e-6 of a
        yuan apart), and an ``optimal`` status certifies the same stopping tolerances either way.
        """
        started = time.perf_counter()
        given = dict(options or {})
        if solver.upper() != "CLARABEL" or "equilibrate_enable" in given:
            return self._solve_once(solver, given)
        size = CLARABEL_LARGE if self.curves.n >= LARGE_MIN_CELLS else {}
        attempts = []
        if (size or self.weighs_draws) and not set(CLARABEL_LARGE_FAST) & set(given):
            attempts.append(self._solve_once(solver, CLARABEL_FIRST | size | CLARABEL_LARGE_FAST | given))
            if attempts[-1].status == "optimal":
                return attempts[-1]
        attempts.append(self._solve_once(solver, CLARABEL_FIRST | size | given))
        if attempts[-1].status != "solver_error":
            return attempts[-1] if len(attempts) == 1 else _summed(attempts)
        for settings in (CLARABEL_RETRY, CLARABEL_SHORT):
            attempts.append(self._solve_once(solver, settings | size | given))
            if attempts[-1].status != "solver_error":
                break
        return replace(_summed(attempts), total_s=time.perf_counter() - started)

    def _solve_once(self, solver: str, options: dict) -> RawSolution:
        started = time.perf_counter()
        options = dict(options)
        prob = self.problem
        raw = None
        compile_s = solver_s = 0.0
        message = ""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if solver.upper() == "CLARABEL":
                    options.setdefault("accept_unknown", True)
                    t0 = time.perf_counter()
                    data, chain, inverse = prob.get_problem_data(solver, solver_opts=options)
                    compile_s = time.perf_counter() - t0
                    raw = chain.solve_via_data(prob, data, False, False, options)
                    solver_s = float(raw.solve_time)
                    prob.unpack_results(raw, chain, inverse)
                else:
                    prob.solve(solver=solver, **options)
                    compile_s = prob.compilation_time or 0.0
                    solver_s = float(prob.solver_stats.solve_time or 0.0)
        except (cp.error.SolverError, ValueError, ArithmeticError) as err:
            message = f"{type(err).__name__}: {err}"
        self.solves += 1

        solver_status = str(raw.status) if raw is not None else (prob.status or "error")
        if raw is not None:
            status = _CLARABEL_STATUS.get(solver_status, "solver_error")
            p_res, d_res = float(raw.r_prim), float(raw.r_dual)
            gap = abs(float(raw.obj_val) - float(raw.obj_val_dual)) * self.layout.value_scale
            rel_gap = gap / max(abs(float(raw.obj_val)) * self.layout.value_scale, 1.0)
            if status == "solver_error" and raw.x is not None and len(raw.x) and np.all(np.isfinite(raw.x)):
                rel = abs(float(raw.obj_val) - float(raw.obj_val_dual)) / max(1.0, abs(float(raw.obj_val)))
                if max(p_res, d_res) < 1e-5 and rel < 1e-5:
                    status = "optimal_inaccurate"
            iterations = int(raw.iterations)
        else:
            status = _CVXPY_STATUS.get(prob.status, "solver_error")
            p_res = d_res = gap = rel_gap = float("nan")
            iterations = int(getattr(prob.solver_stats, "num_iters", 0) or 0) if prob.solver_stats else 0
        if status == "solver_error" and not message:
            message = f"{solver}: {solver_status}"  # the solver's own status word, the same in every language

        spend = None
        objective = float("nan")
        gains, row_gains, elastic = {}, {}, {}
        if status in SOLVED and self.z.value is not None:
            zv = np.maximum(self.z.value, 0.0)
            spend = self.layout.to_cells(zv * self.layout.k)
            objective = float(prob.value) * self.layout.value_scale
            for b in self.blocks:
                dual = b.constraint.dual_value
                dual = np.zeros(b.rule.rows) if dual is None else np.atleast_1d(np.asarray(dual, dtype=float))
                per_row = dual * np.atleast_1d(b.gain(zv)) * self.layout.value_scale
                row_gains[b.rule.id] = per_row
                gains[b.rule.id] = float(per_row.sum())
                if b.elastic is not None:
                    elastic[b.rule.id] = float(b.relaxed(float(b.level.value), np.atleast_1d(b.elastic.value), zv))
        return RawSolution(
            status, solver_status, spend, objective, gap, rel_gap, p_res, d_res, gains, row_gains, elastic,
            compile_s, solver_s, time.perf_counter() - started, iterations, message,
        )


def _summed(attempts: list[RawSolution]) -> RawSolution:
    """The last attempt's answer, with every attempt's compile and solver seconds and iterations counted."""
    return replace(attempts[-1], total_s=sum(a.total_s for a in attempts),
                   solver_s=sum(a.solver_s for a in attempts), compile_s=sum(a.compile_s for a in attempts),
                   iterations=sum(a.iterations for a in attempts))


def steady_spend(curves: Curves, price) -> np.ndarray:
    """Per cell the spend (yuan) at which its curve's marginal value falls to ``price`` (GMV per yuan, a number or
    one per cell), where that has a closed form (exp, mm, log, power); the current spend for the other cells (Hill
    curves)."""
    return _steady_spend(_SteadyCurves.of(curves), price)


@dataclass(frozen=True, eq=False)
class _SteadyCurves:
    k: np.ndarray
    amp: np.ndarray
    s: np.ndarray
    current: np.ndarray
    masks: tuple[np.ndarray, ...]  # exp, mm, log, power: the groups with a closed form

    @classmethod
    def of(cls, curves: Curves) -> _SteadyCurves:
        return cls(curves.scale_cny, curves.amplitude, np.nan_to_num(curves.s, nan=1.0), curves.current_spend_cny,
                   tuple(curves.group == name for name in ("exp", "mm", "log", "power")))


def _steady_spend(c: _SteadyCurves, price) -> np.ndarray:
    with np.errstate(all="ignore"):
        r = c.amp / (c.k * price)  # g'(z) = r at the wanted spend
        z = np.select(c.masks,
                      [np.log(np.maximum(r, 1.0)), np.maximum(np.sqrt(r) - 1.0, 0.0), np.maximum(r - 1.0, 0.0),
                       (r * c.s) ** (1.0 / (1.0 - c.s))], np.nan)
        x = z * c.k
    return np.where(np.isfinite(x), x, c.current)


def power_spend_estimate(curves: Curves, rules, objective: str) -> np.ndarray | None:
    """A rough guess of each cell's planned spend, only to scale power curves inside the problem (see
    :class:`Layout`): every cell spends where its marginal value is the same, ignoring every rule but the
    budget — the price that spends the budget (GMV objective), or break-even (profit objective). None when
    there is no power curve or no such guess (other objectives).

    Power curves have no saturation: on a market whose budget outgrows its other curves, the plan puts up to
    hundreds of times a power cell's current spend on it, and on its current-spend scale that stalled Clarabel
    (the 100-channel re-plan benchmark: three attempts, 317 iterations); on this scale it solved in the first."""
    if not (curves.family == "power").any():
        return None
    c = _SteadyCurves.of(curves)
    if objective == "profit":
        return _steady_spend(c, 1.0 / np.maximum(curves.margin, 1e-6))
    budget = next((r for r in rules if r.kind == "budget"), None)
    if objective != "gmv" or budget is None or not np.isfinite(budget.level) or budget.level <= 0:
        return None
    lo, hi = 1e-9, 1e9
    for _ in range(60):  # the price at which the cells' steady spend sums to the budget (geometric bisection)
        mid = float(np.sqrt(lo * hi))
        if _steady_spend(c, mid).sum() > budget.level:
            lo = mid
        else:
            hi = mid
    return _steady_spend(c, float(np.sqrt(lo * hi)))


def _unit(group: str, z: np.ndarray, s: np.ndarray) -> np.ndarray:
    zs = np.power(np.maximum(z, 0.0), s)
    return zs if group == "power" else zs / (1.0 + zs)


def _snapped_rows(draws: CurveDraws, group: np.ndarray, ratio: np.ndarray, amp: np.ndarray, s_rows: np.ndarray,
                  n_cells: int):
    """``(ratio, amp, s_rows, report)`` with the rows of a power or concave-Hill group that has more than
    ``MAX_EXACT_EXPONENTS`` distinct exponents snapped to :func:`optimizer.draw_grid.exponent_grid` (their
    exponent, level and scale refitted over 0 … ``SNAP_RANGE`` × current spend); ``report`` is a
    :class:`optimizer.draw_grid.SnapReport` (None when nothing was snapped). Raises :class:`CurveError` when a
    row would move further than ``SNAP_TOLERANCE``."""
    ratio, amp, s_rows = ratio.copy(), amp.copy(), s_rows.copy()
    dc = draws.curves
    error = np.zeros(len(amp))  # value units, per row
    n_exponents, grid_used, relative = 0, set(), 0.0
    reach_cny = np.zeros(n_cells)
    for g in ("power", "hill_concave"):
        sel = np.flatnonzero((group == g) & (amp > 0))
        if len(np.unique(s_rows[sel])) <= MAX_EXACT_EXPONENTS:
            continue
        n_exponents += len(np.unique(s_rows[sel]))
        current = dc.current_spend_cny[sel]
        reach = SNAP_RANGE * np.where(current > 0, current, dc.scale_cny[sel])
        if draws.snap_reach_cny is not None:
            reach = np.maximum(reach, draws.snap_reach_cny[draws.cell[sel]])
        reach_cny[draws.cell[sel]] = reach
        result = snap(g, s_rows[sel], reach / dc.scale_cny[sel])
        labels = dc.labels
        too_far(result.relative, lambda i, sel=sel: (int(draws.draw[sel[i]]), labels[sel[i]], s_rows[sel[i]]))
        error[sel] = result.error * amp[sel]
        s_rows[sel] = result.exponent
        amp[sel] = amp[sel] * result.amplitude_factor
        ratio[sel] = ratio[sel] / result.scale_factor
        grid_used |= set(result.exponent.tolist())
        relative = max(relative, float(result.relative.max()))
    if not n_exponents:
        return ratio, amp, s_rows, None
    per_draw = np.bincount(draws.draw, weights=error, minlength=draws.n_draws)
    # a plan's value moves by the error at its spend and, through the shift to the exact value today, at today's
    return ratio, amp, s_rows, SnapReport(n_exponents, len(grid_used), relative, 2.0 * float(per_draw.max()),
                                           reach_cny)


@dataclass(frozen=True, eq=False)
class GroupSums:
    """Sums of ``z`` over groups of cells, for rules with dense rows (see :func:`_group_sums`)."""

    group: np.ndarray  # internal position -> group
    rep: np.ndarray  # group -> one internal position in it
    size: np.ndarray  # group -> number of cells
    s: cp.Variable  # group -> mean z of its cells
    constraint: cp.Constraint


def _group_sums(rules, lay: Layout, z, carryover: sp.csr_matrix | None) -> GroupSums | None:
    """Group means ``s_g = Σ_{i∈g} z_i / |g|`` through which dense rule rows see the spend, or None.

    A budget or share row over a whole campaign has a coefficient on every cell (36,000 in the re-plan
    benchmark): in the solver's KKT matrix each such row joins every cell's column, and the factorisation carries
    all of them in every column it eliminates. The cells of one curve (one carry-over component) on which all
    such rows have the same coefficients (the days of one phase: same scale, same attributes) form a group, and
    the rows are written over the groups' sums instead (``a_g·|g|·s_g``; means, not sums, keep each ``s_g`` the size
    of one cell's ``z``: with plain sums Clarabel stalled on the benchmark): exactly the same rows, each coefficient
    one of the cells' own, with 1,280 groups where there were 36,000 cells. Each cell's ``z`` is then in one group
    row instead of every dense row. None without carry-over (a cell per component), with more than
    :data:`DENSE_ROWS_MOST` dense rows, or when the groups would not be at most a quarter of the cells."""
    if carryover is None:
        return None
    order, k = lay.order, lay.k
    n = len(order)
    rows = []
    for rule in rules:
        if rule.form == "linear":
            A = sp.csr_matrix(rule.L)[:, order] @ sp.diags(k)
            dense = np.diff(A.indptr) > DENSE_ROW
            if dense.any():
                rows.append(A[np.flatnonzero(dense)].toarray())
        elif rule.form == "share":
            for vec in (rule.N, rule.D):
                row = np.asarray(vec, dtype=float)[order] * k
                if np.count_nonzero(row) > DENSE_ROW:
                    rows.append(row[None, :])
    if not rows or sum(len(r) for r in rows) > DENSE_ROWS_MOST:
        return None
    _, label = connected_components(carryover, directed=False)
    key = np.vstack([label[None, :].astype(float)] + rows)
    _, rep, group = np.unique(key, axis=1, return_index=True, return_inverse=True)
    group = np.asarray(group).ravel()
    if len(rep) > n * DENSE_GROUP_SHARE:
        return None
    size = np.bincount(group, minlength=len(rep)).astype(float)
    s = cp.Variable(len(rep), name="group_spend")  # the group's mean z: each row a mean, each value ~ a cell's
    G = sp.csr_matrix((1.0 / size[group], (group, np.arange(n))), shape=(len(rep), n))
    return GroupSums(group, rep, size, s, G @ z - s == 0)


def _carry_recursion(C: sp.csr_matrix):
    """``(R, B)`` with ``R`` unit lower-triangular (in time) and ``B = R·C`` much sparser than ``C``, or None.

    A geometric adstock (:func:`roimix.shapes.adstock_weights`) makes ``C`` a band of up to ~40 days per curve;
    written as ``w = C·x`` that band is copied into every cone row that sees ``w``. Each row ``t`` here takes
    away ``α_t`` times the row of its previous day ``p`` (the largest entry left of the diagonal, ``α_t =
    C[t,p]/C[p,p]``): for a geometric adstock what is left is the new day's weight and the one that drops out of the
    truncated window, so ``R·w = B·x`` has ~3 terms a row. ``R`` is invertible (each row looks back in time only),
    so the two forms hold the same ``w``. None when ``C`` is not triangular with a positive diagonal or ``B``
    would not be at most half as many nonzeros as ``C``."""
    C = sp.csr_matrix(C)
    n = C.shape[0]
    diag = C.diagonal()
    if n == 0 or np.any(diag <= 0) or C.nnz <= 2 * n:
        return None
    off = (C - sp.diags(diag)).tocsr()
    off.eliminate_zeros()
    if not off.nnz:
        return None
    rows = np.repeat(np.arange(n), np.diff(off.indptr))
    # previous day of each row: its largest off-diagonal entry (the highest weight is the nearest day)
    order = np.lexsort((-off.data, rows))
    first = np.ones(len(order), dtype=bool)
    first[1:] = rows[order][1:] != rows[order][:-1]
    t, p = rows[order][first], off.indices[order][first]
    alpha = off.data[order][first] / diag[p]
    R = (sp.identity(n, format="csr") - sp.csr_matrix((alpha, (t, p)), shape=(n, n))).tocsr()
    B = (R @ C).tocsr()
    scale = np.maximum(abs(C).max(axis=1).toarray().ravel(), 1e-300)
    B.data[np.abs(B.data) <= CARRY_DROP * scale[np.repeat(np.arange(n), np.diff(B.indptr))]] = 0.0
    B.eliminate_zeros()
    if R.nnz + B.nnz > C.nnz / 2:
        return None
    return R, B


def _sense(lhs, rhs, sense: str):
    """``lhs − rhs (≤ | ≥ | =) 0``: cvxpy's dual of ``A @ z == p * c`` comes out with the opposite sign
    to that of ``A @ z − p * c == 0`` (cvxpy 1.9); the difference form keeps one convention."""
    diff = lhs - rhs
    if sense == "le":
        return diff <= 0
    if sense == "ge":
        return diff >= 0
    return diff == 0


def _elastic_scale(rule: ResolvedRule) -> float:
    """Size of one unit of relaxation of a level-type block: its level (or a floor for small levels)."""
    floor = {"cny": 1.0, "multiple": 0.1, "share": 0.01, "roi": 0.1}[rule.unit]
    return max(abs(float(rule.level)), floor)
