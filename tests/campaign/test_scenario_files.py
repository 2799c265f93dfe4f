"""Scenario files: the shipped examples load; every value can be overridden; a broken file is one line naming
the key and the file (with the closest valid key)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from roimix.errors import ScenarioError
from roimix.scenarios import load_scenario, run_scenario
from roimix.text import error_text
from worded_errors import raises_worded


MINIMAL = """
name = "mini"
[curves]
source = "file"
file = "{curves}"
[budget]
total = 300000
[calendar]
template = "618"
year = 2026
"""


@pytest.fixture
def mini(tmp_path, sample_dir):
    path = tmp_path / "mini.toml"
    path.write_text(MINIMAL.format(curves=(sample_dir / "truth_curves.csv").as_posix()), encoding="utf-8")
    return path


def test_shipped_examples_load_with_paths_relative_to_the_file(scenarios_dir, sample_dir):
    for name in ("618.toml", "double11.toml"):
        spec = load_scenario(scenarios_dir / name)
        assert spec.data.spend == (sample_dir / "spend.csv").resolve() and spec.data.spend.is_file()
        assert spec.curves.source == "fit" and spec.budget.total > 0
    assert load_scenario(scenarios_dir / "618.toml").calendar.estimate
    assert dict(load_scenario(scenarios_dir / "double11.toml").calendar.multipliers)["peak"] == 1.7


def test_every_value_can_be_overridden(mini):
    spec = load_scenario(mini, ["budget.total=450000", "horizon.start=2026-05-01", "rules.per_phase=true",
                                "calendar.multipliers.peak=1.8", 'rules.locks=["wechat_group"]', "name=other",
                                "rules.new_product_cap=false", 'rules.non_key_focus="weekends"',
                                "rules.non_key_offday_share=0.5"])
    assert spec.budget.total == 450_000 and spec.horizon.start == date(2026, 5, 1) and spec.rules.per_phase
    assert dict(spec.calendar.multipliers) == {"peak": 1.8} and spec.rules.locks == ("wechat_group",)
    assert spec.name == "other" and spec.rules.new_product_cap is None and spec.rules.non_key_focus == "weekends"
    run = run_scenario(spec)
    assert run.campaign.phase("peak").multiplier == 1.8
    assert run.plan.solved and run.plan.spend_cny == pytest.approx(450_000, rel=1e-7)
    assert run.plan.days["date"].min().date() == date(2026, 5, 1)
    assert ("Overrides", "; ".join(spec.overrides), "command line") in run.assumptions("en")
    assert ("覆盖设置", "; ".join(spec.overrides), "命令行") in run.assumptions("zh")


@pytest.mark.parametrize("edit, message", [
    (("[budget]\ntotal", "[budget]\ntotl"), "mini.toml: unknown key 'budget.totl' (did you mean 'budget.total'?)"),
    (("[calendar]", "[calender]"), "mini.toml: unknown key 'calender' (did you mean 'calendar'?)"),
    (("year = 2026", "year = 2026\nestimate = \"yes\""), "mini.toml: calendar.estimate must be true or false, got 'yes'"),
    (("total = 300000", "total = -5"), "mini.toml: budget.total must be ≥ 0, got -5"),
    (("template = \"618\"", "template = \"619\""), "mini.toml: calendar.template must be one of"),
    (("[budget]", "[rules]\nnew_product_cap = 1.5\n[budget]"), "rules.new_product_cap must be between 0 and 1 or false"),
    (("[budget]", "[[rules.bounds]]\nchanels = [\"ztc\"]\nupper = 2\n[budget]"),
     "unknown key 'rules.bounds[0].chanels' (did you mean 'rules.bounds[0].channels'?)"),
    (("[budget]", "[budget"), "mini.toml: not valid TOML"),
])
def test_a_broken_file_is_one_line_naming_the_key_and_the_file(mini, edit, message):
    text = mini.read_text(encoding="utf-8")
    assert edit[0] in text
    mini.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(mini)
    en, zh = error_text(caught.value, "en"), error_text(caught.value, "zh")
    assert message in en
    assert "\n" not in en and "\n" not in zh
    assert "mini.toml" in zh and re.search(r"[\u4e00-\u9fff]", zh), zh  # the same place, in Chinese


@pytest.mark.parametrize("override, message", [
    ("budget.totl=5", "--set budget.totl=5: unknown key 'budget.totl' (did you mean 'budget.total'?)"),
    ("budgt.total=5", "unknown key 'budgt' (did you mean 'budget'?)"),
    ("budget.total", "expected section.key=value"),
])
def test_a_bad_override_names_its_flag(mini, override, message):
    with raises_worded(ScenarioError, message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        load_scenario(mini, [override])


def test_run_errors_name_the_key(mini, tmp_path):
    with raises_worded(ScenarioError, r"rules.locks: no channel nope in the curves"):
        run_scenario(load_scenario(mini, ['rules.locks=["nope"]']))
    with raises_worded(ScenarioError, r"curves.file: no such file"):
        run_scenario(load_scenario(mini, [f'curves.file="{(tmp_path / "missing.csv").as_posix()}"']))
    with raises_worded(ScenarioError, r"calendar.estimate: estimating multipliers needs fitted curves"):
        run_scenario(load_scenario(mini, ["calendar.estimate=true"]))
