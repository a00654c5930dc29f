// The playground page: sends settings to the server, draws what npgrad computes.
"use strict";

const OPTIONS = {
  lr: [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10].map(v => [v, String(v)]),
  activation: [["step", "Step"], ["sign", "Sign"], ["sigmoid", "Sigmoid"], ["tanh", "Tanh"], ["relu", "ReLU"],
               ["leaky_relu", "Leaky ReLU"], ["elu", "ELU"]],
  optimizer: [["sgd", "SGD"], ["momentum", "SGD + momentum"], ["adam", "Adam"]],
  schedule: [["constant", "Constant"], ["step", "Step ×0.5 / 100 ep."], ["exponential", "Exponential ×0.99"],
             ["cosine", "Cosine, 500 ep."]],
  regularization: [["none", "None"], ["l1", "L1"], ["l2", "L2"]],
  reg_rate: [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10].map(v => [v, String(v)]),
  init: [["default", "PyTorch default"], ["xavier", "Xavier"], ["kaiming", "Kaiming"], ["normal", "Normal(0, 1)"],
         ["small", "Normal(0, 0.01)"]],
};
const DATASETS = [["circles", "Circle"], ["xor", "XOR"], ["gaussian", "Gaussian"], ["spirals", "Spiral"],
                  ["moons", "Moons"], ["plane", "Plane ↗"], ["bumps", "Bumps ↗"]];
const FEATURES = [["x1", "X<sub>1</sub>"], ["x2", "X<sub>2</sub>"], ["x1^2", "X<sub>1</sub><sup>2</sup>"],
                  ["x2^2", "X<sub>2</sub><sup>2</sup>"], ["x1x2", "X<sub>1</sub>X<sub>2</sub>"],
                  ["sin_x1", "sin(X<sub>1</sub>)"], ["sin_x2", "sin(X<sub>2</sub>)"]];
const SLIDERS = {train_frac: v => v / 100, noise: v => v / 100, dropout: v => v / 100, batch_size: v => v};
const NUMERIC = ["noise", "train_frac", "samples", "seed", "lr", "batch_size", "reg_rate", "dropout"];

const S = {sid: null, cfg: null, state: null, frame: null, playing: false, es: null, hover: null,
           selected: null, inspect: null, flavour: "npgrad", busy: false};
const $ = id => document.getElementById(id);

// -- the URL holds the configuration ------------------------------------------------------------
function configFromURL() {
  const q = new URLSearchParams(location.search), cfg = {};
  for (const [k, v] of q) {
    if (k === "features") cfg.features = v ? v.split(",") : [];
    else if (k === "hidden") cfg.hidden = v ? v.split(",").map(Number) : [];
    else if (k === "batchnorm") cfg.batchnorm = v === "1" || v === "true";
    else if (NUMERIC.includes(k)) cfg[k] = Number(v);
    else cfg[k] = v;
  }
  return cfg;
}
function writeURL() {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(S.cfg)) {
    q.set(k, Array.isArray(v) ? v.join(",") : typeof v === "boolean" ? (v ? "1" : "0") : String(v));
  }
  history.replaceState(null, "", "?" + q.toString() + location.hash);
}

// -- talking to the server ----------------------------------------------------------------------
async function start() {
  buildControls();
  const fromURL = configFromURL();
  try {
    const r = await api("/api/session", {config: fromURL});
    S.sid = r.id; setState(r.state);
  } catch (e) {
    toast("The link's settings were not usable (" + e.message + "); using the defaults.", "error");
    const r = await api("/api/session", {config: {}});
    S.sid = r.id; setState(r.state);
  }
  $("export").href = `/api/session/${S.sid}/export`;
  connect();
  addEventListener("pagehide", () => navigator.sendBeacon(`/api/session/${S.sid}/close`));
  api("/api/datasets").then(drawThumbnails).catch(() => {});
}

function connect() {
  if (S.es) S.es.close();
  S.es = new EventSource(`/api/session/${S.sid}/events`);
  S.es.addEventListener("frame", ev => {
    const f = JSON.parse(ev.data);
    if (f.warnings && f.warnings.length) toast(f.warnings.join("; "), "warn");
    if (!f.playing && S.playing && f.diverged) setPlaying(false);
    applyFrame(f);
  });
  S.es.onerror = () => { if (S.es.readyState === EventSource.CLOSED) setTimeout(recover, 1000); };
}

async function recover() {          // the stream closed: reconnect, or start over if the server forgot us
  try { await api(`/api/session/${S.sid}/state`); }
  catch (e) {
    try {
      const r = await api("/api/session", {config: S.cfg.dataset === "csv" ? Object.assign({}, S.cfg, {dataset: "circles"}) : S.cfg});
      S.sid = r.id; $("export").href = `/api/session/${S.sid}/export`; setState(r.state);
      toast("The server had closed this tab's session (idle too long): started a fresh one.", "warn");
    } catch (e2) { toast("The playground server is not answering: " + e2.message, "error"); return setTimeout(recover, 5000); }
  }
  connect();
}

async function configure(patch) {
  const cfg = Object.assign({}, S.cfg, patch);
  try {
    const st = await api(`/api/session/${S.sid}/config`, cfg);
    setState(st);
    if (st.warnings.length) toast(st.warnings.join("; "), "warn");
  } catch (e) { toast(e.message, "error"); syncControls(); }
}

async function setPlaying(on) {
  S.playing = on;
  $("play").classList.toggle("on", on);
  try { await api(`/api/session/${S.sid}/${on ? "play" : "pause"}`, {}); } catch (e) { toast(e.message, "error"); }
  if (!on) loadCode();
}

function setState(st) {
  S.state = st; S.cfg = st.config; S.inspect = null; S.selected = null;
  if (st.playing === false && S.playing) { S.playing = false; $("play").classList.remove("on"); }
  syncControls(); writeURL(); layoutNetwork(); applyFrame(st.frame); drawInspect(); loadCode();
  $("task").textContent = st.task;
  $("csv-note").textContent = S.cfg.dataset === "csv" && st.csv_note ? "CSV: " + st.csv_note : "";
  $("csv-note").className = "note";
}

// -- controls -----------------------------------------------------------------------------------
function buildControls() {
  for (const [key, opts] of Object.entries(OPTIONS)) {
    const sel = $(key);
    for (const [v, label] of opts) sel.append(el("option", {value: v}, label));
    sel.addEventListener("change", () => {
      const v = sel.value;
      configure({[key]: ["lr", "reg_rate"].includes(key) ? Number(v) : v});
    });
  }
  for (const [key, conv] of Object.entries(SLIDERS)) {
    const input = $(key);
    input.addEventListener("input", () => { $(key + "-v").textContent = conv(Number(input.value)); });
    input.addEventListener("change", () => configure({[key]: conv(Number(input.value))}));
  }
  $("batchnorm").addEventListener("change", e => configure({batchnorm: e.target.checked}));
  $("play").addEventListener("click", () => setPlaying(!S.playing));
  $("step").addEventListener("click", async () => {
    if (S.playing) await setPlaying(false);
    try { applyFrame(await api(`/api/session/${S.sid}/step`, {epochs: 1})); } catch (e) { toast(e.message, "error"); }
  });
  $("reset").addEventListener("click", async () => {
    try { setState(await api(`/api/session/${S.sid}/reset`, {})); } catch (e) { toast(e.message, "error"); }
  });
  $("regen").addEventListener("click", () => configure({seed: (S.cfg.seed + 1) % 1000}));
  $("add-layer").addEventListener("click", () => {
    if (S.cfg.hidden.length >= S.state.limits.layers) return toast(`at most ${S.state.limits.layers} hidden layers`, "warn");
    configure({hidden: S.cfg.hidden.concat([2])});
  });
  $("remove-layer").addEventListener("click", () => configure({hidden: S.cfg.hidden.slice(0, -1)}));
  $("show-test").addEventListener("change", drawPoints);
  $("discrete").addEventListener("change", () => applyFrame(S.frame));
  $("points").addEventListener("click", pickPoint);
  $("csv").addEventListener("change", uploadCSV);
  $("import").addEventListener("change", importModel);
  for (const b of $("flavour").querySelectorAll("button")) b.addEventListener("click", () => {
    S.flavour = b.dataset.f;
    for (const o of $("flavour").querySelectorAll("button")) o.classList.toggle("on", o === b);
    loadCode();
  });
  $("copy").addEventListener("click", copyCode);
  $("graph-fit").addEventListener("change", drawInspect);
  addEventListener("resize", () => { if (S.state) { layoutNetwork(); applyFrame(S.frame); } });
  for (const [name, label] of DATASETS) {
    $("datasets").append(el("button", {class: "ds", "data-ds": name, title: label,
      onclick: () => configure({dataset: name})}, el("canvas", {width: 64, height: 64}), el("span", {}, label)));
  }
}

function syncControls() {
  const c = S.cfg;
  for (const key of Object.keys(OPTIONS)) $(key).value = String(c[key]);
  const pct = {train_frac: c.train_frac * 100, noise: c.noise * 100, dropout: c.dropout * 100, batch_size: c.batch_size};
  for (const [key, v] of Object.entries(pct)) {
    $(key).value = Math.round(v); $(key + "-v").textContent = SLIDERS[key](Math.round(v));
  }
  $("batchnorm").checked = c.batchnorm;
  for (const b of document.querySelectorAll(".ds")) b.classList.toggle("on", b.dataset.ds === c.dataset);
  document.querySelector(".upload").classList.toggle("on", c.dataset === "csv");
  const n = c.hidden.length;
  $("layer-count").textContent = `${n} hidden layer${n === 1 ? "" : "s"}`;
}

function drawThumbnails(previews) {
  for (const b of document.querySelectorAll(".ds")) {
    const pts = previews[b.dataset.ds]; if (!pts) continue;
    const ctx = b.querySelector("canvas").getContext("2d"), d = previews.domain;
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, 64, 64);
    for (const [x, y, v] of pts) {
      ctx.fillStyle = rgb(colorOf(previews.tasks[b.dataset.ds] === "classification" ? 2 * v - 1 : v));
      ctx.fillRect((x + d) / (2 * d) * 62, (d - y) / (2 * d) * 62, 2.5, 2.5);
    }
  }
}

// -- the network diagram ------------------------------------------------------------------------
function layoutNetwork() {
  const net = $("net"), c = S.cfg;
  for (const n of [...net.querySelectorAll(".node, .col-ctl")]) n.remove();
  const cols = [FEATURES.length].concat(c.hidden, [1]);
  const maxN = Math.max(...cols);
  // each column's tiles are as large as its own count allows, so 32 neurons do not shrink the features
  const sizeOf = n => n <= 8 ? [34, 10] : [Math.max(11, Math.floor(500 / n) - 3), 3];
  const height = n => n * (sizeOf(n)[0] + sizeOf(n)[1]);
  const W = net.clientWidth, top = 34, H = top + Math.max(...cols.map(height)) + 10;
  net.style.height = H + "px";
  const left = 62, colX = cols.map((_, i) => left + i * (W - 34 - left - 20) / (cols.length - 1));
  const pos = cols.map((n, i) => {
    const [t, g] = sizeOf(n), off = top + (H - top - 10 - height(n)) / 2;
    return Array.from({length: n}, (_, j) => [colX[i] + (34 - t) / 2, off + j * (t + g), t]);
  });
  const tile = sizeOf(Math.max(...cols.slice(1)))[0];
  S.layout = {tile, pos, cols};
  FEATURES.forEach(([name, label], j) => {
    const on = c.features.includes(name);
    const node = el("div", {class: "node feature" + (on ? " on" : ""), title: on ? "click to remove" : "click to add",
      onclick: () => toggleFeature(name)}, el("canvas", {width: 24, height: 24}));
    const lab = el("span", {class: "flabel"}); lab.innerHTML = label; node.append(lab);
    place(node, pos[0][j]); net.append(node);
  });
  c.hidden.forEach((n, l) => {
    const ctl = el("div", {class: "col-ctl"},
      el("button", {class: "round sm", title: "add a neuron", onclick: () => setNeurons(l, n + 1)}, "+"),
      el("button", {class: "round sm", title: "remove a neuron", onclick: () => setNeurons(l, n - 1)}, "−"),
      el("small", {}, `${n} neuron${n === 1 ? "" : "s"}`));
    ctl.style.left = (colX[l + 1] + 17 - 40) + "px"; net.append(ctl);
    for (let j = 0; j < n; j++) {
      const node = el("div", {class: "node neuron", "data-l": l, "data-j": j}, el("canvas", {width: 24, height: 24}),
        el("span", {class: "val"}));
      node.addEventListener("mouseenter", () => { S.hover = [l, j]; drawBoundary(); });
      node.addEventListener("mouseleave", () => { S.hover = null; drawBoundary(); });
      place(node, pos[l + 1][j]); net.append(node);
    }
  });
  const out = el("div", {class: "node output", title: "the network's output"}, el("canvas", {width: 64, height: 64}),
    el("span", {class: "val"}));
  place(out, pos[cols.length - 1][0]); net.append(out);
}
function place(node, [x, y, tile]) {
  node.style.left = x + "px"; node.style.top = y + "px"; node.style.width = tile + "px"; node.style.height = tile + "px";
}
function toggleFeature(name) {
  const f = S.cfg.features.includes(name) ? S.cfg.features.filter(x => x !== name) : S.cfg.features.concat([name]);
  if (!f.length) return toast("the network needs at least one input feature", "warn");
  configure({features: f});
}
function setNeurons(l, n) {
  const lim = S.state.limits.neurons;
  if (n < 1) return; if (n > lim) return toast(`at most ${lim} neurons per layer`, "warn");
  const h = S.cfg.hidden.slice(); h[l] = n; configure({hidden: h});
}

function drawLinks(f) {
  const net = $("net"), cv = $("links"), ctx = hidpi(cv, net.clientWidth, net.clientHeight);
  const {pos} = S.layout, active = S.cfg.features.map(n => FEATURES.findIndex(x => x[0] === n));
  const all = f.weights.flat(2).map(Math.abs), big = Math.max(1e-6, ...all);
  const dense = all.length > 300, base = dense ? 0.06 : 0.25, thick = dense ? 3 : 5;
  f.weights.forEach((W, l) => W.forEach((row, j) => row.forEach((w, i) => {
    const a = l === 0 ? pos[0][active[i]] : pos[l][i], b = pos[l + 1][j];
    if (!a || !b) return;
    const t = Math.abs(w) / big;
    ctx.strokeStyle = rgb(w > 0 ? POS : NEG, base + 0.65 * t); ctx.lineWidth = 0.3 + thick * t;
    const ya = a[1] + a[2] / 2, yb = b[1] + b[2] / 2, xa = a[0] + a[2], mx = (xa + b[0]) / 2;
    ctx.beginPath(); ctx.moveTo(xa, ya); ctx.bezierCurveTo(mx, ya, mx, yb, b[0], yb); ctx.stroke();
  })));
}

// -- a frame: everything that moves while training ---------------------------------------------
function applyFrame(f) {
  if (!f || !S.layout) return;
  S.frame = f;
  $("epoch").textContent = String(f.epoch).padStart(6, "0").replace(/(\d{3})(\d{3})$/, "$1,$2");
  $("test-loss").textContent = fmt(f.losses.test) + (f.losses.test_acc !== undefined ? `  (${(f.losses.test_acc * 100).toFixed(1)}% correct)` : "");
  $("train-loss").textContent = fmt(f.losses.train) + (f.losses.train_acc !== undefined ? `  (${(f.losses.train_acc * 100).toFixed(1)}%)` : "");
  const h = f.history;
  lineChart($("loss-chart"), [{x: h.epoch, y: h.train, color: "#999", label: "train"},
                              {x: h.epoch, y: h.test, color: "#222", label: "test"}], {yMin: 0});
  const nodes = $("net").querySelectorAll(".node.feature canvas");
  const active = S.cfg.features.map(n => FEATURES.findIndex(x => x[0] === n));
  nodes.forEach((cv, j) => {
    const k = active.indexOf(j);
    if (k >= 0) paintMap(cv, decodeMap(f.features[k].data), 24); else cv.getContext("2d").clearRect(0, 0, 24, 24);
  });
  for (const node of $("net").querySelectorAll(".node.neuron")) {
    const l = +node.dataset.l, j = +node.dataset.j, m = f.neurons[l] && f.neurons[l][j];
    if (m) paintMap(node.querySelector("canvas"), decodeMap(m.data), 24, $("discrete").checked);
    if (f.weights[l] && f.weights[l][j]) {
      node.title = `layer ${l + 1}, neuron ${j + 1}: bias ${fmt(f.biases[l][j])}, weights in ` +
        `[${f.weights[l][j].map(w => fmt(w, 2)).join(", ")}]; colour scale ±${fmt(m ? m.scale : 1, 2)}`;
    }
  }
  const out = $("net").querySelector(".node.output canvas");
  if (out) paintMap(out, decodeMap(f.boundary.data), f.boundary.res, $("discrete").checked);
  drawLinks(f); drawBoundary(); drawPoints(); drawGradChart(f); drawNeuronValues();
}

function drawBoundary() {
  const f = S.frame; if (!f) return;
  if (S.hover && f.neurons[S.hover[0]] && f.neurons[S.hover[0]][S.hover[1]]) {
    paintMap($("boundary"), decodeMap(f.neurons[S.hover[0]][S.hover[1]].data), 24, $("discrete").checked, 0.6);
  } else {
    paintMap($("boundary"), decodeMap(f.boundary.data), f.boundary.res, $("discrete").checked, 0.6);
  }
}

function plotXY(x, y, size) {
  const d = S.state.domain;
  return [(x + d) / (2 * d) * size, (d - y) / (2 * d) * size];
}
function drawPoints() {
  const cv = $("points"), size = cv.clientWidth, ctx = hidpi(cv, size, size), st = S.state;
  const cls = st.task === "classification";
  const sets = [["train", "#fff"]].concat($("show-test").checked ? [["test", "#111"]] : []);
  for (const [split, stroke] of sets) for (const [x, y, v] of st.points[split]) {
    const [px, py] = plotXY(x, y, size);
    ctx.beginPath(); ctx.arc(px, py, 3.6, 0, 2 * Math.PI);
    ctx.fillStyle = rgb(colorOf(cls ? 2 * v - 1 : v)); ctx.fill();
    ctx.lineWidth = 1; ctx.strokeStyle = stroke; ctx.stroke();
  }
  if (S.selected) {
    const [x, y] = st.points[S.selected.split][S.selected.index], [px, py] = plotXY(x, y, size);
    ctx.beginPath(); ctx.arc(px, py, 8, 0, 2 * Math.PI); ctx.lineWidth = 2.5; ctx.strokeStyle = "#111"; ctx.stroke();
  }
  ctx.fillStyle = "rgba(0,0,0,.55)"; ctx.font = "10px system-ui";
  ctx.fillText(`-${st.domain}`, 3, size - 4); ctx.fillText(String(st.domain), size - 12, size - 4);
}

function pickPoint(ev) {
  const cv = $("points"), r = cv.getBoundingClientRect(), d = S.state.domain, size = r.width;
  const x = (ev.clientX - r.left) / size * 2 * d - d, y = d - (ev.clientY - r.top) / size * 2 * d;
  let best = null;
  for (const split of ["train", "test"]) {
    if (split === "test" && !$("show-test").checked) continue;
    S.state.points[split].forEach(([px, py], index) => {
      const dist = (px - x) ** 2 + (py - y) ** 2;
      if (!best || dist < best.dist) best = {split, index, dist};
    });
  }
  if (best) inspect(best.split, best.index);
}

async function inspect(split, index) {
  S.selected = {split, index}; drawPoints();
  try { S.inspect = await api(`/api/session/${S.sid}/inspect`, {split, index}); } catch (e) { return toast(e.message, "error"); }
  drawInspect(); drawNeuronValues();
}

function drawNeuronValues() {
  for (const node of $("net").querySelectorAll(".node.neuron, .node.output")) {
    const show = S.inspect && node.offsetWidth >= 30;
    const span = node.querySelector(".val");
    const l = node.classList.contains("output") ? S.cfg.hidden.length : +node.dataset.l, j = +node.dataset.j || 0;
    const n = show && S.inspect.neurons[l];
    span.textContent = n && n.value ? fmt(n.value[j], 2) : "";
    span.title = n && n.grad ? `value ${n.value[j]}, ∂loss/∂value ${n.grad[j]}` : "";
  }
}
