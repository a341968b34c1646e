#!/usr/bin/env python3
"""Opens a what-if page (whatif.html or whatif_nl.html of a results folder) from file:// in
Debian's headless Chromium, waits for its first answer to finish, then makes the changes
given (the strategy, the runs, lever values), waits for the page to recompute, and prints
the page's results (the JSON of its #whatif-results element) as one JSON line per state:
first the page as loaded, then after the changes.

Chromium is driven through the DevTools protocol over a pipe, as scripts/check_html_layout.py
does, so that only Python's standard library and chromium are needed.

Usage: python3 scripts/check_whatif.py PAGE [--strategy ID] [--runs N] [--set LEVER_ID=VALUE ...]
                                        [--reset] [--width PX] [--shot FILE.png] [--timeout S]
  --strategy ID      choose the strategy compared with the baseline
  --runs N           choose the number of runs (one of the page's choices)
  --set ID=VALUE     move lever ID (the id of a [[lever]], or of the page's own) to VALUE
  --reset            press "Reset to the report" after the changes
  --width PX         the window's width (default 1400; 390 is a phone)
  --shot FILE.png    also write a screenshot of the whole page after the changes
  --repeat N         then move the first lever shown N times between two of its values and
                     print the time each recompute took to finish and to its first answer
                     (for bench/whatif_page.sh)
Exits 1 with a message when the page shows an error or does not finish in time.
"""
import argparse
import base64
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_html_layout import Browser  # noqa: E402


def fail(msg):
    print(f"check_whatif: {msg}", file=sys.stderr)
    sys.exit(1)


def ev(b, expression):
    """Evaluates `expression` in the page; its value (None when it has none)."""
    r = b.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
    if "exceptionDetails" in r:
        fail(f"the page's script failed: {r['exceptionDetails'].get('text')} in {expression[:80]}")
    return r["result"].get("value")


def results(b):
    text = ev(b, "document.getElementById('whatif-results').textContent")
    return json.loads(text) if text else None


def wait_done(b, timeout, check=lambda r: True):
    """Waits until the page's results say done and satisfy `check`; returns them."""
    end = time.time() + timeout
    while time.time() < end:
        r = results(b)
        if r and r.get("state") == "error":
            fail(f"the page shows an error: {r.get('error')}")
        if r and r.get("state") == "done" and check(r):
            return r
        time.sleep(0.05)
    fail(f"no finished answer within {timeout} s (last: {json.dumps(results(b))[:300]})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("page")
    ap.add_argument("--strategy")
    ap.add_argument("--runs", type=int)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--reset", action="store_true")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--shot")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--repeat", type=int, default=0)
    a = ap.parse_args()
    page = Path(a.page).resolve()
    if not page.is_file():
        fail(f"{page}: no such file")
    with tempfile.TemporaryDirectory() as profile:
        b = Browser(profile)
        try:
            b.open(page.as_uri(), a.width)
            first = wait_done(b, a.timeout)
            print(json.dumps(first))
            changed = False
            if a.strategy:
                ev(
                    b,
                    "(() => { const s = document.getElementById('strategy'); s.value = %s;"
                    " s.dispatchEvent(new Event('change')); })()" % json.dumps(a.strategy)
                )
                changed = True
            if a.runs:
                ev(
                    b,
                    "(() => { const s = document.getElementById('runs'); s.value = %s;"
                    " s.dispatchEvent(new Event('change')); })()" % json.dumps(str(a.runs))
                )
                changed = True
            for item in a.set:
                lever, _, value = item.partition("=")
                ok = ev(
                    b,
                    "(() => { const i = document.getElementById(%s); if (!i) return false;"
                    " i.value = %s; i.dispatchEvent(new Event('input'));"
                    " i.dispatchEvent(new Event('change')); return i.value; })()"
                    % (json.dumps(f"lever-{lever}"), json.dumps(value))
                )
                if ok is False:
                    fail(f"the page has no lever `{lever}`")
                changed = True
            if a.reset:
                ev(b, "document.getElementById('reset').click()")
                changed = True
            if changed:
                before = first

                def new(r):
                    return r != before and (not a.strategy or r["strategy"] == a.strategy) and (
                        not a.runs or r["runs"] == a.runs
                    )

                after = wait_done(b, a.timeout, new)
                print(json.dumps(after))
            if a.repeat:
                timings = []
                lever = ev(
                    b,
                    "(() => { const r = [...document.querySelectorAll('.lever')].find((e) => !e.hidden);"
                    " return r ? r.querySelector('input').id : null; })()",
                )
                if not lever:
                    fail("the page shows no lever to move")
                for i in range(a.repeat):
                    last = results(b)
                    ev(
                        b,
                        "(() => { const i = document.getElementById(%s);"
                        " const lo = Number(i.min), hi = Number(i.max), st = Number(i.step);"
                        " i.value = %s ? lo + Math.round((hi - lo) / st / 3) * st : lo + Math.round((hi - lo) / st / 2) * st;"
                        " i.dispatchEvent(new Event('change')); })()" % (json.dumps(lever), "true" if i % 2 == 0 else "false"),
                    )
                    r = wait_done(b, a.timeout, lambda r, last=last: r != last)
                    timings.append((r["ms"], r["first_answer_ms"], r["runs"]))
                ms = sorted(t[0] for t in timings)
                first = sorted(t[1] for t in timings)
                print(json.dumps({"lever": lever, "runs": timings[0][2], "ms": [t[0] for t in timings],
                                  "median_ms": ms[len(ms) // 2], "median_first_answer_ms": first[len(first) // 2]}))
            if a.shot:
                height = ev(b, "document.documentElement.scrollHeight")
                b.call(
                    "Emulation.setDeviceMetricsOverride",
                    {"width": a.width, "height": min(height, 6000), "deviceScaleFactor": 1, "mobile": a.width < 700},
                    session=True,
                )
                time.sleep(0.3)
                shot = b.call("Page.captureScreenshot", {"format": "png"}, session=True)
                Path(a.shot).write_bytes(base64.b64decode(shot["data"]))
            overflow = ev(b, "document.scrollingElement.scrollWidth - innerWidth")
            if overflow > 0:
                fail(f"the page scrolls sideways by {overflow} px at {a.width} px")
        finally:
            b.close()


if __name__ == "__main__":
    main()
