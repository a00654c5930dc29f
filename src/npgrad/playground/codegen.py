"""The current network and training loop as a standalone script, for npgrad or PyTorch.

The two versions differ only in their first import: the same program runs on both, which is the
point of npgrad's API.  Points come from npgrad's generators, scaled exactly as the playground
scales them (an uploaded CSV is written out as a literal list).

>>> src = generate({"dataset": "xor", "hidden": [4]}, flavour="npgrad", epochs=5)
>>> "import npgrad as torch" in src and "nn.Linear(2, 4)" in src
True
"""
from __future__ import annotations

from . import config as C

IMPORTS = {"npgrad": "import npgrad as torch            # the same program runs with: import torch",
           "torch": "import torch                      # the same program runs with: import npgrad as torch"}

# How each dataset is made: the generator call, then the playground's scaling (see data.make_points).
DATA = {
    "circles": ["X, y = datasets.make_circles({n}, noise={noise}, factor=0.5, random_state={seed})",
                "X, y = X.numpy() * 2.4, y.numpy()            # the inner circle is class 1"],
    "xor": ["X, y = datasets.make_xor({n}, noise={noise2}, random_state={seed})",
            "X, y = X.numpy() * 1.5, y.numpy()"],
    "moons": ["X, y = datasets.make_moons({n}, noise={noise}, random_state={seed})",
              "X, y = (X.numpy() - np.array([0.5, 0.25], np.float32)) * 1.7, y.numpy()"],
    "spirals": ["X, y = datasets.make_spirals({n}, noise={noise_half}, turns=1.25, random_state={seed})",
                "X, y = X.numpy() * 2.8, y.numpy()"],
    "gaussian": ["X, y = datasets.make_blobs({n}, centers=[[1.4, 1.4], [-1.4, -1.4]], cluster_std={std},",
                 "                           random_state={seed})",
                 "X, y = X.numpy(), y.numpy()"],
    "plane": ["X, y = datasets.make_regression({n}, 2, noise={noise30}, random_state={seed})",
              "X, y = X.numpy(), y.numpy()",
              "y = y / max(float(np.abs(y).max()), 1e-6)"],
    "bumps": ["X = np.clip(datasets.make_regression({n}, 2, random_state={seed})[0].numpy() * 1.2, -3, 3)",
              "bump = lambda c: np.exp(-((X - np.array(c)) ** 2).sum(1))",
              "y = bump([1.0, 1.0]) - bump([-1.0, -1.0])",
              "y = y + {noise} * np.random.RandomState({seed}).standard_normal(len(X))   # the noise is drawn differently"],
}

FEATURE_CODE = {"x1": "x1", "x2": "x2", "x1^2": "x1 * x1", "x2^2": "x2 * x2", "x1x2": "x1 * x2",
                "sin_x1": "torch.sin(x1)", "sin_x2": "torch.sin(x2)"}
ACTIVATION_CODE = {"step": "Step()", "sign": "Sign()", "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()",
                   "relu": "nn.ReLU()", "leaky_relu": "nn.LeakyReLU(0.1)", "elu": "nn.ELU()"}
INIT_CODE = {"xavier": "nn.init.xavier_uniform_(m.weight)",
             "kaiming": "nn.init.kaiming_uniform_(m.weight, nonlinearity=\"relu\")",
             "normal": "nn.init.normal_(m.weight, 0.0, 1.0)", "small": "nn.init.normal_(m.weight, 0.0, 0.01)"}
OPTIMIZER_CODE = {"sgd": "torch.optim.SGD(model.parameters(), lr={lr})",
                  "momentum": "torch.optim.SGD(model.parameters(), lr={lr}, momentum=0.9)",
                  "adam": "torch.optim.Adam(model.parameters(), lr={lr})"}
SCHEDULE_CODE = {"step": "torch.optim.lr_scheduler.StepLR(opt, step_size=100, gamma=0.5)",
                 "exponential": "torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.99)",
                 "cosine": "torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=500)"}
ZERO_GRAD_CLASSES = {
    "step": ["class Step(nn.Module):                 # Heaviside step; its gradient is zero everywhere",
             "    def forward(self, x):", "        return (x >= 0).float()"],
    "sign": ["class Sign(nn.Module):                 # -1, 0, 1; its gradient is zero everywhere",
             "    def forward(self, x):", "        return torch.sign(x)"],
}


def generate(raw_config, flavour="npgrad", epochs=100, csv_points=None):
    """A runnable script that builds and trains the configured network; ``flavour`` is npgrad or torch.

    ``csv_points`` (rows of x1, x2, label, already scaled) stands in for the generator of a CSV dataset.
    """
    if flavour not in IMPORTS:
        raise C.ConfigError(f"flavour must be npgrad or torch, got {flavour!r}")
    cfg, _ = C.normalize(raw_config)
    task = C.task_of(cfg["dataset"]) if cfg["dataset"] != "csv" else _csv_task(csv_points)
    lines = [f'"""npgrad playground: {cfg["dataset"]}, features {", ".join(cfg["features"])}, '
             f'hidden {cfg["hidden"]}, {cfg["activation"]}, {cfg["optimizer"]} lr {cfg["lr"]:g}."""',
             IMPORTS[flavour], "import numpy as np", "", "nn = torch.nn", ""]
    lines += _data(cfg, csv_points) + [""] + _features(cfg) + [""]
    if cfg["activation"] in ZERO_GRAD_CLASSES and cfg["hidden"]:
        lines += ZERO_GRAD_CLASSES[cfg["activation"]] + [""]
    lines += _model(cfg) + [""] + _loop(cfg, task, epochs)
    return "\n".join(lines) + "\n"


def _csv_task(points):
    if points is None:
        raise C.ConfigError("dataset 'csv' needs the uploaded points")
    return "classification" if len({round(p[2], 6) for p in points}) == 2 else "regression"


def _data(cfg, csv_points):
    if cfg["dataset"] == "csv":
        rows = ",\n    ".join(f"[{x1!r}, {x2!r}, {y!r}]" for x1, x2, y in csv_points)
        body = [f"DATA = np.array([\n    {rows},\n], dtype=np.float32)   # the uploaded CSV, scaled",
                "X, y = DATA[:, :2], DATA[:, 2]"]
    else:
        n, noise = cfg["samples"], cfg["noise"]
        fill = dict(n=n, noise=noise, noise2=noise * 2, noise_half=noise / 2, noise30=noise * 30,
                    std=round(0.4 + 2 * noise, 6), seed=cfg["seed"])
        body = ["from npgrad import datasets            # npgrad's toy data generators",
                *[line.format(**fill) for line in DATA[cfg["dataset"]]],
                "X = np.clip(X, -3.0, 3.0)"]
    return body + [
        f"perm = np.random.RandomState({cfg['seed'] + 1}).permutation(len(X))",
        f"cut = min(max(int(round(len(X) * {cfg['train_frac']})), 1), len(X) - 1)",
        "X_train, y_train = torch.tensor(X[perm[:cut]], dtype=torch.float32), "
        "torch.tensor(y[perm[:cut]], dtype=torch.float32)",
        "X_test, y_test = torch.tensor(X[perm[cut:]], dtype=torch.float32), "
        "torch.tensor(y[perm[cut:]], dtype=torch.float32)"]


def _features(cfg):
    cols = ", ".join(FEATURE_CODE[f] for f in cfg["features"])
    return ["def features(X):", "    x1, x2 = X[:, 0], X[:, 1]", f"    return torch.stack([{cols}], dim=1)", "",
            "F_train, F_test = features(X_train), features(X_test)"]


def _model(cfg):
    layers, width = [], len(cfg["features"])
    for h in cfg["hidden"]:
        layers.append(f"nn.Linear({width}, {h})")
        if cfg["batchnorm"]:
            layers.append(f"nn.BatchNorm1d({h})")
        layers.append(ACTIVATION_CODE[cfg["activation"]])
        if cfg["dropout"] > 0:
            layers.append(f"nn.Dropout({cfg['dropout']:g})")
        width = h
    layers.append(f"nn.Linear({width}, 1)")
    lines = [f"torch.manual_seed({cfg['seed']})", "model = nn.Sequential(",
             *[f"    {layer}," for layer in layers], ")"]
    if cfg["init"] != "default":
        lines += ["for m in model:", "    if isinstance(m, nn.Linear):",
                  f"        {INIT_CODE[cfg['init']]}", "        nn.init.zeros_(m.bias)"]
    return lines


def _loop(cfg, task, epochs):
    loss_fn = "nn.BCEWithLogitsLoss()" if task == "classification" else "nn.MSELoss()"
    lines = [f"loss_fn = {loss_fn}", f"opt = {OPTIMIZER_CODE[cfg['optimizer']].format(lr=cfg['lr'])}"]
    if cfg["schedule"] != "constant":
        lines.append(f"scheduler = {SCHEDULE_CODE[cfg['schedule']]}")
    lines += ["", f"for epoch in range(1, {int(epochs)} + 1):", "    model.train()",
              f"    for idx in torch.randperm(len(F_train)).split({cfg['batch_size']}):"]
    if cfg["batchnorm"]:
        lines.append("        if len(idx) < 2:                   # BatchNorm needs two examples")
        lines.append("            continue")
    lines.append("        loss = loss_fn(model(F_train[idx]).squeeze(1), y_train[idx])")
    if cfg["regularization"] != "none" and cfg["reg_rate"] > 0:
        term = "w.abs().sum()" if cfg["regularization"] == "l1" else "(w * w).sum()"
        lines.append(f"        loss = loss + {cfg['reg_rate']:g} * sum({term} for w in "
                     "(m.weight for m in model if isinstance(m, nn.Linear)))")
    lines += ["        opt.zero_grad()", "        loss.backward()", "        opt.step()"]
    if cfg["schedule"] != "constant":
        lines.append("    scheduler.step()")
    lines += ["    model.eval()", "    with torch.no_grad():",
              "        train_loss = loss_fn(model(F_train).squeeze(1), y_train).item()",
              "        test_loss = loss_fn(model(F_test).squeeze(1), y_test).item()",
              f"    if epoch % 10 == 0 or epoch == {int(epochs)}:",
              "        print(f\"epoch {epoch}: train loss {train_loss:.4f}, test loss {test_loss:.4f}\")"]
    return lines
