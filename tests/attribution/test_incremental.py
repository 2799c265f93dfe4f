"""The incremental model: it recovers its own parameters, conserves totals, treats organic touches
as the design says, and its per-path credit is the Shapley split of p(S) − p(∅)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from attribution import BASELINE, IncrementalModel, attribute, encode_paths
from attribution.incremental import Spec, drop_null_anchors, exposure_features
from attribution.models import Incremental

CHANNELS = pd.DataFrame({"channel": ["kol", "ads", "search"], "group": ["KOL", "paid", "organic"]})
NOISY_OR = {"link": "noisy_or", "intent": True, "targeting": True, "interactions": False}
"""the module docstring's original specification, fixed (no selection)"""


def expected_counts(paths: list[str], model_hazard, n: float = 1e6) -> pd.DataFrame:
    """Conversions and nulls exactly as expected under a hazard function of the path (no noise)."""
    p = np.array([-math.expm1(-model_hazard(path)) for path in paths])
    return pd.DataFrame({"path": paths, "conversions": n * p, "value": n * p * 100, "nulls": n * (1 - p)})


def test_recovers_its_own_parameters():
    """Counts generated exactly from the model (no noise), per path rather than in anchored windows:
    the fit without anchor dropping returns the generating parameters."""
    beta0, beta_search, theta, tau, delta = 0.02, 0.3, {"kol": 0.15, "ads": 0.05}, {"ads": 0.4, "kol": 0.1}, 0.5
    paths = ["kol", "ads", "kol > ads", "ads > kol", "kol > kol", "ads > ads > kol", "search > ads", "search > kol",
             "search > search > ads", "kol > search > ads", "ads > search", "search", "ads > kol > ads",
             "search > kol > ads", "ads > ads", "kol > kol > kol"]

    def hazard(path):  # the module docstring's model, written out; "ads" is targeted (group paid)
        steps = path.split(" > ")
        credited = [(i, s) for i, s in enumerate(steps) if s != "search"]
        first = credited[0][0] if credited else len(steps)
        eta = beta0 + beta_search * math.log2(1 + steps[:first].count("search"))
        for c in theta:
            weight = {k: delta ** (len(credited) - k - 1) for k, (_, s) in enumerate(credited) if s == c}
            causal = sum(w for k, w in weight.items() if c != "ads" or credited[k][0] == 0)
            warm = sum(w for k, w in weight.items() if credited[k][0] > 0)
            eta += theta[c] * math.log2(1 + causal) + tau[c] * math.log2(1 + warm)
        return eta

    frame = expected_counts(paths, hazard)
    model = IncrementalModel(recency_decay=delta, anchored_nulls=False).fit(frame, CHANNELS)
    assert model.organic_ == ("search",) and model.targeted_ == ("ads",)
    assert model.converged_
    assert model.coef_.to_dict() == pytest.approx(theta, rel=1e-5, abs=1e-7)
    base = model.baseline_coef_.to_dict()
    assert base["(intercept)"] == pytest.approx(beta0, rel=1e-5)
    assert base["pre:search"] == pytest.approx(beta_search, rel=1e-5)
    assert base["targeting:ads"] == pytest.approx(tau["ads"], rel=1e-5)
    assert base["targeting:kol"] == pytest.approx(tau["kol"], rel=1e-5)
    # with every hypothesis free, held-out likelihood picks the generating specification
    free = IncrementalModel(decay_grid=(0.25, 0.5, 1.0), anchored_nulls=False).fit(frame, CHANNELS)
    assert free.spec_ == Spec(link="noisy_or", intent=True, targeting=True, interactions=False, recency_decay=0.5)
    assert free.selection_.free == ("link", "targeting", "intent", "interactions", "recency_decay", "truncation")
    scores = dict(free.selection_.candidates)
    assert free.selection_.score == max(scores.values()) == scores[free.spec_]


def test_organic_touches_before_the_first_ad_are_intent_after_it_are_ignored():
    e = encode_paths(pd.DataFrame({"path": ["kol", "kol > search", "search > kol", "search > search > kol",
                                            "search > kol > search > ads", "ads > kol > ads"], "conversions": 1}))
    f = exposure_features(e, ("search",), 1.0, targeted=("ads",))
    X = pd.DataFrame(f.X.toarray(), columns=f.columns, index=e.paths)
    assert X.loc["kol"].equals(X.loc["kol > search"])  # a search after the ad: a mediator, not a covariate
    assert X.loc["search > kol", "pre:search"] == 1.0
    assert X.loc["search > search > kol", "pre:search"] == pytest.approx(math.log2(3))
    assert X.loc["kol", "targeting:kol"] == 0.0  # a journey's first touch is cold
    row = X.loc["search > kol > search > ads"]
    assert row["pre:search"] == 1.0 and row["kol"] == 1.0 and row["targeting:kol"] == 1.0
    assert row["ads"] == 0.0 and row["targeting:ads"] == 1.0  # a targeted channel's warm touch is selection
    row = X.loc["ads > kol > ads"]
    assert row["ads"] == pytest.approx(1.0) and row["targeting:ads"] == pytest.approx(1.0)
    assert row["kol"] == 1.0 and row["targeting:kol"] == 1.0


def shapley_brute(a: dict[str, float], base: float) -> dict[str, float]:
    p = lambda s: -math.expm1(-(base + sum(a[c] for c in s)))  # noqa: E731
    names = list(a)
    phi = dict.fromkeys(names, 0.0)
    for order in itertools.permutations(names):
        seen = []
        for c in order:
            phi[c] += p(seen + [c]) - p(seen)
            seen.append(c)
    return {c: v / math.factorial(len(names)) for c, v in phi.items()}


def test_credit_is_the_shapley_split_of_the_incremental_probability():
    frame = pd.DataFrame({"path": ["kol > ads", "ads", "kol", "search > kol > ads", "search", "kol > ads > ads"],
                          "conversions": [30, 10, 20, 40, 5, 9], "value": [3000.0, 900, 2100, 4200, 500, 800],
                          "nulls": [100, 300, 150, 60, 200, 30]})
    m = IncrementalModel(recency_decay=0.5, **NOISY_OR).fit(frame.assign(null_window="anchored"), CHANNELS)
    credit = m.credit(frame)
    e = encode_paths(frame)
    i = list(e.paths).index("search > kol > ads")
    theta = m.coef_
    # "search > kol > ads" with δ = 0.5: kol and ads are warm; ads is targeted (paid), so not credited
    base = (m.baseline_coef_["(intercept)"] + m.baseline_coef_["pre:search"]
            + m.baseline_coef_["targeting:kol"] * math.log2(1.5) + m.baseline_coef_["targeting:ads"])
    a = {"kol": theta["kol"] * math.log2(1.5)}
    phi = shapley_brute(a, base)
    p_full = -math.expm1(-(base + sum(a.values())))
    row = dict(zip(credit.columns, credit.weights[i].toarray().ravel()))
    assert row["kol"] == pytest.approx(phi["kol"] / p_full, rel=1e-10)
    assert row["ads"] == 0.0
    assert row[BASELINE] == pytest.approx(-math.expm1(-base) / p_full, rel=1e-10)
    # every converting row sums to one; an organic-only path is all baseline
    sums = np.asarray(credit.weights.sum(axis=1)).ravel()
    np.testing.assert_allclose(sums[e.conversions > 0], 1.0)
    assert dict(zip(credit.columns, credit.weights[list(e.paths).index("search")].toarray().ravel()))[BASELINE] == 1
    assert credit.conversions.sum() == pytest.approx(frame["conversions"].sum())
    assert credit.value.sum() == pytest.approx(frame["value"].sum())


def test_long_paths_are_sampled_with_a_standard_error():
    channels = [f"c{i}" for i in range(6)]
    frame = pd.DataFrame({"path": [" > ".join(channels), "c0 > c1", "c2", "c3 > c4 > c5", "c1 > c3"],
                          "conversions": [50, 20, 10, 30, 15], "nulls": [50, 80, 90, 70, 60]})
    # toy counts per path, not anchored journey windows
    exact = IncrementalModel(recency_decay=1.0, anchored_nulls=False).fit(frame)
    sampled = IncrementalModel(recency_decay=1.0, exact_max=3, n_permutations=4000, anchored_nulls=False).fit(frame)
    a, b = exact.credit(frame), sampled.credit(frame)
    assert a.n_sampled_paths == 0 and b.n_sampled_paths >= 1
    assert b.conversions.sum() == pytest.approx(125)  # efficiency holds for every sampled ordering
    assert (b.standard_error[:-1] > 0).any() and (a.standard_error == 0).all()
    z = (b.conversions - a.conversions)[:-1] / np.maximum(b.standard_error[:-1], 1e-12)
    assert np.abs(z).max() < 4.5
    # the tidy table states them (and only when something was sampled)
    shown = attribute(frame, Incremental(recency_decay=1.0, exact_max=3, n_permutations=4000,
                                        anchored_nulls=False)).set_index("channel")
    assert shown.loc[list(b.columns[:-1]), "conversions_std_error"].to_numpy() == pytest.approx(
        b.standard_error[:-1])
    assert "conversions_std_error" not in attribute(frame, Incremental(recency_decay=1.0, anchored_nulls=False)).columns


def test_data_csv_without_groups_has_no_intent_covariates(data_csv):
    out = attribute(data_csv, Incremental())
    assert out["conversions"].sum() == pytest.approx(19_785, rel=1e-12)
    assert out["value"].sum() == pytest.approx(74_802.97158721, rel=1e-12)
    assert out["channel"].iloc[-1] == BASELINE
    m = IncrementalModel().fit(data_csv)
    assert m.organic_ == () and m.targeted_ == ()
    assert [c for c in m.baseline_coef_.index if not c.startswith("targeting:")] == ["(intercept)"]
    assert m.converged_


def test_no_touch_conversions_are_baseline_and_fit_is_deterministic():
    frame = pd.DataFrame({"path": ["(none)", "kol", "ads > kol", "search"], "conversions": [7, 10, 12, 3],
                          "value": [70.0, 100, 120, 30], "nulls": [0, 90, 80, 40]})
    a = attribute(frame, "incremental", channels=CHANNELS)
    b = attribute(frame.sample(frac=1, random_state=3), "incremental", channels=CHANNELS)
    pd.testing.assert_frame_equal(a, b)
    got = a.set_index("channel")
    assert got.loc["search", "conversions"] == 0 and got.loc["(none)", "conversions"] == 0
    assert got.loc[BASELINE, "conversions"] >= 7 + 3
    assert got["conversions"].sum() == pytest.approx(32)


def test_non_converting_paths_lose_their_anchoring_touch_in_the_fit():
    e = encode_paths(pd.DataFrame({"path": ["kol > ads", "kol", "(none)", "ads > kol > ads", "search"],
                                   "conversions": [1, 2, 3, 0, 5], "value": [1.0, 2, 3, 0, 5],
                                   "nulls": [10, 20, 0, 40, 0]}))
    f = drop_null_anchors(e)
    got = pd.DataFrame({"y": f.conversions, "value": f.value, "n": f.nulls}, index=f.paths)
    assert got.to_dict("index") == {
        "(none)": {"y": 3, "value": 3, "n": 20}, "ads > kol": {"y": 0, "value": 0, "n": 40},
        "kol": {"y": 2, "value": 2, "n": 10}, "kol > ads": {"y": 1, "value": 1, "n": 0},
        "search": {"y": 5, "value": 5, "n": 0}}


def test_anchored_windows_recover_the_hazards_that_plain_counts_hide():
    """Journeys as attribution.journeys builds them: a converting window holds k ~ Poisson(μ) touches
    before the order, a non-converting one the same plus the last touch that anchors it. With
    δ = 1 the hazard is λ + θ·log₂(1 + k). Counted as they are, the non-conversions have one touch
    more, the ad looks weaker and the baseline takes the difference; without the anchor the fit
    returns λ and θ, and the baseline's share of conversions."""
    lam, theta, mu, n = 0.01, 0.2, 1.2, 1e7
    conversions, nulls = {}, {}
    for k in range(30):
        weight = n * math.exp(-mu) * mu**k / math.factorial(k)
        p = -math.expm1(-(lam + theta * math.log2(1 + k)))
        conversions[" > ".join(["kol"] * k) or "(none)"] = weight * p
        nulls[" > ".join(["kol"] * (k + 1))] = weight * (1 - p)
    paths = sorted(set(conversions) | set(nulls))
    frame = pd.DataFrame({"path": paths, "conversions": [conversions.get(p, 0.0) for p in paths],
                          "nulls": [nulls.get(p, 0.0) for p in paths]})
    frame["value"] = frame["conversions"] * 100
    fitted = IncrementalModel(recency_decay=1.0, **NOISY_OR).fit(frame.assign(null_window="anchored"), CHANNELS)
    assert fitted.null_window_ == "anchored"
    assert fitted.coef_["kol"] == pytest.approx(theta, rel=1e-4)
    assert fitted.baseline_coef_["(intercept)"] == pytest.approx(lam, rel=1e-4)
    plain = IncrementalModel(recency_decay=1.0, **NOISY_OR).fit(frame, CHANNELS)  # the table does not say
    assert plain.null_window_ == "full"
    assert plain.coef_["kol"] < 0.75 * theta and plain.baseline_coef_["(intercept)"] > 3 * lam
    true_base = sum(conversions[p] * -math.expm1(-lam) / -math.expm1(-(lam + theta * math.log2(1 + p.count("kol"))))
                    for p in conversions if p != "(none)") + conversions["(none)"]
    share = {m: m.credit(frame) for m in (fitted, plain)}
    assert share[fitted].baseline_share == pytest.approx(true_base / frame["conversions"].sum(), rel=1e-3)
    assert share[plain].baseline_share > share[fitted].baseline_share + 0.1


# --- the hypotheses chosen by the data ------------------------------------------------------------------

TWO = ["kol", "ads", "feed"]


def sampled_counts(hazard_or_logit, link: str, n_per_path: int, seed: int) -> pd.DataFrame:
    """Every path of up to three touches over TWO, n_per_path journeys each, outcomes drawn."""
    rng = np.random.default_rng(seed)
    paths = ["(none)"] + [" > ".join(p) for k in (1, 2, 3) for p in itertools.product(TWO, repeat=k)]
    eta = np.array([hazard_or_logit(p) for p in paths])
    p = -np.expm1(-eta) if link == "noisy_or" else 1 / (1 + np.exp(-eta))
    y = rng.binomial(n_per_path, p)
    return pd.DataFrame({"path": paths, "conversions": y, "value": 100.0 * y, "nulls": n_per_path - y})


def _count(path, c):
    return path.split(" > ").count(c)


def test_selection_picks_the_link_and_interactions_that_generated_the_data():
    theta = {"kol": 0.5, "ads": 0.3, "feed": 0.15}

    def logit_with_synergy(path):
        eta = -2.5 + sum(theta[c] * math.log2(1 + _count(path, c)) for c in TWO)
        return eta + 0.8 * (_count(path, "kol") > 0 and _count(path, "ads") > 0)

    def hazard(path):
        return 0.05 + sum(0.2 * theta[c] * math.log2(1 + _count(path, c)) for c in TWO)

    fixed = {"intent": False, "targeting": False, "recency_decay": 1.0}
    logistic = IncrementalModel(**fixed).fit(sampled_counts(logit_with_synergy, "logistic", 40_000, 1))
    assert (logistic.spec_.link, logistic.spec_.interactions) == ("logistic", True)
    assert logistic.interaction_coef_["ads × kol"] == pytest.approx(0.8, abs=0.1)
    assert logistic.interaction_coef_.drop("ads × kol").max() < 0.1
    noisy = IncrementalModel(**fixed).fit(sampled_counts(hazard, "noisy_or", 40_000, 2))
    assert (noisy.spec_.link, noisy.spec_.interactions) == ("noisy_or", False)
    # every candidate scored, the chosen one best, and the runner-up is another specification
    scores = dict(noisy.selection_.candidates)
    assert noisy.selection_.score == max(scores.values()) and noisy.selection_.runner_up[0] != noisy.spec_


def test_logistic_credit_with_a_synergy_is_the_shapley_split():
    frame = sampled_counts(lambda p: -2 + 0.6 * _count(p, "kol") ** 0.5 + 0.4 * (_count(p, "ads") > 0)
                           + 0.7 * (_count(p, "kol") > 0 and _count(p, "ads") > 0), "logistic", 20_000, 3)
    spec = {"link": "logistic", "intent": False, "targeting": False, "interactions": True, "recency_decay": 1.0,
            "truncation": False}
    m = IncrementalModel(**spec).fit(frame)
    credit = m.credit(frame)
    e = encode_paths(frame)
    i = list(e.paths).index("kol > ads > kol")
    a = {"kol": m.coef_["kol"] * math.log2(3), "ads": m.coef_["ads"]}
    pair = m.interaction_coef_["ads × kol"]
    b0 = m.baseline_coef_["(intercept)"]

    def p(s):
        return 1 / (1 + math.exp(-(b0 + sum(a[c] for c in s) + (pair if {"kol", "ads"} <= set(s) else 0.0))))

    phi = dict.fromkeys(a, 0.0)
    for order in itertools.permutations(a):
        for k, c in enumerate(order):
            phi[c] += (p(order[:k + 1]) - p(order[:k])) / 2
    row = dict(zip(credit.columns, credit.weights[i].toarray().ravel()))
    assert row["kol"] == pytest.approx(phi["kol"] / p(a), rel=1e-9)
    assert row["ads"] == pytest.approx(phi["ads"] / p(a), rel=1e-9)
    assert row["feed"] == 0.0 and row[BASELINE] == pytest.approx(p(()) / p(a), rel=1e-9)
    # sampled orderings agree with the exact values on the same path (interactions included)
    sampled = IncrementalModel(**spec, exact_max=1, n_permutations=4000).fit(frame).credit(frame)
    got = dict(zip(sampled.columns, sampled.weights[i].toarray().ravel()))
    assert got["kol"] == pytest.approx(row["kol"], abs=0.02) and sum(got.values()) == pytest.approx(1.0)
    assert credit.conversions.sum() == pytest.approx(frame["conversions"].sum())


def test_selection_does_not_see_channel_names_row_order_or_split_rows():
    frame = sampled_counts(lambda p: 0.02 + 0.1 * _count(p, "kol") + 0.05 * _count(p, "ads"), "noisy_or", 300, 4)
    channels = pd.DataFrame({"channel": TWO, "group": ["paid", "paid", "content"]})
    swap = {"kol": "ads", "ads": "kol"}
    renamed = frame.assign(path=frame["path"].map(lambda p: " > ".join(swap.get(s, s) for s in p.split(" > "))))
    half = frame.assign(conversions=frame["conversions"] // 2, nulls=frame["nulls"] // 2, value=frame["value"] / 2)
    rest = frame.assign(conversions=frame["conversions"] - half["conversions"], nulls=frame["nulls"] - half["nulls"],
                        value=frame["value"] / 2)
    split = pd.concat([rest, half.iloc[::-1]], ignore_index=True)
    got = {name: IncrementalModel().fit(f, channels).selection_ for name, f in
           (("as is", frame), ("renamed", renamed), ("split", split))}
    for other in ("renamed", "split"):
        assert got[other].chosen == got["as is"].chosen
        a, b = dict(got["as is"].candidates), dict(got[other].candidates)
        assert a.keys() == b.keys()
        assert list(b.values()) == pytest.approx(list(a.values()), rel=1e-9)


def test_binomial_quantiles_and_fold_splits():
    from scipy.stats import binom

    from attribution.incremental import _binomial, split_counts

    rng = np.random.default_rng(0)
    u, n = rng.random(50_000), rng.integers(0, 5_000, 50_000).astype(float)
    for p in (0.5, 1 / 3, 0.02):
        np.testing.assert_array_equal(_binomial(u, n, p), binom.ppf(u, n, p))
    counts = np.concatenate([rng.integers(0, 1000, 2000), [2.5, 0.0]]).astype(float)
    keys = rng.integers(0, 2**63, len(counts)).astype(np.uint64)
    folds = split_counts(counts, keys, 3, 1.0, seed=0, salt=1)
    np.testing.assert_allclose(folds.sum(axis=0), counts)  # every journey in exactly one fold
    assert (folds >= 0).all() and abs(folds[0].sum() / counts.sum() - 1 / 3) < 0.01
    thinned = split_counts(counts, keys, 3, 0.1, seed=0, salt=1).sum(axis=0)
    assert (thinned <= counts + 1e-12).all() and abs(thinned.sum() / counts.sum() - 0.1) < 0.005
