"""Errors of journey building and the engines, worded (keys raised as ``RoimixError(message=Message(key, values))``)."""

STRINGS: dict[str, tuple[str, str]] = {
}
