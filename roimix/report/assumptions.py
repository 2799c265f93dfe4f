"""One assumptions table for every face: the rows a plan's settings (:class:`roimix.settings.PlanSettings`) give,
worded in Chinese or English. The CLI (``roimix plan``), a scenario file (``roimix batch``) and the app render
these rows the same way and add only what is theirs (inputs and their SHA-256, the fit's settings, a campaign's
phases and pacing rules, the app's curve source and channel bounds).

A row is ``(item, value, source)``; ``source(name)`` says where setting ``name`` came from (the command line or
a default, the scenario file, the app's page).
"""

from __future__ import annotations

from collections.abc import Callable

from roimix.settings import BREAK_EVEN, PlanSettings
from roimix.text import percent, t

SETTINGS = ("objective", "budget", "reserve", "target_gmv", "new_product_cap", "new_customer_cap",
            "new_customer_floor", "roi_floor", "roi_floor_per", "margin", "return_rate", "risk")
"""The settings the rows name (``source`` is asked about each)."""


def settings_rows(settings: PlanSettings, lang: str, source: Callable[[str], str]) -> list[tuple[str, str, str]]:
    """Objective, budget and reserve (per day, or over a campaign's days), the GMV target, the caps and floor
    (``off`` when not set), the ROI floor, margin, return rate, the break-even 投产比 they imply, and the risk."""
    s = settings

    def item(key: str, **values) -> str:
        return t(f"optimizer.assume.{key}", lang, **values)

    off = item("off")
    share = lambda v: off if v is None else percent(v, lang)  # noqa: E731
    per_day = s.days == 1
    rows = [(item("objective"), t(f"optimizer.objective.{s.objective}", lang), source("objective"))]
    if s.budget_cny is not None:
        rows.append((item("budget") if per_day else item("budget_total", days=s.days),
                     item(f"budget_{s.sense}", amount=f"{s.budget_cny:,.2f}"), source("budget")))
        rows.append((item("reserve"), item("reserve_value" if per_day else "reserve_value_total",
                                           share=percent(s.reserve_share, lang),
                                           amount=f"{s.budget_cny * s.reserve_share:,.2f}"), source("reserve")))
    else:
        rows.append((item("reserve"), percent(s.reserve_share, lang), source("reserve")))
    if s.target_gmv_cny is not None:
        rows.append((item("target_gmv") if per_day else item("target_gmv_total", days=s.days),
                     f"{s.target_gmv_cny:,.2f}", source("target_gmv")))
    profit_share = s.margin * (1.0 - s.return_rate)
    rows += [
        (item("new_product_cap"), share(s.new_product_cap), source("new_product_cap")),
        (item("new_customer_cap"), share(s.new_customer_cap), source("new_customer_cap")),
        (item("new_customer_floor"), share(s.new_customer_floor), source("new_customer_floor")),
        (item("roi_floor"), _roi_floor(item, s), source("roi_floor")),
        (item("margin"), percent(s.margin, lang), source("margin")),
        (item("return_rate"), percent(s.return_rate, lang), source("return_rate")),
        (item("break_even"), f"{1.0 / profit_share:.2f}" if profit_share > 0 else "–", item("from.margin")),
        (item("risk"), item("risk.mean") if s.risk == "mean" else _cvar(item, s.risk, lang), source("risk")),
    ]
    return rows


def _roi_floor(item, s: PlanSettings) -> str:
    """Off, the floor's ROAS, or break-even with the 投产比 it means; per channel when it holds per channel."""
    if s.roi_floor is None:
        return item("off")
    if s.roi_floor == BREAK_EVEN:
        value = item("roi_floor.break_even", roas=f"{s.break_even_roi:.2f}")
    else:
        value = f"{s.roi_floor:g}"
    return item("roi_floor.per_channel", value=value) if s.roi_floor_per == "channel" else value


def _cvar(item, risk: str, lang: str) -> str:
    level = float(risk.split(":", 1)[1])
    return item("risk.cvar", tail=percent(1.0 - level, lang, 0), level=f"{level:g}")
