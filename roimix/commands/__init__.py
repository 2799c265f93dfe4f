"""Sub-commands of the ``roimix`` CLI; each module exposes ``register(app)``."""
