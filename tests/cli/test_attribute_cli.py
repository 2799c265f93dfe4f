"""``roimix attribute``: ChannelAttribution's file as it is, or touchpoints + conversions; CSV out."""

from __future__ import annotations

import re

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

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
    assert {"spend", "roas", "net_return", "cpa"} <= set(credits.columns) and "roi" not in credits.columns
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
    assert main(["attribute", *args, "--out", str(tmp_path / "o.csv"), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert main(["attribute", *args, "--out", str(tmp_path / "o.csv")]) == 2  # Chinese by default, one line
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and re.search(r"[\u4e00-\u9fff]", err), err


def test_a_bad_paths_file_names_row_and_column(tmp_path, capsys):
    bad = tmp_path / "paths.csv"
    bad.write_text("path,conversions\na > b,2\nc,-1\n > ,3\n", encoding="utf-8")
    assert main(["attribute", "--paths", str(bad), "--out", str(tmp_path / "o.csv"), "--lang", "en"]) == 2
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


# --- the paths contract in one Arrow pass (issue 12, speed) -----------------------------------------


def _ca_paths_parquet(shared_datasets, folder):
    """ChannelAttribution's Data.csv as a Parquet paths file with roimix's column names and native types."""
    frame = pd.read_csv(shared_datasets / "channelattribution" / "Data.csv", sep=";").rename(columns={
        "total_conversions": "conversions", "total_conversion_value": "value", "total_null": "nulls"})
    path = folder / "paths.parquet"
    frame.to_parquet(path)
    return path


def test_a_clean_parquet_paths_file_is_read_without_duckdb_and_identically(shared_datasets, tmp_path, monkeypatch):
    from roimix.tables import PATHS, read, read_table

    source = _ca_paths_parquet(shared_datasets, tmp_path)
    def no_duckdb():
        raise AssertionError("the contract check ran in DuckDB")

    with monkeypatch.context() as m:  # the Arrow pass accepts the file: no DuckDB check runs
        m.setattr(read, "_private_connection", no_duckdb)
        fast = read_table(source, PATHS)
    monkeypatch.setattr(read, "_clean_paths_parquet", lambda source, contract: None)
    full = read_table(source, PATHS)  # the DuckDB contract check
    pd.testing.assert_frame_equal(fast, full)
    assert len(full) == 10_000

    # and the whole command writes the same bytes either way
    main(["attribute", "--paths", str(source), "--model", "markov", "--out", str(tmp_path / "full.csv")])
    monkeypatch.undo()
    main(["attribute", "--paths", str(source), "--model", "markov", "--out", str(tmp_path / "fast.csv")])
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "full.csv").read_bytes()


_CELLS = {
    "path": ["a > b", "a", " a > b", "a > b ", "a >  > b", "> a", "a >", "", "  ", "a\t> b", None],
    "conversions": [0, 1, 3, -1, 10**9, None],
    "value": [0.0, 1.5, 3e8, 1e8, float("inf"), float("nan"), -0.5, None],
    "nulls": [0, 2, -3, None],
    "null_window": ["anchored", "full", "Anchored", " full", "other", "", None],
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_arrow_pass_never_accepts_what_the_full_check_rejects(tmp_path, data):
    """Random small paths files, good and bad cells mixed: the Arrow pass either returns exactly what the
    DuckDB check returns or declines (and the full check then reports the problems with row and column)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from roimix.tables import PATHS, TableError, read
    from roimix.tables.read import _load, _private_connection

    n = data.draw(st.integers(0, 6))
    columns = {"path": pa.string(), "conversions": data.draw(st.sampled_from([pa.int64(), pa.int32()])),
               "value": pa.float64(), "nulls": pa.int64()}
    if data.draw(st.booleans()):
        columns["null_window"] = pa.string()
    # a good table (the first two cells of each list are good; value 0 where there are no conversions) ...
    cells = {name: [data.draw(st.sampled_from(_CELLS[name][:2])) for _ in range(n)] for name in columns}
    cells["value"] = [v if c else 0.0 for v, c in zip(cells["value"], cells["conversions"])]
    # ... with up to two cells replaced by any of the listed ones, good or bad
    good = True
    for _ in range(data.draw(st.integers(0, 2)) if n else 0):
        name = data.draw(st.sampled_from(sorted(columns)))
        cells[name][data.draw(st.integers(0, n - 1))] = data.draw(st.sampled_from(_CELLS[name]))
        good = False
    source = tmp_path / f"p{data.draw(st.integers(0, 10**9))}.parquet"
    pq.write_table(pa.table({k: pa.array(v, type=t) for (k, t), v in zip(columns.items(), cells.values())}), source)

    fast = read._clean_paths_parquet(source, PATHS)
    con = _private_connection()
    try:
        typed, out = _load(con, source, PATHS, name=None)
        full = con.execute(f"SELECT {', '.join(out)} FROM {typed} ORDER BY __file, __row").df()
    except TableError:
        assert fast is None
        return
    finally:
        con.close()
    if good:  # a plainly good table takes the fast route (or the speed-up would silently be lost)
        assert fast is not None
    if fast is not None:
        pd.testing.assert_frame_equal(fast, full)


def _fast_and_full(source):
    from roimix.tables import PATHS, TableError, read
    from roimix.tables.read import _load, _private_connection

    fast = read._clean_paths_parquet(source, PATHS)
    con = _private_connection()
    try:
        typed, out = _load(con, source, PATHS, name=None)
        return fast, con.execute(f"SELECT {', '.join(out)} FROM {typed} ORDER BY __file, __row").df()
    except TableError:
        return fast, None
    finally:
        con.close()


@pytest.mark.parametrize("column", sorted(_CELLS))
def test_each_unusual_cell_alone_sends_the_table_to_the_full_check(tmp_path, column):
    """Every listed cell, alone in a good table: the Arrow pass declines, or returns what DuckDB returns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for i, cell in enumerate(_CELLS[column]):
        table = {"path": ["a > b", "b"], "conversions": [1, 2], "value": [0.0, 1.5], "nulls": [0, 2],
                 "null_window": ["full", "full"]}
        table[column][1] = cell
        source = tmp_path / f"{i}.parquet"
        pq.write_table(pa.table(table, schema=pa.schema([("path", pa.string()), ("conversions", pa.int64()),
                                                         ("value", pa.float64()), ("nulls", pa.int64()),
                                                         ("null_window", pa.string())])), source)
        fast, full = _fast_and_full(source)
        if full is None:
            assert fast is None, (column, cell)
        elif fast is not None:
            pd.testing.assert_frame_equal(fast, full)
        if i < 2 and full is not None:  # a good cell in a good table
            assert fast is not None, (column, cell)


def test_attribute_hands_arrow_the_system_allocator(shared_datasets, tmp_path, monkeypatch):
    """mimalloc returns freed pages and faults them in again for every large temporary of the path
    encoding (≈ 1 s of system CPU at 10⁷ journeys, benchmarks/results/attribution.md): the command
    switches Arrow to malloc before it reads."""
    import pyarrow as pa

    pools = []
    monkeypatch.setattr(pa, "set_memory_pool", pools.append)
    source = _ca_paths_parquet(shared_datasets, tmp_path)
    assert main(["attribute", "--paths", str(source), "--model", "markov", "--out", str(tmp_path / "o.csv")]) == 0
    assert [p.backend_name for p in pools] == ["system"]
