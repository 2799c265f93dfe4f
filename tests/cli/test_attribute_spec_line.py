"""``roimix attribute`` names every hypothesis of the chosen specification on its spec line, truncation and the two
unseen audiences included (before, a chosen path-length term was left unsaid)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from attribution.incremental import Spec
from roimix.commands.attribute import _echo_specification
from roimix.text import t


def _line(capsys, spec: Spec, lang: str) -> str:
    selection = SimpleNamespace(free=("truncation",), chain_free=False, latent_free=False, runner_up=("x", -0.5),
                                folds=5, score=-0.4, chosen=spec)
    _echo_specification(SimpleNamespace(null_window_="anchored", selection_=selection), lang, t)
    return capsys.readouterr().out.strip().splitlines()[-1]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_spec_line_says_when_the_path_length_term_is_on(capsys, lang):
    on = _line(capsys, Spec(link="logistic", truncation=True), lang)
    off = _line(capsys, Spec(link="logistic", truncation=False), lang)
    assert t("attr.spec.truncation", lang) in on
    assert t("attr.spec.truncation", lang) not in off
    both = _line(capsys, Spec(link="logistic", truncation=True, latent_intent=True), lang)
    assert both.endswith(t("attr.spec.truncation", lang) + t("attr.spec.latent_intent", lang))
