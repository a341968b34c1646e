// The what-if page's worker: one instance of the engine's WebAssembly module
// (wasm/lib.rs). The page sends it the module, then requests; each answer carries the
// request's generation, so that the page can ignore answers to a request it replaced.
"use strict";
let x = null; // the module's exports
let gen = -1; // generation of the request this worker holds

function output() {
  return new Uint8Array(x.memory.buffer, x.cs_output(), x.cs_output_len());
}

function text() {
  return new TextDecoder().decode(output());
}

function write(bytes) {
  const p = x.cs_alloc(bytes.length);
  new Uint8Array(x.memory.buffer, p, bytes.length).set(bytes);
  return p;
}

onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.type === "module") {
      x = (await WebAssembly.instantiate(m.module, {})).exports;
      postMessage({ type: "ready" });
    } else if (m.type === "start") {
      const bytes = new TextEncoder().encode(JSON.stringify(m.request));
      const p = write(bytes);
      const width = x.cs_start(p, bytes.length);
      x.cs_free(p, bytes.length);
      gen = m.gen;
      if (width === 0) {
        postMessage({ type: "error", gen: m.gen, message: JSON.parse(text()).error });
      } else {
        postMessage({ type: "started", gen: m.gen, width });
      }
    } else if (m.type === "rows") {
      if (m.gen !== gen) return;
      const runs = x.cs_rows(m.from, m.to);
      const out = output();
      const rows = new Float64Array(out.length / 8);
      new Uint8Array(rows.buffer).set(out);
      postMessage({ type: "rows", gen: m.gen, from: m.from, runs, rows }, [rows.buffer]);
    } else if (m.type === "answer") {
      if (m.gen !== gen) return;
      const bytes = new Uint8Array(m.rows.buffer, m.rows.byteOffset, m.rows.byteLength);
      const p = write(bytes);
      const failed = x.cs_answer(p, bytes.length);
      x.cs_free(p, bytes.length);
      const answer = JSON.parse(text());
      if (failed) {
        postMessage({ type: "error", gen: m.gen, message: answer.error });
      } else {
        postMessage({ type: "answer", gen: m.gen, runs: answer.runs, answer });
      }
    }
  } catch (err) {
    postMessage({ type: "error", gen: m.gen ?? gen, message: String(err) });
  }
};
