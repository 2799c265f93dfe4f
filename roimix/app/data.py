"""The data the app works on: the bundled sample, a user's uploads, and cached loaders.

A :class:`Dataset` is the current set of tables (each one uploaded or the sample's) plus a
``token`` naming their content. Cached functions take the token (hashed) and the dataset as an
unhashed ``_dataset`` argument, so a 600,000-row touchpoints table is never hashed on a rerun.
Tables are read once (``st.cache_resource``: shared, never copied) and must not be modified.
"""

from __future__ import annotations

import functools
import hashlib
import io
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from roimix.tables import (
    CHANNELS, CONVERSIONS, CURVES, LIFT_TESTS, SPEND, TOUCHPOINTS, Problem, TableError, read_table,
)
from roimix.tables.contracts import OUTCOME
from roimix.expected import expect

from . import state

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"

REQUIRED = ("touchpoints", "conversions", "spend")
OPTIONAL = ("channels", "curves", "lift_tests")
TABLES = REQUIRED + OPTIONAL + ("outcome",)
MODES = ("journeys", "aggregate")
AGGREGATE_REQUIRED = ("spend", "outcome")
"""Aggregate mode: what it needs; touchpoints and orders are optional there (partial journeys: a prior for the
channels they cover), channels, curves and lift tests optional as in journeys mode."""
CONTRACTS = {"touchpoints": TOUCHPOINTS, "conversions": CONVERSIONS, "spend": SPEND, "channels": CHANNELS,
             "curves": CURVES, "lift_tests": LIFT_TESTS, "outcome": OUTCOME}
SAMPLE_FILES = {"touchpoints": "touchpoints.parquet", "conversions": "conversions.parquet", "spend": "spend.csv",
                "channels": "channels.csv"}
UPLOAD_TYPES = ("csv", "txt", "parquet", "pq", "xlsx")
GROUP_ORDER = ("paid", "content", "KOL", "social", "organic")


@dataclass(frozen=True)
class UploadedTable:
    """A table a user uploaded and that met its contract."""

    name: str
    file_name: str
    frame: pd.DataFrame = field(repr=False)
    digest: str
    rows: int


@dataclass(frozen=True, eq=False)
class Dataset:
    """The tables the app works on. ``sources[name]`` is ``"sample"`` or the uploaded file's name."""

    touchpoints: pd.DataFrame | None
    """None in aggregate mode without uploaded touchpoints"""
    conversions: pd.DataFrame | None
    spend: pd.DataFrame
    channels: pd.DataFrame
    curves: pd.DataFrame | None
    sources: dict[str, str]
    token: str
    lift_tests: pd.DataFrame | None = None
    renamed: dict = field(default_factory=dict)
    """{channel name as a file wrote it: channel id}, for names mapped through the channels table's labels"""
    outcome: pd.DataFrame | None = None
    """aggregate mode: the shop's total GMV per day or week (date, [segment], value)"""
    mode: str = "journeys"

    @property
    def is_sample(self) -> bool:
        return self.mode == "journeys" and self.lift_tests is None \
            and all(self.sources.get(n) == "sample" for n in ("spend", "touchpoints", "conversions"))

    @property
    def aggregate(self) -> bool:
        return self.mode == "aggregate"

    @property
    def has_journeys(self) -> bool:
        """Touchpoints and orders are there (all channels in journeys mode, some or all in aggregate mode)."""
        return self.touchpoints is not None and self.conversions is not None

    def evidence(self, carried: frozenset[str] = frozenset()) -> pd.DataFrame:
        """channel, journeys, carry_over, platform_gmv: per channel with spend, whether the touchpoints name it,
        whether its carry-over comes from them (``carried``: the channels whose journeys have enough orders, as
        aggregate mode's fit decides, :func:`roimix.aggregate.journey_carryover`) and whether the spend table
        carries the platform's own GMV for it."""
        spend = self.spend
        paid = pd.unique(spend["channel"].astype(str))
        touched = set(pd.unique(self.touchpoints["channel"].astype(str))) if self.has_journeys else set()
        platform = set()
        if "platform_gmv" in spend.columns:
            platform = set(spend.loc[pd.to_numeric(spend["platform_gmv"], errors="coerce").notna(), "channel"].astype(str))
        return pd.DataFrame({"channel": paid, "journeys": [c in touched for c in paid],
                             "carry_over": [c in touched and c in carried for c in paid],
                             "platform_gmv": [c in platform for c in paid]})


# --- the sample -------------------------------------------------------------------------------------


def _sample_token() -> str:
    parts = []
    for name in sorted(SAMPLE_FILES.values()):
        path = SAMPLE / name
        stat = path.stat() if path.exists() else None
        parts.append(f"{name}:{stat.st_size if stat else 0}:{stat.st_mtime_ns if stat else 0}")
    return "sample-" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]


@st.cache_resource(show_spinner=False)
def _sample_tables(token: str) -> dict[str, pd.DataFrame]:
    """Each table checked on its own DuckDB connection, side by side (DuckDB works outside the GIL): the Data
    page's first numbers wait for the slowest table, not the sum."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(SAMPLE_FILES), thread_name_prefix="roimix-sample") as pool:
        read = {name: pool.submit(read_table, SAMPLE / file, CONTRACTS[name]) for name, file in SAMPLE_FILES.items()}
        return {name: future.result() for name, future in read.items()}


def sample_tables() -> dict[str, pd.DataFrame]:
    return _sample_tables(_sample_token())


def prefetch_sample() -> None:
    """Start checking the sample in the background, once per process and sample version, so that it runs
    while the app draws its frame and imports its pages; the Data page's own :func:`sample_tables` call then
    waits for it (``st.cache_resource`` computes a value once, other callers wait on its lock). A failure
    here is left for the page's own call to raise and show."""
    _prefetch(_sample_token())


@functools.lru_cache(maxsize=8)
def _prefetch(token: str) -> None:
    def run() -> None:
        try:
            _sample_tables(token)
        except Exception:  # noqa: BLE001 - the page reads again and shows the problem
            pass

    threading.Thread(target=run, daemon=True, name="roimix-sample-prefetch").start()


@st.cache_data(show_spinner=False)
def demo_curves() -> pd.DataFrame | None:
    """The sample market's true curves (``truth_curves.csv``), shown as *demo curves* until fitting is wired."""
    path = SAMPLE / "truth_curves.csv"
    if not path.exists():
        return None
    return read_table(path, CURVES)


# --- uploads ----------------------------------------------------------------------------------------


def read_upload(name: str, file_name: str, data: bytes) -> pd.DataFrame:
    """Check an uploaded file against the contract of table ``name``; raise :class:`TableError` if it fails."""
    contract = CONTRACTS[name]
    suffix = Path(file_name).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        raise TableError([Problem.of(file_name, "", expect("file_type"), got=(f".{suffix}" if suffix else file_name,))])
    if not data:
        raise TableError([Problem.of(file_name, "", expect("empty_file"))])
    if suffix == "xlsx":
        try:
            frame = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl")
        except Exception as err:  # noqa: BLE001 - reported as a problem with the file
            raise TableError([Problem.of(file_name, "", expect("excel", detail=str(err)[:200]))]) from None
        return read_table(frame, contract, name=file_name)
    with tempfile.TemporaryDirectory(prefix="roimix-upload-") as folder:
        path = Path(folder) / f"upload.{'parquet' if suffix == 'pq' else suffix}"
        path.write_bytes(data)
        return read_table(path, contract, name=file_name)


def accept_upload(name: str, file_name: str, data: bytes) -> UploadedTable | list[Problem]:
    """Read an upload; on success store it (replacing the table), on failure keep everything and return the problems."""
    problems = state.UPLOAD_PROBLEMS.get()
    try:
        frame = read_upload(name, file_name, data)
    except TableError as err:
        problems[name] = list(err.problems)
        return list(err.problems)
    if len(frame) == 0:
        found = [Problem.of(file_name, "", expect("no_rows"))]
        problems[name] = found
        return found
    found = spelling_problems(name, file_name, frame)
    if found:
        problems[name] = found
        return found
    table = UploadedTable(name, file_name, frame, hashlib.sha1(data).hexdigest()[:16], len(frame))
    state.UPLOADS.get()[name] = table
    problems.pop(name, None)
    return table


def forget_upload(name: str) -> None:
    """Go back to the sample's table (or none, for optional tables)."""
    state.UPLOADS.get().pop(name, None)
    state.UPLOAD_PROBLEMS.get().pop(name, None)


# --- the current dataset ------------------------------------------------------------------------------


def current_dataset() -> Dataset:
    """The sample's tables with the user's uploads in their place. In aggregate mode (:data:`state.DATA_MODE`) the
    touchpoints and orders are the uploaded ones or none (the sample's journeys are not the user's), and the
    outcome table is needed: without it an :class:`~roimix.app.errors.AppMessage` says so."""
    uploads: dict[str, UploadedTable] = state.UPLOADS.get()
    sample = sample_tables()
    mode = state.DATA_MODE.get() if state.DATA_MODE.get() in MODES else "journeys"
    if mode == "aggregate" and "outcome" not in uploads:
        from .errors import AppMessage

        raise AppMessage("app.data.need_outcome")
    tables, sources, parts = {}, {}, [f"mode={mode}"]
    for name in TABLES:
        if name in uploads:
            tables[name] = uploads[name].frame
            sources[name] = uploads[name].file_name
            parts.append(f"{name}={uploads[name].digest}")
        elif name in sample and not (mode == "aggregate" and name in ("touchpoints", "conversions")):
            tables[name] = sample[name]
            sources[name] = "sample"
            parts.append(f"{name}=sample")
        else:
            tables[name] = None
            sources[name] = ""
    token = _sample_token() + "|" + "|".join(parts)
    if "spend" in uploads or "touchpoints" in uploads:  # the sample's names are the channels table's ids already
        tables["spend"], tables["touchpoints"], renamed = harmonised(token, tables["channels"], tables["spend"],
                                                                     tables["touchpoints"])
    else:
        renamed = {}
    if mode == "aggregate" and (tables["touchpoints"] is None) != (tables["conversions"] is None):
        from .errors import AppMessage

        raise AppMessage("app.data.partial_needs_both")
    channels = channel_table(token, tables["channels"], tables["spend"], tables["touchpoints"])
    return Dataset(tables["touchpoints"], tables["conversions"], tables["spend"], channels, tables["curves"],
                   sources, hashlib.sha1(token.encode()).hexdigest()[:16], tables["lift_tests"], renamed,
                   tables["outcome"], mode)


# --- one spelling per channel ---------------------------------------------------------------------------


def _spellings(channels: pd.DataFrame | None) -> dict[str, str]:
    """Every way the channels table writes a channel (id, label_zh, label_en; trimmed, case-folded) → its id."""
    if channels is None or not len(channels):
        return {}
    out: dict[str, str] = {}
    for col in ("label_en", "label_zh", "channel"):  # the id wins a clash
        if col in channels.columns:
            for ident, label in zip(channels["channel"].astype(str), channels[col]):
                if isinstance(label, str) and label.strip():
                    out[label.strip().casefold()] = ident
    return out


def rename_map(values, channels: pd.DataFrame | None) -> dict[str, str]:
    """{name as written: channel id} for the names in ``values`` that are a label (or a differently written id)
    of a channel in the channels table, e.g. ``直通车`` → ``ztc``."""
    spell = _spellings(channels)
    ids = set(channels["channel"].astype(str)) if channels is not None and len(channels) else set()
    out = {}
    for v in pd.unique(pd.Series(values, dtype=object).dropna().astype(str)):
        if v in ids:
            continue
        target = spell.get(v.strip().casefold())
        if target is not None:
            out[v] = target
    return out


def _renamed(frame: pd.DataFrame, mapping: dict[str, str]) -> pd.DataFrame:
    if not mapping:
        return frame
    return frame.assign(channel=frame["channel"].astype(str).replace(mapping))


@st.cache_resource(show_spinner=False, max_entries=8)  # shared, not copied: never modified
def harmonised(token: str, _channels: pd.DataFrame | None, _spend: pd.DataFrame, _touchpoints: pd.DataFrame):
    """(spend, touchpoints, {written: id}) with channel labels written as their ids (spend's 直通车 is the
    touchpoints' ``ztc`` when the channels table labels ``ztc`` 直通车)."""
    names = [pd.Series(pd.unique(_spend["channel"].astype(str)))]
    if _touchpoints is not None:
        names.append(pd.Series(pd.unique(_touchpoints["channel"].astype(str))))
    mapping = rename_map(pd.concat(names), _channels)
    return (_renamed(_spend, mapping), None if _touchpoints is None else _renamed(_touchpoints, mapping), mapping)


def spelling_problems(name: str, file_name: str, frame: pd.DataFrame) -> list[Problem]:
    """Problems when an uploaded spend or touchpoints table names channels differently from the other one
    (uploaded too; the sample's names are not the user's), after labels in the channels table are mapped to
    ids: every spend channel with no touchpoints, while touchpoint channels that are not organic have no spend,
    is named with the spellings the other file uses (one row per name, with its rows)."""
    if name not in ("spend", "touchpoints"):
        return []
    uploads: dict[str, UploadedTable] = state.UPLOADS.get()
    other = "touchpoints" if name == "spend" else "spend"
    if other not in uploads:
        return []
    channels = uploads["channels"].frame if "channels" in uploads else sample_tables().get("channels")
    spend, touch = (frame, uploads[other].frame) if name == "spend" else (uploads[other].frame, frame)
    mapping = rename_map(pd.concat([pd.Series(pd.unique(spend["channel"].astype(str))),
                                    pd.Series(pd.unique(touch["channel"].astype(str)))]), channels)
    spend_names = pd.Series(spend["channel"].astype(str)).replace(mapping)
    touch_names = set(pd.Series(pd.unique(touch["channel"].astype(str))).replace(mapping))
    organic = set()
    if channels is not None and len(channels):
        organic = set(channels.loc[channels["group"].astype(str) == "organic", "channel"].astype(str))
    spend_only = [c for c in pd.unique(spend_names) if c not in touch_names]
    unspent = sorted(c for c in touch_names - set(spend_names) if c not in organic)
    if not spend_only or (not unspent and set(spend_names) & touch_names):
        return []
    source = frame["channel"].astype(str).replace(mapping) if name == "spend" else None
    problems = []
    if name == "spend":
        shown = ", ".join(unspent[:12]) + (" …" if len(unspent) > 12 else "")
        for c in spend_only:
            rows = np.flatnonzero(source.to_numpy() == c)
            written = sorted(set(frame["channel"].astype(str).to_numpy()[rows]))
            problems.append(Problem.of(file_name, "channel", expect("spelling_touch", names=shown),
                                       tuple(int(r) + 2 for r in rows[:5]), len(rows), tuple(written)))
    else:
        spend_file = uploads["spend"].file_name
        shown = ", ".join(spend_only[:12]) + (" …" if len(spend_only) > 12 else "")
        unmatched = sorted(touch_names - set(spend_names) - organic)
        for c in unmatched:
            rows = np.flatnonzero(frame["channel"].astype(str).replace(mapping).to_numpy() == c)
            problems.append(Problem.of(file_name, "channel", expect("spelling_spend", file=spend_file, names=shown),
                                       tuple(int(r) + 2 for r in rows[:5]), len(rows), (c,)))
    return problems


@st.cache_data(show_spinner=False)
def channel_table(token: str, _channels: pd.DataFrame | None, _spend: pd.DataFrame,
                  _touchpoints: pd.DataFrame | None) -> pd.DataFrame:
    """Every channel seen in spend or touchpoints with its group and labels, in a stable order.

    Channels missing from the channels table count as ``paid`` when they have spend, ``organic``
    otherwise (flagged in ``assumed``). Order: group, then the channels table's order, then name.
    """
    channels = _channels
    seen_spend = pd.Index(pd.unique(_spend["channel"].astype(str)))
    seen_touch = pd.Index(pd.unique(_touchpoints["channel"].astype(str)) if _touchpoints is not None else [])
    base = pd.DataFrame(columns=["channel", "group", "key_platform", "label_zh", "label_en"])
    if channels is not None:
        base = channels.copy()
        for col in ("key_platform", "label_zh", "label_en"):
            if col not in base.columns:
                base[col] = None
    base["channel"] = base["channel"].astype(str)
    base["assumed"] = False
    extra = [c for c in seen_spend.union(seen_touch) if c not in set(base["channel"])]
    if extra:
        base = pd.concat([base, pd.DataFrame({
            "channel": extra, "group": ["paid" if c in seen_spend else "organic" for c in extra],
            "key_platform": False, "label_zh": None, "label_en": None, "assumed": True,
        })], ignore_index=True)
    base["label_zh"] = base["label_zh"].where(base["label_zh"].notna() & (base["label_zh"].astype(str) != ""), base["channel"])
    base["label_en"] = base["label_en"].where(base["label_en"].notna() & (base["label_en"].astype(str) != ""), base["channel"])
    base["key_platform"] = base["key_platform"].fillna(False).astype(bool)
    base["has_spend"] = base["channel"].isin(seen_spend)
    base["order"] = np.arange(len(base))
    rank = {g: i for i, g in enumerate(GROUP_ORDER)}
    base["group_rank"] = base["group"].map(rank).fillna(len(rank))
    out = base.sort_values(["group_rank", "order"]).drop(columns=["group_rank", "order"]).reset_index(drop=True)
    return out[["channel", "group", "key_platform", "label_zh", "label_en", "has_spend", "assumed"]]


# --- summaries of what was loaded -----------------------------------------------------------------------


@st.cache_data(show_spinner=False)
def daily_summary(token: str, _dataset: Dataset) -> pd.DataFrame:
    """date, channel, spend (yuan), plus one row per date with channel ``(gmv)`` holding GMV; tidy."""
    ds = _dataset
    spend = (ds.spend.assign(date=pd.to_datetime(ds.spend["date"]).dt.normalize())
             .groupby(["date", "channel"], as_index=False)["spend"].sum())
    if ds.aggregate:  # the shop's own GMV per day or week
        gmv = ds.outcome.assign(date=pd.to_datetime(ds.outcome["date"])).groupby("date", as_index=False)["value"].sum()
    else:
        gmv = (ds.conversions.assign(date=pd.to_datetime(ds.conversions["timestamp"]).dt.normalize())
               .groupby("date", as_index=False)["value"].sum())
    return spend.rename(columns={"spend": "amount"}).assign(measure="spend").pipe(
        lambda s: pd.concat([s, gmv.rename(columns={"value": "amount"}).assign(channel="", measure="gmv")],
                            ignore_index=True))


@st.cache_data(show_spinner=False)
def load_facts(token: str, _dataset: Dataset) -> dict:
    """Date range, counts and totals of the current dataset (plain numbers, for the data page)."""
    ds = _dataset
    dates = pd.to_datetime(ds.spend["date"])
    if ds.aggregate:
        out_dates = pd.to_datetime(ds.outcome["date"])
        steps = np.diff(np.sort(out_dates.unique())).astype("timedelta64[D]").astype(int)
        return {
            "spend_start": dates.min(), "spend_end": dates.max(), "spend_days": int(dates.dt.normalize().nunique()),
            "outcome_start": out_dates.min(), "outcome_end": out_dates.max(),
            "period_days": 7 if len(steps) and np.all(steps % 7 == 0) else 1,
            "n_periods": int(out_dates.nunique()),
            "spend_total": float(ds.spend["spend"].sum()), "gmv_total": float(ds.outcome["value"].sum()),
            "n_channels": len(ds.channels), "n_paid": int(ds.channels["has_spend"].sum()),
        }
    conv_ts = pd.to_datetime(ds.conversions["timestamp"])
    tp_ts = pd.to_datetime(ds.touchpoints["timestamp"])
    return {
        "spend_start": dates.min(), "spend_end": dates.max(), "spend_days": int(dates.dt.normalize().nunique()),
        "orders_start": conv_ts.min(), "orders_end": conv_ts.max(),
        "touch_start": tp_ts.min(), "touch_end": tp_ts.max(),
        "n_touchpoints": len(ds.touchpoints), "n_orders": len(ds.conversions),
        "n_users": int(ds.touchpoints["user_id"].nunique()),
        "spend_total": float(ds.spend["spend"].sum()), "gmv_total": float(ds.conversions["value"].sum()),
        "n_channels": len(ds.channels), "n_paid": int(ds.channels["has_spend"].sum()),
    }


def channel_label(channels: pd.DataFrame, lang: str) -> dict[str, str]:
    col = "label_zh" if lang == "zh" else "label_en"
    return dict(zip(channels["channel"], channels[col]))
