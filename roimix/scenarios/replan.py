"""Re-plan the rest of a scenario's campaign (``roimix replan``, the 投放执行 page): the scenario as
:func:`~roimix.scenarios.run.prepare_scenario` makes it (the same curves, calendar, rules and draws as
``roimix batch``), the days before the first remaining day spent as the actuals say,
:func:`optimizer.campaign.replan.replan` for the rest."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from optimizer import RuleError
from optimizer.campaign import Horizon
from roimix.errors import InputError
from roimix.messages import Message

from .run import FitCache, ScenarioRun, prepare_scenario
from .spec import ScenarioSpec


@dataclass(frozen=True)
class ScenarioReplan:
    """The rest of a scenario's campaign re-planned (:func:`optimizer.campaign.replan.replan`): ``run`` is the
    new plan over the remaining days as a scenario run (finance tables, assumptions), ``replan`` the spend so far,
    the remaining budget, the changes and the binding rules; ``original`` says what the changes compare with
    (``scenario``: the scenario's own plan, solved again; ``file``: the plan file given); ``notes`` what the
    re-plan assumed (the library's, then the shell's)."""

    run: ScenarioRun
    replan: object
    first_remaining: pd.Timestamp
    start: pd.Timestamp
    """the campaign's first day"""
    original: str
    notes: tuple[Message, ...]
    original_file: str = ""

    @property
    def spent_days(self) -> int:
        """Days of the campaign before the first remaining day."""
        return (self.first_remaining - self.start).days

    def labels(self, lang: str) -> dict[str, str]:
        """channel → its label in ``lang`` from the scenario's channels table."""
        ch, col = self.run.channels, f"label_{lang}"
        if ch is None or col not in ch.columns:
            return {}
        return {str(c): str(v) for c, v in zip(ch["channel"], ch[col]) if isinstance(v, str) and v}

    def finance(self, lang: str = "en", made_at: str = ""):
        """The new plan's finance tables (the batch's writer) with the spend so far in the summary and two
        sheets more: the changes per channel × segment and the binding rules with their shadow prices
        (:func:`roimix.report.replan.with_replan_sheets`)."""
        from roimix.report.replan import with_replan_sheets

        return with_replan_sheets(self.run.finance(lang, made_at), self.replan, self.first_remaining,
                                  self.original, self.original_file, self.labels(lang), lang)


def replan_scenario(spec: ScenarioSpec, actual: pd.DataFrame, first_remaining=None, cache: FitCache | None = None, *,
                    original: pd.DataFrame | None = None, actual_file: str = "actuals",
                    original_file: str = "") -> ScenarioReplan:
    """Re-plan the rest of ``spec``'s campaign from ``first_remaining`` (default: the day after ``actual``'s last
    day) with the days before it spent as ``actual`` (date, channel, segment, spend; rows in file order) says.
    ``original``: the plan made before (daily rows: date, channel, segment, spend) to compare with; without it the
    scenario's own plan is solved and compared with. An actual row for a channel or segment the curves do not
    have is an :class:`InputError` naming ``actual_file``, its row and column."""
    from optimizer.campaign.replan import replan

    ready = prepare_scenario(spec, cache)
    actual = actual.reset_index(drop=True).assign(date=lambda f: pd.to_datetime(f["date"]).dt.normalize(),
                                                  channel=lambda f: f["channel"].astype(str),
                                                  segment=lambda f: f["segment"].astype(str))
    check_actual_cells(actual, ready.curves, actual_file)
    if first_remaining is None:
        if not len(actual):
            raise InputError(message=Message("plan.err.replan.no_actuals", {"file": actual_file}))
        first_remaining = actual["date"].max() + pd.Timedelta(days=1)
    first = pd.Timestamp(first_remaining).normalize()
    notes = []
    start, end = pd.Timestamp(ready.horizon.start), pd.Timestamp(ready.horizon.end)
    if not start < first <= end:  # before anything is solved (the library says the same)
        raise RuleError(message=Message("plan.err.replan.day", {
            "day": f"{first:%Y-%m-%d}", "start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}))
    for outside, key in ((actual["date"] < start, "plan.note.replan.before_start"),
                         (actual["date"] >= first, "plan.note.replan.after_from")):
        if outside.any():
            days = actual.loc[outside, "date"]
            notes.append(Message(key, {"file": actual_file, "n_rows": int(outside.sum()), "first": f"{days.min():%Y-%m-%d}",
                                       "last": f"{days.max():%Y-%m-%d}", "start": f"{start:%Y-%m-%d}",
                                       "from": f"{first:%Y-%m-%d}"}))
    if original is not None:
        dates = pd.to_datetime(original["date"])
        if dates.min() != start or dates.max() != end:
            raise InputError(message=Message("plan.err.replan.plan_horizon", {
                "file": original_file, "plan_start": f"{dates.min():%Y-%m-%d}", "plan_end": f"{dates.max():%Y-%m-%d}",
                "start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}))
    if original is None:
        planned = ready.planner().solve(ready.setup)
        before, said = (planned if planned.solved else None), "scenario"
    else:
        before, said = original, "file"
    if ready.setup.budget is not None and ready.setup.budget.reserve_share > 0:
        b = ready.setup.budget
        notes.append(Message("plan.note.replan.reserve", {"reserve_share": b.reserve_share,
                                                          "reserve_cny": b.total_cny * b.reserve_share}))
    again = replan(ready.curves, ready.horizon, ready.campaign, ready.setup, actual, first.date(), original=before,
                   **ready.planner_options)
    rest = Horizon(first.date(), ready.horizon.end)
    budget = None if ready.settings.budget_cny is None else round(again.remaining_budget_cny, 2)
    settings = replace(ready.settings, budget_cny=budget, days=rest.n_days)
    run = ready.run(again.plan, horizon=rest, settings=settings)
    return ScenarioReplan(run, again, first, start, said, tuple(again.notes) + tuple(notes),
                          original_file if original is not None else str(spec.file))


def check_actual_cells(actual: pd.DataFrame, curves: pd.DataFrame, file: str) -> None:
    """Every actual row's channel, then its (channel, segment), is one the curves have (the app checks its
    uploads with it too); else an InputError naming
    the first such row as a spreadsheet shows it (header row 1) and its column."""
    channels = list(dict.fromkeys(curves["channel"].astype(str)))
    cells = set(zip(curves["channel"].astype(str), curves["segment"].astype(str)))
    unknown = ~actual["channel"].isin(channels)
    column = "channel"
    if not unknown.any():
        unknown = pd.Series([c not in cells for c in zip(actual["channel"], actual["segment"])], index=actual.index)
        column = "segment"
    if unknown.any():
        first = int(unknown.to_numpy().argmax())
        key = "plan.err.replan.unknown_channel" if column == "channel" else "plan.err.replan.unknown_segment"
        raise InputError(message=Message(key, {
            "file": file, "row": first + 2, "column": column, "channel": actual["channel"].iloc[first],
            "segment": actual["segment"].iloc[first], "n_rows": int(unknown.sum()), "channels": ", ".join(channels)}))
