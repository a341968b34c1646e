#!/usr/bin/env python3
"""Opens a results folder's results.xlsx with openpyxl (a real reader) and checks its sheets,
number formats and a few values against the CSV files of the same folder.

Usage: python3 scripts/check_xlsx.py RESULTS_DIR
Needs: pip install openpyxl. Exits 0 and prints "results.xlsx ok" when every check passes.
"""
import csv
import json
import math
import sys
from pathlib import Path

import openpyxl


def fail(msg):
    print(f"results.xlsx: {msg}", file=sys.stderr)
    sys.exit(1)


def close(a, b):
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-9)


def main(folder):
    folder = Path(folder)
    meta = json.loads((folder / "meta.json").read_text())
    wb = openpyxl.load_workbook(folder / "results.xlsx", read_only=False)
    expected = ["budget", "multi-year budget", "summary"]
    if (folder / "reserve_by_certainty.csv").exists():
        expected.append("reserve")
    if meta.get("municipalities"):
        expected.append("municipalities")
    expected += ["yearly", "runs", "inputs", "about"]
    if wb.sheetnames != expected:
        fail(f"sheets {wb.sheetnames}, expected {expected}")
    nl = openpyxl.load_workbook(folder / "results_nl.xlsx")
    dutch = {"budget": "begroting", "multi-year budget": "meerjarenraming", "summary": "samenvatting", "reserve": "weerstandscapaciteit", "municipalities": "gemeenten",
             "yearly": "jaarcijfers", "runs": "simulaties", "inputs": "invoer", "about": "herkomst"}
    if nl.sheetnames != [dutch[n] for n in expected]:
        fail(f"results_nl.xlsx sheets {nl.sheetnames}")

    for book in (wb, nl):
        for ws in book.worksheets:
            # Numbers are stored as numbers: no text cell reads as one.
            for row in ws.iter_rows(max_row=min(ws.max_row, 400)):
                for c in row:
                    if isinstance(c.value, str):
                        try:
                            float(c.value.replace(",", "").replace("%", "").replace("€", "").strip())
                        except ValueError:
                            continue
                        fail(f"{ws.title}!{c.coordinate}: the number {c.value!r} is stored as text")
            # Page setup: landscape, fitted to one page wide.
            if ws.page_setup.orientation != "landscape" or not ws.sheet_properties.pageSetUpPr.fitToPage:
                fail(f"{ws.title}: not landscape and fitted to the page")
            if ws.page_setup.fitToWidth not in (1, None) or ws.page_setup.fitToHeight != 0:
                fail(f"{ws.title}: fit {ws.page_setup.fitToWidth} x {ws.page_setup.fitToHeight}, expected 1 x 0")
            if ws.title not in ("about", "herkomst") and not ws.print_title_rows:
                fail(f"{ws.title}: no header rows repeated on every printed page")

    # budget: years across the columns; the budget line, then P50, P80, P90, P95 (and the chance
    # of exceeding the budget) per strategy; compare with budget.csv.
    ws = wb["budget"]
    years = meta["horizon_years"]
    header = [c.value for c in ws[4]]
    if header != ["strategy", "figure"] + list(range(meta["start_year"], meta["start_year"] + years)):
        fail(f"budget header {header}")
    names = [d["name"] for d in meta["strategy_details"]]
    rows = list(csv.DictReader(open(folder / "budget.csv")))
    labels = [(ws.cell(row=r, column=1).value, r) for r in range(5, ws.max_row + 1)]
    if meta.get("budget_eur") is not None:
        if labels[0][0] != "budget line":
            fail("budget: no budget line")
        for t in range(years):
            if not close(ws.cell(row=5, column=3 + t).value, rows[t]["budget"]):
                fail(f"budget line {t}")
    for k, sid in enumerate(meta["strategies"]):
        mine = [r for n, r in labels if n == names[k]]
        for r, column in zip(mine, ["spend_p50", "spend_p80", "spend_p90", "spend_p95"]):
            for t in range(years):
                row = rows[k * years + t]
                assert row["strategy"] == sid
                cell = ws.cell(row=r, column=3 + t)
                if not close(cell.value, row[column]):
                    fail(f"budget {sid} {row['year']} {column}: {cell.value} vs {row[column]}")
                if cell.number_format != "#,##0,;-#,##0,;0":
                    fail(f"budget {column} format {cell.number_format!r}: expected thousands of euros")

    # multi-year budget: the years of the summary's tables across the columns (the four of
    # the meerjarenraming, then every fifth and the last); per strategy P50, P90, (budget line,
    # structural gap,) risk reserve, mean incidental and structural parts, nominal then in
    # start-year prices; numbers in thousands of euros equal to budget.csv and its deflator.
    ws = wb["multi-year budget"]
    start = meta["start_year"]
    shown = list(range(min(4, years))) + list(range(5, years, 5))
    if shown[-1] != years - 1:
        shown.append(years - 1)
    header = [c.value for c in ws[4]]
    if header != ["strategy", "figure", "prices"] + [start + t for t in shown]:
        fail(f"multi-year budget header {header}")
    rate = next((i["mean"] for i in meta["inputs"] if i["path"] == "economy.cost_inflation"), 0.0)
    budget = {(r["strategy"], int(r["year"])): r for r in csv.DictReader(open(folder / "budget.csv"))}
    by_label = {}
    for r in range(5, ws.max_row + 1):
        key = (ws.cell(row=r, column=1).value, ws.cell(row=r, column=2).value, ws.cell(row=r, column=3).value)
        if key[0] is not None and key[1] is not None:
            by_label[key] = r
    for k, sid in enumerate(meta["strategies"]):
        for col, figure in [("spend_p50", "P50 (median)"), ("spend_p90", "prudent estimate (P90)")]:
            for prices, deflate in [("nominal", False), (f"{start} prices", True)]:
                r = by_label.get((names[k], figure, prices))
                if r is None:
                    fail(f"multi-year budget: no row {names[k]} / {figure} / {prices}")
                for c, t in enumerate(shown):
                    cell = ws.cell(row=r, column=4 + c)
                    want = float(budget[(sid, start + t)][col]) / ((1 + rate) ** t if deflate else 1)
                    if not isinstance(cell.value, (int, float)) or not math.isclose(cell.value, want, rel_tol=1e-12):
                        fail(f"multi-year budget {sid} {figure} {prices} {start + t}: {cell.value} vs {want}")
                    if cell.number_format != "#,##0,;-#,##0,;0":
                        fail(f"multi-year budget format {cell.number_format!r}: expected thousands of euros")

    # summary: percentages and euros; saving P50 equals summary.csv.
    ws = wb["summary"]
    head_row = next(r for r in range(1, 20) if ws.cell(row=r, column=1).value == "strategy")
    summary = {(r["strategy"], r["metric"]): r for r in csv.DictReader(open(folder / "summary.csv"))}
    base = meta["baseline"]
    for k, sid in enumerate(meta["strategies"]):
        r = head_row + 1 + k
        if ws.cell(row=r, column=2).value != sid:
            fail(f"summary row {r}: {ws.cell(row=r, column=2).value} != {sid}")
        if not close(ws.cell(row=r, column=3).value, summary[(sid, "npv_spend")]["p50"]):
            fail(f"summary npv_spend {sid}")
        if ws.cell(row=r, column=12).number_format != "0%":
            fail("summary P(cheapest) is not a percentage")
        if sid != base:
            if not close(ws.cell(row=r, column=9).value, summary[(sid, "npv_saving_vs_baseline")]["p50"]):
                fail(f"summary saving {sid}")
            if not close(ws.cell(row=r, column=11).value, summary[(sid, "p_cheaper_than_baseline")]["mean"]):
                fail(f"summary p_cheaper {sid}")

    # runs: one row per run and strategy, the same header as runs.csv.
    ws = wb["runs"]
    with open(folder / "runs.csv") as f:
        reader = csv.reader(f)
        csv_header = next(reader)
        first = next(reader)
        n_rows = 1 + sum(1 for _ in reader)
    header = [c.value for c in ws[1]]
    if header != csv_header:
        fail(f"runs header differs: {header[:5]}... vs {csv_header[:5]}...")
    # The sheet holds the first 5,000 runs (XLSX_RUNS in src/report/xlsx.rs); runs.csv all.
    strategies = len(json.load(open(folder / "meta.json"))["strategies"])
    expected_rows = min(n_rows, 5000 * strategies)
    if ws.max_row - 1 != expected_rows:
        fail(f"runs: {ws.max_row - 1} rows, expected {expected_rows} (runs.csv has {n_rows})")
    for c, v in enumerate(first):
        x = ws.cell(row=2, column=1 + c).value
        if v == "":
            if x is not None:
                fail(f"runs: column {csv_header[c]} should be empty")
        elif c == 1:
            if x != v:
                fail("runs: strategy")
        elif not close(x, v):
            fail(f"runs: column {csv_header[c]}: {x} vs {v}")

    # inputs: every input of meta.json, uncertain ones marked.
    ws = wb["inputs"]
    paths = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    if paths != [i["path"] for i in meta["inputs"]]:
        fail("inputs: paths differ from meta.json")
    unc = sum(1 for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=4).value == "yes")
    if unc != len(meta["uncertain_parameters"]):
        fail(f"inputs: {unc} uncertain, meta.json has {len(meta['uncertain_parameters'])}")

    ws = wb["yearly"]
    if ws.max_row - 1 != sum(1 for _ in open(folder / "yearly.csv")) - 1:
        fail("yearly: row count differs from yearly.csv")

    # municipalities: every row of municipal_risk.csv, numbers as numbers, exactly.
    if meta.get("municipalities"):
        ws = wb["municipalities"]
        with open(folder / "municipal_risk.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
        if ws.max_row - 4 != len(rows):
            fail(f"municipalities: {ws.max_row - 4} rows, municipal_risk.csv has {len(rows)}")
        names = {m["id"]: m["name"] for m in meta["municipalities"]}
        for i, row in enumerate(rows):
            r = 5 + i
            if ws.cell(row=r, column=1).value != names[row["municipality"]]:
                fail(f"municipalities: row {r} names {ws.cell(row=r, column=1).value}")
            if ws.cell(row=r, column=5).value != row["allocation"]:
                fail(f"municipalities: row {r} rule")
            for col, key in ((6, "p50"), (7, "p90"), (8, "relative_risk")):
                x = ws.cell(row=r, column=col).value
                if not isinstance(x, (int, float)) or not close(x, row[key]):
                    fail(f"municipalities: row {r} {key}: {x} vs {row[key]}")
    print("results.xlsx ok")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])
