"""``roimix attribute``: credit per channel from every (or one) attribution model, written as CSV."""

from __future__ import annotations

import click

from roimix.commands._engine import deferred_engine_options
from roimix.errors import UsageError
from roimix.messages import Message

_FILE = click.Path(dir_okay=False)
_MODELS = ("all", "first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov",
           "markov_1", "markov_2", "markov_3", "markov_4", "incremental")


@click.command("attribute")
@click.option("--paths", type=_FILE, help="aggregated paths (path, conversions, value, nulls; ChannelAttribution's "
                                          "column names and ';' files work as they are)")
@click.option("--touchpoints", "-t", type=click.Path(),
              help="touchpoints CSV/Parquet: a file, a folder of part files or a glob (with --conversions)")
@click.option("--conversions", "-c", type=click.Path(),
              help="conversions CSV/Parquet: a file, folder or glob (with --touchpoints)")
@click.option("--lookback-days", type=click.IntRange(1, 3650), default=30, show_default=True,
              help="touches up to this many days before a conversion belong to its journey")
@click.option("--model", "model", type=click.Choice(_MODELS), default="all", show_default=True,
              help="one model, or all that the input allows (time_decay needs touchpoints)")
@click.option("--order", type=click.IntRange(1, 4), default=1, show_default=True,
              help="Markov chain order (or name it: --model markov_2)")
@click.option("--position-weights", default="0.4,0.4", show_default=True, metavar="FIRST,LAST",
              help="position based: shares of the first and last touch (the middle ones split the rest)")
@click.option("--half-life-days", type=click.FloatRange(min=0, min_open=True), default=7.0, show_default=True,
              help="time decay: a touch this many days before the conversion counts half")
@click.option("--channels", type=_FILE, help="channel groups (organic channels are not credited by the "
                                             "incremental model)")
@click.option("--null-windows", type=click.Choice(["anchored", "full"]), default=None,
              help="how the paths' non-converting windows were cut: anchored at the user's last touch (paths built "
                   "by roimix say so in their null_window column) or full windows; default: what the table says "
                   "(full when it says nothing)")
@click.option("--spend", type=_FILE, help="daily spend: adds spend, roas (GMV ÷ spend), net_return ((GMV − spend) ÷ spend) and cpa columns")
@click.option("--out", type=_FILE, required=True, help="credits to write: CSV, or Excel (.xlsx)")
@click.option("--daily", type=_FILE, help="also write credit per date, product segment and channel "
                                          "(needs touchpoints)")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="language of the summary")
@deferred_engine_options
def command(paths, touchpoints, conversions, lookback_days, model, order, position_weights, half_life_days, channels,
            null_windows, spend, out, daily, lang, engine) -> None:
    """Attribute conversions and GMV to channels and write model, channel, group, conversions, value."""
    import pyarrow as pa

    # Arrow's default pool (mimalloc) hands freed pages back to the system and faults them in again for
    # every large temporary of the path encoding: ~1 s of system CPU at 10⁷ journeys; malloc keeps them
    pa.set_memory_pool(pa.system_memory_pool())

    from_paths = paths is not None
    if from_paths and touchpoints is None and conversions is None and _markov_from_clean_parquet(
            paths, model, order, out, lang, extras=(channels, null_windows, spend, daily)):
        return
    import dataclasses

    import pandas as pd

    import attribution as A
    from roimix.commands._engine import engine_errors
    from roimix.commands._engine import paths_table as paths_table_on
    from roimix.tables import CHANNELS, PATHS, SPEND, read_table
    from roimix.text import STRINGS, number, percent, plain_table, t

    engine = engine()
    if from_paths == (touchpoints is not None or conversions is not None):
        raise UsageError(message=Message("plan.err.cli.paths_or_logs", {}))
    if not from_paths and (touchpoints is None or conversions is None):
        raise UsageError(message=Message("plan.err.cli.touchpoints_with_conversions", {}))
    if from_paths and model == "time_decay":
        raise UsageError(message=Message("plan.err.cli.time_decay_needs_logs", {}))
    if from_paths and daily:
        raise UsageError(message=Message("plan.err.cli.daily_needs_logs", {}))

    channel_table = read_table(channels, CHANNELS, name=channels) if channels else None
    spend_table = read_table(spend, SPEND, name=spend) if spend else None
    models = _models(model, order, half_life_days, _position_weights(position_weights), with_time=not from_paths)
    decay = next((m for m in models if isinstance(m, A.TimeDecay)), None)
    by_day = decay_tables = None
    if from_paths:
        paths_table = read_table(paths, PATHS, name=paths)
        summary = None
    else:
        # everything per journey runs in the engine (out of core, or on Spark); only aggregates come back
        with engine_errors(engine):
            by_day = paths_table_on(touchpoints, conversions, engine, lookback_days=lookback_days,
                                    by=("date", "product_segment")) if daily else None
            paths_table = (by_day.groupby("path", as_index=False)[["conversions", "value", "nulls"]].sum()
                           .assign(null_window=A.null_window_of(by_day))
                           if by_day is not None else
                           paths_table_on(touchpoints, conversions, engine, lookback_days=lookback_days))
            if decay is not None:
                decay_tables = A.time_decay_tables(
                    A.time_decay_by_day(touchpoints, conversions, half_life_days=decay.half_life_days,
                                        lookback_days=lookback_days, engine=dataclasses.replace(engine, validate=False)),
                    paths_table, decay, channels=channel_table)
        n_conv = int(paths_table["conversions"].sum())
        summary = t("attr.cli.journeys", lang, journeys=f"{n_conv + int(paths_table['nulls'].sum()):,}",
                    conversions=f"{n_conv:,}", paths=f"{len(paths_table):,}")

    if null_windows is not None:  # the user says how the windows were cut
        paths_table = paths_table.assign(null_window=null_windows)
    fitted = {}
    frames = []
    try:
        encoded = A.encode_paths(paths_table)
    except ValueError as err:
        raise UsageError(message=Message("plan.err.cli.bad_paths", {
            "file": paths, "error": getattr(err, "message", None) or str(err)})) from None
    for m in models:
        if isinstance(m, A.TimeDecay):
            frames.append(decay_tables[0])
            continue
        credit = A.fit_credit(encoded, m, channels=channel_table)
        fitted[m.name] = credit
        frames.append(A.tidy(credit, channel_table))
    table = pd.concat(frames, ignore_index=True)
    if spend_table is not None:
        table = A.with_spend(table, spend_table)
    write_credit(table, out)

    if summary:
        click.echo(summary)
    click.echo(t("attr.cli.summary", lang))
    wide = A.side_by_side(table, "share")
    wide["group"] = wide["group"].map(lambda g: _group_label(g, lang, t, STRINGS))
    shown = wide.rename(columns={"channel": t("attr.col.channel", lang), "group": t("attr.col.group", lang)})
    shown = shown.rename(columns={m.name: _label(m, lang, t) for m in models})
    for col in shown.columns[2:]:
        shown[col] = shown[col].map(lambda x: percent(x, lang))
    click.echo(plain_table(list(shown.columns), shown.astype(str).to_numpy().tolist()))
    inc = fitted.get("incremental")
    if inc is not None:
        total = inc.conversions.sum()
        share = inc.conversions[-1] / total if total else float("nan")
        click.echo(t("attr.cli.baseline", lang, share=percent(share, lang), incremental=percent(1 - share, lang)))
        _echo_specification(inc.detail, lang, t)
        if inc.n_sampled_paths:
            click.echo(t("attr.cli.sampled", lang, n=number(inc.n_sampled_paths, lang),
                         exact_max=inc.detail.exact_max))
    click.echo(t("attr.cli.written", lang, path=out, rows=f"{len(table):,}"))

    if daily:
        per_day = pd.concat([decay_tables[1] if isinstance(m, A.TimeDecay) else
                             A.credit_by_day(by_day, m, channels=channel_table, fitted=fitted.get(m.name))
                             for m in models], ignore_index=True)
        if spend_table is not None:
            per_day = A.with_spend(per_day, spend_table)
        write_credit(per_day, daily)
        click.echo(t("attr.cli.written", lang, path=daily, rows=f"{len(per_day):,}"))


def _markov_from_clean_parquet(paths: str, model: str, order: int, out: str, lang: str, *, extras: tuple) -> bool:
    """Exact Markov credit from a clean Parquet paths file, without pandas (its import is a third of the
    whole process at 10⁶ journeys): the same CSV and summary as the general route, which a test holds to
    the byte. ``False`` (nothing done) for anything else: other models, options, outputs or files, or a
    file that does not plainly meet the paths contract (the general route then names every problem)."""
    if not (model == "markov" or model.startswith("markov_")) or any(x is not None for x in extras) \
            or str(out).lower().endswith(".xlsx"):
        return False
    from roimix.tables.clean_paths import clean_paths_arrow
    from roimix.tables.contracts import PATHS

    table = clean_paths_arrow(paths, PATHS)
    if table is None:
        return False
    import csv
    import math

    from attribution.markov import removal_effects
    from attribution.models import model_from_name
    from attribution.paths import encode_paths
    from attribution.vocabulary import NO_TOUCH
    from roimix.export.safe import neutralise
    from roimix.text import percent, plain_table, t

    settings = model_from_name(model, order=order)
    encoded = encode_paths(table)
    result = removal_effects(encoded, settings.order)
    credit = dict(zip(encoded.channels, zip(result.conversions, result.value)))
    names = sorted(n for n in credit if n != NO_TOUCH) + ([NO_TOUCH] if NO_TOUCH in credit else [])
    with open(out, "w", encoding="utf-8", newline="") as f:  # as pandas' to_csv writes the general route's table
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("model", "channel", "group", "conversions", "value"))
        writer.writerows((neutralise(settings.name), neutralise(n), "", *credit[n]) for n in names)
    total = math.fsum(credit[n][0] for n in names)
    click.echo(t("attr.cli.summary", lang))
    click.echo(plain_table([t("attr.col.channel", lang), t("attr.col.group", lang), _label(settings, lang, t)],
                           [[n, "", percent(credit[n][0] / total if total > 0 else 0.0, lang)]
                            for n in names]))
    click.echo(t("attr.cli.written", lang, path=out, rows=f"{len(names):,}"))
    return True


def write_credit(frame, path: str) -> None:
    """CSV (UTF-8), or an Excel workbook for ``.xlsx``; text cells a spreadsheet would run as a formula
    (a channel named ``=HYPERLINK(…)``) are neutralised, numbers stay numbers."""
    from roimix.export.safe import safe_frame

    if str(path).lower().endswith(".xlsx"):
        from roimix.export.tables import write_tables

        write_tables({"credit": frame}, path)
    else:
        safe_frame(frame).to_csv(path, index=False, encoding="utf-8")


def _echo_specification(model, lang: str, t) -> None:
    """How the windows were read and which specification the data chose (with its held-out score)."""
    click.echo(t("attr.cli.null_windows", lang, kind=t(f"attr.null_window.{model.null_window_}", lang)))

    def words(spec) -> str:
        if not spec.effects:
            return t("attr.spec.no_effect", lang)
        if spec.chain:
            return t("attr.spec.chain", lang)
        flag = lambda on: t("attr.spec.on" if on else "attr.spec.off", lang)  # noqa: E731
        said = t("attr.spec", lang, link=t(f"attr.link.{spec.link}", lang), intent=flag(spec.intent),
                 targeting=flag(spec.targeting), interactions=flag(spec.interactions), decay=f"{spec.recency_decay:g}")
        if spec.truncation:
            said += t("attr.spec.truncation", lang)
        return said + t("attr.spec.latent_intent", lang) if spec.latent_intent else said

    chosen = model.selection_
    if not chosen.free and not chosen.chain_free and not chosen.latent_free:
        click.echo(t("attr.cli.spec_fixed", lang, spec=words(chosen.chosen)))
        return
    runner = chosen.runner_up
    click.echo(t("attr.cli.spec", lang, folds=chosen.folds, score=f"{chosen.score:.5f}",
                 runner_up=f"{runner[1]:.5f}" if runner else "–", spec=words(chosen.chosen)))


def _position_weights(text: str) -> tuple[float, float]:
    try:
        first, last = (float(x) for x in text.split(","))
    except ValueError:
        raise UsageError(message=Message("plan.err.cli.position_weights_syntax", {"got": text})) from None
    if min(first, last) < 0 or not 0 < first + last <= 1:
        raise UsageError(message=Message("plan.err.cli.position_weights_range", {"got": text}))
    return first, last


def _models(model: str, order: int, half_life_days: float, position: tuple[float, float], *, with_time: bool):
    import attribution as A

    names = [n for n in A.MODEL_NAMES if with_time or n != "time_decay"] if model == "all" else [model]
    out = []
    for name in names:
        if name == "time_decay":
            out.append(A.TimeDecay(half_life_days=half_life_days))
        elif name == "position_based":
            out.append(A.PositionBased(first=position[0], last=position[1]))
        else:
            out.append(A.model_from_name(name, order=order))
    return out


def _group_label(group, lang: str, t, strings) -> str:
    if group == "baseline":
        return t("baseline", lang)
    return t(f"group.{group}", lang) if f"group.{group}" in strings else (group or "")


def _label(model, lang: str, t) -> str:
    if model.name.startswith("markov"):
        return t("attr.model.markov", lang, order=model.order)
    return t(f"attr.model.{model.name}", lang)
