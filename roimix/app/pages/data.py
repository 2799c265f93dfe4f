"""Page 1 · Data: what is loaded, and uploads that replace one table at a time."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from roimix.app import data, figures, state
from roimix.app.errors import attempt, guard, show_problems
from roimix.text import STRINGS, money, number, t


def upload_limit_mb() -> int:
    try:
        return int(st.get_option("server.maxUploadSize"))
    except Exception:  # noqa: BLE001 - the option always exists; be safe in tests
        return 200


def row_count(rows: int, lang: str) -> str:
    """A count of rows: whole (9, 1,234), in 万 / K only when large (12.3万); never 9.00."""
    return f"{int(rows):,}" if rows < 100_000 else number(rows, lang)


def upload_box(name: str, lang: str) -> None:
    """One table: where it comes from now, an uploader, and the problems of a rejected file."""
    uploads = state.UPLOADS.get()
    aggregate = state.DATA_MODE.get() == "aggregate"
    required = name in (data.AGGREGATE_REQUIRED if aggregate else data.REQUIRED)
    st.markdown(f"**{t(f'app.data.table.{name}', lang)}**" + ("" if required else f" · {t('app.data.optional', lang)}"))
    st.caption(t(f"app.data.columns.{name}", lang))
    file = st.file_uploader(
        t("app.data.upload_label", lang, table=t(f"app.data.table.{name}", lang)), type=list(data.UPLOAD_TYPES),
        key=f"upload.{name}", label_visibility="collapsed",
    )
    seen = state.UPLOAD_SEEN.get()
    if file is not None and seen.get(name) != file.file_id:
        seen[name] = file.file_id
        with st.spinner(t("app.data.checking", lang, file=file.name)):
            result = attempt(lang, t("app.data.reading", lang, file=file.name), data.accept_upload, name, file.name, file.getvalue())
        if isinstance(result, data.UploadedTable):
            st.toast(t("app.data.accepted", lang, file=file.name, rows=row_count(result.rows, lang)))
    problems = state.UPLOAD_PROBLEMS.get().get(name)
    if name in uploads:
        up = uploads[name]
        st.success(t("app.data.using_upload", lang, file=up.file_name, rows=row_count(up.rows, lang)))
        if st.button(t("app.data.back_to_sample" if name in data.SAMPLE_FILES else "app.data.remove", lang),
                     key=f"reset.{name}"):
            data.forget_upload(name)
            st.rerun()
    elif aggregate and name in ("touchpoints", "conversions"):  # the sample's journeys are not this shop's
        st.info(t("app.data.none.partial", lang))
    elif name in data.SAMPLE_FILES:
        st.info(t("app.data.using_sample", lang))
    else:
        st.info(t(f"app.data.none.{name}", lang))
    if problems:
        st.error(t("app.data.rejected", lang, n=len(problems)))


def upload_problems(lang: str) -> None:
    """The problems of every rejected file, full width (a column of the upload grid hides the "got" column)."""
    for name, problems in state.UPLOAD_PROBLEMS.get().items():
        if problems:
            st.markdown(f"**{t(f'app.data.table.{name}', lang)}**")
            show_problems(problems, lang, title_key="app.data.rejected")
            st.caption(t("app.data.kept", lang))


def loaded_summary(ds: data.Dataset, lang: str) -> None:
    facts = data.load_facts(ds.token, ds)
    fmt = "%Y-%m-%d"
    if ds.aggregate:
        aggregate_summary(ds, facts, lang)
        return
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("app.data.period", lang), t("app.data.days", lang, n=facts["spend_days"]),
              help=t("app.data.period_help", lang, start=f"{facts['spend_start']:{fmt}}", end=f"{facts['spend_end']:{fmt}}"))
    c2.metric(t("app.data.orders", lang), number(facts["n_orders"], lang),
              help=t("app.data.orders_help", lang, start=f"{facts['orders_start']:{fmt}}", end=f"{facts['orders_end']:{fmt}}"))
    c3.metric(t("app.data.gmv", lang), money(facts["gmv_total"], lang))
    c4.metric(t("app.data.spend", lang), money(facts["spend_total"], lang))
    st.caption(t("app.data.counts", lang, start=f"{facts['spend_start']:{fmt}}", end=f"{facts['spend_end']:{fmt}}",
                 touches=number(facts["n_touchpoints"], lang), users=number(facts["n_users"], lang),
                 channels=facts["n_channels"], paid=facts["n_paid"]))

    st.subheader(t("app.data.channels_by_group", lang))
    st.dataframe(channels_by_group(ds.channels, lang), hide_index=True, width="stretch", height="content")
    if ds.renamed:
        st.info(t("app.data.renamed", lang, pairs=", ".join(f"{a} → {b}" for a, b in ds.renamed.items())))
    assumed = ds.channels.loc[ds.channels["assumed"], "channel"].tolist()
    if assumed:
        st.warning(t("app.data.assumed_groups", lang, channels=", ".join(assumed)))

    daily = data.daily_summary(ds.token, ds)
    st.plotly_chart(figures.daily_overview(daily, ds.channels, lang), key="fig.daily", config={"displaylogo": False})


def channels_by_group(channels: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One row per group: its channels (labels), whether they have spend, key platforms marked."""
    col = "label_zh" if lang == "zh" else "label_en"
    rows = []
    for group, part in channels.groupby("group", sort=False):
        names = [f"{label}{' ★' if key else ''}" for label, key in zip(part[col], part["key_platform"])]
        rows.append({
            t("app.data.group", lang): t(f"group.{group}", lang) if f"group.{group}" in STRINGS else group,
            t("app.data.channels", lang): "、".join(names) if lang == "zh" else ", ".join(names),
            t("app.data.with_spend", lang): int(part["has_spend"].sum()),
        })
    return pd.DataFrame(rows)


UPLOADER_CSS = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{font-size: 0;}}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: "{button}"; font-size: 0.875rem;}}
[data-testid="stFileUploaderDropzoneInstructions"] span {{font-size: 0;}}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{content: "{limit}"; font-size: 0.8rem;
  white-space: normal;}}
</style>"""
# Streamlit 1.67 writes its uploader's words ("Upload", "200MB per file • …") in English with no option to change
# them (they are constants of its front end); in Chinese the page draws its own words over them with CSS.


def uploader_words(lang: str) -> None:
    if lang != "zh":
        return
    types = "CSV、Parquet、Excel"
    st.html(UPLOADER_CSS.format(button=t("app.data.uploader_button", lang),
                                limit=t("app.data.uploader_limit", lang, mb=upload_limit_mb(), types=types)))


def aggregate_summary(ds: data.Dataset, facts: dict, lang: str) -> None:
    """Aggregate mode: the outcome's period and dates, totals, and which evidence each channel has."""
    fmt = "%Y-%m-%d"
    weekly = facts["period_days"] == 7
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("app.data.outcome_periods", lang),
              t("app.data.weeks" if weekly else "app.data.days", lang, n=facts["n_periods"]),
              help=t("app.data.period_help", lang, start=f"{facts['outcome_start']:{fmt}}",
                     end=f"{facts['outcome_end']:{fmt}}"))
    c2.metric(t("app.data.shop_gmv", lang), money(facts["gmv_total"], lang))
    c3.metric(t("app.data.spend", lang), money(facts["spend_total"], lang))
    c4.metric(t("app.data.paid_channels", lang), facts["n_paid"])
    st.caption(t("app.data.aggregate_counts", lang, period=t("app.data.weekly" if weekly else "app.data.daily", lang),
                 start=f"{facts['outcome_start']:{fmt}}", end=f"{facts['outcome_end']:{fmt}}"))
    st.markdown(f"**{t('app.data.evidence', lang)}**")
    st.dataframe(evidence_view(ds, facts["period_days"], lang), hide_index=True, width="stretch", height="content")


def evidence_view(ds: data.Dataset, period_days: int, lang: str) -> pd.DataFrame:
    """Per channel with spend: the evidence the fit will have (the aggregate data, with the carry-over from the
    journeys where they have enough of its orders, as the fit decides) and whether the platform's own GMV is there
    (a labelled reference)."""
    from response.lag import MIN_TOUCHES

    from roimix.app.credit_tables import carried_channels

    names = data.channel_label(ds.channels, lang)
    ev = ds.evidence(carried_channels(ds.token, ds, period_days) if ds.has_journeys else frozenset())
    words = [t("aggregate.evidence.journey_lags", lang) if c
             else t("aggregate.evidence.journeys_few", lang, need=MIN_TOUCHES) if j
             else t("aggregate.evidence.aggregate", lang) for j, c in zip(ev["journeys"], ev["carry_over"])]
    return pd.DataFrame({
        t("app.data.channel", lang): [names.get(c, c) for c in ev["channel"]],
        t("app.data.evidence", lang): words,
        t("app.data.platform_gmv", lang): [t("app.data.yes" if p else "app.data.no", lang) for p in ev["platform_gmv"]],
    })


def render() -> None:
    lang = state.lang()
    st.title(t("app.data.title", lang))
    uploader_words(lang)
    st.caption(t("app.data.intro", lang))
    mode = st.segmented_control(t("app.data.mode", lang), data.MODES, key=state.DATA_MODE.widget(), required=True,
                                format_func=lambda m: t(f"app.data.mode.{m}", lang))
    state.DATA_MODE.set(mode if mode in data.MODES else "journeys")
    aggregate = state.DATA_MODE.get() == "aggregate"
    st.caption(t(f"app.data.mode_help.{state.DATA_MODE.get()}", lang))

    with st.expander(t("app.data.upload_title", lang, mb=upload_limit_mb()),
                     expanded=bool(state.UPLOAD_PROBLEMS.get()) or aggregate):
        st.caption(t("app.data.upload_help", lang, mb=upload_limit_mb()))
        first = ("spend", "outcome", "touchpoints", "conversions") if aggregate else data.REQUIRED
        cols = st.columns(len(first))
        for i, name in enumerate(first):
            with cols[i]:
                upload_box(name, lang)
        cols = st.columns(3)
        for i, name in enumerate(data.OPTIONAL):
            with cols[i]:
                upload_box(name, lang)
        upload_problems(lang)

    ds = attempt(lang, t("app.data.loading", lang), data.current_dataset)
    if ds is None:
        return
    sources = {n: s for n, s in ds.sources.items() if s}
    st.caption(t("app.data.sources", lang, sources=", ".join(
        f"{t(f'app.data.table.{n}', lang)}: {t('app.data.sample', lang) if s == 'sample' else s}" for n, s in sources.items())))
    with guard(lang, t("app.data.summary", lang)):
        loaded_summary(ds, lang)


if __name__ == "__main__":
    render()
