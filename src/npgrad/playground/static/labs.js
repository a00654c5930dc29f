// The lab pages: each control calls the lab's own code on the server (npgrad.labs) and draws the result.
"use strict";

function labSlider(id, label, min, max, step, value, show) {
  const out = el("b", {id: id + "-v"}, show(value));
  const input = el("input", {type: "range", id, min, max, step, value});
  input.addEventListener("input", () => { out.textContent = show(Number(input.value)); });
  return el("label", {class: "slider"}, label + " ", out, input);
}
function labShell(page, title, intro, controls, figures) {
  const root = $("page-" + page);
  if (root.dataset.ready) return false;
  root.dataset.ready = "1";
  root.append(el("div", {class: "lab-head"}, el("h2", {}, title), el("p", {}, intro)),
              el("div", {class: "lab-grid"}, el("section", {class: "card lab-controls"}, ...controls),
                 ...figures.map(f => el("section", {class: "card"}, ...f))));
  return true;
}
const val = id => Number($(id).value);

// -- perceptron ---------------------------------------------------------------------------------
function perceptronPage() {
  const fresh = labShell("perceptron", "Perceptron: Rosenblatt's rule",
    "For each misclassified point, w ← w + η·y·x and b ← b + η·y, until an epoch makes no mistake. " +
    "Computed by npgrad.labs.perceptron.perceptron on the lab's two moons (one moon shifted up).",
    [labSlider("p-eta", "Learning rate η", 0.01, 2, 0.01, 0.1, v => v),
     labSlider("p-noise", "Noise", 0, 0.5, 0.01, 0.1, v => v),
     labSlider("p-shift", "Shift of the upper moon", 0, 2, 0.05, 1, v => v),
     labSlider("p-samples", "Points", 50, 1000, 50, 200, v => v),
     labSlider("p-epochs", "Max epochs", 1, 100, 1, 30, v => v),
     el("div", {id: "p-summary", class: "summary"})],
    [[el("h3", {}, "The separating line"), el("canvas", {id: "p-plot", class: "square"})],
     [el("h3", {}, "Mistakes per epoch"), el("canvas", {id: "p-chart", class: "chart"})]]);
  if (fresh) for (const id of ["p-eta", "p-noise", "p-shift", "p-samples", "p-epochs"]) $(id).addEventListener("change", runPerceptron);
  runPerceptron();
}
async function runPerceptron() {
  let r;
  try {
    r = await api("/api/lab/perceptron", {eta: val("p-eta"), noise: val("p-noise"), shift: val("p-shift"),
                                          samples: val("p-samples"), max_epochs: val("p-epochs")});
  } catch (e) { return toast(e.message, "error"); }
  const cv = $("p-plot"), size = cv.clientWidth, ctx = hidpi(cv, size, size);
  const xs = r.points.map(p => p[0]), ys = r.points.map(p => p[1]);
  const lo = Math.min(...xs, ...ys) - 0.3, hi = Math.max(...xs, ...ys) + 0.3, s = size / (hi - lo);
  const P = (x, y) => [(x - lo) * s, size - (y - lo) * s];
  for (const [x, y, c] of r.points) {
    const [px, py] = P(x, y); ctx.beginPath(); ctx.arc(px, py, 3, 0, 7);
    ctx.fillStyle = rgb(c ? POS : NEG); ctx.fill();
  }
  const [w1, w2] = r.w;
  if (Math.abs(w2) > 1e-9) {
    const a = P(lo, -(w1 * lo + r.b) / w2), b = P(hi, -(w1 * hi + r.b) / w2);
    ctx.beginPath(); ctx.moveTo(...a); ctx.lineTo(...b); ctx.lineWidth = 2.5; ctx.strokeStyle = "#c0392b"; ctx.stroke();
  }
  lineChart($("p-chart"), [{x: r.history.map(h => h.epoch), y: r.history.map(h => h.mistakes), color: "#c0392b"}],
            {yMin: 0, xLabel: "epoch"});
  $("p-summary").innerHTML = (r.converged ? `<b>Converged</b> after ${r.history.length} epochs; margin γ = ${fmt(r.margin)}.`
    : `<b>Not separated</b> after ${r.history.length} epochs (${r.history.at(-1).mistakes} mistakes in the last): ` +
      "the rule only stops on linearly separable data — lower the noise or raise the shift.") +
    `<br>w = (${fmt(w1)}, ${fmt(w2)}), b = ${fmt(r.b)}` + (r.warnings.length ? `<br><i>${r.warnings.join("; ")}</i>` : "");
}

// -- gradient descent ---------------------------------------------------------------------------
const GD = {start: [3, 1]};
function gdPage() {
  const fresh = labShell("gradient-descent", "Gradient descent and the learning rate",
    "θ ← θ − η ∇J(θ) on J(x, y) = x² + sin²(y), the gradient from npgrad's autograd " +
    "(npgrad.labs.gradient_descent.descend). Click the contour to choose the start.",
    [el("label", {class: "field"}, "Learning rates (comma separated)", el("input", {id: "g-rates", value: "0.1, 0.4, 0.8, 1.0"})),
     labSlider("g-steps", "Steps", 1, 100, 1, 30, v => v),
     el("div", {id: "g-summary", class: "summary"})],
    [[el("h3", {}, "Paths on the contour of J"), el("canvas", {id: "g-plot", class: "square clickable"})],
     [el("h3", {}, "J after each step (log scale)"), el("canvas", {id: "g-chart", class: "chart"})]]);
  if (fresh) {
    $("g-rates").addEventListener("change", runGD); $("g-steps").addEventListener("change", runGD);
    $("g-plot").addEventListener("click", ev => {
      const r = ev.target.getBoundingClientRect(), x = (ev.clientX - r.left) / r.width, y = (ev.clientY - r.top) / r.height;
      GD.start = [+(-3.2 + 6.4 * x).toFixed(2), +(3 - 6 * y).toFixed(2)]; runGD();
    });
  }
  runGD();
}
async function runGD() {
  const rates = $("g-rates").value.split(/[ ,;]+/).filter(Boolean).map(Number);
  let r;
  try { r = await api("/api/lab/gradient-descent", {start: GD.start, rates, steps: val("g-steps")}); }
  catch (e) { return toast(e.message, "error"); }
  const cv = $("g-plot"), size = cv.clientWidth, ctx = hidpi(cv, size, size);
  const img = document.createElement("canvas"); img.width = img.height = r.res;
  const ic = img.getContext("2d"), data = ic.createImageData(r.res, r.res), top = Math.max(...r.surface);
  r.surface.forEach((v, i) => {
    const t = Math.sqrt(v / top), band = 0.95 + 0.05 * Math.cos(2 * Math.PI * 9 * t);
    data.data.set([band * (252 - 70 * t), band * (250 - 80 * t), band * (245 - 110 * t), 255], i * 4);
  });
  ic.putImageData(data, 0, 0); ctx.imageSmoothingEnabled = true; ctx.drawImage(img, 0, 0, size, size);
  const P = ([x, y]) => [(x - r.xlim[0]) / (r.xlim[1] - r.xlim[0]) * size, (r.ylim[1] - y) / (r.ylim[1] - r.ylim[0]) * size];
  r.paths.forEach((p, k) => {
    ctx.strokeStyle = ctx.fillStyle = PALETTE[k % PALETTE.length]; ctx.lineWidth = 2; ctx.beginPath();
    p.points.forEach((pt, i) => { const [x, y] = P(pt); i ? ctx.lineTo(x, y) : ctx.moveTo(x, y); });
    ctx.stroke();
    for (const pt of p.points) { const [x, y] = P(pt); ctx.beginPath(); ctx.arc(x, y, 2.5, 0, 7); ctx.fill(); }
  });
  const [sx, sy] = P(GD.start); ctx.fillStyle = "#111"; ctx.beginPath(); ctx.arc(sx, sy, 5, 0, 7); ctx.fill();
  lineChart($("g-chart"), r.paths.map((p, k) => ({x: p.J.map((_, i) => i), y: p.J.map(v => v === null ? null : Math.max(v, 1e-16)),
                                                   color: PALETTE[k % PALETTE.length]})),
            {logY: true, xLabel: "step"});
  $("g-summary").innerHTML = `start (${GD.start.join(", ")})<ul>` + r.paths.map((p, k) =>
    `<li><i style="background:${PALETTE[k % PALETTE.length]}"></i><b>η = ${p.lr}</b>: J = ${fmt(p.J.at(-1))} after ` +
    `${p.J.length - 1} steps. On x²: ${p.behaviour}</li>`).join("") + "</ul>" +
    (r.warnings.length ? `<i>${r.warnings.join("; ")}</i>` : "");
}

// -- softmax temperature ------------------------------------------------------------------------
function softmaxPage() {
  const fresh = labShell("softmax", "Softmax and temperature",
    "p = softmax(o / T): T > 1 flattens, T < 1 sharpens, the argmax never moves. Cross-entropy " +
    "E = −Σ t ln(p + δ) is the lab's own function (npgrad.labs.softmax.cross_entropy_error); its " +
    "gradient with respect to the logits comes from autograd.",
    [el("label", {class: "field"}, "Logits o (comma separated)", el("input", {id: "s-logits", value: "2.0, 1.0, 0.1"})),
     labSlider("s-temp", "Temperature T", -1.3, 1.3, 0.01, 0, v => fmt(10 ** v, 2)),
     el("label", {class: "field"}, "True class", el("select", {id: "s-target"})),
     el("div", {id: "s-summary", class: "summary"})],
    [[el("h3", {}, "Probabilities and ∂E/∂o"), el("div", {id: "s-bars", class: "bars"})],
     [el("h3", {}, "Entropy of softmax(o / T) against T"), el("canvas", {id: "s-chart", class: "chart"})]]);
  if (fresh) {
    $("s-logits").addEventListener("change", runSoftmax); $("s-temp").addEventListener("input", runSoftmax);
    $("s-target").addEventListener("change", runSoftmax);
  }
  runSoftmax();
}
async function runSoftmax() {
  const logits = $("s-logits").value.split(/[ ,;]+/).filter(Boolean).map(Number), sel = $("s-target");
  if (sel.options.length !== logits.length) {
    const keep = Math.min(+sel.value || 0, logits.length - 1); sel.textContent = "";
    logits.forEach((_, i) => sel.append(el("option", {value: i}, `class ${i}`))); sel.value = keep;
  }
  let r;
  try { r = await api("/api/lab/softmax", {logits, temperature: 10 ** val("s-temp"), target: +sel.value}); }
  catch (e) { return toast(e.message, "error"); }
  const box = $("s-bars"); box.textContent = "";
  r.probs.forEach((p, i) => box.append(el("div", {class: "bar-row" + (i === r.target ? " target" : "")},
    el("span", {}, `o${i} = ${fmt(r.logits[i], 2)}`),
    el("div", {class: "bar"}, el("i", {style: `width:${(p * 100).toFixed(1)}%`})), el("b", {}, fmt(p, 3)),
    el("small", {}, `∂E/∂o = ${fmt(r.grad[i], 3)}`))));
  lineChart($("s-chart"), [{x: r.sweep.T.map(Math.log10), y: r.sweep.entropy, color: "#0877bd"}],
            {yMin: 0, yMax: r.sweep.max, xLabel: "log10 T"});
  $("s-summary").innerHTML = `T = ${fmt(r.temperature, 3)}: entropy ${fmt(r.entropy)} (max ln ${r.logits.length} = ` +
    `${fmt(r.sweep.max)})<br>cross-entropy for class ${r.target}: <b>${fmt(r.cross_entropy, 4)}</b>` +
    (r.warnings.length ? `<br><i>${r.warnings.join("; ")}</i>` : "");
}

window.LABS = {"perceptron": perceptronPage, "gradient-descent": gdPage, "softmax": softmaxPage};
