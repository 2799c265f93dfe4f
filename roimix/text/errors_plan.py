"""Errors of optimizer rules, scenarios and commands, worded (keys raised as ``RoimixError(message=Message(key, values))``)."""

STRINGS: dict[str, tuple[str, str]] = {
}
