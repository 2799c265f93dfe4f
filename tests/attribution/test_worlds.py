"""The small zoo of independent worlds (benchmarks/worlds): their truth is right, their paths are
what they say, and the default model's score on each is recorded (issue 13).

Truth checks are independent of the code they check: Shapley values against every ordering
(brute force), a world's truth recomputed from its paths text and its stated formula, the Markov
chain's horizon formula against the absorbing-chain solve, expectations against realised counts.
"""

from __future__ import annotations

import itertools
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # benchmarks/ is not installed: import it from the checkout
    sys.path.insert(0, str(ROOT))

from benchmarks.worlds import DEV_SEEDS, EVAL_SEEDS, WORLDS, generate, harness  # noqa: E402
from benchmarks.worlds import markov_chain, no_effect, shao_li  # noqa: E402
from benchmarks.worlds.common import NO_TOUCH, SEPARATOR, shapley_from_subsets, subset_masks  # noqa: E402

SMALL = 20_000
SEED = DEV_SEEDS[0]
EXPECTATION_WORLDS = [w for w in WORLDS if w != "ecommerce"]  # ecommerce's truth is realised causes


@pytest.fixture(scope="module")
def zoo() -> dict:
    return {name: generate(name, SMALL, SEED) for name in WORLDS}


def brute_force_shapley(v, players: list[int]) -> dict[int, float]:
    """Average marginal contribution over every ordering of the players."""
    phi = dict.fromkeys(players, 0.0)
    orders = list(itertools.permutations(players))
    for order in orders:
        before: frozenset = frozenset()
        for p in order:
            phi[p] += v(before | {p}) - v(before)
            before = before | {p}
    return {p: x / len(orders) for p, x in phi.items()}


# --- Shapley ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_shapley_from_subsets_equals_every_ordering(k):
    rng = np.random.default_rng(k)
    values = rng.normal(size=(5, 1 << k))
    got = shapley_from_subsets(values)
    for row in range(5):
        want = brute_force_shapley(lambda s: values[row, sum(1 << j for j in s)], list(range(k)))
        assert got[row] == pytest.approx([want[j] for j in range(k)], abs=1e-12)


def test_shapley_of_an_additive_game_is_its_terms_and_sums_to_the_grand_coalition():
    a = np.array([0.3, -0.1, 0.7])
    values = (subset_masks(3) @ a)[None, :]
    assert shapley_from_subsets(values)[0] == pytest.approx(a, abs=1e-12)
    rng = np.random.default_rng(0)
    games = rng.normal(size=(4, 8))
    games[:, 0] = 0
    assert shapley_from_subsets(games).sum(axis=1) == pytest.approx(games[:, -1], abs=1e-12)


def test_shapley_rejects_a_table_that_is_not_every_subset():
    with pytest.raises(ValueError, match="2\\^k"):
        shapley_from_subsets(np.zeros((1, 6)))


# --- truths ------------------------------------------------------------------------------------------


def test_logistic_world_truth_recomputed_from_its_paths_and_formula():
    """shao_li_simple: p depends only on touch counts, so the paths text and the stated formula give
    every user's game; brute-force Shapley over the touched channels, summed over users."""
    world = generate("shao_li_simple", 3000, SEED)
    idx = {c: i for i, c in enumerate(shao_li.CREDITED)}
    total = dict.fromkeys(shao_li.CREDITED, 0.0)
    base = 0.0
    for path, conv, null in world.paths[["path", "total_conversions", "total_null"]].itertuples(index=False):
        users = conv + null
        counts = np.zeros(len(idx))
        for step in ([] if path == NO_TOUCH else path.split(SEPARATOR)):
            if step in idx:
                counts[idx[step]] += 1
        effect = shao_li.BETA * (1 - shao_li.RHO ** counts) / (1 - shao_li.RHO)

        def p(s):
            return 1 / (1 + math.exp(-(shao_li.INTERCEPT + sum(effect[j] for j in s))))

        touched = [j for j in range(len(idx)) if counts[j] > 0]
        base += users * p(())
        for j, phi in brute_force_shapley(lambda s: p(s) - p(()), touched).items():
            total[shao_li.CREDITED[j]] += users * phi
    assert world.true_baseline == pytest.approx(base, rel=1e-9)
    assert [world.true_conversions[c] for c in shao_li.CREDITED] == pytest.approx(
        [total[c] for c in shao_li.CREDITED], rel=1e-9)


def test_markov_chain_horizon_formula_agrees_with_the_absorbing_chain_solve():
    """P(conversion) by the fundamental matrix (Anderl et al.), for every set of removed channels."""
    n = len(markov_chain.START)
    for keep_credited in subset_masks(len(markov_chain.CREDITED)):
        keep = np.append(keep_credited, True).astype(float)
        q = (1 - markov_chain.CONVERT - markov_chain.NULL)[:, None] * markov_chain.NEXT * keep[None, :]
        absorbed = np.linalg.solve(np.eye(n) - q, markov_chain.CONVERT)
        assert markov_chain.conversion_probability(keep.astype(bool)) == pytest.approx(
            (markov_chain.START * keep) @ absorbed, abs=1e-9)


def test_markov_chain_removal_effects_are_the_stated_ratios():
    _, _, removal = markov_chain.truth(1)
    full = markov_chain.conversion_probability(np.ones(6, dtype=bool))
    raw = []
    for j in range(len(markov_chain.CREDITED)):
        keep = np.ones(6, dtype=bool)
        keep[j] = False
        raw.append(1 - markov_chain.conversion_probability(keep) / full)
    assert list(removal.values()) == pytest.approx(list(np.array(raw) / sum(raw)), rel=1e-12)


@pytest.mark.parametrize("name", EXPECTATION_WORLDS)
def test_expected_conversions_match_the_realised_ones(zoo, name):
    """The truth's p(S) is the probability the generator draws from: the realised conversions lie
    within 4.5 binomial standard deviations of their expectation."""
    world = zoo[name]
    expected = world.true_baseline + sum(world.true_conversions.values())
    assert abs(world.n_conversions - expected) <= 4.5 * math.sqrt(expected)


def test_no_effect_world_truth_is_all_baseline(zoo):
    world = zoo["no_effect"]
    assert world.baseline_share == 1.0
    assert world.truth_share == {}
    assert set(world.true_conversions) == set(no_effect.CREDITED)
    assert world.true_baseline == pytest.approx(SMALL * no_effect.P_CONVERT)


@pytest.mark.parametrize("name", [w for w in WORLDS if w != "no_effect"])
def test_truth_shares_sum_to_one_and_organic_channels_get_none(zoo, name):
    world = zoo[name]
    shares = world.truth_share
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-12)
    assert not set(shares) & set(world.organic)
    assert 0.0 <= world.baseline_share < 1.0


# --- paths ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXPECTATION_WORLDS)
def test_paths_hold_every_user_once_in_channelattribution_format(zoo, name):
    world = zoo[name]
    p = world.paths
    assert list(p.columns) == ["path", "total_conversions", "total_conversion_value", "total_null"]
    assert p["path"].is_unique
    assert (p[["total_conversions", "total_null"]] >= 0).all().all()
    assert int(p["total_conversions"].sum() + p["total_null"].sum()) == SMALL
    steps = {s for path in p["path"] if path != NO_TOUCH for s in path.split(SEPARATOR)}
    assert steps <= set(world.channels["channel"])


def test_non_converting_paths_hold_the_whole_window():
    """no_effect: touches are independent of conversion, so a non-converting path has all the
    window's touches (Σ rates) and a converting one, cut at a uniform conversion time, half."""
    world = generate("no_effect", 100_000, SEED)
    p = world.paths
    length = np.array([0 if s == NO_TOUCH else len(s.split(SEPARATOR)) for s in p["path"]])
    rate = no_effect.RATE.sum()
    nulls = p["total_null"].to_numpy()
    conv = p["total_conversions"].to_numpy()
    mean_null = (length * nulls).sum() / nulls.sum()
    mean_conv = (length * conv).sum() / conv.sum()
    assert mean_null == pytest.approx(rate, abs=4.5 * math.sqrt(rate / nulls.sum()))
    assert mean_conv == pytest.approx(rate / 2, abs=4.5 * math.sqrt(rate / conv.sum() * 1.5))


def test_dev_and_eval_seeds_are_disjoint():
    assert not set(DEV_SEEDS) & set(EVAL_SEEDS)


def test_unknown_world_is_named():
    with pytest.raises(ValueError, match="unknown world 'nope'"):
        generate("nope", 10, 1)


# --- harness --------------------------------------------------------------------------------------------


def test_share_error_is_zero_on_the_truth_and_counts_credit_to_organic_channels(zoo):
    world = zoo["shao_li_confounded"]
    truth = world.truth_share
    assert harness.score("truth", truth, world).share_error == pytest.approx(0.0, abs=1e-12)
    with_direct = {**{c: 0.9 * v for c, v in truth.items()}, "direct": 0.1}
    assert harness.score("d", with_direct, world).share_error == pytest.approx(0.2)
    assert harness.score("all baseline", {harness.BASELINE: 5.0}, world).share_error == pytest.approx(1.0)
    scored = harness.score("b", {**truth, harness.BASELINE: 3.0}, world)
    assert scored.baseline_share == pytest.approx(3.0 / 4.0)
    assert sum(scored.shares.values()) == pytest.approx(1.0)


credits = st.dictionaries(st.sampled_from(["a", "b", "c", "direct", harness.BASELINE, NO_TOUCH]),
                          st.floats(-5, 100, allow_nan=False), min_size=1)


@settings(max_examples=200, deadline=None)
@given(credits, credits)
def test_shares_sum_to_one_and_share_error_is_a_distance_between_0_and_2(a, b):
    sa, base_a = harness.shares_of(a)
    sb, _ = harness.shares_of(b)
    if sa:
        assert sum(sa.values()) == pytest.approx(1.0) and min(sa.values()) >= 0
        assert harness.share_error(sa, sa) == 0.0
        assert 0.0 <= base_a <= 1.0
    if sa and sb:
        e = harness.share_error(sa, sb)
        assert 0.0 <= e <= 2.0 + 1e-12
        assert e == pytest.approx(harness.share_error(sb, sa))


def test_peer_input_drops_organic_touches_and_keeps_every_journey(zoo):
    world = zoo["shao_li_confounded"]
    peer = harness.without_organic(world.paths, world.organic)
    assert not peer["path"].str.contains("direct").any()
    organic_only = world.paths["path"].map(lambda x: set(x.split(SEPARATOR)) <= {"direct", NO_TOUCH})
    none = peer.set_index("path").loc[NO_TOUCH]
    assert none["total_null"] == world.paths.loc[organic_only, "total_null"].sum() > 0
    assert peer["path"].is_unique and (peer["path"] != "").all()
    for col in ("total_conversions", "total_null", "total_conversion_value"):
        assert peer[col].sum() == pytest.approx(world.paths[col].sum())


def test_thinning_keeps_about_the_requested_journeys(zoo):
    paths = zoo["uniform_sampling"].paths
    small, n = harness.thinned(paths, 5000, seed=0)
    assert abs(n - 5000) <= 4.5 * math.sqrt(5000)
    assert n == int(small["total_conversions"].sum() + small["total_null"].sum())
    assert small["total_conversions"].sum() / n == pytest.approx(
        paths["total_conversions"].sum() / SMALL, abs=4.5 * math.sqrt(0.25 / 5000))


# --- the default model on the small zoo -----------------------------------------------------------------


@pytest.fixture(scope="module")
def default_scores(zoo) -> dict:
    return {name: harness.default_model(world) for name, world in zoo.items()}


CURRENT_BOUND = {  # share error of the default model (commit 2d2c1c0) on the small zoo, dev seed 1, plus ~0.1:
    "shao_li_simple": 0.25, "shao_li_recency": 0.5, "shao_li_synergy": 0.35,  # regression guards, not the
    "shao_li_confounded": 1.35, "additive_hazards": 0.3, "markov_chain": 0.85,  # issue's aim (≤ 0.10)
    "uniform_sampling": 0.15, "ecommerce": 0.4,
}


@pytest.mark.parametrize("name", list(WORLDS))
def test_default_model_score_is_recorded(default_scores, zoo, name, record_property):
    s = default_scores[name]
    record_property("share_error", float(s.share_error))  # plain floats: xdist's workers send them over a pipe
    record_property("baseline_share", float(s.baseline_share))
    record_property("true_baseline_share", float(zoo[name].baseline_share))
    assert 0.0 <= s.baseline_share <= 1.0
    if name == "no_effect":
        assert math.isnan(s.share_error)
        assert s.baseline_share >= 0.85  # today's level (0.926); the aim (≥ 0.95) is the test below
    else:
        assert sum(s.shares.values()) == pytest.approx(1.0)
        assert s.share_error <= CURRENT_BOUND[name]


def test_no_effect_world_gives_the_default_model_baseline_at_least_95_percent(default_scores):
    assert default_scores["no_effect"].baseline_share >= 0.95
