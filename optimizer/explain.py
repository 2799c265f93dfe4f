"""Explanations in money: what each binding rule costs, and how to make an infeasible scenario feasible.

Shadow prices come from :class:`optimizer.problem.RawSolution` as ``gain`` = objective yuan per
unit of loosening of a rule's level. Each rule kind has a natural step (¥1 of budget, one share
point, 0.1× current spend, 0.1 of ROI …) and the message gives ``gain × step``.

For an infeasible scenario, :func:`diagnose` runs a phase-one problem where every rule may relax
(an elastic term per rule, minimised): rules that relax or whose elastic constraint carries a
multiplier are the candidates; each candidate is then made the *only* elastic rule, which gives
the smallest relaxation of that rule alone that restores feasibility; that relaxation is checked
by re-solving the real problem with it. The rules that can fix the scenario alone are the
conflict; if none can, the joint relaxation (every rule that moved) is reported instead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import pandas as pd

from roimix.messages import Message

from .problem import SOLVED, RawSolution
from .rules import RELAXES, ResolvedRule

STEPS = {"cny": 1.0, "share": 0.01, "multiple": 0.1, "roi": 0.1}
"""Natural step of each level unit: ¥1, one share point, 0.1× current spend, 0.1 of ROI."""
LOCK_STEP = 0.01


@dataclass(frozen=True)
class Relaxation:
    """The smallest change of one rule's level that lets a plan exist (with the others as they are)."""

    rule: str
    kind: str
    side: str
    unit: str
    level: float
    relaxed_level: float
    alone: bool
    verified: bool

    @property
    def id(self) -> str:
        return f"{self.rule}:{self.side}" if self.side else self.rule


def step_of(rule: ResolvedRule) -> float:
    return LOCK_STEP if rule.kind == "lock" else STEPS[rule.unit]


def rule_table(rules: tuple[ResolvedRule, ...], raw: RawSolution, violations: dict[str, float],
               objective_scale: float) -> pd.DataFrame:
    """One row per rule: its level, the money one step of loosening is worth, whether it binds."""
    rows = []
    tol = 1e-7 * max(abs(objective_scale), 1.0)
    for r in rules:
        gain = raw.gains.get(r.id, np.nan)
        step = step_of(r)
        per_step = gain * step if np.isfinite(gain) else np.nan
        binding = bool(np.isfinite(per_step) and abs(per_step) > tol)
        if r.kind in ("bounds", "total") and r.side == "lower" and r.level <= 0:
            binding = False  # a zero minimum repeats "spend ≥ 0"; its multiplier is not a price
        rows.append({
            "rule": r.name, "kind": r.kind, "side": r.side, "sense": r.sense, "level": r.level, "unit": r.unit,
            "cells": int(r.cells.sum()), "binding": binding, "gain_per_unit": gain, "step": step,
            "gain_per_step": per_step, "violation": violations.get(r.id, np.nan),
        })
    return pd.DataFrame(rows, columns=["rule", "kind", "side", "sense", "level", "unit", "cells", "binding",
                                       "gain_per_unit", "step", "gain_per_step", "violation"])


def binding_messages(table: pd.DataFrame, objective: str) -> tuple[Message, ...]:
    """Binding rules, the most valuable first, each with its money per step."""
    what = {"gmv": "gmv", "profit": "profit", "min_spend": "spend_saved"}[objective]
    out = []
    if table.empty:
        return ()
    for row in table[table["binding"]].sort_values("gain_per_step", key=abs, ascending=False).itertuples():
        key = _binding_key(row)
        values = {"rule": row.rule, "gain_cny": float(row.gain_per_step), "what": what}
        values.update(_level_values(row.unit, row.level))
        out.append(Message(key, values))
    return tuple(out)


def _binding_key(row) -> str:
    if row.kind in ("budget", "target", "roi", "break_even", "lock", "linear"):
        return f"optimizer.binding.{row.kind}"
    if row.kind == "share":
        return "optimizer.binding.share_cap" if row.sense == "le" else "optimizer.binding.share_floor"
    per = "cell" if row.kind == "bounds" else "total"
    return f"optimizer.binding.{per}_{row.side}_{row.unit}"


def _level_values(unit: str, level: float) -> dict:
    return {{"cny": "level_cny", "share": "level_share", "multiple": "level_x", "roi": "level_roi"}[unit]: float(level)}


# --- infeasibility ------------------------------------------------------------------------------------


def diagnose(
    rules: tuple[ResolvedRule, ...],
    phase_one: Callable[[set[str] | None], RawSolution],
    feasible: Callable[[tuple[ResolvedRule, ...]], bool],
) -> tuple[Relaxation, ...]:
    """The rules in conflict and the smallest relaxation of each (see the module docstring).

    ``phase_one(active)`` solves the elastic problem with only ``active`` rule ids elastic (``None``:
    all); ``feasible(rules)`` solves the real problem with the given levels.
    """
    by_id = {r.id: r for r in rules}
    joint = phase_one(None)
    if joint.status not in SOLVED:
        return ()
    moved = {i for i, lv in joint.elastic.items() if _moved(by_id[i], lv)}
    gains = {i: abs(g) for i, g in joint.gains.items()}
    top = max(gains.values(), default=0.0)
    priced = {i for i, g in gains.items() if top > 0 and g > 1e-6 * top}
    candidates = sorted(moved | priced, key=lambda i: (-gains.get(i, 0.0), i))

    alone: list[Relaxation] = []
    for cid in candidates:
        single = phase_one({cid})
        if single.status not in SOLVED:
            continue
        relaxed = single.elastic[cid]
        rule = by_id[cid]
        if not _moved(rule, relaxed) or not _plausible(rule, relaxed):
            continue
        relaxed, verified = _verify(rules, {cid: relaxed}, feasible)
        alone.append(_relaxation(rule, _clip(rule, relaxed[cid]), True, verified))
    if alone:
        return tuple(alone)

    together = {i: joint.elastic[i] for i in sorted(moved)}
    if not together:
        return ()
    relaxed, verified = _verify(rules, together, feasible)
    return tuple(_relaxation(by_id[i], relaxed[i], False, verified) for i in together)


def _moved(rule: ResolvedRule, relaxed: float) -> bool:
    return abs(relaxed - rule.level) > 1e-7 * max(abs(rule.level), STEPS[rule.unit])


def _plausible(rule: ResolvedRule, relaxed: float) -> bool:
    """A share beyond [0, 1] means the rule alone cannot fix the scenario; a budget cut to (almost)
    nothing satisfies every share rule by spending nothing, which is no plan."""
    if rule.unit == "share":
        return -1e-9 <= relaxed <= 1 + 1e-9
    if rule.kind == "budget":
        return relaxed > 0.01 * rule.level
    return True


def _verify(rules, relaxed: dict[str, float], feasible) -> tuple[dict[str, float], bool]:
    """Nudge the relaxations a little further and check that the real problem then has a plan (a
    relaxation that meets another rule's limit exactly is checked as it is, last)."""
    for nudge in (1e-6, 1e-4, 1e-2, 0.0):
        trial = {}
        for rid, lv in relaxed.items():
            rule = next(r for r in rules if r.id == rid)
            direction = RELAXES[rule.sense] if rule.sense != "eq" else np.sign(lv - rule.level)
            trial[rid] = lv + direction * nudge * max(abs(lv - rule.level), STEPS[rule.unit] * 1e-3)
            trial[rid] = _clip(rule, trial[rid])
        if feasible(tuple(replace(r, level=trial.get(r.id, r.level)) for r in rules)):
            return trial, True
    return relaxed, False


def _clip(rule: ResolvedRule, level: float) -> float:
    """Keep a level inside its domain: shares in [0, 1]; multiples, yuan and ROI ≥ 0 (extra rows as given)."""
    if rule.unit == "share":
        return float(np.clip(level, 0.0, 1.0))
    if rule.kind != "linear":
        return max(float(level), 0.0)
    return float(level)


def _relaxation(rule: ResolvedRule, relaxed: float, alone: bool, verified: bool) -> Relaxation:
    return Relaxation(rule.name, rule.kind, rule.side, rule.unit, float(rule.level), float(relaxed), alone, verified)


def conflict_messages(conflicts: tuple[Relaxation, ...], status: str) -> tuple[Message, ...]:
    """The infeasibility explanation: the rules in conflict and how far each must move."""
    if not conflicts:
        return (Message(f"optimizer.{status}.no_diagnosis"),)
    names = ", ".join(dict.fromkeys(c.rule for c in conflicts))
    head = "optimizer.infeasible.alone" if conflicts[0].alone else "optimizer.infeasible.together"
    out = [Message(head, {"rules": names})]
    for c in conflicts:
        key = f"optimizer.relax.{c.kind}" + (f"_{c.side}" if c.side else "")
        values = {"rule": c.rule, "from_" + _suffix(c.unit): c.level, "to_" + _suffix(c.unit): c.relaxed_level}
        if c.kind == "share":
            key += "_cap" if c.relaxed_level > c.level else "_floor"
        if c.kind in ("bounds", "total"):
            key += f"_{c.unit}"
        if c.kind == "lock" or c.kind == "budget" or c.kind == "linear":
            key += "_up" if c.relaxed_level > c.level else "_down"
        if c.kind in ("bounds", "total") and c.side == "lower" and c.relaxed_level <= 0:
            key = f"optimizer.relax.{c.kind}_lower_drop"
        out.append(Message(key, values))
    return tuple(out)


def _suffix(unit: str) -> str:
    return {"cny": "cny", "share": "share", "multiple": "x", "roi": "roi"}[unit]
