#!/usr/bin/env python3
"""Opens a results folder's report.html and report_nl.html in Debian's headless Chromium, as a
reader would on a phone (390 px wide) and on a screen (1400 px), and checks that the page
itself never scrolls sideways (document.scrollingElement.scrollWidth <= innerWidth: wide
tables scroll inside their own box). Then prints each page to PDF, as the browser's print
button does, and checks with pdftotext that every printed table keeps its last column (the
last header's text is in the PDF).

Chromium is driven through the DevTools protocol over a pipe (--remote-debugging-pipe), so
that nothing but Python's standard library, chromium and pdftotext is needed.

Usage: python3 scripts/check_html_layout.py RESULTS_DIR [--shots DIR]
  --shots DIR  also write screenshots (report{,_nl}-{390,1400}.png, the first 6000 px) and
               the PDFs to DIR, to look at.
Needs: chromium (apt-get install chromium) and pdftotext (apt-get install poppler-utils).
Prints "report.html ok in Chromium" when every check passes.
"""
import base64
import html.parser
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WIDTHS = (390, 1400)


def fail(msg):
    print(f"check_html_layout: {msg}", file=sys.stderr)
    sys.exit(1)


class Browser:
    """Headless Chromium and one page, spoken to in DevTools protocol messages over fds 3/4."""

    def __init__(self, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # The flags keep a fresh profile from reaching for the network, which this machine
        # does not have (and the page needs none).
        args = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--remote-debugging-pipe",
            f"--user-data-dir={profile}",
            "about:blank",
        ]

        def fds():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(
            args, preexec_fn=fds, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=True)

    def _read(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                fail("chromium closed the DevTools pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=False):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read()
            if m.get("id") == self.next_id:
                if "error" in m:
                    fail(f"{method}: {m['error']}")
                return m["result"]
            self.events.append(m)

    def wait_event(self, method):
        while True:
            for i, m in enumerate(self.events):
                if m.get("method") == method:
                    del self.events[i]
                    return m
            self.events.append(self._read())

    def open(self, url, width):
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 700},
            session=True,
        )
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_event("Page.loadEventFired")

    def eval(self, expression):
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
        return r["result"]["value"]

    def close(self):
        try:
            self.call("Browser.close")
        except SystemExit:
            pass
        self.proc.wait(timeout=30)


class LastHeaders(html.parser.HTMLParser):
    """The text of the last column header of every table that prints (not those folded in a
    closed <details>)."""

    def __init__(self):
        super().__init__()
        self.details = 0
        self.in_thead = False
        self.in_th = False
        self.current = []
        self.row = []
        self.last = []

    def handle_starttag(self, tag, attrs):
        if tag == "details":
            self.details += 1
        elif tag == "thead":
            self.in_thead, self.row = True, []
        elif tag == "th" and self.in_thead:
            self.in_th, self.current = True, []

    def handle_endtag(self, tag):
        if tag == "details":
            self.details -= 1
        elif tag == "th" and self.in_th:
            self.in_th = False
            self.row.append("".join(self.current))
        elif tag == "thead":
            self.in_thead = False
            if self.details == 0 and self.row:
                self.last.append(self.row[-1])

    def handle_data(self, data):
        if self.in_th:
            self.current.append(data)


def words(s):
    """The words of a text; a wrapped cell breaks lines only between words or after a hyphen,
    and pdftotext may interleave the lines of neighbouring header cells, so words are
    compared, not lines."""
    return [w for w in s.replace("-", " ").split() if w]


def check_page(browser, page, shots):
    url = page.resolve().as_uri()
    for width in WIDTHS:
        browser.open(url, width)
        m = browser.eval(
            "({sw: document.scrollingElement.scrollWidth, iw: window.innerWidth,"
            " tables: document.querySelectorAll('.table-scroll > table').length,"
            " bare: document.querySelectorAll('table:not(.table-scroll > table)').length,"
            " wide: [...document.querySelectorAll('svg')].filter(s => s.getBoundingClientRect().right > innerWidth + 1).length})"
        )
        if m["iw"] != width:
            # A phone widens its layout viewport to content that does not fit.
            fail(f"{page.name} at {width} px: the page does not fit, the viewport grew to {m['iw']} px")
        if m["sw"] > m["iw"]:
            fail(f"{page.name} at {width} px: the page scrolls sideways ({m['sw']} px wide)")
        if m["bare"] or not m["tables"]:
            fail(f"{page.name}: {m['bare']} tables outside a scroll box, {m['tables']} inside")
        if m["wide"]:
            fail(f"{page.name} at {width} px: {m['wide']} charts wider than the page")
        print(f"{page.name} at {width} px: page {m['sw']} px wide in a {m['iw']} px viewport, {m['tables']} tables")
        if shots:
            height = min(6000, browser.eval("document.scrollingElement.scrollHeight"))
            shot = browser.call(
                "Page.captureScreenshot",
                {"format": "png", "captureBeyondViewport": True,
                 "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}},
                session=True,
            )
            (shots / f"{page.stem}-{width}.png").write_bytes(base64.b64decode(shot["data"]))

    # Print as the browser's print button does: the page's own @page rule decides the size.
    browser.open(url, 1400)
    pdf = browser.call("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True}, session=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{page.stem}.pdf"
        path.write_bytes(base64.b64decode(pdf["data"]))
        if shots:
            shutil.copy(path, shots / path.name)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    if "landscape" not in info and not any(
        l.startswith("Page size") and float(l.split()[2]) > float(l.split()[4]) for l in info.splitlines()
    ):
        fail(f"{page.name}: printed in portrait ({[l for l in info.splitlines() if l.startswith('Page size')]})")
    parser = LastHeaders()
    parser.feed(page.read_text(encoding="utf-8"))
    printed = set(words(text))
    lost = [h for h in parser.last if not all(w in printed for w in words(h))]
    if lost:
        fail(f"{page.name} printed: the last column is cut from {len(lost)} tables: {lost}")
    # The print layout itself: at the width of an A4 landscape page less its margins
    # (273 mm, 1032 CSS px), no table reaches past the page's right edge.
    browser.call("Emulation.setEmulatedMedia", {"media": "print"}, session=True)
    browser.open(url, 1032)
    over = browser.eval(
        "[...document.querySelectorAll('table')].filter(t => t.closest('details:not([open])') === null)"
        ".filter(t => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
        ".map(t => t.querySelector('th:last-child').textContent)"
    )
    browser.call("Emulation.setEmulatedMedia", {"media": ""}, session=True)
    if over:
        fail(f"{page.name} in print layout: {len(over)} tables wider than the page: {over}")
    print(f"{page.name} printed: the last column of all {len(parser.last)} printed tables is in the PDF")


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--shots"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    folder = Path(argv[1])
    shots = Path(argv[3]) if len(argv) == 4 else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    for tool in (CHROMIUM, "pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            fail(f"{tool} not found (apt-get install chromium poppler-utils)")
    with tempfile.TemporaryDirectory() as profile:
        browser = Browser(profile)
        try:
            for name in ("report.html", "report_nl.html"):
                check_page(browser, folder / name, shots)
        finally:
            browser.close()
    print("report.html ok in Chromium")


if __name__ == "__main__":
    main(sys.argv)
