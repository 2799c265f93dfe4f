"""Optimizer and campaign messages (keys and values) as sentences, with rule names as the reader knows them."""

from __future__ import annotations


def message_text(message, lang: str, names: dict[str, str], *, campaign: bool = False) -> str:
    """One optimizer (or campaign) message as a sentence, with rule names as the reader knows them."""
    from optimizer.explain import Message

    values = dict(message.values)
    if "rule" in values:
        values["rule"] = rule_display(values["rule"], lang, names)
    if "rules" in values:
        values["rules"] = ", ".join(rule_display(r.strip(), lang, names) for r in str(values["rules"]).split(", "))
    try:
        if campaign:
            from roimix.report.campaign import render_message as render
        else:
            from roimix.report.plan import render
    except ImportError:  # the optimizer's wording is not there: say it plainly
        return _plain(message.key, values, lang)
    return render(Message(message.key, values), lang)


def _plain(key: str, values: dict, lang: str) -> str:
    from roimix.text import STRINGS, money, percent, t

    shown = []
    for k, v in values.items():
        if isinstance(v, float):
            v = money(v, lang, 2) if k.endswith("_cny") else percent(v, lang) if k.endswith("_share") else f"{v:.2f}"
        shown.append(f"{k}={v}")
    return (t(key, lang) if key in STRINGS and not values else f"{key.rsplit('.', 1)[-1]}: " + ", ".join(shown))


def rule_display(name: str, lang: str, names: dict[str, str]) -> str:
    from roimix.text import t

    for prefix, key in (("bounds:", "app.rule.bounds"), ("lock:", "app.rule.lock"), ("unfit:", "app.rule.unfit")):
        if name.startswith(prefix):
            target = name[len(prefix):]
            channel, _, segment = target.partition("/")
            label = names.get(channel, channel) + (f"/{t(f'segment.{segment}', lang)}" if segment else "")
            return t(key, lang, channel=label)
    if name == "ROI floor":
        return t("app.rule.roi_floor", lang)
    try:
        from roimix.report.plan import rule_label
    except ImportError:
        return name
    return rule_label(name, lang)
