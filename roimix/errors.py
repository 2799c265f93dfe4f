"""Named errors a user can act on: one root, :class:`RoimixError`. Each carries the CLI exit code it maps to.

Libraries raise an error with its sentence as data (:class:`roimix.messages.Message`, a text key and its
values) and no prose; every shell (CLI, batch, app) words it in the reader's language with
``roimix.text.error_text``; ``str(err)`` (logs, tracebacks) shows the key and its values. Errors about what a
user gave (a table, a setting, a file, an option) are :class:`InputError`, also a ``ValueError``.
"""

from __future__ import annotations

from roimix.messages import Message


class RoimixError(Exception):
    """Base of every error meant for a user: the message says what is wrong and what to do."""

    exit_code = 2

    def __init__(self, *args, message: Message | None = None):
        super().__init__(*args)
        self.message = message
        """The same as a text key and its values, for a shell that words it (``None``: show the text)."""

    def __str__(self) -> str:
        """The text it was raised with; raised with a key only, the key and its values (a shell words it:
        ``roimix.text.error_text``)."""
        if self.args or self.message is None:
            return super().__str__()
        values = ", ".join(f"{name}={value!r}" for name, value in self.message.values.items())
        return f"{self.message.key}({values})"


class InputError(RoimixError, ValueError):
    """Something the user gave cannot be used: a table, a setting, a file, an option."""


class UsageError(InputError):
    """Options that contradict each other or name something that does not exist."""


class ScenarioError(InputError):
    """A scenario file or its overrides are invalid (unknown key, wrong type, missing file)."""
