"""Writes the synthetic registration of docs/calibration.md: registration.csv and youths.csv.

The numbers are made up (no CBS download here), in the layout of CBS StatLine's youth-care
tables 85097NED / 85096NED: trajectories started, ended and running per half-year. Each
segment is a steady stream: starts a Poisson process at a known rate per 1000 youths,
stays Erlang with a known mean and shape (k phases of mean/k years each; k = 1 is
exponential, and out_of_home has k = 3), simulated from 20 years before 2021 so that the
caseload on 2021-01-01 is in its steady state. Ended trajectories are also counted by
duration band (columns ended_0_0.5y ... ended_2y_plus).
Run: python3 examples/calibration/make_synthetic.py (Python 3 standard library only).
"""

import datetime
import math
import random

random.seed(20)
DAY0 = datetime.date(2021, 1, 1)
# (segment, starts per 1000 youths a year, mean duration in years, shape): the truth to
# recover.
TRUTH = [
    ("light_ambulant", 66.0, 0.5, 1),
    ("specialised_ambulant", 25.0, 1.0, 1),
    ("youth_protection", 4.0, 2.0, 1),
    ("out_of_home", 4.5, 2.0, 3),
]
# Lower bounds of the duration bands of ended trajectories, in years.
BANDS = [0.0, 0.5, 1.0, 2.0]
YOUTHS = {2021: 10_250, 2022: 10_150, 2023: 10_050, 2024: 10_000, 2025: 9_950}
periods = []
for year in range(2021, 2025):
    periods.append((datetime.date(year, 1, 1), datetime.date(year, 6, 30)))
    periods.append((datetime.date(year, 7, 1), datetime.date(year, 12, 31)))


def years(d):
    return (d - DAY0).days / 365.25


def poisson(mean):
    # Knuth's method in pieces of 500, exact for any mean.
    n = 0
    while mean > 0:
        m = min(mean, 500.0)
        mean -= m
        limit, k, p = math.exp(-m), 0, 1.0
        while True:
            p *= random.random()
            if p <= limit:
                break
            k += 1
        n += k
    return n


rows = []
def stay(dur, k):
    # k phases of mean dur/k (for k = 1 exactly the one exponential draw of before).
    return sum(random.expovariate(k / dur) for _ in range(k))


for seg, rate, dur, k in TRUTH:
    stays = []  # (start, end) in years from 2021-01-01
    burn_in = poisson(rate * YOUTHS[2021] / 1000 * 20.0)
    for _ in range(burn_in):
        s = random.uniform(-20.0, 0.0)
        stays.append((s, s + stay(dur, k)))
    for a, b in periods:
        t0, t1 = years(a), years(b + datetime.timedelta(days=1))
        lam = rate * YOUTHS[a.year] / 1000 * (t1 - t0)
        for _ in range(poisson(lam)):
            s = random.uniform(t0, t1)
            stays.append((s, s + stay(dur, k)))
    for a, b in periods:
        t0, t1 = years(a), years(b + datetime.timedelta(days=1))
        started = sum(1 for s, e in stays if t0 <= s < t1)
        ended = sum(1 for s, e in stays if t0 <= e < t1)
        active0 = sum(1 for s, e in stays if s < t0 <= e)
        active1 = sum(1 for s, e in stays if s < t1 <= e)
        bands = [0] * len(BANDS)
        for s, e in stays:
            if t0 <= e < t1:
                bands[sum(1 for lo in BANDS[1:] if e - s >= lo)] += 1
        rows.append((a, b, seg, started, ended, active0, active1, *bands))

with open("examples/calibration/registration.csv", "w") as f:
    f.write("# Synthetic data in the layout of CBS StatLine 85097NED/85096NED (half-years); made by\n")
    f.write("# examples/calibration/make_synthetic.py, see docs/calibration.md. Not real figures.\n")
    f.write("period_start,period_end,segment,started,ended,active_at_start,active_at_end,")
    f.write("ended_0_0.5y,ended_0.5_1y,ended_1_2y,ended_2y_plus\n")
    for a, b, seg, *counts in rows:
        f.write(",".join([a.isoformat(), b.isoformat(), seg] + [str(c) for c in counts]) + "\n")
with open("examples/calibration/youths.csv", "w") as f:
    f.write("# Synthetic youths 0-17 on 1 January (in the layout of CBS StatLine 03759NED).\n")
    f.write("year,youth\n")
    for y, n in YOUTHS.items():
        f.write(f"{y},{n}\n")
