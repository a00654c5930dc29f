"""One training session of the playground: data, network, optimiser and their history.

Everything here uses npgrad's public API (``npgrad.nn``, ``npgrad.optim``, ``npgrad.datasets``,
``npgrad.viz``); the page only draws the numbers a session returns.

>>> s = Session({"dataset": "xor", "hidden": [4]})
>>> s.train(epochs=2)["epoch"]
2
"""
from __future__ import annotations

import base64
import io
import json
import threading
import time

import numpy as np

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F

from . import config as C
from .data import DOMAIN, features, grid, make_points, split

BOUNDARY_RES = 64      # pixels per side of the decision-boundary picture
NEURON_RES = 24        # ... and of each neuron's heat map
HISTORY_POINTS = 300   # curves are thinned to about this many points per frame
# npgrad's grad mode and global generator are process-wide, not per thread: a no_grad() in one tab's
# thread would switch off recording in another's. So sessions take turns on this one lock; each
# holds it for a short slice of training at a time.
ENGINE = threading.RLock()

ACTIVATION_MODULES = {"step": lambda: nn.Step(), "sign": lambda: nn.Sign(), "sigmoid": lambda: nn.Sigmoid(),
                      "tanh": lambda: nn.Tanh(), "relu": lambda: nn.ReLU(), "leaky_relu": lambda: nn.LeakyReLU(0.1),
                      "elu": lambda: nn.ELU()}


def build_model(cfg):
    """The network a configuration describes: Linear [-> BatchNorm1d] -> activation [-> Dropout] per layer."""
    layers, width = [], len(cfg["features"])
    for h in cfg["hidden"]:
        layers.append(nn.Linear(width, h))
        if cfg["batchnorm"]:
            layers.append(nn.BatchNorm1d(h))
        layers.append(ACTIVATION_MODULES[cfg["activation"]]())
        if cfg["dropout"] > 0:
            layers.append(nn.Dropout(cfg["dropout"]))
        width = h
    layers.append(nn.Linear(width, 1))
    model = nn.Sequential(*layers)
    _initialise(model, cfg["init"])
    return model


def _initialise(model, how):
    if how == "default":                  # PyTorch's own Linear initialisation
        return
    for m in model:
        if isinstance(m, nn.Linear):
            if how == "xavier":
                nn.init.xavier_uniform_(m.weight)
            elif how == "kaiming":
                nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
            elif how == "normal":
                nn.init.normal_(m.weight, 0.0, 1.0)
            else:                             # "small": weights too small to pass a signal through
                nn.init.normal_(m.weight, 0.0, 0.01)
            nn.init.zeros_(m.bias)


def build_optimizer(cfg, params):
    if cfg["optimizer"] == "adam":
        return npgrad.optim.Adam(params, lr=cfg["lr"])
    return npgrad.optim.SGD(params, lr=cfg["lr"], momentum=0.9 if cfg["optimizer"] == "momentum" else 0.0)


def build_schedule(cfg, optimizer):
    sched = npgrad.optim.lr_scheduler
    return {"constant": lambda: None,
            "step": lambda: sched.StepLR(optimizer, step_size=100, gamma=0.5),
            "exponential": lambda: sched.ExponentialLR(optimizer, gamma=0.99),
            "cosine": lambda: sched.CosineAnnealingLR(optimizer, T_max=500)}[cfg["schedule"]]()


def penalty(cfg, model):
    """The regularisation term added to the loss: rate * sum |w| (L1) or rate * sum w² (L2), weights only."""
    weights = [m.weight for m in model if isinstance(m, nn.Linear)]
    if cfg["regularization"] == "l1":
        return cfg["reg_rate"] * sum(w.abs().sum() for w in weights)
    return cfg["reg_rate"] * sum((w * w).sum() for w in weights)


def _b64(values, scale):
    """A map as bytes: 0..255 for -scale..+scale, base64 for the JSON (a tenth of the size of numbers)."""
    q = np.clip(np.round((np.nan_to_num(values) / scale + 1) * 127.5), 0, 255).astype(np.uint8)
    return base64.b64encode(q.tobytes()).decode("ascii")


def _thin(seq):
    step = max(1, -(-len(seq) // HISTORY_POINTS))
    return seq[::step] if step == 1 or (len(seq) - 1) % step == 0 else seq[::step] + [seq[-1]]


class Session:
    """A network being trained on one dataset; thread-safe through :attr:`lock` (shared, see ENGINE)."""

    def __init__(self, raw_config=None, csv=None):
        self.lock = ENGINE
        self.csv = csv                       # (X, y, task, note) of an uploaded file, else None
        self.configure(raw_config or {})

    # -- setup -------------------------------------------------------------------------------------
    def configure(self, raw):
        """Apply a new configuration and start training from scratch; returns the warnings."""
        cfg, warnings = C.normalize(raw)
        if cfg["dataset"] == "csv" and self.csv is None:
            raise C.ConfigError("dataset 'csv' needs an uploaded file first (POST /api/session/<id>/csv)")
        with self.lock:
            self.config, self.warnings = cfg, warnings
            self._make_data()
            self.reset()
        return warnings

    def _make_data(self):
        cfg = self.config
        if cfg["dataset"] == "csv":
            X, y, self.task, _ = self.csv
        else:
            X, y, self.task = make_points(cfg["dataset"], cfg["samples"], cfg["noise"], cfg["seed"])
        tr, te = split(len(X), cfg["train_frac"], cfg["seed"])
        self.points = {"train": (X[tr], y[tr]), "test": (X[te], y[te])}
        self.inputs = {k: (features(X_, cfg["features"]), npgrad.from_numpy(y_)) for k, (X_, y_) in self.points.items()}
        if cfg["batch_size"] > len(tr):
            self.warnings.append(f"batch_size {cfg['batch_size']} capped to the {len(tr)} training points")
            cfg["batch_size"] = len(tr)

    def reset(self):
        """New weights (seeded), a fresh optimiser and empty history."""
        with self.lock:
            npgrad.manual_seed(self.config["seed"])
            self.model = build_model(self.config)
            self.optimizer = build_optimizer(self.config, self.model.parameters())
            self.scheduler = build_schedule(self.config, self.optimizer)
            self.generator = npgrad.Generator().manual_seed(self.config["seed"])
            self.epoch = 0
            self.history = {"epoch": [], "train": [], "test": [], "grad_norms": []}
            self.version = getattr(self, "version", 0) + 1
            self._record(None)

    def load_model(self, blob):
        """Replace the network by one exported from the playground (its configuration comes with it)."""
        obj = npgrad.load(io.BytesIO(blob))
        if not isinstance(obj, dict) or "config" not in obj or "model" not in obj:
            raise ValueError("not a playground export: expected the keys 'config' and 'model'")
        cfg = json.loads(obj["config"])
        no_csv = cfg.get("dataset") == "csv" and self.csv is None
        if no_csv:
            cfg["dataset"] = "circles"
        with self.lock:
            self.configure(cfg)
            if no_csv:
                self.warnings.append("the model was trained on an uploaded CSV: upload it again to see those points")
            try:
                self.model.load_state_dict(obj["model"])
            except (KeyError, RuntimeError, ValueError) as exc:
                raise ValueError(f"the weights do not fit the network in the file: {exc}") from None
            self.version += 1
            for values in self.history.values():     # epoch 0 is now the imported weights
                values.pop()
            self._record(None)
        return self.warnings

    def export(self):
        """The trained model and its configuration as safetensors bytes (``npgrad.load`` reads them)."""
        buf = io.BytesIO()
        with self.lock:
            npgrad.save({"config": json.dumps(self.config), "model": self.model.state_dict()}, buf)
        return buf.getvalue()

    # -- training ----------------------------------------------------------------------------------
    def _loss(self, out, y):
        if self.task == "classification":
            return F.binary_cross_entropy_with_logits(out, y)
        return F.mse_loss(out, y)

    def train(self, epochs=1):
        """Run ``epochs`` passes over the training points in shuffled minibatches; returns a frame."""
        with self.lock, np.errstate(all="ignore"):      # a diverging run is reported, not warned about
            for _ in range(epochs):
                self._epoch()
            return self.frame()

    def epoch_slice(self, seconds):
        """Train whole epochs for about ``seconds`` (at least one): what the event stream runs per frame."""
        start = time.monotonic()
        with self.lock, np.errstate(all="ignore"):
            self._epoch()
            while time.monotonic() - start < seconds:
                self._epoch()

    def _epoch(self):
        cfg, model = self.config, self.model
        X, y = self.inputs["train"]
        model.train()
        order = npgrad.randperm(len(X), generator=self.generator)
        norms = []
        for start in range(0, len(X), cfg["batch_size"]):
            idx = order[start:start + cfg["batch_size"]]
            if cfg["batchnorm"] and len(idx) < 2:
                continue                               # BatchNorm cannot normalise a single example
            loss = self._loss(model(X[idx]).squeeze(1), y[idx])
            if cfg["regularization"] != "none" and cfg["reg_rate"] > 0:
                loss = loss + penalty(cfg, model)
            self.optimizer.zero_grad()
            loss.backward()
            norms.append([m.weight.grad.norm().item() for m in model if isinstance(m, nn.Linear)])
            self.optimizer.step()
        if self.scheduler is not None:
            self.scheduler.step()
        self.epoch += 1
        self.version += 1
        self._record(np.mean(norms, axis=0).tolist() if norms else None)

    def _record(self, norms):
        losses = self.losses()
        h = self.history
        h["epoch"].append(self.epoch)
        h["train"].append(losses["train"])
        h["test"].append(losses["test"])
        h["grad_norms"].append(None if norms is None else [v if np.isfinite(v) else None for v in norms])

    def losses(self):
        """Loss (without the regularisation term) and accuracy on both splits, in eval mode."""
        self.model.eval()
        out = {}
        with npgrad.no_grad():
            for k, (X, y) in self.inputs.items():
                pred = self.model(X).squeeze(1)
                loss = self._loss(pred, y).item()
                out[k] = loss if np.isfinite(loss) else None
                if self.task == "classification":
                    out[k + "_acc"] = ((pred > 0).float() == y).float().mean().item()
        return out

    # -- what the page draws ----------------------------------------------------------------------
    def _activations(self, points):
        """The network's output and every hidden neuron's output on ``points`` (eval mode)."""
        self.model.eval()
        h, layers = features(points, self.config["features"]), []
        with npgrad.no_grad():
            for m in self.model:
                h = m(h)
                if type(m).__name__ in ("Step", "Sign", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU"):
                    layers.append(h.numpy())
        return h.numpy()[:, 0], layers

    def frame(self):
        """Everything that changes while training: losses, curves, boundary, neuron maps, weights."""
        with self.lock, np.errstate(all="ignore"):
            out, _ = self._activations(grid(BOUNDARY_RES))
            _, hidden = self._activations(grid(NEURON_RES))
            boundary = 1 / (1 + np.exp(-np.clip(out, -50, 50))) * 2 - 1 if self.task == "classification" else out
            feats = features(grid(NEURON_RES), self.config["features"]).numpy()
            linears = [m for m in self.model if isinstance(m, nn.Linear)]
            h = self.history
            idx = _thin(list(range(len(h["epoch"]))))
            losses = self.losses()
            return {
                "version": self.version, "epoch": self.epoch, "losses": losses,
                "lr": self.optimizer.param_groups[0]["lr"],
                "history": {k: [h[k][i] for i in idx] for k in ("epoch", "train", "test", "grad_norms")},
                "boundary": {"res": BOUNDARY_RES, "data": _b64(boundary, 1.0), "scale": 1.0},
                "features": [_map(feats[:, j]) for j in range(feats.shape[1])],
                "neurons": [[_map(a[:, j]) for j in range(a.shape[1])] for a in hidden],
                "weights": [_finite(m.weight) for m in linears],
                "biases": [_finite(m.bias) for m in linears],
                "diverged": any(v is None for v in (losses["train"], losses["test"])),
            }

    def state(self):
        """The configuration, the points and the first frame: what a page needs to draw from scratch."""
        with self.lock:
            pts = {k: np.column_stack([X, y]).round(4).tolist() for k, (X, y) in self.points.items()}
            note = self.csv[3] if self.csv is not None else None
            return {"config": self.config, "warnings": self.warnings, "task": self.task, "points": pts,
                    "domain": DOMAIN, "csv_note": note, "limits": C.LIMITS, "frame": self.frame()}


def _finite(param):
    return np.nan_to_num(param.detach().numpy(), posinf=1e6, neginf=-1e6).round(4).tolist()


def _map(values):
    scale = float(np.abs(values).max()) if values.size and np.isfinite(values).all() else 1.0
    scale = scale if scale > 1e-12 else 1.0
    return {"data": _b64(np.nan_to_num(values), scale), "scale": round(scale, 4)}
