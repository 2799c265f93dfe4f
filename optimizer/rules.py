"""Rules resolved against the curves: which cells, which weights, which level; and their value at a plan.

Every rule becomes one or more :class:`ResolvedRule` in one of four linear forms over spend ``x``
(yuan per day) and cell values ``v(x)`` (GMV per day):

* ``linear``: ``L @ x  (≤ | ≥ | =)  level · r``  (budget, bounds, totals, locks, extra rows)
* ``share``:  ``N @ x  (≤ | ≥)  level · (D @ x)`` (share caps and floors; level = the share)
* ``roi``:    ``M @ v(x)  ≥  level · (M @ x)``   (ROI floors, one row per channel or one in all)
* ``target``: ``1 @ v(x)  ≥  level``             (the GMV target of ``min_spend``)

``level`` is the rule's own number (yuan, share, multiple of current spend, ROI); it is what a
what-if changes and what a relaxation moves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from roimix.messages import Message

from .curves import Curves
from .scenario import Bounds, LinearRule, Lock, RoiFloor, RuleError, Scenario, ShareRule

RELAXES = {"le": +1, "ge": -1, "eq": +1}
"""Direction in which a rule's level must move to loosen it (for ``eq``: the sign of the move)."""


@dataclass(frozen=True, eq=False)
class ResolvedRule:
    """One rule (or one side of a :class:`Bounds`) as arrays over the cells, in yuan."""

    name: str
    kind: str  # budget, share, bounds, total, lock, roi, break_even, target, linear
    form: str  # linear, share, roi, target
    sense: str  # le, ge, eq
    level: float
    unit: str  # cny, share, multiple, roi
    cells: np.ndarray  # bool mask of the cells the rule touches
    side: str = ""  # "lower" / "upper" for bounds
    L: sp.csr_matrix | None = None
    r: np.ndarray | None = None
    N: np.ndarray | None = None
    D: np.ndarray | None = None
    M: sp.csr_matrix | None = None
    measure: str = "spend"
    value_weight: np.ndarray | None = None
    """``roi`` form: per-cell weight of GMV in ``M @ (weight · GMV) ≥ level · M @ spend`` (None: 1; the margin
    for a break-even floor)"""

    @property
    def id(self) -> str:
        return f"{self.name}:{self.side}" if self.side else self.name

    @property
    def rows(self) -> int:
        if self.form == "linear":
            return self.L.shape[0]
        if self.form == "roi":
            return self.M.shape[0]
        return 1


def _rows(mask: np.ndarray, n: int) -> sp.csr_matrix:
    idx = np.flatnonzero(mask)
    return sp.csr_matrix((np.ones(len(idx)), (np.arange(len(idx)), idx)), shape=(len(idx), n))


def _need_cells(rule, mask: np.ndarray) -> None:
    if not mask.any():
        raise RuleError(message=Message("plan.err.rule.selects_nothing", {
            "rule": rule.name, "selection": rule.select.describe()}))


def measure_weights(curves: Curves, measure: str) -> np.ndarray:
    """Per-yuan weight of a share measure: 1 (spend), 1/cpc (traffic), new_customer_share/cpc."""
    if measure == "spend":
        return np.ones(curves.n)
    if measure == "traffic":
        return 1.0 / curves.cpc_cny
    return curves.new_customer_share / curves.cpc_cny


def resolve(curves: Curves, scenario: Scenario) -> tuple[ResolvedRule, ...]:
    """Every rule of ``scenario`` in array form (the budget first, the GMV target last)."""
    n, keys, cur = curves.n, curves.keys, curves.current_spend_cny
    everything = np.ones(n, dtype=bool)
    out: list[ResolvedRule] = []
    if scenario.budget is not None:
        b = scenario.budget
        out.append(ResolvedRule(b.name, "budget", "linear", b.sense, b.spendable_cny_per_day, "cny", everything,
                                L=sp.csr_matrix(np.ones((1, n))), r=np.ones(1)))
    for rule in scenario.rules:
        if isinstance(rule, ShareRule):
            sel, base = rule.select.mask(keys), rule.of.mask(keys)
            num_w = measure_weights(curves, rule.measure)
            den_w = measure_weights(curves, "spend" if rule.measure == "spend" else "traffic")
            out.append(ResolvedRule(rule.name, "share", "share", "le" if rule.bound == "cap" else "ge", rule.share,
                                    "share", sel | base, N=num_w * sel, D=den_w * base, measure=rule.measure))
        elif isinstance(rule, Bounds):
            sel = rule.select.mask(keys)
            _need_cells(rule, sel)
            for side, level, sense in (("lower", rule.lower, "ge"), ("upper", rule.upper, "le")):
                if level is None:
                    continue
                unit = "multiple" if rule.relative else "cny"
                if rule.per == "cell":
                    ref = cur[sel] if rule.relative else np.ones(int(sel.sum()))
                    out.append(ResolvedRule(rule.name, "bounds", "linear", sense, level, unit, sel, side,
                                            L=_rows(sel, n), r=ref))
                else:
                    ref = np.array([cur[sel].sum() if rule.relative else 1.0])
                    out.append(ResolvedRule(rule.name, "total", "linear", sense, level, unit, sel, side,
                                            L=sp.csr_matrix(sel.astype(float)[None, :]), r=ref))
        elif isinstance(rule, Lock):
            sel = rule.select.mask(keys)
            _need_cells(rule, sel)
            out.append(ResolvedRule(rule.name, "lock", "linear", "eq", rule.level, "multiple", sel,
                                    L=_rows(sel, n), r=cur[sel]))
        elif isinstance(rule, RoiFloor):
            sel = rule.select.mask(keys)
            _need_cells(rule, sel)
            if rule.per == "total":
                M = sp.csr_matrix(sel.astype(float)[None, :])
            else:
                channels = pd.unique(keys.loc[sel, "channel"].astype(str))
                ch = keys["channel"].astype(str).to_numpy()
                M = sp.csr_matrix(np.vstack([(ch == c) & sel for c in channels]).astype(float))
            if rule.measure == "profit":  # Σ margin · GMV ≥ roi · spend: roi in multiples of break-even
                out.append(ResolvedRule(rule.name, "break_even", "roi", "ge", rule.roi, "multiple", sel, M=M,
                                        measure="profit", value_weight=np.asarray(curves.margin, dtype=float)))
            else:
                out.append(ResolvedRule(rule.name, "roi", "roi", "ge", rule.roi, "roi", sel, M=M))
        elif isinstance(rule, LinearRule):
            L = sp.csr_matrix(rule.coefficients, dtype=float)
            if L.shape[1] != n:
                raise RuleError(message=Message("plan.err.rule.coefficient_columns", {
                    "rule": rule.name, "n_columns": int(L.shape[1]), "n_cells": int(n)}))
            cells = np.asarray(abs(L).sum(axis=0)).ravel() > 0
            out.append(ResolvedRule(rule.name, "linear", "linear", rule.sense, rule.level, "cny", cells,
                                    L=L, r=np.atleast_1d(np.asarray(rule.rhs, dtype=float))))
    if scenario.objective.target_gmv_cny_per_day is not None:
        out.append(ResolvedRule("GMV target", "target", "target", "ge", scenario.objective.target_gmv_cny_per_day,
                                "cny", everything))
    return tuple(out)


# --- evaluating rules at a plan ------------------------------------------------------------------------


def rule_terms(rule: ResolvedRule, curves: Curves, spend: np.ndarray, effective: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """``(lhs, rhs)`` per row of the rule at ``spend`` so that the rule reads ``lhs (sense) rhs``
    (values at ``effective`` spend when carry-over makes it differ from ``spend``)."""
    if rule.form == "linear":
        return rule.L @ spend, rule.level * rule.r
    if rule.form == "share":
        return np.array([rule.N @ spend]), np.array([rule.level * (rule.D @ spend)])
    value = curves.value(spend if effective is None else effective)
    if rule.form == "roi":
        weighted = value if rule.value_weight is None else value * rule.value_weight
        return rule.M @ weighted, rule.level * (rule.M @ spend)
    return np.array([value.sum()]), np.array([rule.level])


def violation(rule: ResolvedRule, curves: Curves, spend: np.ndarray, scale_cny: float,
              effective: np.ndarray | None = None) -> float:
    """Largest breach of the rule at ``spend``, relative: yuan over ``scale_cny``, share points over 1, ROI over the floor."""
    lhs, rhs = rule_terms(rule, curves, spend, effective)
    if rule.sense == "le":
        gap = lhs - rhs
    elif rule.sense == "ge":
        gap = rhs - lhs
    else:
        gap = np.abs(lhs - rhs)
    worst = float(np.max(gap, initial=0.0))
    if worst <= 0:
        return 0.0
    if rule.form == "share":  # measured as excess spend (or traffic) over the total, robust near zero spend
        total = float(np.abs(rule.D) @ np.abs(spend)) if rule.measure != "spend" else float(spend.sum())
        return worst / max(total, scale_cny * 1e-3, 1.0) if rule.measure != "spend" else worst / max(scale_cny, 1.0)
    if rule.form == "roi":
        i = int(np.argmax(gap))
        sp_row = float((rule.M @ spend)[i])
        return worst / (sp_row * max(rule.level, 1e-12)) if sp_row > 0 else worst
    if rule.form == "target":
        return worst / max(rule.level, 1.0)
    return worst / max(scale_cny, 1.0)


def violations(rules, curves: Curves, spend: np.ndarray, scale_cny: float,
               effective: np.ndarray | None = None) -> dict[str, float]:
    """``{rule id: relative violation}`` for every resolved rule."""
    return {r.id: violation(r, curves, spend, scale_cny, effective) for r in rules}
