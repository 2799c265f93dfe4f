"""Every string the app shows exists in both languages, with the same fields in each."""

from __future__ import annotations

import re
import string
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from roimix.text import STRINGS

APP = Path(__file__).resolve().parents[2] / "roimix" / "app"
LITERAL_KEY = re.compile(r"""\bt\(\s*["']((?:app|optimizer|campaign|group|segment)\.[^"'{}]+|baseline|no_touch)["']""")


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_literal_key_used_by_the_app_is_defined():
    used = set()
    for path in APP.rglob("*.py"):
        used |= set(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    assert used, "the scan found the app's keys"
    assert not sorted(used - set(STRINGS))


def test_app_strings_have_both_languages_and_the_same_fields():
    app = {k: v for k, v in STRINGS.items() if k.startswith("app.")}
    assert len(app) > 200
    for key, (zh, en) in app.items():
        assert zh.strip() and en.strip(), key
        assert _fields(zh) == _fields(en), key
        assert not re.search(r"[\u4e00-\u9fff]", en), key


def test_dynamic_keys_exist_for_every_choice():
    from roimix.app import campaigns, engine

    for model in engine.MODEL_CHOICES:
        assert f"app.model.{model}" in STRINGS
    for c in campaigns.CAMPAIGNS:
        assert f"campaign.name.{c}" in STRINGS
    for focus in ("none", "weekends", "peak", "weekends+peak"):
        assert f"app.camp.focus.{focus}" in STRINGS
    for source in engine.CURVE_SOURCES:
        assert f"app.cur.source.{source}" in STRINGS and f"app.curves.source_note.{source}" in STRINGS
    for family in ("exp", "mm", "log", "power", "hill"):
        assert f"app.cur.family.{family}" in STRINGS
    for objective in ("gmv", "profit", "min_spend"):
        assert f"app.opt.objective.{objective}" in STRINGS
    for page in ("data", "attribution", "curves", "optimise", "campaign", "scenarios"):
        assert f"app.page.{page}" in STRINGS


@given(st.floats(min_value=1_000, max_value=1e12, allow_nan=False), st.sampled_from(["zh", "en"]))
@example(52_700.0, "zh").via("a value and its bound 1.5 % apart")
@example(53_500.0, "zh")
@example(9_100.0, "en")
@example(999_960.0, "en").via("the unit rolls over")
@example(99_999_999.0, "zh")
def test_compact_money_keeps_three_significant_figures_and_the_right_unit(amount, lang):
    """A plan's value and its bound 1.5 % apart must not print alike; 999,960 is ¥1.00M, not ¥1,000.0K."""
    import re

    from roimix.text import money

    text = money(amount, lang)
    m = re.fullmatch(r"¥([\d,]+(?:\.\d+)?)(万|亿|K|M|B)?", text)
    assert m, text
    value = float(m.group(1).replace(",", "")) * {"万": 1e4, "亿": 1e8, "K": 1e3, "M": 1e6, "B": 1e9, None: 1}[m.group(2)]
    assert abs(value - amount) <= 0.005 * amount, (amount, text)
    if m.group(2):
        limit = 1e4 if m.group(2) == "万" else 1e3
        assert float(m.group(1).replace(",", "")) < limit or m.group(2) in ("亿", "B"), text


def test_problems_from_bad_rows_and_part_folders_are_shown_in_chinese(tmp_path):
    """The table reader's messages (malformed rows, decimal marks, empty folders, globs) have Chinese text in the app."""
    import pytest

    from roimix.text.problems import expected_text
    from roimix.tables import TOUCHPOINTS, TableError, read_table

    bad = tmp_path / "tp.csv"
    bad.write_text("user_id,timestamp,channel\nu1,2026-06-01 10:00:00,ztc\nu2,2026-06-01 11:00:00,ztc,extra\n")
    (tmp_path / "empty").mkdir()
    seen = []
    for source in (bad, tmp_path / "empty", str(tmp_path / "nothing-*.parquet")):
        with pytest.raises(TableError) as err:
            read_table(source, TOUCHPOINTS, name=str(source))
        seen += list(err.value.problems)
    assert len(seen) >= 3
    for problem in seen:  # each carries its key: the app words it, nothing is translated back from English
        assert problem.message is not None, problem
        assert expected_text(problem, "zh") != problem.expected, problem
        assert expected_text(problem, "en") == problem.expected


def test_every_expectation_has_chinese_with_the_same_fields():
    """Each key a table problem can carry (roimix.expected) is worded in Chinese with exactly the fields of
    its English sentence, so a problem's values fill both."""
    import string

    from roimix.expected import EXPECTED
    from roimix.text import STRINGS

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, english in EXPECTED.items():
        zh, en = STRINGS[f"app.expected.{key}"]
        assert en == english and fields(zh) == fields(english), key
