// Drawing helpers shared by the playground and the lab pages. Nothing here computes model numbers:
// the maps, curves and values all come from the server.
"use strict";

const NEG = [245, 147, 34];   // orange: negative values, class 0
const MID = [236, 238, 240];
const POS = [8, 119, 189];    // blue: positive values, class 1
const PALETTE = ["#0877bd", "#e4572e", "#2a9d5c", "#8e44ad", "#d4a017", "#17a2b8", "#555"];

function colorOf(t) {          // t in [-1, 1] -> [r, g, b]
  t = Math.max(-1, Math.min(1, t || 0));
  const end = t < 0 ? NEG : POS, a = Math.abs(t);
  return [0, 1, 2].map(i => Math.round(MID[i] + (end[i] - MID[i]) * a));
}
function rgb(c, alpha) { return alpha === undefined ? `rgb(${c})` : `rgba(${c},${alpha})`; }

function decodeMap(b64) {      // base64 bytes 0..255 -> Float32Array in [-1, 1]
  const s = atob(b64), out = new Float32Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) / 127.5 - 1;
  return out;
}

function paintMap(canvas, values, res, discrete, strength) {
  strength = strength || 0.85;
  if (canvas.width !== res) { canvas.width = res; canvas.height = res; }
  const ctx = canvas.getContext("2d"), img = ctx.createImageData(res, res);
  for (let i = 0; i < values.length; i++) {
    let v = values[i];
    if (discrete) v = v > 0 ? 1 : -1;
    const c = colorOf(v * strength);
    img.data.set([c[0], c[1], c[2], 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
}

function hidpi(canvas, w, h) {  // size a canvas for sharp lines; returns its 2d context in CSS pixels
  const r = window.devicePixelRatio || 1;
  w = w || canvas.clientWidth || 300; h = h || canvas.clientHeight || 150;
  if (canvas.width !== Math.round(w * r) || canvas.height !== Math.round(h * r)) {
    canvas.width = Math.round(w * r); canvas.height = Math.round(h * r);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(r, 0, 0, r, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return ctx;
}

function fmt(v, digits) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(digits === undefined ? 2 : digits - 1);
  return v.toFixed(digits === undefined ? 3 : digits);
}

// A small line chart: series = [{x: [...], y: [...], color, label, width}]; opts.logY for a log scale.
function lineChart(canvas, series, opts) {
  opts = opts || {};
  const W = canvas.clientWidth || 300, H = canvas.clientHeight || 120, ctx = hidpi(canvas, W, H);
  const pad = {l: opts.padLeft || 40, r: 8, t: 8, b: 18};
  const ys = [], xs = [];
  for (const s of series) s.y.forEach((v, i) => {
    if (v !== null && Number.isFinite(v) && (!opts.logY || v > 0)) { ys.push(v); xs.push(s.x[i]); }
  });
  ctx.font = "10px system-ui, sans-serif"; ctx.fillStyle = "#888"; ctx.strokeStyle = "#ddd"; ctx.lineWidth = 1;
  if (!ys.length) { ctx.fillText(opts.empty || "no data yet", pad.l, H / 2); return; }
  const tx = v => opts.logY ? Math.log10(v) : v;
  let y0 = opts.yMin !== undefined ? opts.yMin : Math.min(...ys.map(tx));
  let y1 = opts.yMax !== undefined ? opts.yMax : Math.max(...ys.map(tx));
  if (opts.logY) { y0 = Math.floor(y0); y1 = Math.ceil(y1); }
  if (y1 - y0 < 1e-9) { y1 = y0 + 1; }
  const x0 = Math.min(...xs), x1 = Math.max(Math.max(...xs), x0 + 1);
  const X = x => pad.l + (x - x0) / (x1 - x0) * (W - pad.l - pad.r);
  const Y = y => H - pad.b - (tx(y) - y0) / (y1 - y0) * (H - pad.t - pad.b);
  const ticks = opts.logY ? range(y0, y1, Math.max(1, Math.ceil((y1 - y0) / 4))) : [y0, (y0 + y1) / 2, y1];
  for (const t of ticks) {
    const py = H - pad.b - (t - y0) / (y1 - y0) * (H - pad.t - pad.b);
    ctx.beginPath(); ctx.moveTo(pad.l, py); ctx.lineTo(W - pad.r, py); ctx.stroke();
    ctx.fillText(opts.logY ? "1e" + t : fmt(t, 2), 2, py + 3);
  }
  ctx.fillText(String(Math.round(x0)), pad.l, H - 4);
  const last = String(Math.round(x1)); ctx.fillText(last, W - pad.r - ctx.measureText(last).width, H - 4);
  if (opts.xLabel) ctx.fillText(opts.xLabel, (W - ctx.measureText(opts.xLabel).width) / 2, H - 4);
  for (const s of series) {
    ctx.strokeStyle = s.color; ctx.lineWidth = s.width || 1.6; ctx.beginPath();
    let pen = false;
    s.y.forEach((v, i) => {
      if (v === null || !Number.isFinite(v) || (opts.logY && v <= 0)) { pen = false; return; }
      const px = X(s.x[i]), py = Math.max(pad.t - 4, Math.min(H - pad.b + 4, Y(v)));
      pen ? ctx.lineTo(px, py) : ctx.moveTo(px, py); pen = true;
    });
    ctx.stroke();
  }
}
function range(a, b, step) { const r = []; for (let v = a; v <= b + 1e-9; v += step) r.push(v); return r; }

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== false && v !== null && v !== undefined) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

async function api(path, body, raw) {
  const init = body === undefined ? {} : {method: "POST", body: raw ? body : JSON.stringify(body),
    headers: {"Content-Type": raw ? "application/octet-stream" : "application/json"}};
  const res = await fetch(path, init);
  const data = await res.json().catch(() => ({error: `HTTP ${res.status}`}));
  if (!res.ok) throw new Error(data.error || `HTTP ${res.status}`);
  return data;
}

let toastTimer = null;
function toast(message, kind) {
  const t = document.getElementById("toast");
  t.textContent = message; t.className = "toast show " + (kind || "");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.className = "toast"; }, kind === "error" ? 7000 : 4500);
}
