#!/usr/bin/env python3
"""Opens a results folder's workbooks with LibreOffice Calc (headless) in a Dutch locale, as a
Dutch controller's spreadsheet would, and checks that the figures are numbers, not text: a
number cell is shown with the Dutch separators (1.234 and 0,24) and exports its exact value,
where a text cell would look the same in every locale.

Each workbook is converted to CSV twice with `soffice --headless --convert-to`, every sheet
(`results_nl-begroting.csv`, ...): once under LC_ALL=nl_NL.UTF-8 "as shown" (the cells as
Calc formats them for a Dutch reader), once "raw" (the stored values). The shown budget and
reserve figures must carry Dutch thousands separators, the percentages a percent sign, the
ratios a decimal comma; the raw values must equal budget.csv, reserve_by_certainty.csv and
meta.json.

Usage: python3 scripts/check_xlsx_dutch.py RESULTS_DIR
Needs: soffice (Debian: apt-get install libreoffice-calc-nogui) and the nl_NL.UTF-8 locale
(apt-get install locales; localedef -i nl_NL -f UTF-8 nl_NL.UTF-8). Prints
"results_nl.xlsx ok in Dutch LibreOffice" when every check passes.
"""
import csv
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DUTCH_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})*$")
DUTCH_DECIMAL = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d+$")


def fail(msg):
    print(f"check_xlsx_dutch: {msg}", file=sys.stderr)
    sys.exit(1)


def convert(xlsx, out, shown, work):
    """Every sheet of `xlsx` as CSV in `out`: `;`-separated UTF-8, shown or raw values."""
    # Filter options: separator ;, quote ", UTF-8, from line 1, no column formats, language
    # nl-NL (1043), quoted fields as text no, detect numbers yes, save as shown (yes/no),
    # formulas no, remove spaces no, every sheet (-1).
    options = f"59,34,76,1,,1043,false,true,{'true' if shown else 'false'},false,false,-1"
    env = dict(os.environ, LC_ALL="nl_NL.UTF-8", LANG="nl_NL.UTF-8", LANGUAGE="nl")
    profile = Path(work) / ("profile-shown" if shown else "profile-raw")
    cmd = [
        "soffice",
        "--headless",
        "--norestore",
        f"-env:UserInstallation=file://{profile}",
        "--convert-to",
        f"csv:Text - txt - csv (StarCalc):{options}",
        "--outdir",
        str(out),
        str(xlsx),
    ]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        fail(f"soffice failed ({r.returncode}): {r.stderr.strip()}")


def sheet(out, stem, name):
    path = Path(out) / f"{stem}-{name}.csv"
    if not path.exists():
        fail(f"LibreOffice wrote no sheet {name!r}: {sorted(p.name for p in Path(out).iterdir())}")
    with open(path, encoding="utf-8") as f:
        return list(csv.reader(f, delimiter=";"))


RAW_NUMBER = re.compile(r"^-?\d+(,\d+)?(E[+-]?\d+)?%?$")


def raw_number(cell, what):
    """A stored value as Dutch Calc writes it raw: digits with a decimal comma. Text that
    looks like a number to a program (`123.5`, `€ 1,234`) is not accepted. Calc keeps the
    percent sign of a percentage even raw."""
    if not RAW_NUMBER.match(cell):
        fail(f"{what}: {cell!r} is not a number as a Dutch spreadsheet stores it")
    if cell.endswith("%"):
        return float(cell[:-1].replace(",", ".")) / 100
    return float(cell.replace(",", "."))


def close(a, b, what):
    # The raw export writes values in Calc's standard format: at least cents are kept.
    if not math.isclose(a, b, rel_tol=1e-9, abs_tol=0.006):
        fail(f"{what}: {a} in the workbook, {b} in the CSV files")


def check_workbook(folder, xlsx, names, work):
    stem = xlsx.stem
    shown_dir, raw_dir = Path(work) / f"{stem}-shown", Path(work) / f"{stem}-raw"
    shown_dir.mkdir()
    raw_dir.mkdir()
    convert(xlsx, shown_dir, True, work)
    convert(xlsx, raw_dir, False, work)
    meta = json.loads((folder / "meta.json").read_text())
    years = meta["horizon_years"]

    # The budget sheet: a header row with the years, then per strategy P50, P80, P90, P95.
    shown, raw = sheet(shown_dir, stem, names["budget"]), sheet(raw_dir, stem, names["budget"])
    head = next(i for i, r in enumerate(raw) if r and r[0] == names["strategy"])
    if [int(raw_number(c, "year")) for c in raw[head][2 : 2 + years]] != list(
        range(meta["start_year"], meta["start_year"] + years)
    ):
        fail(f"budget: years across the columns expected, found {raw[head][:6]}")
    budget = {(r["strategy"], int(r["year"])): r for r in csv.DictReader(open(folder / "budget.csv"))}
    checked = 0
    for k, sid in enumerate(meta["strategies"]):
        details = meta["strategy_details"][k]
        # The Dutch workbook names strategies by their Dutch names (name_nl).
        name = details.get("name_nl") or details["name"] if stem.endswith("_nl") else details["name"]
        rows = [i for i, r in enumerate(raw) if r and r[0] == name]
        if len(rows) < 4:
            fail(f"budget: no P50, P80, P90 and P95 rows for {name}")
        for i, column in zip(rows[:4], ["spend_p50", "spend_p80", "spend_p90", "spend_p95"]):
            for t in range(years):
                cell_shown, cell_raw = shown[i][2 + t], raw[i][2 + t]
                if not DUTCH_THOUSANDS.match(cell_shown):
                    fail(f"budget {name} {column} {meta['start_year'] + t}: shown as {cell_shown!r}, "
                         "expected thousands of euros with Dutch separators (1.234)")
                value = raw_number(cell_raw, f"budget {name}")
                close(value, float(budget[(sid, meta["start_year"] + t)][column]),
                      f"budget {name} {column} {meta['start_year'] + t}")
                # Shown in thousands: the shown figure is the value rounded to thousands.
                if int(cell_shown.replace(".", "")) != round(value / 1000):
                    fail(f"budget {name}: {cell_shown!r} is not {cell_raw} in thousands")
                checked += 1

    # The summary: shares as percentages, NPV in thousands with Dutch separators.
    shown, raw = sheet(shown_dir, stem, names["summary"]), sheet(raw_dir, stem, names["summary"])
    head = next(i for i, r in enumerate(raw) if r and r[0] == names["strategy"])
    pct_col = raw[head].index(names["p_cheapest"])
    for i in range(head + 1, head + 1 + len(meta["strategies"])):
        if not re.match(r"^\d{1,3}%$", shown[i][pct_col]):
            fail(f"summary: P(cheapest) shown as {shown[i][pct_col]!r}, expected a percentage")
        if not 0.0 <= raw_number(raw[i][pct_col], "summary P(cheapest)") <= 1.0:
            fail("summary: P(cheapest) is not a probability")
        if not DUTCH_THOUSANDS.match(shown[i][2]):
            fail(f"summary: NPV of spend shown as {shown[i][2]!r}")

    # The reserve sheet: the required reserve equals reserve_by_certainty.csv; ratios have a comma.
    if (folder / "reserve_by_certainty.csv").exists():
        shown, raw = sheet(shown_dir, stem, names["reserve"]), sheet(raw_dir, stem, names["reserve"])
        head = next(i for i, r in enumerate(raw) if r and r[0] == names["strategy"])
        certs = [raw_number(c, "certainty") for c in raw[head][1:] if c]
        need = {(r["strategy"], float(r["certainty"])): float(r["required_reserve"])
                for r in csv.DictReader(open(folder / "reserve_by_certainty.csv"))}
        for k, sid in enumerate(meta["strategies"]):
            for c, cert in enumerate(certs):
                close(raw_number(raw[head + 1 + k][1 + c], "reserve"), need[(sid, cert)], f"reserve {sid} {cert}")
                if not DUTCH_THOUSANDS.match(shown[head + 1 + k][1 + c]):
                    fail(f"reserve shown as {shown[head + 1 + k][1 + c]!r}")
        ratios = [r[4] for r in shown if len(r) > 4 and DUTCH_DECIMAL.match(r[4])]
        if (folder / "reserve.csv").exists() and any(
            r["available_reserve"] for r in csv.DictReader(open(folder / "reserve.csv"))
        ) and not ratios:
            fail("reserve: no ratio shown with a decimal comma")

    # The about sheet: runs and years are numbers, the discount rate a percentage.
    shown, raw = sheet(shown_dir, stem, names["about"]), sheet(raw_dir, stem, names["about"])
    about_raw = {r[0]: r[1] for r in raw if len(r) > 1}
    about_shown = {r[0]: r[1] for r in shown if len(r) > 1}
    if raw_number(about_raw[names["runs"]], "about runs") != meta["runs"]:
        fail("about: runs")
    if raw_number(about_raw[names["first year"]], "about first year") != meta["start_year"]:
        fail("about: first year")
    close(raw_number(about_raw[names["discount rate"]], "about discount rate"), meta["discount_rate"], "discount rate")
    if not re.match(r"^\d+,\d%$", about_shown[names["discount rate"]]):
        fail(f"about: discount rate shown as {about_shown[names['discount rate']]!r}, expected 3,0%")
    return checked


NL = {
    "budget": "begroting",
    "summary": "samenvatting",
    "reserve": "weerstandscapaciteit",
    "about": "herkomst",
    "strategy": "strategie",
    "p_cheapest": "P(goedkoopste)",
    "runs": "simulaties",
    "first year": "eerste jaar",
    "discount rate": "disconteringsvoet",
}
EN = {
    "budget": "budget",
    "summary": "summary",
    "reserve": "reserve",
    "about": "about",
    "strategy": "strategy",
    "p_cheapest": "P(cheapest)",
    "runs": "runs",
    "first year": "first year",
    "discount rate": "discount rate",
}


def main(folder):
    folder = Path(folder).resolve()
    if shutil.which("soffice") is None:
        fail("soffice not found (apt-get install libreoffice-calc-nogui)")
    with tempfile.TemporaryDirectory() as work:
        n = check_workbook(folder, folder / "results_nl.xlsx", NL, work)
        # The English workbook, opened by a Dutch reader, shows Dutch separators too.
        check_workbook(folder, folder / "results.xlsx", EN, work)
    print(f"results_nl.xlsx ok in Dutch LibreOffice ({n} budget figures checked)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])
