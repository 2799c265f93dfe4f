"""Aggregated paths as integer arrays: the common input of every path model.

A paths table (``path``, ``conversions``, ``value``, ``nulls``; ChannelAttribution's
``total_conversions``, ``total_conversion_value``, ``total_null`` are accepted; optionally
``null_window``, see :data:`attribution.journeys.NULL_WINDOW`) becomes an
:class:`EncodedPaths`: distinct paths in CSR layout (``offsets`` into ``steps``), channel codes
into the sorted tuple ``channels``. Parsing follows ChannelAttribution: steps are split on the
separator and trimmed, empty steps are dropped, rows with the same path are summed.
Everything is vectorised (Arrow string kernels, numpy), so 10⁶ distinct paths encode in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from roimix.errors import InputError
from roimix.messages import Message

from .vocabulary import ANCHORED, FULL, NO_TOUCH, NULL_WINDOW, NULL_WINDOWS, PATH_SEPARATOR

_ALIASES = {"total_conversions": "conversions", "total_conversion_value": "value", "total_null": "nulls"}


@dataclass(frozen=True)
class EncodedPaths:
    """Distinct paths, sorted by their canonical text (channels joined by ``" > "``).

    Path ``i`` is ``channels[steps[offsets[i]:offsets[i + 1]]]``; ``conversions``, ``value`` and
    ``nulls`` are the summed counts of every input row with that path.
    """

    channels: tuple[str, ...]
    offsets: np.ndarray
    steps: np.ndarray
    conversions: np.ndarray
    value: np.ndarray
    nulls: np.ndarray
    paths: np.ndarray
    """canonical text of each path (object array)"""
    null_window: str = FULL
    """how the table's non-converting windows were cut: ``anchored`` at a last touch (tables built
    by :mod:`attribution.journeys` say so) or ``full`` (the default: nothing is assumed)"""

    @property
    def n_paths(self) -> int:
        return len(self.offsets) - 1

    @property
    def n_channels(self) -> int:
        return len(self.channels)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def row(self) -> np.ndarray:
        """Path index of every step."""
        return np.repeat(np.arange(self.n_paths), self.lengths)

    @property
    def position(self) -> np.ndarray:
        """0-based position of every step within its path."""
        return np.arange(len(self.steps)) - np.repeat(self.offsets[:-1], self.lengths)

    def code(self, channel: str) -> int:
        """Code of ``channel`` (``-1`` if it never appears)."""
        i = int(np.searchsorted(self.channels, channel))
        return i if i < len(self.channels) and self.channels[i] == channel else -1

    def subset(self, keep: np.ndarray) -> EncodedPaths:
        """Only the paths where ``keep`` (bool per path) is true; channel codes are unchanged."""
        keep = np.asarray(keep, dtype=bool)
        lengths = self.lengths[keep]
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        steps = self.steps[np.repeat(keep, self.lengths)]
        return EncodedPaths(self.channels, offsets, steps, self.conversions[keep], self.value[keep],
                            self.nulls[keep], self.paths[keep], self.null_window)


def paths_frame(paths: pd.DataFrame) -> pd.DataFrame:
    """``paths`` with canonical column names (ChannelAttribution's are renamed) and defaults
    (``value`` and ``nulls`` 0 when absent); ``null_window`` is kept when present."""
    frame = paths.rename(columns={k: v for k, v in _ALIASES.items() if k in paths.columns and v not in paths.columns})
    missing = {"path", "conversions"} - set(frame.columns)
    if missing:
        raise InputError(message=Message("data.err.paths_columns", {"missing": ", ".join(sorted(missing))}))
    import pandas as pd

    out = pd.DataFrame({"path": frame["path"], "conversions": frame["conversions"]})
    out["value"] = frame["value"] if "value" in frame.columns else 0.0
    out["nulls"] = frame["nulls"] if "nulls" in frame.columns else 0
    if NULL_WINDOW in frame.columns:
        out[NULL_WINDOW] = frame[NULL_WINDOW]
    return out


def null_window_of(paths: pd.DataFrame) -> str:
    """How the table's non-converting windows were cut (:data:`~attribution.journeys.NULL_WINDOW`):
    its column's one value, ``full`` when there is no such column. Raises ``ValueError`` naming the
    row for an unknown value or for a table that mixes both."""
    if NULL_WINDOW not in paths.columns:
        return FULL
    text = paths[NULL_WINDOW].astype("string").str.strip().str.lower()
    bad = ~text.isin(NULL_WINDOWS)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(message=Message("data.err.null_window", {"row": i + 2, "column": NULL_WINDOW,
                                                                  "got": str(paths[NULL_WINDOW].iloc[i])}))
    kinds = text.unique()
    if len(kinds) > 1:
        i = int(np.flatnonzero((text != text.iloc[0]).to_numpy())[0])
        raise InputError(message=Message("data.err.null_window_mixed", {
            "row": i + 2, "column": NULL_WINDOW, "kind": str(text.iloc[i]), "first_kind": str(text.iloc[0])}))
    return str(kinds[0]) if len(kinds) else FULL


def _tokens(paths: pd.Series | pa.ChunkedArray, sep: str) -> tuple[pa.Array, np.ndarray]:
    """Trimmed, non-empty steps of every path (flat) and the number of steps per path."""
    if isinstance(paths, pa.ChunkedArray):  # an Arrow table's text column (no null: checked by its reader)
        text = pc.cast(paths, pa.large_string())
    else:
        try:  # text columns go to Arrow without a copy through Python strings
            text = pa.array(paths, type=pa.large_string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            text = None
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if text is None or text.null_count:
        text = pa.array(paths.astype(str).to_numpy(dtype=object), type=pa.large_string())
    split = pc.split_pattern(text, sep.strip() or sep)
    tokens = pc.utf8_trim_whitespace(pc.list_flatten(split))
    n_tok = np.asarray(pc.list_value_length(split).fill_null(0), dtype=np.int64)
    keep = np.asarray(pc.not_equal(tokens, ""), dtype=bool)
    if keep.all():  # no empty step (the usual case): nothing to drop or count again
        return tokens, n_tok
    row_of_token = np.repeat(np.arange(len(paths)), n_tok)[keep]
    return tokens.filter(pa.array(keep)), np.bincount(row_of_token, minlength=len(paths)).astype(np.int64)


def _join_arrow(tokens: pa.Array, lengths: np.ndarray) -> pa.Array:
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    rows = pa.LargeListArray.from_arrays(pa.array(offsets), tokens)
    return pc.binary_join(rows, pa.scalar(PATH_SEPARATOR, pa.large_string()))


def _join(tokens: pa.Array, lengths: np.ndarray) -> np.ndarray:
    return np.asarray(_join_arrow(tokens, lengths).to_numpy(zero_copy_only=False), dtype=object)


def _factorize_sorted(text: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """(code of each row, distinct values sorted): ``pd.factorize(sort=True)`` in Arrow (UTF-8
    byte order is code-point order, as Python sorts ``str``)."""
    encoded = pc.dictionary_encode(text)
    order = np.asarray(pc.sort_indices(encoded.dictionary), dtype=np.int64)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return rank[np.asarray(encoded.indices, dtype=np.int64)], encoded.dictionary.take(pa.array(order))


def canonical_paths(paths: pd.Series, *, sep: str = ">") -> pd.Series:
    """Each path as :func:`encode_paths` names it: trimmed steps joined by ``" > "`` (same index)."""
    tokens, lengths = _tokens(paths, sep)
    import pandas as pd

    return pd.Series(_join(tokens, lengths), index=paths.index, name="path")


def encode_paths(paths: pd.DataFrame | pa.Table, *, sep: str = ">") -> EncodedPaths:
    """Encode a paths table (see the module docstring): a frame, or an Arrow table with the contract's
    columns as :func:`roimix.tables.clean_paths.clean_paths_arrow` returns it. ``sep`` is the step separator."""
    frame = paths if isinstance(paths, pa.Table) else paths_frame(paths)
    tokens, lengths = _tokens(frame["path"], sep)
    if (lengths == 0).any():
        bad = int(np.flatnonzero(lengths == 0)[0])
        text = frame["path"][bad].as_py() if isinstance(frame, pa.Table) else frame["path"].iloc[bad]
        raise InputError(message=Message("data.err.empty_path", {"row": bad + 2, "path": str(text)}))

    # canonical text per row, then sum rows with the same path
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    codes, uniques = _factorize_sorted(_join_arrow(tokens, lengths))
    n = len(uniques)
    conversions, value, nulls = (np.bincount(codes, weights=_floats(frame[c]), minlength=n)
                                 for c in ("conversions", "value", "nulls"))
    first = np.empty(n, dtype=np.int64)
    if n == len(frame):  # already one row per path (the usual aggregated table)
        first[codes] = np.arange(n)
    else:
        order = np.argsort(codes, kind="stable")
        first[:] = order[np.concatenate([[0], np.flatnonzero(np.diff(codes[order])) + 1])]

    # the steps of each distinct path's first row
    u_lengths = lengths[first]
    u_offsets = np.concatenate([[0], np.cumsum(u_lengths)]).astype(np.int64)
    take = np.repeat(offsets[:-1][first] - u_offsets[:-1], u_lengths) + np.arange(u_offsets[-1])
    dictionary = pc.dictionary_encode(tokens.take(pa.array(take)))
    names = np.asarray(dictionary.dictionary.to_numpy(zero_copy_only=False), dtype=object)
    order = np.argsort(names, kind="stable")
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    steps = rank[np.asarray(dictionary.indices, dtype=np.int64)]
    return EncodedPaths(tuple(str(x) for x in names[order]), u_offsets, steps, conversions, value, nulls,
                        np.asarray(uniques.to_numpy(zero_copy_only=False), dtype=object), _null_window(frame))


def _floats(column) -> np.ndarray:
    """A frame's or an Arrow table's column as float64."""
    if isinstance(column, pa.ChunkedArray):
        return np.asarray(pc.cast(column, pa.float64()), dtype=float)
    return column.to_numpy(float)


def _null_window(frame) -> str:
    """:func:`null_window_of` for a frame or an Arrow table (whose reader has checked every value)."""
    if not isinstance(frame, pa.Table):
        return null_window_of(frame)
    if NULL_WINDOW not in frame.column_names:
        return FULL
    kinds = pc.unique(frame[NULL_WINDOW]).to_pylist()
    if len(kinds) == 1 and kinds[0] in NULL_WINDOWS:
        return kinds[0]
    return null_window_of(frame.select([NULL_WINDOW]).to_pandas())  # the frame route names the row at fault


def credited_steps(encoded: EncodedPaths, exclude: tuple[str, ...] | frozenset[str]) -> np.ndarray:
    """Bool per step: the step's channel is not in ``exclude``."""
    banned = np.zeros(encoded.n_channels + 1, dtype=bool)
    for name in exclude:
        c = encoded.code(name)
        if c >= 0:
            banned[c] = True
    return ~banned[encoded.steps]


__all__ = ["NO_TOUCH", "NULL_WINDOW", "PATH_SEPARATOR", "EncodedPaths", "canonical_paths", "credited_steps",
           "encode_paths", "null_window_of", "paths_frame"]
