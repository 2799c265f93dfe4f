"""Aggregate mode's input problems reach the app's problems table in the reader's language: every problem
``roimix.aggregate`` raises for an outcome table and spend against it has a Chinese wording (none is shown in
English inside a Chinese page)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from roimix.aggregate import check_aggregate_inputs
from roimix.tables import TableError
from roimix.text.problems import expected_text

HAN = re.compile(r"[\u4e00-\u9fff]")


def _days(start: str, n: int, step: int = 1) -> list[str]:
    return list(pd.date_range(start, periods=n, freq=f"{step}D").strftime("%Y-%m-%d"))


def _spend(dates, segment=None):
    frame = pd.DataFrame({"date": dates, "channel": "ztc", "spend": 100.0})
    return frame if segment is None else frame.assign(segment=segment)


def _outcome(dates, segment=None):
    frame = pd.DataFrame({"date": dates, "value": 1000.0})
    return frame if segment is None else frame.assign(segment=segment)


CASES = {
    "missing days": (_spend(_days("2025-01-06", 60)), _outcome(_days("2025-01-06", 60)).drop(index=[10, 11])),
    "missing weeks": (_spend(_days("2025-01-06", 40, 7)), _outcome(_days("2025-01-06", 40, 7)).drop(index=[5])),
    "too few days": (_spend(_days("2025-01-06", 10)), _outcome(_days("2025-01-06", 10))),
    "too few weeks": (_spend(_days("2025-01-06", 8, 7)), _outcome(_days("2025-01-06", 8, 7))),
    "segment": (_spend(_days("2025-01-06", 40), "new"), _outcome(_days("2025-01-06", 40), "existing")),
    "no overlap": (_spend(_days("2024-01-06", 40)), _outcome(_days("2025-01-06", 40))),
    "weekly spend, daily GMV": (_spend(_days("2025-01-06", 30, 7)), _outcome(_days("2025-01-06", 200))),
    "weekday": (_spend(_days("2025-01-07", 30, 7)), _outcome(_days("2025-01-06", 30, 7))),
    "one date": (_spend(_days("2025-01-06", 40)), _outcome(["2025-01-06"])),
    "ten days apart": (_spend(_days("2025-01-06", 40)), _outcome(_days("2025-01-06", 30, 10))),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_aggregate_input_problem_is_worded_in_chinese(case, tmp_path):
    spend, outcome = CASES[case]
    spend.to_csv(tmp_path / "spend.csv", index=False)
    outcome.to_csv(tmp_path / "gmv.csv", index=False)
    with pytest.raises(TableError) as err:
        check_aggregate_inputs(tmp_path / "spend.csv", tmp_path / "gmv.csv")
    for problem in err.value.problems:
        assert problem.message is not None, (case, problem)  # a key and values, never English to translate back
        zh = expected_text(problem, "zh")
        assert HAN.search(zh) and zh != problem.expected, (case, problem.expected)
        assert expected_text(problem, "en") == problem.expected, (case, problem.expected)
