"""The curves table's per-cell facts the optimizer needs beside the curves: traffic (CPC, new-customer share,
whether clicks are known), group, key platform and margin."""

from __future__ import annotations

import pandas as pd

from .data import Dataset
from .whatif import DEFAULT_MARGIN


def with_attributes(table: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    """The curves table with cpc, new_customer_share and clicks_known per cell (:func:`roimix.pipeline.cell_traffic`,
    the CLI's: a cell without clicks is unknown, never given an assumed CPC), group, key_platform and margin.

    Unknown cells get placeholder traffic (cpc 1, share 0) with ``clicks_known`` false: the optimizer needs
    numbers, and :func:`traffic_unknown_cells` turns the new-customer cap off rather than let it read them."""
    from optimizer import traffic_unknown
    from roimix.pipeline import cell_traffic

    out = table.copy()
    given = all(c in out.columns and out[c].notna().any() for c in ("cpc", "new_customer_share"))
    if not given:
        out = out.drop(columns=["cpc", "new_customer_share", "clicks_known"], errors="ignore").merge(
            cell_traffic(ds.spend), on=["channel", "segment"], how="left")
    known = ~traffic_unknown(out)
    out["clicks_known"] = known.to_numpy()
    out.loc[~known, "cpc"] = 1.0
    out.loc[~known, "new_customer_share"] = 0.0
    attrs = ds.channels.set_index("channel")
    for col in ("group", "key_platform"):
        if col not in out.columns or out[col].isna().all():
            out[col] = out["channel"].map(attrs[col])
    if "margin" not in out.columns:
        out["margin"] = DEFAULT_MARGIN
    out["margin"] = out["margin"].fillna(DEFAULT_MARGIN)
    return out


def traffic_unknown_cells(table: pd.DataFrame) -> tuple[str, ...]:
    """``channel/segment`` of the cells whose clicks are unknown: the new-customer rule cannot be checked on them,
    so the app plans without it (as the CLI drops its default cap) and says so."""
    from optimizer import traffic_unknown

    unknown = traffic_unknown(table).to_numpy()
    return tuple(f"{c}/{s}" for c, s in zip(table["channel"].to_numpy()[unknown], table["segment"].to_numpy()[unknown]))
