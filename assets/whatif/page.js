// The what-if page: levers, the strategy compared with the baseline and the number of
// runs; on every change the engine (the WebAssembly module, inlined) simulates again on
// two workers, on the same seed, and the page shows the figures of the runs so far.
"use strict";
(() => {
  const D = JSON.parse(document.getElementById("whatif-data").textContent);
  const T = D.text;
  const $ = (id) => document.getElementById(id);
  const nf = (d) => new Intl.NumberFormat(D.locale, { minimumFractionDigits: d, maximumFractionDigits: d });
  const num = (x, d) => (Number.isFinite(x) ? nf(d).format(x) : "–");
  const mln = (x) => (Number.isFinite(x) ? `${D.euro} ${num(x / 1e6, 1)} mln` : "–");
  const pct = (p) => {
    if (!Number.isFinite(p)) return "–";
    if (p > 0 && p < 0.01) return T.less_than_1;
    if (p < 1 && p > 0.99) return T.more_than_99;
    return `${num(p * 100, 0)}%`;
  };
  const fill = (s, v) => s.replace(/\{(\w+)\}/g, (_, k) => (k in v ? v[k] : `{${k}}`));

  // ---- state --------------------------------------------------------------------------
  const values = {}; // lever id -> value set by the page (absent: the file's)
  let strategy = D.default_strategy;
  let runs = D.default_runs;
  const workers = [];
  let ready = 0;
  let gen = 0;
  let job = null;

  // ---- controls -----------------------------------------------------------------------
  const select = $("strategy");
  for (const s of D.strategies) {
    const o = document.createElement("option");
    o.value = s.id;
    o.textContent = s.name;
    select.appendChild(o);
  }
  select.value = strategy;
  select.onchange = () => {
    strategy = select.value;
    showLevers();
    recompute();
  };
  const runsSel = $("runs");
  for (const n of D.run_choices) {
    const o = document.createElement("option");
    o.value = String(n);
    o.textContent = n === D.report_runs ? fill(T.runs_report, { n: num(n, 0) }) : num(n, 0);
    runsSel.appendChild(o);
  }
  runsSel.value = String(runs);
  runsSel.onchange = () => {
    runs = Number(runsSel.value);
    recompute();
  };

  const leverBox = $("levers");
  const leverRows = {};
  for (const l of D.levers) {
    const row = document.createElement("div");
    row.className = "lever";
    row.dataset.id = l.id;
    const label = document.createElement("label");
    label.htmlFor = `lever-${l.id}`;
    label.textContent = l.label;
    const input = document.createElement("input");
    input.type = "range";
    input.id = `lever-${l.id}`;
    input.min = l.min;
    input.max = l.max;
    input.step = l.step;
    input.value = l.value;
    const out = document.createElement("output");
    const note = document.createElement("div");
    note.className = "note";
    const reset = document.createElement("button");
    reset.type = "button";
    reset.className = "link";
    reset.textContent = T.lever_reset;
    reset.onclick = () => {
      delete values[l.id];
      input.value = l.value;
      showLever(l);
      recompute();
    };
    input.oninput = () => {
      values[l.id] = Number(input.value);
      showLever(l);
    };
    input.onchange = () => {
      values[l.id] = Number(input.value);
      showLever(l);
      recompute();
    };
    const head = document.createElement("div");
    head.className = "lever-head";
    head.append(label, out);
    row.append(head, input, note, reset);
    leverBox.appendChild(row);
    leverRows[l.id] = { row, input, out, note, reset };
    showLever(l);
  }

  function leverText(l, v) {
    return l.unit === "eur" ? mln(v) : l.unit === "share" ? `${num(v * 100, l.decimals)}%` : num(v, l.decimals);
  }

  function showLever(l) {
    const r = leverRows[l.id];
    const moved = l.id in values;
    const v = moved ? values[l.id] : l.value;
    r.out.textContent = leverText(l, v);
    r.row.classList.toggle("moved", moved);
    r.reset.hidden = !moved;
    const file = l.file_text ?? leverText(l, l.value);
    r.note.textContent = moved
      ? fill(l.uncertain ? T.lever_fixed_uncertain : T.lever_fixed, { file })
      : fill(T.lever_file, { file });
  }

  function showLevers() {
    let shown = 0;
    for (const l of D.levers) {
      const on = l.affects.includes(strategy) || l.affects.includes(D.baseline.id);
      leverRows[l.id].row.hidden = !on;
      shown += on ? 1 : 0;
    }
    $("no-levers").hidden = shown > 0;
  }

  $("reset").onclick = () => {
    for (const k of Object.keys(values)) delete values[k];
    for (const l of D.levers) {
      leverRows[l.id].input.value = l.value;
      showLever(l);
    }
    strategy = D.default_strategy;
    select.value = strategy;
    runs = D.report_runs_choice;
    runsSel.value = String(runs);
    showLevers();
    recompute();
  };

  // ---- simulation ---------------------------------------------------------------------
  function set() {
    return D.levers.filter((l) => l.id in values).map((l) => [l.key, values[l.id]]);
  }

  function recompute() {
    gen += 1;
    const request = { scenario: D.scenario, file: D.file, set: set(), strategy, seed: D.seed, runs };
    job = {
      gen,
      request,
      width: 0,
      rows: null,
      have: new Uint8Array(runs),
      next: 0,
      prefix: 0,
      asked: 0,
      answered: 0,
      started: 0,
      t0: performance.now(),
      lastAnswer: 0,
      error: null,
    };
    $("status").textContent = fill(T.status_running, { done: "0", runs: num(runs, 0) });
    document.body.classList.add("busy");
    for (const w of workers) w.postMessage({ type: "start", gen, request });
  }

  function chunkFor(j) {
    // The first pieces are small, so that a first answer shows at once.
    return j.next < 2 * 25 ? 25 : 100;
  }

  function give(w, j) {
    if (j.next >= j.request.runs) return false;
    const from = j.next;
    const to = Math.min(j.request.runs, from + chunkFor(j));
    j.next = to;
    w.postMessage({ type: "rows", gen: j.gen, from, to });
    return true;
  }

  function askAnswer(w, j) {
    j.asked = j.prefix;
    j.lastAnswer = performance.now();
    w.postMessage({ type: "answer", gen: j.gen, rows: j.rows.slice(0, j.prefix * j.width) });
  }

  function onMessage(w, m) {
    if (m.type === "ready") {
      ready += 1;
      if (ready === workers.length) recompute();
      return;
    }
    const j = job;
    if (!j || m.gen !== j.gen) return;
    if (m.type === "error") {
      j.error = m.message;
      showError(m.message);
      return;
    }
    if (m.type === "started") {
      j.width = m.width;
      if (!j.rows) j.rows = new Float64Array(j.request.runs * m.width);
      give(w, j);
      return;
    }
    if (m.type === "rows") {
      j.rows.set(m.rows, m.from * j.width);
      for (let r = m.from; r < m.from + m.runs; r++) j.have[r] = 1;
      while (j.prefix < j.request.runs && j.have[j.prefix]) j.prefix += 1;
      const more = give(w, j);
      const all = j.prefix === j.request.runs;
      const due = j.asked === 0 || performance.now() - j.lastAnswer > 250;
      if (all || (due && j.prefix > j.asked)) {
        askAnswer(w, j);
      } else if (!more && j.prefix > j.asked) {
        askAnswer(w, j);
      }
      return;
    }
    if (m.type === "answer") {
      if (m.runs < j.answered) return;
      j.answered = m.runs;
      const done = m.runs === j.request.runs;
      show(m.answer, j, done);
      if (!done && j.prefix > j.asked && j.prefix === j.request.runs) askAnswer(w, j);
    }
  }

  // ---- figures ------------------------------------------------------------------------
  function strategyOf(id) {
    return D.strategies.find((s) => s.id === id);
  }

  function show(a, j, done) {
    const ms = performance.now() - j.t0;
    const s = strategyOf(a.strategy);
    const span = fill(T.years_span, { first: a.years[0], last: a.years[a.years.length - 1] });
    const saving = a.saving;
    $("saving").textContent = mln(saving.mean);
    $("saving-band").textContent = fill(T.band, { p5: mln(saving.p5), p95: mln(saving.p95) });
    $("p-cheaper").textContent = pct(a.p_cheaper);
    $("break-even").textContent = Number.isFinite(a.break_even_year)
      ? String(a.break_even_year)
      : T.break_even_never;
    $("break-even-note").textContent = fill(T.break_even_note, { p: pct(a.p_break_even) });
    if (a.reserve) {
      $("reserve").textContent = mln(a.reserve.risk[1]);
      $("reserve-note").textContent = fill(T.reserve_note, {
        first: a.reserve.years[0],
        last: a.reserve.years[1],
        c: pct(a.reserve.certainty),
        cn: num(a.reserve.certainty * 100, 0),
        base: mln(a.reserve.risk[0]),
      });
    } else {
      $("reserve").textContent = "–";
      $("reserve-note").textContent = T.reserve_none;
    }
    $("answer").textContent = sentence(a, s, span);
    $("rests").textContent = rests(s);
    $("runs-note").textContent = fill(done ? T.runs_done : T.runs_partial, {
      n: num(a.runs, 0),
      runs: num(j.request.runs, 0),
      seed: String(a.seed),
    });
    drawFan(a);
    drawBand(a);
    const result = {
      state: done ? "done" : "running",
      runs: a.runs,
      runs_asked: j.request.runs,
      seed: a.seed,
      strategy: a.strategy,
      baseline: a.baseline,
      levers: Object.fromEntries(j.request.set),
      ms: Math.round(ms),
      first_answer_ms: j.first ?? Math.round(ms),
      answer: a,
    };
    if (j.first === undefined) j.first = Math.round(ms);
    $("whatif-results").textContent = JSON.stringify(result);
    if (done) {
      document.body.classList.remove("busy");
      $("status").textContent = fill(T.status_done, { runs: num(a.runs, 0), s: num(ms / 1000, 1) });
    } else {
      $("status").textContent = fill(T.status_running, { done: num(a.runs, 0), runs: num(j.request.runs, 0) });
    }
  }

  function sentence(a, s, span) {
    const m = a.saving.mean;
    const key = m >= 0 ? T.answer_saves : T.answer_costs;
    return fill(key, {
      strategy: s.name,
      baseline: D.baseline.name,
      span,
      amount: mln(Math.abs(m)),
      n: num(a.runs, 0),
      p5: mln(a.saving.p5),
      p95: mln(a.saving.p95),
      p: pct(a.p_cheaper),
    });
  }

  function rests(s) {
    const parts = s.rests.slice();
    for (const l of D.levers) {
      if (l.id in values && (l.affects.includes(s.id) || l.affects.includes(D.baseline.id))) {
        parts.push(fill(T.rests_lever, { label: l.label, value: leverText(l, values[l.id]) }));
      }
    }
    return parts.length ? `${T.rests_on} ${parts.join("; ")}.` : T.rests_nothing;
  }

  function showError(message) {
    document.body.classList.remove("busy");
    $("status").textContent = `${T.error}: ${message}`;
    $("whatif-results").textContent = JSON.stringify({ state: "error", error: message });
  }

  // ---- charts (SVG) -------------------------------------------------------------------
  const SVG = "http://www.w3.org/2000/svg";
  function el(name, attrs, parent) {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  }
  function niceTicks(lo, hi, n) {
    const span = hi - lo || 1;
    const raw = span / n;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => span / s <= n) || 10 * mag;
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step) out.push(v);
    return out;
  }

  function chartWidth(svg) {
    const w = Math.round(svg.getBoundingClientRect().width);
    return w >= 300 ? Math.min(w, 900) : 640;
  }

  function drawFan(a) {
    const svg = $("fan");
    svg.replaceChildren();
    // Drawn at the width it is shown at, so that its text stays 12 px on a phone too.
    const W = chartWidth(svg), H = W < 500 ? 260 : 300, L = 58, R = 24, Tp = 14, B = 30;
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const ys = [a.spend_baseline, a.spend_strategy];
    const all = ys.flatMap((f) => f.p5.concat(f.p95)).filter(Number.isFinite);
    if (!all.length) return;
    let lo = Math.min(...all) / 1e6, hi = Math.max(...all) / 1e6;
    const pad = (hi - lo) * 0.05 || 1;
    lo -= pad;
    hi += pad;
    const n = a.years.length;
    const x = (i) => L + ((W - L - R) * i) / Math.max(1, n - 1);
    const y = (v) => Tp + (H - Tp - B) * (1 - (v / 1e6 - lo) / (hi - lo));
    for (const t of niceTicks(lo, hi, 5)) {
      const yy = Tp + (H - Tp - B) * (1 - (t - lo) / (hi - lo));
      el("line", { x1: L, x2: W - R, y1: yy, y2: yy, class: "grid" }, svg);
      el("text", { x: L - 6, y: yy + 4, class: "tick", "text-anchor": "end" }, svg).textContent = num(t, 0);
    }
    const every = n > 12 ? 5 : 2;
    a.years.forEach((yr, i) => {
      // Every few years and the last; a last year close to a labelled one is left out.
      const last = i === n - 1;
      if (i % every === 0 || (last && i % every >= every / 2)) {
        const anchor = last ? "end" : "middle";
        el("text", { x: x(i), y: H - B + 16, class: "tick", "text-anchor": anchor }, svg).textContent = yr;
      }
    });
    el("text", { x: 4, y: 10, class: "axis" }, svg).textContent = T.fan_axis;
    const area = (f, lo, hi, cls) => {
      const top = f[hi].map((v, i) => `${x(i)},${y(v)}`);
      const bottom = f[lo].map((v, i) => `${x(i)},${y(v)}`).reverse();
      el("polygon", { points: top.concat(bottom).join(" "), class: cls }, svg);
    };
    const line = (f, cls) => el("polyline", { points: f.p50.map((v, i) => `${x(i)},${y(v)}`).join(" "), class: cls }, svg);
    area(a.spend_baseline, "p5", "p95", "band base");
    area(a.spend_strategy, "p5", "p95", "band alt");
    area(a.spend_baseline, "p25", "p75", "iqr base");
    area(a.spend_strategy, "p25", "p75", "iqr alt");
    line(a.spend_baseline, "median base");
    line(a.spend_strategy, "median alt");
    $("fan-legend-base").textContent = D.baseline.name;
    $("fan-legend-alt").textContent = strategyOf(a.strategy).name;
  }

  function drawBand(a) {
    const svg = $("band");
    svg.replaceChildren();
    const W = chartWidth(svg), H = 76, L = 12, R = 12;
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const s = a.saving;
    if (![s.p5, s.p95, s.mean].every(Number.isFinite)) return;
    let lo = Math.min(0, s.p5) / 1e6, hi = Math.max(0, s.p95) / 1e6;
    const pad = (hi - lo) * 0.08 || 1;
    lo -= pad;
    hi += pad;
    const x = (v) => L + ((W - L - R) * (v / 1e6 - lo)) / (hi - lo);
    el("rect", { x: x(s.p5), y: 22, width: Math.max(1, x(s.p95) - x(s.p5)), height: 20, class: "band alt" }, svg);
    el("line", { x1: x(0), x2: x(0), y1: 18, y2: 46, class: "zero" }, svg);
    el("circle", { cx: x(s.mean), cy: 32, r: 5, class: "mean" }, svg);
    // Top row: zero; bottom row: P5 from its end of the band leftwards or rightwards, P95
    // likewise, each kept inside the chart. A label about 6.5 px a character wide.
    const width = (t) => 6.5 * t.length;
    const place = (v, t, y, prefer) => {
      let anchor = prefer;
      if (prefer === "end" && x(v) - width(t) < 0) anchor = "start";
      if (prefer === "start" && x(v) + width(t) > W) anchor = "end";
      el("text", { x: x(v), y, class: "tick", "text-anchor": anchor }, svg).textContent = t;
      return anchor === "start" ? [x(v), x(v) + width(t)] : [x(v) - width(t), x(v)];
    };
    const zero = T.band_zero;
    place(0, zero, 13, x(0) < W / 2 ? "start" : "end");
    const p5 = `P5 ${mln(s.p5)}`, p95 = `P95 ${mln(s.p95)}`;
    const left = place(s.p5, p5, 60, "start");
    const wanted = x(s.p95) - width(p95);
    place(s.p95, p95, wanted < left[1] + 8 ? 72 : 60, "end");
  }

  // ---- start --------------------------------------------------------------------------
  showLevers();
  const bytes = Uint8Array.from(atob(document.getElementById("whatif-wasm").textContent.trim()), (c) => c.charCodeAt(0));
  const src = document.getElementById("whatif-worker").textContent;
  const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
  WebAssembly.compile(bytes).then(
    (module) => {
      const n = Math.max(1, Math.min(2, navigator.hardwareConcurrency || 2));
      for (let i = 0; i < n; i++) {
        const w = new Worker(url);
        w.onmessage = (e) => onMessage(w, e.data);
        w.onerror = (e) => showError(e.message || "worker");
        workers.push(w);
        w.postMessage({ type: "module", module });
      }
    },
    (err) => showError(String(err)),
  );
})();
