"""The figure builders, called directly on small tidy tables: colours, languages, units, empty inputs."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from app_harness import bare_money_words
import pytest

from roimix.app import figures

CHANNELS = pd.DataFrame({
    "channel": ["ztc", "xiaohongshu", "my_new_channel", "another"],
    "group": ["paid", "content", "paid", "social"],
    "key_platform": [True, False, False, False],
    "label_zh": ["直通车", "小红书", "新渠道", "另一个"],
    "label_en": ["Zhitongche", "Xiaohongshu", "New channel", "Another"],
})
HAN = re.compile(r"[\u4e00-\u9fff]")


def _strings(fig: go.Figure) -> list[str]:
    """Every piece of text a reader sees: titles, trace names, tick labels, annotations, hover templates."""
    out = [fig.layout.title.text or ""]
    out += [a.text or "" for a in fig.layout.annotations]
    for axis in [k for k in fig.layout if k.startswith(("xaxis", "yaxis"))]:
        out += [str(v) for v in (fig.layout[axis].ticktext or ())]
    for tr in fig.data:
        out.append(tr.name or "")
        out.append(tr.hovertemplate or "")
        if getattr(tr, "labels", None) is not None:
            out += [str(v) for v in tr.labels]
        if getattr(tr, "text", None) is not None and not isinstance(tr.text, str):
            out += [str(v) for v in tr.text]
        if getattr(tr, "x", None) is not None and len(tr.x) and isinstance(tr.x[0], str):
            out += list(tr.x)
    return [s for s in out if s]


def _colour_by_name(fig: go.Figure) -> dict[str, str]:
    out = {}
    for tr in fig.data:
        colour = getattr(tr.marker, "color", None) if hasattr(tr, "marker") else None
        if isinstance(colour, str) and tr.name:
            out[tr.name] = colour
    return out


def daily_table():
    dates = pd.date_range("2026-06-01", periods=5)
    spend = pd.DataFrame({"date": np.repeat(dates, 2), "channel": ["ztc", "xiaohongshu"] * 5,
                          "measure": "spend", "amount": np.arange(10) * 1000.0 + 5000})
    gmv = pd.DataFrame({"date": dates, "channel": "", "measure": "gmv", "amount": [1.2e5, 1.3e5, 1.1e5, 1.6e5, 2.4e5]})
    return pd.concat([spend, gmv], ignore_index=True)


def credit_table():
    rows = []
    for model, shares in (("末次触点", (0.6, 0.1, 0.0)), ("增量模型", (0.2, 0.3, 0.5))):
        for ch, s in zip(["ztc", "xiaohongshu", "(baseline)"], shares):
            rows.append({"model": model, "channel": ch, "conversions": 1000 * s, "value": 2.5e5 * s})
    return pd.DataFrame(rows)


def bands_and_marks():
    grid = np.linspace(0, 30000, 31)
    bands = pd.concat([
        pd.DataFrame({"channel": ch, "spend": grid, "value": a * (1 - np.exp(-grid / b)),
                      "low": 0.8 * a * (1 - np.exp(-grid / b)), "high": 1.2 * a * (1 - np.exp(-grid / b))})
        for ch, a, b in (("ztc", 50000, 8000), ("xiaohongshu", 30000, 12000))
    ], ignore_index=True)
    marks = pd.DataFrame({"channel": ["ztc", "xiaohongshu"], "current_spend": [10000.0, 6000.0],
                          "current_value": [35000.0, 12000.0], "planned_spend": [8000.0, 9000.0],
                          "planned_value": [31000.0, 16000.0]})
    return bands, marks


def all_figures(lang: str) -> dict[str, go.Figure]:
    bands, marks = bands_and_marks()
    plan = pd.DataFrame({"channel": ["ztc", "xiaohongshu", "my_new_channel"], "current_spend": [1e4, 6e3, 2e3],
                         "planned_spend": [8e3, 9e3, 1e3]})
    sweep = pd.DataFrame({"budget": [1e4, 2e4, 3e4], "gmv": [5e4, 8e4, 9.5e4], "roi": [5.0, 4.0, 3.2],
                          "marginal_roi": [3.5, 2.0, 1.1], "feasible": [True, True, True],
                          "gmv_p10": [4e4, 6.5e4, 7.5e4], "gmv_p90": [6e4, 9.6e4, 11.5e4]})
    roi = pd.DataFrame({"channel": ["ztc", "xiaohongshu"], "spend": [1e5, 5e4], "conversions": [800, 500],
                        "value": [2.4e5, 1.5e5], "roas": [2.4, 3.0], "net_return": [1.4, 2.0], "cpa": [125.0, 100.0]})
    daily = pd.DataFrame({"date": np.repeat(pd.date_range("2026-06-10", periods=6), 2), "channel": ["ztc", "another"] * 6,
                          "spend": np.linspace(1e4, 4e4, 12)})
    phases = pd.DataFrame({"label": ["预热" if lang == "zh" else "Pre-heat", "爆发" if lang == "zh" else "Peak"],
                           "start": pd.to_datetime(["2026-06-10", "2026-06-13"]),
                           "end": pd.to_datetime(["2026-06-12", "2026-06-15"])})
    summary = pd.DataFrame({"scenario": ["A", "B"], "spend": [1e4, 1.2e4], "gmv": [5e4, 5.5e4], "roi": [5.0, 4.6]})
    credit = credit_table()
    return {
        "daily_overview": figures.daily_overview(daily_table(), CHANNELS, lang),
        "attribution_shares": figures.attribution_shares(credit, CHANNELS, lang),
        "roi_bars": figures.roi_bars(roi, CHANNELS, lang, metric="roas"),
        "roi_bars_cpa": figures.roi_bars(roi, CHANNELS, lang, metric="cpa"),
        "baseline_split": figures.baseline_split(credit[credit["model"] == "增量模型"], CHANNELS, lang),
        "response_curves": figures.response_curves(bands, marks, CHANNELS, lang),
        "allocation": figures.allocation(plan, CHANNELS, lang),
        "budget_sweep": figures.budget_sweep(sweep, lang, current_budget=1.5e4, chosen_budget=2e4),
        "daily_plan": figures.daily_plan(daily, phases, CHANNELS, lang),
        "scenario_compare": figures.scenario_compare(summary, lang),
        "platform_vs_incremental": figures.platform_vs_incremental(platform_table(), CHANNELS, lang),
    }


def platform_table():
    return pd.DataFrame({"channel": ["ztc", "xiaohongshu"], "platform_roas": [6.0, 2.5],
                         "incremental_roas": [1.8, 2.1], "incremental_roas_low": [1.2, 0.9],
                         "incremental_roas_high": [2.5, 3.4]})


def test_platform_figure_puts_each_channels_two_roas_on_its_row_with_the_band_around_the_incremental():
    fig = figures.platform_vs_incremental(platform_table(), CHANNELS, "en")
    platform, incremental = fig.data
    assert list(platform.y) == list(incremental.y) == ["Xiaohongshu", "Zhitongche"]  # by platform ROAS, low first
    assert list(platform.x) == [2.5, 6.0] and list(incremental.x) == [2.1, 1.8]
    np.testing.assert_allclose(np.asarray(incremental.x) + incremental.error_x.array, [3.4, 2.5])
    np.testing.assert_allclose(np.asarray(incremental.x) - incremental.error_x.arrayminus, [0.9, 1.2])
    colours = figures.channel_colours(CHANNELS)
    assert list(incremental.marker.color) == [colours["xiaohongshu"], colours["ztc"]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_figure_builds_and_speaks_one_language(lang):
    for name, fig in all_figures(lang).items():
        assert isinstance(fig, go.Figure), name
        fig.to_plotly_json()  # serialisable as sent to the browser
        text = _strings(fig)
        assert text, name
        assert not [hit for s in text for hit in bare_money_words(s)], name  # 投产比 / ROAS with its qualifier
        if lang == "en":
            assert not [s for s in text if HAN.search(s)], (name, [s for s in text if HAN.search(s)])
        else:
            assert any(HAN.search(s) for s in text), name


def test_money_axes_use_wan_in_chinese_and_k_in_english():
    zh, en = all_figures("zh")["budget_sweep"], all_figures("en")["budget_sweep"]
    zh_ticks = [str(v) for v in zh.layout.yaxis.ticktext]
    en_ticks = [str(v) for v in en.layout.yaxis.ticktext]
    assert any("万" in s for s in zh_ticks) and not any("K" in s for s in zh_ticks)
    assert any("K" in s for s in en_ticks) and not any("万" in s for s in en_ticks)
    assert all(s.startswith("¥") for s in zh_ticks + en_ticks)


def test_each_channel_keeps_one_colour_across_figures_and_languages():
    colours = figures.channel_colours(CHANNELS)
    assert len({colours[c] for c in CHANNELS["channel"]}) == len(CHANNELS), "distinct colours"
    assert colours["ztc"] == figures.KNOWN_COLOURS["ztc"]
    # an unknown channel's colour does not depend on which other unknown channels exist after it
    more = pd.concat([CHANNELS, CHANNELS.head(1).assign(channel="zzz_last")], ignore_index=True)
    assert figures.channel_colours(more)["my_new_channel"] == colours["my_new_channel"]
    for lang in ("zh", "en"):
        names = figures.labels(CHANNELS, lang)
        for fig_name in ("daily_overview", "attribution_shares", "daily_plan"):
            seen = _colour_by_name(all_figures(lang)[fig_name])
            for ch in ("ztc", "xiaohongshu", "another"):
                if names[ch] in seen:
                    assert seen[names[ch]] == colours[ch], (fig_name, ch)
    alloc = all_figures("zh")["allocation"]
    planned = [tr for tr in alloc.data if tr.name == "计划"][0]
    assert list(planned.marker.color) == [colours["ztc"], colours["xiaohongshu"], colours["my_new_channel"]]


def test_attribution_shares_add_up_to_one_per_model_and_put_the_baseline_last():
    fig = figures.attribution_shares(credit_table(), CHANNELS, "zh")
    totals = np.sum([np.asarray(tr.x, dtype=float) for tr in fig.data], axis=0)
    assert np.allclose(totals, 1.0)
    assert fig.data[-1].name == "自然成交（基线）"


def test_curves_draw_bands_only_when_uncertainty_is_known():
    bands, marks = bands_and_marks()
    with_band = figures.response_curves(bands, marks, CHANNELS, "en")
    assert any(getattr(tr, "fill", None) == "tonexty" for tr in with_band.data)
    flat = bands.assign(low=bands["value"], high=bands["value"])
    without = figures.response_curves(flat, marks.assign(planned_spend=np.nan), CHANNELS, "en")
    assert not any(getattr(tr, "fill", None) == "tonexty" for tr in without.data)
    assert not any(tr.name == "Planned" for tr in without.data)


@pytest.mark.parametrize("builder", [
    lambda: figures.attribution_shares(credit_table().head(0), CHANNELS, "en"),
    lambda: figures.response_curves(bands_and_marks()[0].head(0), bands_and_marks()[1], CHANNELS, "en"),
    lambda: figures.budget_sweep(pd.DataFrame({"budget": [1.0], "gmv": [np.nan], "roi": [np.nan],
                                               "marginal_roi": [np.nan], "feasible": [False]}), "en"),
    lambda: figures.daily_plan(pd.DataFrame(columns=["date", "channel", "spend"]), pd.DataFrame(columns=["label", "start", "end"]),
                               CHANNELS, "en"),
    lambda: figures.scenario_compare(pd.DataFrame(columns=["scenario", "spend", "gmv", "roi"]), "en"),
])
def test_empty_inputs_give_a_message_not_an_error(builder):
    fig = builder()
    assert fig.layout.annotations and fig.layout.annotations[0].text


def test_nice_ticks_cover_the_range_with_round_steps():
    ticks = figures.nice_ticks(0, 87_000)
    assert ticks[0] <= 0 and ticks[-1] >= 87_000 * 0.8
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0]) and steps[0] in (10_000, 20_000, 25_000)


def test_the_budget_sweep_draws_the_gmv_band_when_the_sweep_has_one():
    sweep = pd.DataFrame({"budget": [1e4, 2e4, 3e4], "gmv": [5e4, 8e4, 9.5e4], "roi": [5.0, 4.0, 3.2],
                          "marginal_roi": [3.5, 2.0, 1.1], "feasible": [True, True, True],
                          "gmv_p10": [4e4, 6.5e4, 7.5e4], "gmv_p90": [6e4, 9.6e4, 11.5e4]})
    fig = figures.budget_sweep(sweep, "zh")
    bands = [tr for tr in fig.data if tr.fill == "toself"]
    assert len(bands) == 1 and bands[0].yaxis == fig.data[1].yaxis  # in the GMV panel
    assert list(bands[0].y) == [6e4, 9.6e4, 11.5e4, 7.5e4, 6.5e4, 4e4]
    assert max(fig.layout.yaxis.tickvals) >= 1e5  # the axis reaches the band's top, not only the estimate's
    plain = figures.budget_sweep(sweep.drop(columns=["gmv_p10", "gmv_p90"]), "zh")
    assert not [tr for tr in plain.data if tr.fill == "toself"]
