"""Named errors a user can act on. Each carries the CLI exit code it maps to."""

from __future__ import annotations


class RoimixError(Exception):
    """Base of every error meant for a user: the message says what is wrong and what to do."""

    exit_code = 2


class UsageError(RoimixError):
    """Options that contradict each other or name something that does not exist."""

    exit_code = 2


class ScenarioError(RoimixError):
    """A scenario file or its overrides are invalid (unknown key, wrong type, missing file)."""

    exit_code = 2
