"""Every user-facing string, in Chinese and English, and the number formats of each language.

Strings live in ``roimix/text/<area>.py`` as ``STRINGS = {key: (zh, en)}``; this module merges
them (a key defined twice is an error at import) and formats them with :func:`t`.
"""

from __future__ import annotations

import importlib
import math
import sys

from roimix.messages import Message

LANGS = ("zh", "en")
_AREAS = ("common", "data", "attribution", "curves", "optimizer", "campaign", "app", "pipeline", "aggregate",
          "errors_plan", "errors_data", "errors_journeys", "pacing", "platforms", "actuals", "replan")


def _load() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for area in _AREAS:
        try:
            strings = importlib.import_module(f"roimix.text.{area}").STRINGS
        except ModuleNotFoundError as missing:
            if missing.name != f"roimix.text.{area}":
                raise
            continue
        clash = merged.keys() & strings.keys()
        if clash:
            raise KeyError(f"text keys defined twice: {sorted(clash)}")
        merged.update(strings)
    return merged


STRINGS = _load()


def t(key: str, lang: str = "zh", **values) -> str:
    """The text for ``key`` in ``lang`` with ``values`` filled in (``str.format`` fields)."""
    zh, en = STRINGS[key]
    return (zh if lang == "zh" else en).format(**values)


def word(message, lang: str = "zh") -> str:
    """A :class:`roimix.messages.Message` as a sentence in ``lang``; a value that is itself a message (a reason
    inside a reason) is worded first."""
    values = {k: word(v, lang) if isinstance(v, Message) else v for k, v in message.values.items()}
    zh, en = STRINGS[message.key]
    return (zh if lang == "zh" else en).format(**values)  # not t(): a value may be named key or lang


def error_text(err: BaseException, lang: str = "zh") -> str:
    """What a named error says to a reader in ``lang``: a table's problems one a line
    (:func:`roimix.text.problems.problems_text`), its key worded here when it carries one
    (:attr:`roimix.errors.RoimixError.message`), else its own text."""
    tables = sys.modules.get("roimix.tables.problems")  # a TableError means its module was imported
    if tables is not None and isinstance(err, tables.TableError):
        from roimix.text.problems import problems_text

        return problems_text(err.problems, lang)
    message = getattr(err, "message", None)
    if message is not None and getattr(message, "key", None) in STRINGS:
        return word(message, lang)
    return str(err)


def plain_table(headers: list[str], rows: list[list[str]]) -> str:
    """Columns of text right-aligned under their headers, one space apart, for a terminal: widths count
    East Asian wide characters (汉字) as two columns."""
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    widths = [max([width(h)] + [width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    return "\n".join(" ".join(" " * (w - width(cell)) + cell for cell, w in zip(line, widths))
                     for line in [headers, *rows])


def money(amount: float, lang: str = "zh", digits: int = 1) -> str:
    """Yuan in the reader's units: ``¥1.2万`` / ``¥3.4亿`` in Chinese, ``¥12.3K`` / ``¥4.5M`` in English;
    the sign goes before the currency (``-¥2,174``)."""
    if amount is not None and not (isinstance(amount, float) and math.isnan(amount)) and amount < 0:
        return "-¥" + number(-amount, lang, digits)
    return "¥" + number(amount, lang, digits)


def number(value: float, lang: str = "zh", digits: int = 1) -> str:
    """A large number in 万/亿 (zh) or K/M/B (en) with at least ``digits`` decimals and three
    significant figures (``5.27万``, ``52.7K``: a bound and a value that differ by 1.5 % must not
    print alike); small numbers with thousands separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sign, x = ("-" if value < 0 else ""), abs(value)
    if x == 0:
        return "0"
    steps = ((1e8, "亿"), (1e4, "万")) if lang == "zh" else ((1e9, "B"), (1e6, "M"), (1e3, "K"))
    for (size, unit), bigger in zip(steps, (None, *steps)):
        if x >= size:
            scaled = x / size
            if bigger is not None and round(scaled, 1) * size >= bigger[0]:  # 999,960 is ¥1.00M, not ¥1,000.0K
                size, unit, scaled = *bigger, x / bigger[0]
            decimals = max(digits, 2 if round(scaled, 2) < 10 else 1 if round(scaled, 1) < 100 else 0)
            return f"{sign}{scaled:,.{decimals}f}{unit}"
    return f"{sign}{x:,.0f}" if x >= 100 else f"{sign}{x:,.2f}"


def ratio(value: float | None) -> str:
    """A ROAS or other ratio as people read it: two decimals, and whole numbers with separators from 100 on, never
    an exponent (``0.19``, ``1.83``, ``3,600``, not ``3.6e+03``); ``–`` when there is none."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return "–"
    if not math.isfinite(x):
        return "–"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2f}"


def percent(share: float, lang: str = "zh", digits: int = 1) -> str:
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    # rounded at 1e-9 points first: two computations of one share that differ in the last bit (a sum in another
    # order) print the same, instead of one rounding up at x.x5 and the other down
    return f"{round(share * 100, 9):.{digits}f}%"
