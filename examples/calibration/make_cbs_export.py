#!/usr/bin/env python3
"""Writes the synthetic CBS StatLine export of the worked example (docs/calibration.md, "CBS
StatLine exports") and the long CSV of the same numbers.

From registration.csv (itself synthetic): per segment and half-year the trajectories in the
period (active_at_start + started), started and ended, with the ended trajectories in CBS's
duration bands (the example's 0-0.5 year band split into 0-3 and 3-6 months, its 2+ band into
2-3, 3-4 and 4+ years, as exponential stays of about the segment's mean would split them), in
the layout of the OData TypedDataSet as CSV: semicolons, quoted fields, an ID column,
dimension codes (padded region codes), measure keys with a _N suffix. The keys and the codes of VerwijzerJeugdzorg and SoortJeugdzorg are made up
in CBS's style; check a real table's DataProperties before mapping it. Also written: whole
years (which calibrate leaves out, as they repeat the half-years), the total over the
segments (skipped by the map), a second referrer (not selected) and a second municipality
with suppressed cells (not read).

Run from the repository root: python3 examples/calibration/make_cbs_export.py
"""
import csv
import math

SEGMENTS = {"light_ambulant": "A1", "specialised_ambulant": "A2", "youth_protection": "A3", "out_of_home": "A4"}
KEYS = ["TotaalJeugdzorgtrajecten_1", "TotaalBegonnenTrajecten_2", "TotaalBeeindigdeTrajecten_3",
        "k_0Tot3Maanden_4", "k_3Tot6Maanden_5", "k_6MaandenTot1Jaar_6", "k_1Tot2Jaar_7",
        "k_2Tot3Jaar_8", "k_3Tot4Jaar_9", "k_4JaarOfLanger_10", "GemiddeldeDuur_11"]
BANDS = ["ended_0_0.25y", "ended_0.25_0.5y", "ended_0.5_1y", "ended_1_2y", "ended_2_3y", "ended_3_4y", "ended_4y_plus"]

rows = [r for r in csv.DictReader(l for l in open("examples/calibration/registration.csv") if not l.startswith("#"))]


# Mean stay in years per segment, near the example's truth, for splitting its bands.
MEAN = {"light_ambulant": 0.5, "specialised_ambulant": 1.0, "youth_protection": 2.2, "out_of_home": 2.0}


def split(r):
    """The example's bands in CBS's: in the proportions exponential stays of MEAN give."""
    d = MEAN[r["segment"]]
    a = int(r["ended_0_0.5y"]); a1 = round(a * (1 - math.exp(-0.25 / d)) / (1 - math.exp(-0.5 / d)))
    z = int(r["ended_2y_plus"]); z1 = round(z * (1 - math.exp(-1 / d))); z2 = round((z - z1) * (1 - math.exp(-1 / d)))
    return [a1, a - a1, int(r["ended_0.5_1y"]), int(r["ended_1_2y"]), z1, z2, z - z1 - z2]


def code(r):
    y, m = r["period_start"][:4], r["period_start"][5:7]
    return f"{y}HJ0{1 if m == '01' else 2}"


cells = {}  # (segment code, period code) -> counts
for r in rows:
    s, a0, st, en = SEGMENTS[r["segment"]], int(r["active_at_start"]), int(r["started"]), int(r["ended"])
    cells[(s, code(r))] = [a0 + st, st, en] + split(r)
    y = code(r)[:4] + "JJ00"
    if y not in [k[1] for k in cells if k[0] == s]:
        cells[(s, y)] = [a0 + st, st, en] + split(r)
    else:
        old = cells[(s, y)]
        cells[(s, y)] = [old[0] + st] + [o + n for o, n in zip(old[1:], [st, en] + split(r))]
periods = sorted({p for _, p in cells}, key=lambda p: (p[:4], p[4:] != "JJ00", p))
for p in periods:
    cells[("T001", p)] = [sum(cells[(s, p)][i] for s in SEGMENTS.values()) for i in range(10)]

with open("examples/calibration/cbs-export.csv", "w", newline="") as f:
    w = csv.writer(f, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(["ID", "VerwijzerJeugdzorg", "SoortJeugdzorg", "RegioS", "Perioden"] + KEYS)
    i = 0
    for region in ["GM0014    ", "GM0080    "]:
        for verwijzer in ["T001", "V01"]:
            for s in ["T001"] + list(SEGMENTS.values()):
                for p in periods:
                    n = cells[(s, p)]
                    if verwijzer == "V01":
                        n = [x // 3 for x in n]
                    out = [str(x) for x in n] + ["210"]
                    if region.startswith("GM0014"):
                        out = [str(2 * x) for x in n] + ["190"]
                        if s == "A3":
                            out[3:10] = ["."] * 7
                    w.writerow([i, verwijzer, s, region, p] + out)
                    i += 1

with open("tests/fixtures/cbs-long.csv", "w", newline="") as f:
    f.write(",".join(["period_start", "period_end", "segment", "started", "ended", "active_at_start", "active_at_end"] + BANDS) + "\n")
    for seg in sorted(SEGMENTS):
        for r in rows:
            if r["segment"] == seg:
                f.write(",".join([r["period_start"], r["period_end"], seg, r["started"], r["ended"],
                                  r["active_at_start"], r["active_at_end"]] + [str(x) for x in split(r)]) + "\n")
