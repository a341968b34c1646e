#!/usr/bin/env python3
"""Opens a runs.parquet with real Parquet readers and compares every value with a CSV file
laid out as runs.csv (run,strategy,<horizon metrics>,<parameters>; an empty cell is NaN).

Usage: python3 scripts/check_parquet.py RUNS.parquet EXPECTED.csv
Needs: pip install duckdb. pyarrow and polars are used too when installed.
Exits 0 and prints "runs.parquet ok (...)" when every reader returns every value exactly:
the same header, run ids, strategy ids, and float64 values bit for bit (null for an empty
cell), plus DuckDB's view of the file: column types, snappy compression and the
contractsim.version metadata entry.
"""
import csv
import math
import struct
import sys

import duckdb


def fail(msg):
    print(f"runs.parquet: {msg}", file=sys.stderr)
    sys.exit(1)


def bits(x):
    return struct.pack("<d", x)


def load_expected(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = []
        for r in reader:
            values = [None if c == "" else float(c) for c in r[2:]]
            rows.append((int(r[0]), r[1], values))
    return header, rows


def compare(reader, header, expected, got_header, got_rows):
    if list(got_header) != header:
        fail(f"{reader}: header {list(got_header)[:6]}... differs from {header[:6]}...")
    if len(got_rows) != len(expected):
        fail(f"{reader}: {len(got_rows)} rows, expected {len(expected)}")
    for i, (row, (run, strategy, values)) in enumerate(zip(got_rows, expected)):
        if row[0] != run or row[1] != strategy:
            fail(f"{reader}: row {i + 1} is ({row[0]}, {row[1]}), expected ({run}, {strategy})")
        for name, got, want in zip(header[2:], row[2:], values):
            if want is None:
                if got is not None and not (isinstance(got, float) and math.isnan(got)):
                    fail(f"{reader}: run {run} {strategy} {name}: {got!r}, expected null")
            elif got is None or bits(float(got)) != bits(want):
                fail(f"{reader}: run {run} {strategy} {name}: {got!r}, expected {want!r}")


def check_duckdb(path, header, expected):
    con = duckdb.connect()
    rel = con.execute("SELECT * FROM read_parquet(?)", [path])
    names = [d[0] for d in rel.description]
    rows = rel.fetchall()
    compare("duckdb", header, expected, names, rows)
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))", [path]).fetchall())
    if types.get("run") != "UBIGINT" or types.get("strategy") != "VARCHAR":
        fail(f"duckdb: run is {types.get('run')}, strategy is {types.get('strategy')}")
    if any(types[n] != "DOUBLE" for n in header[2:]):
        fail("duckdb: a value column is not DOUBLE")
    codecs = {c for (c,) in con.execute("SELECT DISTINCT compression FROM parquet_metadata(?)", [path]).fetchall()}
    if codecs != {"SNAPPY"}:
        fail(f"duckdb: compression {codecs}, expected SNAPPY")
    groups = con.execute("SELECT count(DISTINCT row_group_id) FROM parquet_metadata(?)", [path]).fetchone()[0]
    kv = {k.decode(): v.decode() for (k, v) in con.execute("SELECT key, value FROM parquet_kv_metadata(?)", [path]).fetchall()}
    if not kv.get("contractsim.version"):
        fail("duckdb: no contractsim.version metadata")
    return f"duckdb {duckdb.__version__}: {len(rows)} rows, {groups} row groups, contractsim {kv['contractsim.version']}"


def check_pyarrow(path, header, expected):
    try:
        import pyarrow
        import pyarrow.parquet as pq
    except ImportError:
        return None
    table = pq.read_table(path)
    columns = [table.column(n).to_pylist() for n in table.column_names]
    compare("pyarrow", header, expected, table.column_names, list(zip(*columns)))
    return f"pyarrow {pyarrow.__version__}"


def check_polars(path, header, expected):
    try:
        import polars as pl
    except ImportError:
        return None
    df = pl.read_parquet(path)
    compare("polars", header, expected, df.columns, df.rows())
    return f"polars {pl.__version__}"


def main(path, expected_csv):
    header, expected = load_expected(expected_csv)
    done = [check_duckdb(path, header, expected)]
    for check in (check_pyarrow, check_polars):
        r = check(path, header, expected)
        done.append(r if r else f"{check.__name__[6:]} not installed, skipped")
    print("runs.parquet ok (" + "; ".join(done) + ")")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1], sys.argv[2])
