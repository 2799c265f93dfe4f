"""Read a scenario file (TOML) and apply command-line overrides (``--set section.key=value``)."""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path

from roimix.errors import ScenarioError
from roimix.messages import Message

from .spec import SECTIONS, TOP_KEYS, ScenarioSpec, _show, build, unknown_key, valid_keys


def parse_override(text: str) -> tuple[tuple[str, ...], object]:
    """``budget.total=500000`` → (("budget", "total"), 500000). The value is read as a TOML value
    (numbers, true/false, dates, ["lists"]); anything else is taken as text."""
    key, sep, raw = text.partition("=")
    parts = tuple(p.strip() for p in key.strip().split("."))
    if not sep or not all(parts):
        raise ScenarioError(message=Message("plan.err.scenario.set_syntax", {"text": text}))
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return parts, value


def apply_overrides(doc: dict, overrides: tuple[str, ...] | list[str]) -> dict:
    """A copy of ``doc`` with each override set; an unknown key is named with its flag."""
    out = copy.deepcopy(doc)
    for text in overrides:
        parts, value = parse_override(text)
        head = parts[0]
        if len(parts) == 1:
            if head not in TOP_KEYS:
                raise unknown_key("", head, list(TOP_KEYS) + list(SECTIONS), f"--set {text}")
        elif head not in SECTIONS:
            raise unknown_key("", head, list(SECTIONS), f"--set {text}")
        elif parts[1] not in valid_keys(SECTIONS[head]):
            raise unknown_key(head, parts[1], valid_keys(SECTIONS[head]), f"--set {text}")
        node = out
        for p in parts[:-1]:
            if not isinstance(node.get(p, {}), dict):
                raise ScenarioError(message=Message("plan.err.scenario.set_not_table", {
                    "text": text, "key": ".".join(parts[:-1])}))
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return out


def load_scenario(path: str | Path, overrides: tuple[str, ...] | list[str] = ()) -> ScenarioSpec:
    """The scenario in ``path``, checked; every problem is a one-line :class:`ScenarioError` naming the file."""
    path = Path(path)
    label = str(path)
    if not path.is_file():
        raise ScenarioError(message=Message("plan.err.scenario.no_file", {"file": label}))
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as err:
        at = re.search(r"line (\d+), column (\d+)", str(err))  # Python 3.11's decoder gives the place in its text only
        raise ScenarioError(message=Message("plan.err.scenario.bad_toml", {
            "file": label, "line": int(at.group(1)) if at else "?", "column": int(at.group(2)) if at else "?",
            "detail": str(err)})) from None
    except UnicodeDecodeError:
        raise ScenarioError(message=Message("plan.err.scenario.not_utf8", {"file": label})) from None
    doc = apply_overrides(doc, overrides)
    for key in doc:
        if key not in TOP_KEYS and key not in SECTIONS:
            raise unknown_key("", key, list(TOP_KEYS) + list(SECTIONS), label)
    for key in TOP_KEYS:
        if key in doc and not isinstance(doc[key], str):
            raise ScenarioError(message=Message("plan.err.scenario.text", {"file": label, "key": key, "got": _show(doc[key])}))
    base = path.resolve().parent
    sections = {name: build(cls, doc.get(name, {}), name, label, base) for name, cls in SECTIONS.items()}
    given = frozenset(f"{name}.{key}" for name in SECTIONS if isinstance(doc.get(name), dict) for key in doc[name])
    return ScenarioSpec(name=doc.get("name") or path.stem, file=path.resolve(), description=doc.get("description", ""),
                        overrides=tuple(overrides), given=given, **sections)
