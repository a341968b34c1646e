#!/usr/bin/env python3
"""Two versions of the random streams agree within Monte Carlo error.

When a change of contractsim alters the numbers a seed gives (`meta.json`
`sampling.random_streams`), the figures of every shipped scenario must still agree within
their MCSE. This runs every scenario twice, with the binary before the change (`--old`) and
after it (`--new`), on different seeds so that the two batches are independent, and
compares every mean that has an MCSE in `summary.csv`, `yearly.csv` and `municipalities.csv`:

    z = (mean_new - mean_old) / sqrt(mcse_old^2 + mcse_new^2)

Under the hypothesis that both versions draw from the same distributions, each z is about
standard normal: the expected mean of z^2 is 1 and |z| > 3 is rare (0.27% of the figures).
The figures of a scenario move together (the years of a strategy, strategies that share
their inputs), so they are worth only a few independent ones and the realised mean of z^2
strays far from 1 by chance. Per scenario and file it prints the figures compared, the mean
of z^2, the largest |z| and the share beyond 2 and 3. Figures the change does not reach are
the control: their z are what two seeds give by chance.
It also runs the new binary on the old one's seed and counts the figures whose mean is the
same bits: those the change does not reach.

    python3 bench/streams.py --old OLD/contractsim --new target/release/contractsim \\
        [--runs 2048] [--scenarios scenarios/*.toml]

Standard library only.
"""

import argparse
import csv
import glob
import math
import pathlib
import subprocess
import sys
import tempfile

FILES = ["summary.csv", "yearly.csv", "municipalities.csv"]


def run(binary, scenario, runs, seed, out):
    subprocess.run(
        [binary, "run", scenario, "--runs", str(runs), "--seed", str(seed), "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def means(path):
    """(key, mean, mcse) of every row with an MCSE; the key is every column before `mean`."""
    if not path.exists():
        return {}
    rows = {}
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if "mean" not in header or "mcse" not in header:
            return {}
        at, se = header.index("mean"), header.index("mcse")
        for row in reader:
            if not row[se]:
                continue
            rows[tuple(row[:at])] = (float(row[at]), float(row[se]))
    return rows


def compare(old, new):
    zs = []
    for key, (m0, s0) in old.items():
        if key not in new:
            continue
        m1, s1 = new[key]
        se = math.hypot(s0, s1)
        if se > 0:
            zs.append((m1 - m0) / se)
        elif m0 != m1:
            zs.append(math.inf)
    return zs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", required=True, help="contractsim before the change")
    ap.add_argument("--new", required=True, help="contractsim after the change")
    ap.add_argument("--runs", type=int, default=2048)
    ap.add_argument("--scenarios", nargs="*", default=sorted(glob.glob("scenarios/*.toml")))
    args = ap.parse_args()
    print("| scenario | file | figures | mean z² | largest abs z | abs z > 2 | abs z > 3 | same bits on the same seed |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        for scenario in args.scenarios:
            name = pathlib.Path(scenario).stem
            old, new, same = tmp / f"{name}-old", tmp / f"{name}-new", tmp / f"{name}-same"
            run(args.old, scenario, args.runs, 1, old)
            run(args.new, scenario, args.runs, 2, new)
            run(args.new, scenario, args.runs, 1, same)
            for file in FILES:
                before = means(old / file)
                zs = compare(before, means(new / file))
                after = means(same / file)
                identical = sum(after.get(k) == v for k, v in before.items())
                if not zs:
                    continue
                n = len(zs)
                z2 = sum(z * z for z in zs) / n
                top = max(abs(z) for z in zs)
                worst = max(worst, top)
                beyond = lambda c: f"{100 * sum(abs(z) > c for z in zs) / n:.2f}%"
                print(
                    f"| {name} | {file} | {n} | {z2:.2f} | {top:.2f} | {beyond(2)} | {beyond(3)} "
                    f"| {identical} of {len(before)} |"
                )
    print(f"\nlargest |z| over all figures: {worst:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
