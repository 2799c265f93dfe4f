"""What a table's cell, row or file should have been, as data: a key and its values (the ground floor).

A :class:`~roimix.tables.problems.Problem` carries its expectation as a :class:`~roimix.messages.Message`
(``key`` of :data:`EXPECTED`, with the values its sentence is filled with). The English sentence is made
here, for the CLI, logs and ``str(TableError)``; the app words the same key in the reader's language
(``app.expected.<key>`` in ``roimix/text/app.py``, whose English is this table), so nothing is ever
translated back from English.
"""

from __future__ import annotations

from roimix.messages import Message

EXPECTED = {
    'agg_grid': 'dates one day or one week apart (found dates {days} days apart)',
    'agg_min_days': 'at least {n} days of GMV (got {got})',
    'agg_min_weeks': 'at least {n} weeks of GMV (got {got})',
    'agg_missing_days': 'a value for every day from {first} to {last}; {n} missing ({shown}): a missing day is unknown, not 0: add it',
    'agg_missing_weeks': 'a value for every week from {first} to {last}; {n} missing ({shown}): a missing week is unknown, not 0: add it',
    'agg_overlap': "dates within the outcome's ({first} to {last})",
    'agg_partial': 'both touchpoints and conversions for the channels that have journeys',
    'agg_period': 'the same period as {file} or days (spend is weekly, the outcome daily: a week of spend cannot be split into days)',
    'agg_segment': 'a segment the outcome has GMV for ({segments})',
    'agg_constant': 'GMV that changes from period to period (the {series} series is {value} in every one of its {n} rows: there is nothing to fit; check the export, or leave the segment out of both tables)',
    'agg_segment_spend': 'only segments that {file} has spend for ({segments}; a spend table without a segment column counts every row as existing): sum the GMV over segments, or give the spend its segments',
    'agg_two_dates': 'at least two different dates',
    'agg_weekday': "weeks that start on the outcome's weekday ({weekday})",
    'bool': 'true or false',
    'ceiling': 'at most {ceiling} (the stated ceiling; a larger amount is a unit or export error)',
    'ceiling_per_conversion': 'at most {ceiling} per conversion (the stated ceiling; a larger amount is a unit or export error)',
    'column': "a column named '{name}'",
    'count': 'a whole number ≥ 0',
    'curve_b': 'b > 0 for families exp, mm, log, hill',
    'curve_s_hill': 's > 0 for family hill',
    'curve_s_power': '0 < s < 1 for family power',
    'date': 'a date like 2026-06-18',
    'dates_window': "a time between {first_date} and {last_date} (the spend table's dates ± the {lookback_days}-day lookback)",
    'decimal_mark': 'a number with {marks} as the decimal mark and no thousands separator',
    'empty_file': 'a file with a header row and data (the file is empty)',
    'end_after_start': 'an end date on or after start',
    'excel': 'a readable Excel workbook (the reader said: {detail})',
    'exists': 'an existing file ({path})',
    'fields': '{n} fields separated by {sep} as in the header ({header}), got {got}',
    'fit_periods': 'at least {n} periods of the {series} series to fit on, outside excluded periods (got {got})',
    'fit_segments': 'a series for every segment the spend has (missing: {segments})',
    'fit_segment_spend': 'spend for every segment it has GMV for (no spend: {segments})',
    'fit_constant': 'a {series} series that changes over the fitted periods (it is {value} in all {n}: there is nothing to fit)',
    'file_type': 'a .csv, .parquet or .xlsx file',
    'glob': 'files matching {pattern} (none found)',
    'id': 'an id',
    'le_clicks': 'no more than clicks',
    'lift_cell': 'a channel (and segment) of the spend table: {known}',
    'money': 'an amount in yuan ≥ 0',
    'no_rows': 'at least one data row (the file has only a header)',
    'number': 'a number',
    'one_of': 'one of {values}',
    'part_kinds': 'part files of one kind: all Parquet or all CSV',
    'parts_folder': 'a folder with Parquet or CSV part files ({path} has none)',
    'path_steps': "channels separated by ' > ' with no empty step",
    'path_value': 'no value on a path without conversions',
    'positive': 'a number > 0',
    'quoted': 'a quoted value closed by its quote (a " inside a value is written "")',
    'readable': 'a readable CSV (comma or semicolon separated) or Parquet file; the reader said: {detail}',
    'readout_start_after_start': 'a readout start on or after the test\'s start (the days before it had no test spend)',
    'readout_end_after_readout_start': 'a readout end on or after the readout start (or start)',
    'readout_end_given': 'a readout_end when the readout starts after the test ends',
    'rejects_limit': 'well-formed rows (counting stopped at {n} malformed rows; cells were not checked)',
    'remote': 'a file or folder on this machine ({path} is remote: the contract check runs here; check a local copy or sample, or use --no-validate)',
    'share': 'a share between 0 and 1',
    'short_row': 'a row shorter than 2 MB',
    'spelling_spend': 'a channel the spend file {file} names ({names}) or a label_zh/label_en of it in the channels table',
    'spelling_touch': 'a channel the touchpoints name ({names}) or a label_zh/label_en of it in the channels table',
    'text': 'text',
    'timestamp': 'a timestamp like 2026-06-18 20:00:00',
    'unique': 'one row per {columns} (duplicate keys: {groups} repeated in {rows} rows)',
    'utf8': "a UTF-8 or GB18030/GBK text file (in Excel: Save As → 'CSV UTF-8')",
    'value': 'a value (the cell is empty)',
    'well_formed': 'a well-formed CSV row; the reader said: {detail}',}
"""English sentence of each expectation; ``{name}`` fields are the message's values."""


def expect(key: str, **values) -> Message:
    """The expectation ``key`` with its values (raises ``KeyError`` for an unknown key: a typo fails at once)."""
    EXPECTED[key].format(**values)  # every field given
    return Message(key, values)


def english(message: Message) -> str:
    """The expectation as the CLI and logs say it."""
    return EXPECTED[message.key].format(**message.values)
