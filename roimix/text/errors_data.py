"""Errors of attribution models, the fit, tables, aggregate mode and the pipeline, worded (keys raised as ``RoimixError(message=Message(key, values))``)."""

STRINGS: dict[str, tuple[str, str]] = {
}
