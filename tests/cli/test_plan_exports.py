"""``roimix plan --out``: CSV, JSON and Excel go through the finance tables, so every total equals the sum of
its rounded rows to the fen; the workbook records the options and input files as assumptions; the reserve held
back and the budget the objective leaves unspent are reported apart."""

from __future__ import annotations

import csv
import hashlib
import json
from decimal import Decimal

import openpyxl
import pytest

from roimix.cli import main
from roimix.export.finance import HEADERS, header
from roimix.text import percent, t


@pytest.fixture(scope="module")
def curves(sample_dir, tmp_path_factory):
    """A private copy of the sample's true curves (the hash the exports record is of this file)."""
    path = tmp_path_factory.mktemp("curves") / "truth_curves.csv"
    path.write_bytes((sample_dir / "truth_curves.csv").read_bytes())
    return path


def fen(value) -> int:
    """Yuan written in a file → whole fen; fails when the value is not a whole number of fen."""
    amount = Decimal(str(value)).scaleb(2)
    assert amount == amount.to_integral_value(), f"{value} is not rounded to the fen"
    return int(amount)


def plan(curves, out, *args, lang="en"):
    code = main(["plan", "--curves", str(curves), *args, "--out", str(out), "--lang", lang])
    assert code == 0
    return out


def sheet(book, name) -> tuple[list, list[list]]:
    rows = [list(r) for r in book[name].iter_rows(values_only=True)]
    return rows[0], rows[1:]


@pytest.mark.parametrize("budget", ["10000", "9876.543"])
def test_csv_spend_adds_up_to_the_budget_to_the_fen(curves, tmp_path, budget, capsys):
    out = plan(curves, tmp_path / "plan.csv", "--budget", budget)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert {"channel", "segment", "current_spend", "spend", "expected_value", "roi", "marginal_roi"} <= set(rows[0])
    assert sum(fen(r["spend"]) for r in rows) == fen(Decimal(budget).quantize(Decimal("0.01")))
    for r in rows:  # change is the difference of the rounded amounts, exactly
        assert fen(r["change"]) == fen(r["spend"]) - fen(r["current_spend"])
    # the same fen as the JSON (and so the workbook and the app) per cell
    doc = json.loads(plan(curves, tmp_path / "plan.json", "--budget", budget).read_text(encoding="utf-8"))
    assert [fen(r["spend"]) for r in rows] == [fen(r["spend"]) for r in doc["plan"]]
    assert [fen(r["expected_value"]) for r in rows] == [fen(r["expected_gmv"]) for r in doc["plan"]]
    assert [fen(r["current_spend"]) for r in rows] == [fen(r["current_spend"]) for r in doc["plan"]]
    assert sum(fen(r["expected_value"]) for r in rows) == fen(doc["totals"]["expected_gmv"])
    capsys.readouterr()


@pytest.mark.parametrize("args", [
    ["--budget", "10000"],
    ["--budget", "9876.543", "--reserve", "0.0731"],
    ["--objective", "profit", "--budget", "20000", "--reserve", "0.1"],
])
def test_json_summary_totals_equal_the_sum_of_the_rounded_rows(curves, tmp_path, args, capsys):
    doc = json.loads(plan(curves, tmp_path / "plan.json", *args).read_text(encoding="utf-8"))
    for key in ("spend", "expected_gmv", "current_spend"):
        rows = sum(fen(r[key]) for r in doc["plan"])
        assert rows == fen(doc["totals"][key]), key
        if key in doc["summary"]:
            assert rows == fen(doc["summary"][key]), key
    s = doc["summary"]
    assert fen(s["budget"]) == fen(s["spend"]) + fen(s["reserve"]) + fen(s["unspent"])
    assert doc["meta"]["status"] == "optimal"
    capsys.readouterr()


def test_workbook_total_rows_equal_their_rows_with_current_spend_and_marginal_roi(curves, tmp_path, capsys):
    book = openpyxl.load_workbook(plan(curves, tmp_path / "plan.xlsx", "--budget", "10000"))
    head, rows = sheet(book, "plan")
    body, total = rows[:-1], rows[-1]
    assert total[0] == "Total"
    for key in ("current_spend", "spend", "expected_gmv"):
        col = head.index(header(key, "en", per_day=True))  # a plan's money is per day, and says so
        assert sum(fen(r[col]) for r in body) == fen(total[col]), key
    assert fen(total[head.index(header("spend", "en", per_day=True))]) == 1_000_000
    mroi = head.index(t(HEADERS["marginal_roi"], "en"))
    assert all(isinstance(r[mroi], float) for r in body)
    assert book["plan"].cell(2, mroi + 1).number_format == "0.00"
    capsys.readouterr()


def test_assumptions_sheet_lists_the_options_and_the_input_file_hash(curves, tmp_path, capsys):
    out = plan(curves, tmp_path / "plan.xlsx", "--budget", "10000", "--reserve", "0.05", "--new-product-cap", "0.2",
               "--new-customer-cap", "0.35", "--bounds", "relative:0.5,2", "--lock", "ztc", "--margin", "0.4")
    book = openpyxl.load_workbook(out)
    head, rows = sheet(book, "assumptions")
    assert head == ["Item", "Value", "Source"]
    items = {r[0]: (r[1], r[2]) for r in rows}
    a = lambda key, **v: t(f"optimizer.assume.{key}", "en", **v)  # noqa: E731
    assert items[a("new_product_cap")] == (percent(0.2, "en"), a("from.cli"))
    assert items[a("new_customer_cap")] == (percent(0.35, "en"), a("from.cli"))
    assert items[a("new_customer_floor")] == (a("off"), a("from.default"))
    assert items[a("bounds")][0] == "relative:0.5,2" and items[a("locks")][0] == "ztc"
    assert items[a("roi_floor")] == (a("off"), a("from.default"))
    assert items[a("margin")][0] == percent(0.4, "en")
    assert items[a("return_rate")][0] == percent(0.0, "en") and items[a("break_even")][0] == "2.50"
    assert items[a("objective")][0] == t("optimizer.objective.gmv", "en")
    assert "10,000.00" in items[a("budget")][0] and percent(0.05, "en") in items[a("reserve")][0]
    digest = hashlib.sha256(curves.read_bytes()).hexdigest()
    assert items[a("input", name="curves")] == (str(curves), a("from.sha256", digest=digest))
    summary = [r[1] for r in book["summary"].iter_rows(min_row=2, values_only=True)]
    assert f"{curves} (sha256 {digest})" in summary  # the summary names the input as batch workbooks do
    capsys.readouterr()


def test_profit_reports_the_reserve_and_the_unspent_budget_apart(curves, tmp_path, capsys):
    out = plan(curves, tmp_path / "plan.xlsx", "--objective", "profit", "--budget", "20000", "--reserve", "0.1")
    printed = capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    summary = {r[0]: r[1] for r in book["summary"].iter_rows(min_row=2, values_only=True) if r[0]}
    budget, spend = fen(summary[t("export.item.budget_per_day", "en")]), fen(summary[t("export.item.spend_per_day", "en")])
    held, unspent = (fen(summary[t("export.item.reserve_per_day", "en")]),
                     fen(summary[t("export.item.unspent_per_day", "en")]))
    assert budget == 2_000_000 and held == 200_000  # the reserve: 10% of the budget, not all that is unspent
    assert unspent == budget - held - spend and unspent > 0
    lines = printed.splitlines()
    assert any(line.startswith("Held back (reserve): ") for line in lines)
    assert any(line.startswith("Left unspent by the objective: ") for line in lines)
    notes = [r[1] for r in book["summary"].iter_rows(min_row=2, values_only=True)]
    assert any(str(n).startswith("Held back (reserve): ") for n in notes)
    assert any(str(n).startswith("Left unspent by the objective: ") for n in notes)


def test_without_a_reserve_nothing_is_said_to_be_held_back(curves, tmp_path, capsys):
    doc = json.loads(plan(curves, tmp_path / "plan.json", "--objective", "profit", "--budget", "20000",
                          "--reserve", "0", lang="zh").read_text(encoding="utf-8"))
    printed = capsys.readouterr().out
    assert "预留" not in printed and "目标未花出的预算：" in printed
    assert not [m for m in doc["messages"] if "预留" in m]
    totals = doc["totals"]
    assert fen(totals["reserve"]) == 0 and fen(totals["unspent"]) == fen(totals["budget"]) - fen(totals["spend"]) > 0
