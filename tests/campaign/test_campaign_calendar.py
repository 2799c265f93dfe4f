"""Campaign calendars: templates with their dates and labels, self-checking phases, tables in and out."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from optimizer.campaign import (
    REGULAR, TEMPLATES, CalendarError, Campaign, Phase, calendar_frame, calendar_from_frame, template,
)
from worded_errors import raises_worded


@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_have_four_ordered_phases_with_labels_in_both_languages(name):
    campaign = template(name, 2027)
    assert campaign.phase_names == ("preheat", "presale", "peak", "return")
    for before, after in zip(campaign.phases, campaign.phases[1:]):
        assert (after.start - before.end).days == 1  # contiguous, no gaps or overlaps
    peak = campaign.phase("peak")
    assert peak.multiplier > max(p.multiplier for p in campaign.phases if p.name != "peak")
    assert campaign.label("zh") != campaign.label("en") or name == "618"
    assert {p.label("zh") for p in campaign.phases} == {"预热", "预售", "爆发", "返场"}
    assert {p.label("en") for p in campaign.phases} == {"Pre-heat", "Pre-sale", "Peak", "Return"}


def test_template_dates_match_the_sample_and_the_season():
    assert (template("618", 2026).start, template("618", 2026).end) == (date(2026, 5, 20), date(2026, 6, 21))
    d11 = template("double11", 2026)
    assert d11.phase("peak").end == date(2026, 11, 11) and d11.end == date(2026, 11, 13)
    cny = template("nianhuo", 2027)  # Spring Festival 2027-02-06: the festival ends about a week before
    assert cny.end == date(2027, 1, 29) and cny.label("zh") == "年货节"
    assert template("cny", 2027) == cny  # the app's id works too
    with raises_worded(CalendarError, "no Spring Festival date for 2040"):
        template("nianhuo", 2040)


def test_sample_calendar_reads_with_its_true_response_multipliers(sample_dir):
    table = pd.read_csv(sample_dir / "calendar.csv")
    campaign = calendar_from_frame(table)
    assert campaign.name == "618" and campaign.start == date(2026, 5, 20)
    assert {p.name: p.multiplier for p in campaign.phases} == dict(zip(table["phase"], table["response_multiplier"]))


def test_frame_round_trip_keeps_channel_overrides():
    base = template("double11", 2026, multipliers={"peak": 1.8})
    campaign = Campaign(base.name, tuple(
        Phase(p.name, p.start, p.end, p.multiplier, (("douyin_kol", 2.5),) if p.name == "peak" else ())
        for p in base.phases))
    frame = calendar_frame(campaign)
    assert len(frame) == 5 and set(frame.loc[frame["channel"] != "", "channel"]) == {"douyin_kol"}
    again = calendar_from_frame(frame)
    assert again == campaign
    dates = pd.to_datetime(["2026-10-01", "2026-11-10", "2026-11-11"])
    m = again.multipliers(dates, ["ztc", "douyin_kol"])
    np.testing.assert_allclose(m, [[1.0, 1.0], [1.8, 2.5], [1.8, 2.5]])
    assert list(again.phase_of(dates)) == [REGULAR, "peak", "peak"]


@pytest.mark.parametrize("make, message", [
    (lambda: Phase("peak", "2026-06-18", "2026-06-16"), "ends .* before it starts"),
    (lambda: Phase("peak", "2026-06-16", "2026-06-18", -1.0), "multiplier must be a number between 0 and 20"),
    (lambda: Phase("peak", "2026-06-16", "2026-06-18", 1.5, (("ztc", float("nan")),)), "channel ztc"),
    (lambda: Phase("regular", "2026-06-16", "2026-06-18"), "kept for days outside every phase"),
    (lambda: Phase("peak", "18 June", "2026-06-18"), "expected a date"),
    (lambda: Campaign("x", (Phase("a", "2026-06-01", "2026-06-10"), Phase("b", "2026-06-10", "2026-06-12"))),
     "phases a and b overlap"),
    (lambda: Campaign("x", ()), "at least one phase"),
    (lambda: template("618", 2026).with_multipliers({"peek": 2.0}), "no phase 'peek'"),
    (lambda: template("singles", 2026), "no such template"),
])
def test_malformed_calendars_are_rejected_with_their_name(make, message):
    with raises_worded(CalendarError, message):
        make()
