"""Paths know how they were built: tables from ``build_paths`` say their non-converting windows are
anchored at a last touch (column ``null_window``), through a CSV round trip and per-day sums; a table
from elsewhere never is taken as anchored; ``roimix attribute --null-windows`` overrides."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from attribution import IncrementalModel, build_paths, credit_by_day, encode_paths, fit_credit
from attribution.journeys import NULL_WINDOW
from attribution.models import Incremental
from attribution.paths import null_window_of
from roimix.cli import main
from roimix.tables import PATHS, read_table
from roimix.text import error_text

FIXED = Incremental(link="noisy_or", intent=True, targeting=True, interactions=False, recency_decay=0.5)
"""a fixed specification: what changes between runs is only how the windows are read"""


@pytest.fixture(scope="module")
def market():
    from roimix.synthetic import MarketSpec, generate_market

    return generate_market(MarketSpec(n_users=6_000, n_days=30, seed=11))


def test_a_table_from_elsewhere_is_never_taken_as_anchored(shared_datasets, data_csv):
    # ChannelAttribution's example, as shipped and as read by the table contract
    assert encode_paths(data_csv).null_window == "full"
    read = read_table(shared_datasets / "channelattribution" / "Data.csv", PATHS)
    assert NULL_WINDOW not in read.columns and encode_paths(read).null_window == "full"
    model = IncrementalModel(**{k: getattr(FIXED, k) for k in ("link", "intent", "targeting", "interactions",
                                                                  "recency_decay")}).fit(read)
    assert model.null_window_ == "full"
    # only the table's own word (or the user's) makes it anchored
    said = IncrementalModel(recency_decay=0.5, link="noisy_or", intent=True, targeting=True,
                            interactions=False).fit(read.assign(null_window="anchored"))
    assert said.null_window_ == "anchored"
    assert said.coef_.to_dict() != pytest.approx(model.coef_.to_dict(), rel=1e-3)


def test_build_paths_says_anchored_and_a_csv_round_trip_keeps_it(market, tmp_path):
    paths = build_paths(market.touchpoints, market.conversions)
    assert (paths[NULL_WINDOW] == "anchored").all()
    file = tmp_path / "paths.csv"
    paths.to_csv(file, index=False)
    back = read_table(file, PATHS, name="paths.csv")
    assert null_window_of(back) == "anchored" and encode_paths(back).null_window == "anchored"
    fitted = fit_credit(back, FIXED, channels=market.channels)
    assert fitted.detail.null_window_ == "anchored"
    as_full = fit_credit(back.drop(columns=NULL_WINDOW), FIXED, channels=market.channels)
    assert as_full.detail.null_window_ == "full"
    assert abs(fitted.conversions[-1] - as_full.conversions[-1]) > 0.01 * back["conversions"].sum()


def test_per_day_paths_keep_their_anchoring_in_credit_by_day(market):
    """The pipeline's route: paths per (date, segment) summed inside credit_by_day."""
    by_day = build_paths(market.touchpoints, market.conversions, by=("date", "product_segment"))
    daily = credit_by_day(by_day, FIXED, channels=market.channels)
    summed = by_day.groupby("path", as_index=False)[["conversions", "value", "nulls"]].sum()
    anchored = fit_credit(summed.assign(null_window="anchored"), FIXED, channels=market.channels)
    full = fit_credit(summed, FIXED, channels=market.channels)
    got = daily.groupby("channel")["conversions"].sum()
    want = pd.Series(anchored.conversions, index=list(anchored.channels))
    pd.testing.assert_series_equal(got.reindex(want.index).fillna(0.0), want, check_names=False, rtol=1e-9)
    assert abs(got.get("(baseline)", 0.0) - full.conversions[-1]) > 0.01 * summed["conversions"].sum()


def test_a_table_mixing_both_or_saying_something_else_is_refused_with_its_row():
    frame = pd.DataFrame({"path": ["a", "b", "a > b"], "conversions": [1, 0, 2], "nulls": [3, 4, 5],
                          NULL_WINDOW: ["anchored", "anchored", "full"]})
    with pytest.raises(ValueError) as mixed:
        encode_paths(frame)
    assert re.match(r"paths table row 4, column null_window: full after anchored", error_text(mixed.value, "en"))
    with pytest.raises(ValueError) as unknown:
        encode_paths(frame.assign(null_window=["full", "sometimes", "full"]))
    assert error_text(unknown.value, "en") == ("paths table row 3, column null_window: expected anchored or full, "
                                               "got 'sometimes'")


def test_cli_reads_the_table_and_the_option_overrides(market, shared_datasets, tmp_path, capsys):
    file = tmp_path / "paths.csv"
    build_paths(market.touchpoints, market.conversions).to_csv(file, index=False)
    channels = tmp_path / "channels.csv"
    market.channels.to_csv(channels, index=False)
    runs = {}
    for name, extra in (("said", []), ("full", ["--null-windows", "full"])):
        out = tmp_path / f"{name}.csv"
        code = main(["attribute", "--paths", str(file), "--channels", str(channels), "--model", "incremental",
                     "--out", str(out), "--lang", "en", *extra])
        shown = capsys.readouterr()
        assert code == 0, shown.err
        runs[name] = (pd.read_csv(out).set_index("channel")["conversions"], shown.out)
    assert "Non-converting windows: anchored at the user's last touch" in runs["said"][1]
    assert "Non-converting windows: full windows" in runs["full"][1]
    assert "Incremental model specification (chosen by 3-fold held-out log-likelihood" in runs["said"][1]
    assert abs(runs["said"][0]["(baseline)"] - runs["full"][0]["(baseline)"]) > 1.0
    # a file from elsewhere: full, unless the user says otherwise
    data = str(shared_datasets / "channelattribution" / "Data.csv")
    assert main(["attribute", "--paths", data, "--model", "incremental", "--out", str(tmp_path / "d.csv"),
                 "--lang", "en"]) == 0
    assert "Non-converting windows: full windows" in capsys.readouterr().out
    assert main(["attribute", "--paths", data, "--model", "incremental", "--out", str(tmp_path / "d.csv"),
                 "--lang", "en", "--null-windows", "anchored"]) == 0
    assert "Non-converting windows: anchored" in capsys.readouterr().out
    # a mixed file is a usage error naming the row and the column
    mixed = pd.read_csv(file)
    mixed.loc[len(mixed) - 1, NULL_WINDOW] = "full"
    mixed.to_csv(tmp_path / "mixed.csv", index=False)
    assert main(["attribute", "--paths", str(tmp_path / "mixed.csv"), "--model", "incremental",
                 "--out", str(tmp_path / "m.csv"), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert f"row {len(mixed) + 1}, column null_window" in err and "Traceback" not in err
