"""Peer packages run the same way by every benchmark."""

from __future__ import annotations


def run_mta_model(m, name: str) -> None:
    """Run one of ``mta``'s models on an ``mta.MTA`` object, with the settings every benchmark uses:
    Markov without simulation, proportional linear credit, 200 iterations of logistic regression,
    10 epochs of the additive hazard; any other model with its defaults."""
    if name == "markov":
        m.markov(sim=False)
    elif name == "linear":
        m.linear(share="proportional")
    elif name == "logistic_regression":
        m.logistic_regression(n_iterations=200)
    elif name == "additive_hazard":
        m.additive_hazard(epochs=10)
    else:
        getattr(m, name)()
