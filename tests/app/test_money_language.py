"""One money language: 投产比 = GMV ÷ spend on every page, each one saying whose GMV (平台 / 增量 / 边际 / 归因 / 保本);
in English "ROAS" with its qualifier; the word ROI nowhere. The rule is :func:`app_harness.bare_money_words`."""

from __future__ import annotations

import pytest

from app_harness import PAGES, assert_clean, bare_money_words, goto, page_strings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.parametrize("text, bare", [
    ("计划 ROI 2.31", True), ("ROI（GMV − 花费）÷ 花费", True), ("Planned ROI", True),
    ("投产比 2.0", True), ("计划投产比", True), ("ROAS 2.1", True), ("Planned ROAS", True),
    ("计划增量投产比", False), ("边际投产比 1.2 → 0.9", False), ("保本投产比 = 2.22", False), ("平台投产比", False),
    ("Planned incremental ROAS", False), ("Marginal ROAS", False), ("Attributed ROAS (credited GMV ÷ spend)", False),
    ("marginal_roi", False), ("ROIS", False),
])
def test_the_rule_finds_bare_words_and_passes_qualified_ones(text, bare):
    assert bool(bare_money_words(text)) is bare


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_page_shows_a_bare_roi_or_unqualified_roas(app, lang):
    at = app
    if lang == "en":
        at.sidebar.segmented_control(key="w.lang").set_value("en").run()
    found = {}
    for page in PAGES:
        goto(at, page)
        assert_clean(at)
        hits = [h for s in page_strings(at) for h in bare_money_words(s)]
        if hits:
            found[page] = sorted(set(hits))[:8]
    assert not found, found
