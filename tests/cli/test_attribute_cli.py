"""``roimix attribute``: ChannelAttribution's file as it is, or touchpoints + conversions; CSV out."""

from __future__ import annotations

import pandas as pd
import pytest

from roimix.cli import main


@pytest.fixture(scope="module")
def market_files(tmp_path_factory):
    from roimix.synthetic import MarketSpec, generate_market

    market = generate_market(MarketSpec(n_users=15_000, seed=5))
    folder = tmp_path_factory.mktemp("market")
    market.touchpoints.to_parquet(folder / "touchpoints.parquet")
    market.conversions.to_csv(folder / "conversions.csv", index=False)
    market.channels.to_csv(folder / "channels.csv", index=False)
    market.spend.to_csv(folder / "spend.csv", index=False)
    return market, folder


def test_channelattribution_paths_file_as_it_is(shared_datasets, tmp_path, capsys):
    out = tmp_path / "credits.csv"
    code = main(["attribute", "--paths", str(shared_datasets / "channelattribution" / "Data.csv"),
                 "--out", str(out), "--lang", "en"])
    assert code == 0, capsys.readouterr().err
    credits = pd.read_csv(out)
    assert list(credits.columns[:5]) == ["model", "channel", "group", "conversions", "value"]
    assert set(credits["model"]) == {"first_touch", "last_touch", "last_non_direct", "linear", "position_based",
                                     "markov_1", "incremental"}
    sums = credits.groupby("model")[["conversions", "value"]].sum()
    assert sums["conversions"].round(6).eq(19_785).all()
    assert (sums["value"] - 74_802.97158721).abs().max() < 1e-6
    shown = capsys.readouterr().out
    assert "Markov, order 1" in shown and "would have happened anyway" in shown


def test_one_model_and_its_order(shared_datasets, tmp_path):
    out = tmp_path / "m2.csv"
    assert main(["attribute", "--paths", str(shared_datasets / "channelattribution" / "Data.csv"),
                 "--model", "markov", "--order", "2", "--out", str(out)]) == 0
    credits = pd.read_csv(out)
    assert set(credits["model"]) == {"markov_2"}
    assert credits["conversions"].sum() == pytest.approx(19_785)
    named = tmp_path / "named.csv"  # the name the output uses works as input too
    assert main(["attribute", "--paths", str(shared_datasets / "channelattribution" / "Data.csv"),
                 "--model", "markov_2", "--out", str(named)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(named), credits)


def test_touchpoints_with_channels_spend_and_daily(market_files, tmp_path, capsys):
    market, folder = market_files
    out, daily = tmp_path / "credits.csv", tmp_path / "daily.csv"
    code = main(["attribute", "-t", str(folder / "touchpoints.parquet"), "-c", str(folder / "conversions.csv"),
                 "--channels", str(folder / "channels.csv"), "--spend", str(folder / "spend.csv"),
                 "--lookback-days", "14", "--out", str(out), "--daily", str(daily)])
    assert code == 0, capsys.readouterr().err
    credits = pd.read_csv(out)
    assert {"spend", "roas", "roi", "cpa"} <= set(credits.columns)
    assert "time_decay" in set(credits["model"])
    sums = credits.groupby("model")["value"].sum()
    assert (sums - market.conversions["value"].sum()).abs().max() < 1e-6
    inc = credits[credits["model"] == "incremental"].set_index("channel")
    assert inc.loc["brand_search", "conversions"] == 0 and inc.loc["(baseline)", "group"] == "baseline"
    ztc = inc.loc["ztc"]
    assert ztc["roas"] == pytest.approx(ztc["value"] / ztc["spend"])
    per_day = pd.read_csv(daily)
    assert {"date", "product_segment", "channel", "conversions", "value", "spend"} <= set(per_day.columns)
    assert per_day.groupby("model")["conversions"].sum().round(6).eq(len(market.conversions)).all()
    assert "条旅程" in capsys.readouterr().out  # Chinese by default


@pytest.mark.parametrize("args, message", [
    (["--paths", "p.csv", "-t", "t.csv", "-c", "c.csv"], "either --paths"),
    (["-t", "t.csv"], "go together"),
    (["--paths", "p.csv", "--model", "time_decay"], "time_decay needs"),
    (["--paths", "p.csv", "--daily", "d.csv"], "--daily needs"),
])
def test_usage_errors_exit_2(tmp_path, capsys, args, message):
    assert main(["attribute", *args, "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_bad_paths_file_names_row_and_column(tmp_path, capsys):
    bad = tmp_path / "paths.csv"
    bad.write_text("path,conversions\na > b,2\nc,-1\n > ,3\n", encoding="utf-8")
    assert main(["attribute", "--paths", str(bad), "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert "row 3" in err and "conversions" in err and "row 4" in err
    assert not (tmp_path / "o.csv").exists()


def test_path_models_from_touchpoints_without_journeys_in_memory(market_files, tmp_path):
    """Without time decay the CLI aggregates paths in DuckDB; the credit equals the journeys route."""
    market, folder = market_files
    args = ["-t", str(folder / "touchpoints.parquet"), "-c", str(folder / "conversions.csv"),
            "--channels", str(folder / "channels.csv")]
    assert main(["attribute", *args, "--model", "incremental", "--out", str(tmp_path / "a.csv"),
                 "--daily", str(tmp_path / "ad.csv")]) == 0
    assert main(["attribute", *args, "--out", str(tmp_path / "b.csv")]) == 0
    a = pd.read_csv(tmp_path / "a.csv")
    b = pd.read_csv(tmp_path / "b.csv")
    b = b[b["model"] == "incremental"].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, rtol=1e-9)
    daily = pd.read_csv(tmp_path / "ad.csv")
    assert daily["conversions"].sum() == pytest.approx(len(market.conversions))
    total = daily.groupby("channel")["conversions"].sum()
    assert total.to_dict() == pytest.approx(a.set_index("channel")["conversions"][lambda s: s != 0].to_dict())


def test_every_model_including_time_decay_runs_without_journeys_in_memory(market_files, tmp_path, monkeypatch):
    """Time decay is computed by the engine too: no step collects journeys or touches (they may be 10⁸ rows)."""
    import attribution.engines
    import attribution.journeys

    def refuse(*args, **kwargs):
        raise AssertionError("journeys collected into memory")

    monkeypatch.setattr(attribution.engines, "build_journeys", refuse)
    monkeypatch.setattr(attribution.journeys, "build_journeys", refuse)
    market, folder = market_files
    out, daily = tmp_path / "all.csv", tmp_path / "all_daily.csv"
    assert main(["attribute", "-t", str(folder / "touchpoints.parquet"), "-c", str(folder / "conversions.csv"),
                 "--half-life-days", "3", "--out", str(out), "--daily", str(daily)]) == 0
    decay = pd.read_csv(out).query("model == 'time_decay'")
    assert decay["conversions"].sum() == pytest.approx(len(market.conversions), rel=1e-12)
    per_day = pd.read_csv(daily).query("model == 'time_decay'")
    assert per_day.groupby("channel")["value"].sum().to_dict() == pytest.approx(
        decay.set_index("channel")["value"][lambda s: s != 0].to_dict(), rel=1e-9)


def test_position_weights_from_the_command_line(tmp_path, capsys):
    """a > b > c converting once: 0.3 first, 0.3 last, 0.4 to b; a one-touch path gives all to its touch."""
    paths = tmp_path / "p.csv"
    paths.write_text("path,conversions,value,nulls\na > b > c,1,10,0\nb,1,5,0\n")
    out = tmp_path / "o.csv"
    assert main(["attribute", "--paths", str(paths), "--model", "position_based", "--position-weights", "0.3,0.3",
                 "--out", str(out)]) == 0
    got = pd.read_csv(out).set_index("channel")
    assert got["conversions"].to_dict() == pytest.approx({"a": 0.3, "b": 1.4, "c": 0.3})
    assert got["value"].to_dict() == pytest.approx({"a": 3.0, "b": 9.0, "c": 3.0})
    assert main(["attribute", "--paths", str(paths), "--position-weights", "0.7,0.7", "--out", str(out)]) == 2
    assert "--position-weights" in capsys.readouterr().err
