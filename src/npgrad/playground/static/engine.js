// "Inside the engine": gradient norms, one example's graph, code, model files, CSV upload, page tabs.
"use strict";

function drawGradChart(f) {
  const g = f.history.grad_norms, L = S.cfg.hidden.length + 1, series = [];
  for (let l = 0; l < L; l++) {
    series.push({x: f.history.epoch, y: g.map(r => (r && r[l] !== undefined ? r[l] : null)),
                 color: PALETTE[l % PALETTE.length], label: l === L - 1 ? "output" : `layer ${l + 1}`});
  }
  lineChart($("grad-chart"), series, {logY: true, empty: "press play or step: norms appear after an epoch"});
  const legend = $("grad-legend"); legend.textContent = "";
  series.forEach((s, l) => legend.append(el("span", {}, el("i", {style: `background:${s.color}`}),
    `${s.label} (W${l + 1})`)));
}

// -- one example through the graph --------------------------------------------------------------
function short(v) {             // two significant digits: small gradients stay visible
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a < 1e-3 || a >= 1e4 ? v.toExponential(1) : String(Number(v.toPrecision(2)));
}
function cellText(c, full) {
  if (!c) return "?";
  if (!c.data) return `shape ${c.shape.join("×")}`;
  const flat = [c.data].flat(3);
  if (flat.length === 1) return fmt(flat[0]);
  if (full || flat.length <= 3) return "[" + flat.map(short).join(", ") + "]";
  return `${c.shape.join("×")} [${flat.slice(0, 2).map(short).join(", ")} …]`;
}

function drawInspect() {
  const box = $("graph"), table = $("inspect-table"), r = S.inspect;
  if (!r) {
    $("inspect-title").textContent = "(click a point on the output plot)";
    box.querySelector("svg")?.remove(); table.textContent = ""; return;
  }
  const cls = r.task === "classification";
  $("inspect-title").textContent = `point (${fmt(r.point[0], 2)}, ${fmt(r.point[1], 2)}), label ${r.label}, ` +
    `${cls ? "P(class 1)" : "prediction"} ${fmt(r.prediction)}, loss ${fmt(r.loss)}`;
  drawGraph(box, r.rows);
  const head = el("tr", {}, ...["step", "node", "op", "inputs", "value", "∂loss/∂node"].map(h => el("th", {}, h)));
  const body = r.rows.map(row => el("tr", {}, el("td", {}, String(row.step)), el("td", {}, row.name),
    el("td", {}, row.op), el("td", {}, row.inputs.join(", ")), el("td", {}, cellText(row.value, true)),
    el("td", {}, cellText(row.grad, true))));
  table.textContent = ""; table.append(el("table", {}, el("thead", {}, head), el("tbody", {}, ...body)));
}

function drawGraph(box, rows) {
  const level = {};
  for (const row of rows.slice().reverse()) {           // rows come output first: leaves are at the end
    level[row.name] = row.inputs.length ? 2 + Math.max(...row.inputs.map(n => level[n] || 0)) : 0;
  }
  for (const row of rows) for (const inp of row.inputs) {    // a parameter sits just before its first use
    if (inp !== "x" && rows.find(r => r.name === inp).op === "leaf") level[inp] = Math.max(level[inp], level[row.name] - 1);
  }
  const used = [...new Set(Object.values(level))].sort((a, b) => a - b);
  for (const k in level) level[k] = used.indexOf(level[k]);
  const cols = {};
  for (const row of rows.slice().reverse()) (cols[level[row.name]] = cols[level[row.name]] || []).push(row);
  const BW = 168, BH = 54, GX = 30, GY = 10, nCols = Object.keys(cols).length;
  const tall = Math.max(...Object.values(cols).map(c => c.length));
  const W = nCols * (BW + GX) + 10, H = tall * (BH + GY) + 10, at = {};
  Object.entries(cols).forEach(([lv, list]) => list.forEach((row, i) => {
    at[row.name] = [5 + lv * (BW + GX), 5 + (H - list.length * (BH + GY)) / 2 + i * (BH + GY)];
  }));
  const NS = "http://www.w3.org/2000/svg", svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`); svg.setAttribute("class", "graph");
  if ($("graph-fit").checked) svg.style.width = "100%";
  else { svg.setAttribute("width", W); svg.setAttribute("height", H); }
  const mk = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    svg.append(e); return e;
  };
  for (const row of rows) for (const inp of row.inputs) {
    const [x0, y0] = at[inp], [x1, y1] = at[row.name], mx = (x0 + BW + x1) / 2;
    mk("path", {d: `M${x0 + BW},${y0 + BH / 2} C${mx},${y0 + BH / 2} ${mx},${y1 + BH / 2} ${x1},${y1 + BH / 2}`,
                class: "edge"});
  }
  for (const row of rows) {
    const [x, y] = at[row.name], named = !/\d$/.test(row.name) || /^[WbzanxF]|^gamma|^beta/.test(row.name);
    const kind = row.op === "leaf" ? (row.name === "x" ? "input" : "param") : (named ? "named" : "inner");
    const g = mk("g", {class: "gnode " + kind, transform: `translate(${x},${y})`});
    const add = (tag, attrs, text) => { const e = mk(tag, attrs, text); g.append(e); return e; };
    add("rect", {width: BW, height: BH, rx: 6});
    const title = row.name.length > 14 ? row.op : row.name + (row.op !== "leaf" ? " · " + row.op : "");
    add("text", {x: 7, y: 15, class: "gname"}, title.length > 19 ? title.slice(0, 18) + "…" : title);
    add("text", {x: 7, y: 31}, "val  " + cellText(row.value));
    add("text", {x: 7, y: 46, class: "ggrad"}, "grad  " + cellText(row.grad));
    add("title", {}, `${row.name} (${row.op})\nvalue: ${cellText(row.value, true)}\n∂loss/∂${row.name}: ${cellText(row.grad, true)}`);
  }
  box.querySelector("svg")?.remove(); box.querySelector(".hint")?.remove(); box.append(svg);
  box.scrollLeft = 0;
}

// -- code ---------------------------------------------------------------------------------------
let codeSeq = 0;
async function loadCode() {
  if (!S.sid) return;
  const seq = ++codeSeq;
  try {
    const r = await api(`/api/session/${S.sid}/code?flavour=${S.flavour}`);
    if (seq === codeSeq) $("code").textContent = r.code;
  } catch (e) { $("code").textContent = "# " + e.message; }
}
async function copyCode() {
  const text = $("code").textContent;
  try { await navigator.clipboard.writeText(text); toast("code copied"); }
  catch (e) {
    const range = document.createRange(); range.selectNodeContents($("code"));
    getSelection().removeAllRanges(); getSelection().addRange(range); toast("selected: press Ctrl+C to copy");
  }
}

// -- files --------------------------------------------------------------------------------------
async function uploadCSV(ev) {
  const file = ev.target.files[0]; ev.target.value = "";
  if (!file) return;
  if (S.playing) await setPlaying(false);
  try {
    const text = await file.text();
    const res = await fetch(`/api/session/${S.sid}/csv`, {method: "POST", body: text, headers: {"Content-Type": "text/csv"}});
    const data = await res.json();
    if (!res.ok) throw new Error(data.error);
    setState(data); toast(`${file.name}: ${data.csv_note}`);
  } catch (e) {
    $("csv-note").textContent = `${file.name}: ${e.message}`; $("csv-note").className = "note error";
    toast(`${file.name}: ${e.message}`, "error");
  }
}
async function importModel(ev) {
  const file = ev.target.files[0]; ev.target.value = "";
  if (!file) return;
  if (S.playing) await setPlaying(false);
  try {
    const st = await api(`/api/session/${S.sid}/import`, await file.arrayBuffer(), true);
    setState(st);
    toast(`${file.name} loaded: its network and settings are in place` +
          (st.warnings.length ? ` (${st.warnings.join("; ")})` : ""), st.warnings.length ? "warn" : "");
  } catch (e) { toast(`${file.name}: ${e.message}`, "error"); }
}

// -- pages --------------------------------------------------------------------------------------
function showPage() {
  const page = (location.hash || "#playground").slice(1).split("?")[0];
  const known = ["playground", "perceptron", "gradient-descent", "softmax"];
  const name = known.includes(page) ? page : "playground";
  for (const k of known) $("page-" + k).hidden = k !== name;
  for (const a of document.querySelectorAll("#tabs a")) a.classList.toggle("on", a.dataset.page === name);
  if (name !== "playground" && S.playing) setPlaying(false);
  if (name === "playground" && S.frame) { layoutNetwork(); applyFrame(S.frame); }
  if (window.LABS && LABS[name]) LABS[name]();
}
addEventListener("hashchange", showPage);
addEventListener("DOMContentLoaded", async () => { await start(); showPage(); });
