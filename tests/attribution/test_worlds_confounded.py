"""The latent-intent hypothesis of the incremental model (issue 13, the shao_li_confounded world).

In shao_li_confounded a fifth of the shoppers are high-intent: they convert likelier (+1.6 on the
logit), harvest channels (ztc, wxt) reach them more often and they visit the shop on their own more
often; intent is not in the data. Without a story for it the model read the extra harvest touches of
shoppers who would have bought anyway as the harvest channels' effect, or let proxies (path length,
retargeting) soak it up, and missed the truth by about half the shares. The two-class mixture
(:mod:`attribution.latent_intent`) is chosen by the same held-out likelihood as every other hypothesis,
so it must win there and stay off where there is no unseen audience.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # benchmarks/ is not installed: import it from the checkout
    sys.path.insert(0, str(ROOT))

from attribution.incremental import IncrementalModel  # noqa: E402
from attribution.latent_intent import LatentIntent, channel_counts, shows_two_audiences  # noqa: E402
from attribution.paths import encode_paths  # noqa: E402
from benchmarks.worlds import DEV_SEEDS, generate, harness  # noqa: E402

SMALL = 20_000
SEED = DEV_SEEDS[0]
FIXED = dict(link="logistic", intent=True, targeting=False, interactions=True, recency_decay=1.0, truncation=False,
             chain=False)
"""the exposure specification the confounded world chooses with the mixture at 10⁶ users (fixed here so
the tests fit in seconds; the whole search is measured by benchmarks/attribution_worlds.py)"""


@pytest.fixture(scope="module")
def confounded():
    return generate("shao_li_confounded", SMALL, SEED)


def _share_error(model, world):
    credit = model.credit(world.paths)
    return harness.score("incremental", dict(zip(credit.columns, credit.conversions)), world)


def test_the_confounded_world_chooses_the_mixture_and_lands_close_to_the_truth(confounded):
    """Same exposure specification, the mixture left to the data: it is chosen by held-out likelihood
    and the share error falls from 0.43 (mixture off, as on main; baseline 0.34, true 0.56) to 0.07
    (measured on this small world); it must stay below 0.2 and the baseline within 0.08."""
    model = IncrementalModel(**FIXED).fit(confounded.paths, confounded.channels)
    assert model.selection_.latent_free and model.spec_.latent_intent
    scores = dict(model.selection_.candidates)
    assert model.selection_.score == scores[model.spec_] == max(scores.values())
    s = _share_error(model, confounded)
    assert s.share_error < 0.2
    assert abs(s.baseline_share - confounded.baseline_share) < 0.08
    off = _share_error(IncrementalModel(**FIXED, latent_intent=False).fit(confounded.paths, confounded.channels),
                       confounded)
    assert off.share_error > 0.3  # the confounding is real: without the mixture the harvest channels win


def test_the_mixture_finds_the_unseen_audience(confounded):
    """The world's high-intent class: 20 % of shoppers, +1.6 on the logit, +1.5 direct visits and +0.9
    touches each of ztc and wxt per path; the other channels reach both classes alike."""
    model = IncrementalModel(**FIXED, latent_intent=True).fit(confounded.paths, confounded.channels)
    mix = model.latent_intent_
    assert mix.share == pytest.approx(0.2, abs=0.04)
    assert mix.lift == pytest.approx(1.6, abs=0.4)
    rates = pd.DataFrame(mix.rates, columns=mix.channels, index=["low", "high"])
    gap = rates.loc["high"] - rates.loc["low"]
    assert gap["direct"] == pytest.approx(1.5, abs=0.25)
    assert gap["ztc"] == pytest.approx(0.9, abs=0.25) and gap["wxt"] == pytest.approx(0.9, abs=0.25)
    for c in ("qianchuan", "douyin_kol", "xiaohongshu"):
        assert gap[c] < 0.15


@pytest.mark.parametrize("world", ["shao_li_synergy", "additive_hazards", "uniform_sampling"])
def test_worlds_without_an_unseen_audience_do_not_show_two(world):
    """shao_li_synergy: the confounded world without intent; additive_hazards: paths end at the
    conversion (converting paths are shorter, and a class fitted to conversion alone predicted that,
    crediting worse: 0.085 → 0.127 on dev seed 1 at 10⁶ users); uniform_sampling. Their exposure counts
    are one audience, so the mixture is not offered and the choice is as without it."""
    w = generate(world, 50_000 if world != "uniform_sampling" else SMALL, SEED)
    enc = encode_paths(w.paths)
    assert not shows_two_audiences(channel_counts(enc), enc.conversions + enc.nulls)
    model = IncrementalModel(link="logistic", intent=True, targeting=False, interactions=False, recency_decay=1.0,
                             truncation=False, chain=False).fit(w.paths, w.channels)
    assert model.selection_.latent_free and not model.spec_.latent_intent
    assert not [s for s, _ in model.selection_.candidates if s.latent_intent]


def test_the_confounded_world_shows_two_audiences(confounded):
    enc = encode_paths(confounded.paths)
    assert shows_two_audiences(channel_counts(enc), enc.conversions + enc.nulls)


FRAME = pd.DataFrame({
    "path": ["ads > direct > ads > kol", "direct > direct", "(none)", "kol", "ads", "direct > ads", "kol > ads",
             "direct > direct > ads > ads"],
    "total_conversions": [9, 3, 1, 3, 2, 6, 4, 8],
    "total_conversion_value": [90.0, 30.0, 10.0, 30.0, 20.0, 60.0, 40.0, 80.0],
    "total_null": [30, 40, 60, 50, 60, 25, 40, 12],
})
CHANNELS = pd.DataFrame({"channel": ["ads", "kol", "direct"], "group": ["paid", "kol", "organic"]})


def test_credit_averages_each_class_shapley_split_over_the_class_posterior():
    """A converting path's channel ``k`` gets ``Σ_c P(c|x) φ_k^c / Σ_c P(c|x) p_c(S)`` of its conversions,
    the baseline ``Σ_c P(c|x) p_c(∅) / Σ_c P(c|x) p_c(S)``; predict_proba is the mixture."""
    m = IncrementalModel(link="logistic", intent=False, targeting=False, interactions=False, recency_decay=1.0,
                         truncation=False, chain=False, latent_intent=True).fit(FRAME, CHANNELS)
    mix = m.latent_intent_
    assert m.spec_.latent_intent and mix.lift > 0
    enc = encode_paths(FRAME)
    counts = channel_counts(enc).toarray()
    log_mu = np.log(np.maximum(mix.rates, 1e-6))
    code = {c: i for i, c in enumerate(mix.channels)}
    cols = [code[c] for c in enc.channels]
    ll = counts @ log_mu[:, cols].T - mix.rates.sum(axis=1)
    post = expit(ll[:, 1] - ll[:, 0] + np.log(mix.share / (1 - mix.share)))
    b = m.baseline_coef_["(intercept)"]
    theta = m.coef_
    expected = {"ads": 0.0, "kol": 0.0, "(baseline)": 0.0}
    probs = {}
    for i, path in enumerate(enc.paths):
        steps = [s for s in path.split(" > ") if s in theta.index]
        h = {c: np.log2(1 + steps.count(c)) * theta[c] for c in set(steps)}
        names = sorted(h)
        weights = [(1 - post[i], 0.0), (post[i], mix.lift)]
        p_full = sum(r * expit(b + a + sum(h.values())) for r, a in weights)
        p_none = sum(r * expit(b + a) for r, a in weights)
        probs[path] = (p_full, p_none)
        y = enc.conversions[i]
        if not names:
            expected["(baseline)"] += y
            continue
        expected["(baseline)"] += y * p_none / p_full
        for c in names:  # two players at most: φ_c = ½(v(c) + v(S) − v(other))
            other = [d for d in names if d != c]
            phi = 0.0
            for r, a in weights:
                v = lambda keep: expit(b + a + sum(h[d] for d in keep)) - expit(b + a)  # noqa: E731
                phi += r * (v([c]) if not other else 0.5 * (v([c]) + v(names) - v(other)))
            expected[c] += y * phi / p_full
    credit = m.credit(FRAME)
    got = dict(zip(credit.columns, credit.conversions))
    assert got == pytest.approx(expected, rel=1e-9)
    assert sum(got.values()) == pytest.approx(FRAME["total_conversions"].sum())
    p = m.predict_proba(FRAME).set_index("path")
    for path, (p_full, p_none) in probs.items():
        assert p.loc[path, "p"] == pytest.approx(p_full, rel=1e-9)
        assert p.loc[path, "p_baseline"] == pytest.approx(p_none, rel=1e-9)


def test_a_mixture_without_lift_credits_as_the_plain_model():
    """With ``α = 0`` both classes convert alike: the class posterior must not change any credit."""
    settings = dict(link="logistic", intent=True, targeting=False, interactions=True, recency_decay=1.0,
                    truncation=False, chain=False)
    plain = IncrementalModel(**settings, latent_intent=False).fit(FRAME, CHANNELS)
    assert plain.latent_intent_ is None
    mixed = IncrementalModel(**settings, latent_intent=False).fit(FRAME, CHANNELS)
    rates = np.array([[0.2, 0.5, 0.3, 0.0], [1.5, 0.9, 0.6, 0.0]])
    mixed.latent_intent_ = LatentIntent(0.3, 0.0, rates, ("direct", "ads", "kol", "(none)"))
    mixed.spec_ = replace(mixed.spec_, latent_intent=True)
    a, b = plain.credit(FRAME), mixed.credit(FRAME)
    assert np.allclose(a.conversions, b.conversions) and np.allclose(a.value, b.value)
    assert np.allclose(plain.predict_proba(FRAME)[["p", "p_baseline"]], mixed.predict_proba(FRAME)[["p", "p_baseline"]])


def test_setting_the_hypothesis_fixes_it():
    off = IncrementalModel(link="logistic", intent=False, targeting=False, interactions=False, recency_decay=1.0,
                           truncation=False, chain=False, latent_intent=False).fit(FRAME, CHANNELS)
    assert not off.selection_.latent_free and not off.spec_.latent_intent and off.latent_intent_ is None
    on = IncrementalModel(link="logistic", intent=False, targeting=False, interactions=False, recency_decay=1.0,
                          truncation=False, chain=False, latent_intent=True).fit(FRAME, CHANNELS)
    assert not on.selection_.latent_free and on.spec_.latent_intent and on.latent_intent_ is not None


def test_anchored_tables_are_not_offered_the_mixture():
    """The fit drops the anchoring touch from every non-converting path only, so touch counts tell the
    outcome by construction: a class read from them would read the outcome."""
    w = generate("shao_li_confounded", 5_000, SEED)
    model = IncrementalModel(anchored_nulls=True, **{k: v for k, v in FIXED.items() if k != "chain"}).fit(
        w.paths, w.channels)
    assert not model.selection_.latent_free and not model.spec_.latent_intent
