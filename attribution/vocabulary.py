"""Names every paths table shares (imports nothing: journey building, path encoding and the models use them)."""

from __future__ import annotations

NO_TOUCH = "(none)"
PATH_SEPARATOR = " > "
NULL_WINDOW = "null_window"
"""Column of a paths table saying how its non-converting windows were cut: :data:`ANCHORED` (they
end at the user's last touch, which is therefore on every non-converting path by construction:
every table built by :mod:`attribution.journeys` says so) or :data:`FULL` (they hold the whole window; a table
that says nothing is taken as full). A column, not a sidecar file or Parquet metadata: it survives a CSV
round trip, a spreadsheet and a concatenation, and a table from elsewhere simply lacks it."""
ANCHORED, FULL = "anchored", "full"
NULL_WINDOWS = (ANCHORED, FULL)
