"""One plan settings model: the CLI, a TOML scenario and the app's what-if make equal settings and scenarios,
and every plan default lives in one place (:mod:`roimix.settings`, its numbers from the optimizer)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

import roimix.commands.plan as plan_cmd
from optimizer.campaign import CampaignBudget, CampaignPlanner, CampaignScenario, DailyRules, Horizon
from optimizer.scenario import Risk
from roimix.app.whatif import WhatIf, settings_of
from roimix.cli import main
from roimix.scenarios.load import load_scenario
from roimix.scenarios.run import plan_settings
from roimix.settings import PlanSettings, SettingsError, campaign_scenario, plan_scenario
from worded_errors import raises_worded

ROOT = Path(__file__).resolve().parents[1]
CURVES = ROOT / "data" / "sample" / "truth_curves.csv"


def _cli_settings(monkeypatch, *options: str) -> tuple[PlanSettings, object]:
    """The settings ``roimix plan`` made from ``options`` and the scenario it solved."""
    seen = {}
    real = plan_cmd.plan_scenario

    def spy(settings, **kw):
        seen["settings"], seen["scenario"] = settings, real(settings, **kw)
        return seen["scenario"]

    monkeypatch.setattr(plan_cmd, "plan_scenario", spy)
    assert main(["plan", "--curves", str(CURVES), "--no-rank-tests", "--lang", "en", *options]) == 0
    return seen["settings"], seen["scenario"]


def _toml_settings(tmp_path: Path, end: str, body: str) -> PlanSettings:
    """The settings a scenario file from 2027-03-02 to ``end`` on the sample curves makes."""
    path = tmp_path / "s.toml"
    path.write_text(f'name = "s"\n[horizon]\nstart = 2027-03-02\nend = {end}\n' + body, encoding="utf-8")
    spec = load_scenario(path)
    horizon = Horizon(spec.horizon.start, spec.horizon.end)
    return plan_settings(spec, pd.read_csv(CURVES), horizon, spec.rules.new_customer_cap)


def _curves_section(margin: str = "") -> str:
    return f'[curves]\nsource = "file"\nfile = "{CURVES.as_posix()}"\n{margin}'


@pytest.mark.parametrize("has_draws", [False, True])
def test_cli_toml_and_whatif_with_the_same_settings_make_equal_settings_and_scenario(monkeypatch, tmp_path, has_draws):
    cli, solved = _cli_settings(monkeypatch, "--objective", "profit", "--budget", "12000", "--margin", "0.4",
                                "--new-product-cap", "0.1", "--new-customer-cap", "0.25", "--roi-floor", "1.5")
    toml = _toml_settings(tmp_path, "2027-03-02", _curves_section("margin = 0.4\n")
                          + '[objective]\nkind = "profit"\n[budget]\ntotal = 12000\n'
                          + "[rules]\nnew_product_cap = 0.1\nnew_customer_cap = 0.25\nroi_floor = 1.5\n")
    app = settings_of(WhatIf(budget=12000.0, objective="profit", margin=0.4, new_product_cap=0.1,
                             new_customer_cap=0.25, roi_floor=1.5), pd.read_csv(CURVES))
    assert cli == toml == app
    assert cli.budget_cny == 12000.0 and cli.margin == 0.4 and cli.roi_floor == 1.5 and cli.new_customer_cap == 0.25
    scenarios = [plan_scenario(s, has_draws=has_draws) for s in (cli, toml, app)]
    assert scenarios[0] == scenarios[1] == scenarios[2]
    assert scenarios[0].objective.risk == (Risk("cvar", 0.9) if has_draws else Risk("mean"))
    assert [r.name for r in scenarios[0].rules] == ["new-product cap", "new-customer cap", "ROI floor"]
    if not has_draws:  # the sample's curves file has no draws: the CLI solved this very scenario
        assert solved == scenarios[0]


def test_a_campaign_from_toml_and_from_the_app_is_the_same(tmp_path):
    days = 5
    toml = _toml_settings(tmp_path, "2027-03-06", _curves_section()
                          + "[budget]\ntotal = 60000\n[rules]\nnew_customer_cap = false\n")
    app = settings_of(WhatIf(budget=12000.0, new_customer_cap=None), pd.read_csv(CURVES), budget=60000.0, days=days)
    assert toml == app and toml.days == days
    assert campaign_scenario(toml, DailyRules()) == campaign_scenario(app, DailyRules())
    assert campaign_scenario(toml, DailyRules()).budget == CampaignBudget(60000.0, "eq")


def test_the_cli_defaults_are_the_settings_defaults(monkeypatch):
    cli, _ = _cli_settings(monkeypatch, "--budget", "12000")
    assert cli == PlanSettings(budget_cny=12000.0)


@pytest.mark.parametrize("field, value, named", [
    ("new_product_cap", 1.5, "new-product-cap"), ("margin", -0.1, "margin"), ("return_rate", 0.99, "return rate"),
    ("reserve_share", 1.0, "reserve"), ("objective", "roas", "objective"), ("days", 0, "days"),
    ("risk", "cvar:2", "risk"), ("risk", 0.9, "risk"), ("roi_floor", "break even-ish", "ROI floor"),
    ("roi_floor", -1.0, "ROI floor"), ("roi_floor_per", "segment", "ROI floor per"),
])
def test_a_bad_setting_is_named(field, value, named):
    with raises_worded(SettingsError, f"^{named}: "):
        PlanSettings(budget_cny=1000.0, **{field: value})


def test_gmv_needs_a_budget_and_min_spend_a_target():
    with raises_worded(SettingsError, "^budget: objective gmv needs a budget"):
        PlanSettings()
    with raises_worded(SettingsError, "^target GMV: "):
        PlanSettings(objective="min_spend")


CHANGED_DEFAULTS = """
import json
from roimix import plan_defaults
plan_defaults.NEW_PRODUCT_CAP = 0.2
plan_defaults.NEW_CUSTOMER_CAP = 0.25
plan_defaults.CVAR_LEVEL = 0.8
plan_defaults.MARGIN = 0.5
from optimizer import Objective, Risk, default_scenario
from optimizer.curves import DEFAULT_MARGIN
from optimizer.campaign import CampaignScenario
from roimix.commands.plan import command
from roimix.scenarios.spec import CurvesSection, RulesSection
from roimix.app.whatif import WhatIf, settings_of
from roimix.app import state
import pandas as pd
cli = {p.name: p.default for p in command.params}
w = WhatIf(budget=1.0)
table = pd.DataFrame({"channel": ["a"], "segment": ["new"]})
print(json.dumps({
    "cli": [cli["new_product_cap"], cli["new_customer_cap"], cli["margin"]],
    "toml": [RulesSection().new_product_cap, RulesSection().new_customer_cap, CurvesSection().margin],
    "app": [w.new_product_cap, w.new_customer_cap, w.margin],
    "app_sliders": [state.NEW_PRODUCT_CAP.default, state.NEW_CUSTOMER_CAP.default, state.MARGIN_PCT.default],
    "risk": [settings_of(w, table).risk, Risk("cvar").level],
    "optimizer": [[r.share for r in default_scenario(1.0).rules],
                  CampaignScenario(None, Objective("profit")).new_product_cap, DEFAULT_MARGIN],
}))
"""


def test_changing_the_one_default_changes_all_three_faces():
    """Each default is read from one place: changed there (before the faces are imported), every face follows."""
    out = subprocess.run([sys.executable, "-c", CHANGED_DEFAULTS], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {"cli": [0.2, 0.25, 0.5], "toml": [0.2, 0.25, 0.5], "app": [0.2, 0.25, 0.5],
                   "app_sliders": [20, 25, 50.0], "risk": ["cvar:0.8", 0.8], "optimizer": [[0.2, 0.25], 0.2, 0.5]}


def test_a_plan_echoes_its_scenario_and_its_finance_tables_take_the_budget_from_it():
    from optimizer import Planner
    from roimix.export import Context, plan_tables

    settings = PlanSettings(budget_cny=12_345.67, reserve_share=0.1, roi_floor=1.2)
    scenario = plan_scenario(settings)
    result = Planner(pd.read_csv(CURVES)).solve(scenario)
    assert result.solved and result.scenario == scenario and result.budget_cny == 12_345.67
    tables = plan_tables(result, Context("s"))  # no budget handed over: the plan's own
    assert tables.totals["budget"] == 12_345.67
    assert tables.totals["reserve"] == 1_234.57  # 10 % held back, to the fen


def test_a_campaign_budget_is_a_total_over_the_horizon():
    """The budget of a daily plan over 3 days is its total: the plan spends it over the days, not each day."""
    planner = CampaignPlanner(pd.read_csv(CURVES), Horizon("2027-03-02", "2027-03-04"))
    setup = CampaignScenario(CampaignBudget(30_000.0, reserve_share=0.1), new_customer_cap=None)
    plan = planner.solve(setup)
    assert plan.result.solved and plan.budget_cny == 30_000.0
    assert plan.daily["spend"].sum() == pytest.approx(27_000.0, rel=1e-6)
    with raises_worded(Exception, "rule 'budget'"):
        CampaignScenario(12_000.0)


@pytest.mark.parametrize("word", ["break-even", "保本", "Break_Even", "breakeven"])
def test_break_even_is_a_roi_floor_word_and_becomes_a_profit_floor(word):
    from optimizer.scenario import RoiFloor

    settings = PlanSettings(budget_cny=1000.0, roi_floor=word, roi_floor_per="channel", margin=0.4, return_rate=0.2)
    assert settings.roi_floor == "break-even"
    assert settings.break_even_roi == pytest.approx(1 / (0.4 * 0.8))
    assert settings.channel_rules() == (RoiFloor("break-even", 1.0, per="channel", measure="profit"),)
    assert PlanSettings(budget_cny=1000.0, roi_floor=2.5).channel_rules() == (RoiFloor("ROI floor", 2.5),)


def test_break_even_per_channel_is_the_same_from_the_cli_a_scenario_file_and_the_app(monkeypatch, tmp_path):
    cli, _ = _cli_settings(monkeypatch, "--budget", "12000", "--budget-mode", "le", "--roi-floor", "保本",
                           "--roi-floor-per", "channel", "--margin", "0.4")
    toml = _toml_settings(tmp_path, "2027-03-02", _curves_section("margin = 0.4\n")
                          + '[budget]\ntotal = 12000\nsense = "le"\n'
                          + '[rules]\nroi_floor = "break-even"\nroi_floor_per = "channel"\n')
    app = settings_of(WhatIf(budget=12000.0, margin=0.4, roi_break_even=True, roi_per_channel=True),
                      pd.read_csv(CURVES))
    app = replace(app, budget_sense="le")  # the app's budget mode is its objective's default
    assert cli == toml == app
    assert cli.roi_floor == "break-even" and cli.roi_floor_per == "channel"


@pytest.mark.parametrize("value", ['"lots"', "-1", "true"])
def test_a_bad_roi_floor_in_a_scenario_file_is_named(tmp_path, value):
    from roimix.errors import ScenarioError

    with raises_worded(ScenarioError, r"rules\.roi_floor must be an incremental ROAS ≥ 0 or \"break-even\""):
        _toml_settings(tmp_path, "2027-03-02", _curves_section() + "[budget]\ntotal = 1000\n"
                       + f"[rules]\nroi_floor = {value}\n")
