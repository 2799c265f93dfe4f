"""Parsing paths tables into integer arrays: ChannelAttribution's parsing rules, duplicates summed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from attribution.paths import canonical_paths, encode_paths
from roimix.text import error_text


def decoded(e):
    return [[e.channels[c] for c in e.steps[a:b]] for a, b in zip(e.offsets[:-1], e.offsets[1:])]


def test_steps_are_trimmed_and_duplicate_paths_summed():
    frame = pd.DataFrame({
        "path": ["b > a", "b>a", "  b >   a ", "c", "a >> c > a"],
        "conversions": [1, 2, 3, 0, 1], "value": [1.0, 2.0, 3.0, 0.0, 5.0], "nulls": [0, 1, 2, 3, 0],
    })
    e = encode_paths(frame)
    assert e.channels == ("a", "b", "c")
    assert list(e.paths) == ["a > c > a", "b > a", "c"]
    assert decoded(e) == [["a", "c", "a"], ["b", "a"], ["c"]]
    np.testing.assert_array_equal(e.conversions, [1, 6, 0])
    np.testing.assert_array_equal(e.value, [5, 6, 0])
    np.testing.assert_array_equal(e.nulls, [0, 3, 3])


def test_channelattribution_column_names_and_defaults():
    e = encode_paths(pd.DataFrame({"path": ["x > y"], "total_conversions": [2], "total_conversion_value": [9.5],
                                   "total_null": [4]}))
    assert (e.conversions[0], e.value[0], e.nulls[0]) == (2, 9.5, 4)
    bare = encode_paths(pd.DataFrame({"path": ["x"], "conversions": [1]}))
    assert (bare.value[0], bare.nulls[0]) == (0, 0)


def test_an_empty_path_is_rejected_with_its_row():
    with pytest.raises(ValueError) as empty:  # spreadsheet rows: the header is row 1
        encode_paths(pd.DataFrame({"path": ["a", "b", " > "], "conversions": [1, 1, 1]}))
    assert error_text(empty.value, "en") == "paths table row 4: empty path ' > '"


def test_canonical_paths_match_the_encoding():
    s = pd.Series(["a>b", " a > b ", "c"], index=[10, 11, 12])
    assert canonical_paths(s).tolist() == ["a > b", "a > b", "c"]
    assert canonical_paths(s).index.tolist() == [10, 11, 12]


def test_data_csv_totals(data_csv):
    e = encode_paths(data_csv)
    assert len(e.channels) == 12
    assert e.conversions.sum() == 19_785 and e.nulls.sum() == 68_602
    assert e.value.sum() == pytest.approx(74_802.97, abs=0.01)
    assert e.n_paths == data_csv["path"].str.replace(" ", "").nunique()
