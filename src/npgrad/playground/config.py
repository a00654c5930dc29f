"""The playground's settings: names, defaults, limits, and the check every request goes through.

A setting that cannot be read (a word where a number belongs, an unknown activation) is a
:class:`ConfigError`, answered with HTTP 400.  A number that is merely too large (a thousand
neurons, a million points) is capped to the limit and the cap is reported in the warnings, so the
page can say what it did instead of failing.

>>> cfg, warnings = normalize({"hidden": [4, 100]})
>>> cfg["hidden"], warnings
([4, 32], ['hidden layer 2: 100 neurons capped to 32'])
"""
from __future__ import annotations

import math

CLASSIFICATION = ("circles", "xor", "moons", "spirals", "gaussian")
REGRESSION = ("plane", "bumps")
DATASETS = CLASSIFICATION + REGRESSION + ("csv",)
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2")
ACTIVATIONS = ("step", "sign", "sigmoid", "tanh", "relu", "leaky_relu", "elu")
ZERO_GRADIENT = ("step", "sign")
REGULARIZATION = ("none", "l1", "l2")
OPTIMIZERS = ("sgd", "momentum", "adam")
SCHEDULES = ("constant", "step", "exponential", "cosine")
INITS = ("default", "xavier", "kaiming", "normal", "small")

LIMITS = {"layers": 6, "neurons": 32, "samples": 2000, "batch_size": 1000, "lr": 10.0, "reg_rate": 10.0,
          "noise": 1.0, "dropout": 0.9, "epochs_per_step": 100, "csv_rows": 5000, "csv_bytes": 1_000_000}

DEFAULTS = {"dataset": "circles", "noise": 0.1, "train_frac": 0.5, "samples": 500, "seed": 0,
            "features": ["x1", "x2"], "hidden": [4, 2], "activation": "tanh", "lr": 0.03, "batch_size": 10,
            "regularization": "none", "reg_rate": 0.0, "dropout": 0.0, "optimizer": "sgd",
            "schedule": "constant", "init": "default", "batchnorm": False}


class ConfigError(ValueError):
    """A setting that cannot be used; the message names it and what was given."""


def _choice(raw, key, options):
    value = raw[key]
    if value not in options:
        raise ConfigError(f"{key} must be one of {', '.join(options)}; got {value!r}")
    return value


def _number(raw, key, low, high, warnings, integer=False, open_low=False):
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{key} must be a finite number, got {value!r}")
    if integer and value != int(value):
        raise ConfigError(f"{key} must be a whole number, got {value!r}")
    if value < low or (open_low and value == low):
        raise ConfigError(f"{key} must be {'>' if open_low else '>='} {low:g}, got {value:g}")
    if value > high:
        warnings.append(f"{key} {value:g} capped to {high:g}")
        value = high
    return int(value) if integer else float(value)


def _hidden(raw, warnings):
    hidden = raw["hidden"]
    if not isinstance(hidden, list) or any(isinstance(h, bool) or not isinstance(h, int) for h in hidden):
        raise ConfigError(f"hidden must be a list of neuron counts such as [4, 2], got {hidden!r}")
    if any(h < 1 for h in hidden):
        raise ConfigError(f"hidden: every layer needs at least one neuron, got {hidden!r}")
    if len(hidden) > LIMITS["layers"]:
        warnings.append(f"{len(hidden)} hidden layers capped to {LIMITS['layers']}")
        hidden = hidden[:LIMITS["layers"]]
    out = []
    for i, h in enumerate(hidden, 1):
        if h > LIMITS["neurons"]:
            warnings.append(f"hidden layer {i}: {h} neurons capped to {LIMITS['neurons']}")
        out.append(min(h, LIMITS["neurons"]))
    return out


def _features(raw):
    feats = raw["features"]
    if not isinstance(feats, list) or not feats or any(f not in FEATURES for f in feats):
        raise ConfigError(f"features must be a non-empty list drawn from {', '.join(FEATURES)}; got {feats!r}")
    return [f for f in FEATURES if f in feats]      # canonical order, no repeats


def normalize(raw):
    """Check ``raw`` (a dict from JSON) against the defaults; returns ``(config, warnings)``.

    Unknown keys are an error (a misspelt setting would otherwise be silently ignored).
    """
    if not isinstance(raw, dict):
        raise ConfigError(f"the configuration must be a JSON object, got {type(raw).__name__}")
    unknown = [k for k in raw if k not in DEFAULTS]
    if unknown:
        raise ConfigError(f"unknown setting(s) {', '.join(map(repr, unknown))}; known: {', '.join(DEFAULTS)}")
    raw = dict(DEFAULTS, **raw)
    w = []
    cfg = {
        "dataset": _choice(raw, "dataset", DATASETS),
        "noise": _number(raw, "noise", 0, LIMITS["noise"], w),
        "train_frac": _number(raw, "train_frac", 0.1, 0.9, w),
        "samples": _number(raw, "samples", 20, LIMITS["samples"], w, integer=True),
        "seed": _number(raw, "seed", 0, 2 ** 31 - 1, w, integer=True),
        "features": _features(raw),
        "hidden": _hidden(raw, w),
        "activation": _choice(raw, "activation", ACTIVATIONS),
        "lr": _number(raw, "lr", 0, LIMITS["lr"], w, open_low=True),
        "batch_size": _number(raw, "batch_size", 1, LIMITS["batch_size"], w, integer=True),
        "regularization": _choice(raw, "regularization", REGULARIZATION),
        "reg_rate": _number(raw, "reg_rate", 0, LIMITS["reg_rate"], w),
        "dropout": _number(raw, "dropout", 0, LIMITS["dropout"], w),
        "optimizer": _choice(raw, "optimizer", OPTIMIZERS),
        "schedule": _choice(raw, "schedule", SCHEDULES),
        "init": _choice(raw, "init", INITS),
        "batchnorm": raw["batchnorm"],
    }
    if not isinstance(cfg["batchnorm"], bool):
        raise ConfigError(f"batchnorm must be true or false, got {cfg['batchnorm']!r}")
    if cfg["batchnorm"] and cfg["batch_size"] < 2:
        w.append("batch_size 1 raised to 2: BatchNorm needs more than one example per batch")
        cfg["batch_size"] = 2
    if cfg["activation"] in ZERO_GRADIENT and cfg["hidden"]:
        w.append(f"{cfg['activation']} has zero gradient everywhere: backprop cannot train the layers before it, "
                 "only the output layer learns")
    return cfg, w


def task_of(dataset):
    """``classification`` (two classes, one logit) or ``regression`` (one real output)."""
    return "regression" if dataset in REGRESSION else "classification"
