#!/usr/bin/env python3
"""The variance reduction of `run --sampling lhs|sobol` on the shipped scenarios.

For every scenario in scenarios/ and every design, `contractsim run FILE --runs N
--sampling D` (the same seed), then per strategy the MCSE of `npv_saving_vs_baseline`
(summary.csv) and of each year's `spend` (yearly.csv). Prints, per scenario and design, the
variance reduction against plain Monte Carlo at equal runs, (MCSE_mc / MCSE_design)^2 (the
factor by which fewer runs give the same MCSE), and the runs that `--precision P` needs,
estimated as N (worst MCSE / P)^2 over the strategies.

    python3 bench/sampling.py [--runs 2048] [--precision 100000] [--bin target/release/contractsim]

Standard library only. The MCSE under lhs and sobol is measured from the spread of the
replicate means (docs/model.md section 1), which tests/it/sampling.rs checks is honest.
"""

import argparse
import csv
import math
import pathlib
import statistics
import subprocess
import sys
import tempfile

DESIGNS = ["mc", "lhs", "sobol"]


def run(binary, scenario, runs, design, out):
    subprocess.run(
        [binary, "run", str(scenario), "--runs", str(runs), "--sampling", design, "--out", str(out), "--force"],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    saving = {}
    for r in csv.DictReader(open(out / "summary.csv")):
        if r["metric"] == "npv_saving_vs_baseline" and float(r["mcse"]) > 0:
            saving[r["strategy"]] = float(r["mcse"])
    spend = {}
    for r in csv.DictReader(open(out / "yearly.csv")):
        if r["metric"] == "spend" and float(r["mcse"]) > 0:
            spend[(r["strategy"], r["year"])] = float(r["mcse"])
    return saving, spend


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=2048)
    ap.add_argument("--precision", type=float, default=100_000)
    ap.add_argument("--bin", default="target/release/contractsim")
    ap.add_argument("--scenarios", default="scenarios")
    a = ap.parse_args()
    print(f"runs {a.runs} per design; variance reduction = (MCSE mc / MCSE design)^2 at equal runs")
    print()
    print("| scenario | design | npv_saving_vs_baseline: min, median, max over strategies | yearly spend: median over strategies and years | runs to --precision %d (estimated) |" % a.precision)
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in sorted(pathlib.Path(a.scenarios).glob("*.toml")):
            results = {}
            for d in DESIGNS:
                results[d] = run(a.bin, scenario, a.runs, d, pathlib.Path(tmp) / f"{scenario.stem}-{d}")
            mc_saving, mc_spend = results["mc"]
            for d in DESIGNS:
                saving, spend = results[d]
                r_saving = [(mc_saving[k] / saving[k]) ** 2 for k in saving if k in mc_saving]
                r_spend = [(mc_spend[k] / spend[k]) ** 2 for k in spend if k in mc_spend]
                worst = max(saving.values())
                need = math.ceil(a.runs * (worst / a.precision) ** 2)
                cols = (
                    f"{min(r_saving):.1f}, {statistics.median(r_saving):.1f}, {max(r_saving):.1f}"
                    if d != "mc"
                    else "1 (reference)"
                )
                spend_col = f"{statistics.median(r_spend):.1f}" if d != "mc" else "1 (reference)"
                print(f"| {scenario.stem} | {d} | {cols} | {spend_col} | {need:,} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
