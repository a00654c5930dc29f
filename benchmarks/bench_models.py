"""One step beyond the notes' networks: a ResNet-style CNN on 3x32x32 images and CNN inference.

* ResNet-style training step: conv-BN-ReLU stem, two residual blocks (conv-BN-ReLU-conv-BN + skip),
  a last conv-BN-ReLU, global average pooling, Linear; 64 channels, batch 32.
* Inference of the notes' CNN on a batch of 1,000 images (eval mode, no graph).

Frameworks take turns in blocks of steps in one process from the same weights (see
``benchmarks.common.take_turns``); medians are compared.

    python -m benchmarks.bench_models [--steps N] [--threads 1,2]
"""
from __future__ import annotations

import argparse

import numpy as np

from benchmarks.common import take_turns

CH, BATCH = 64, 32


def build_resnet(lib, seed=0):
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1, self.b1 = nn.Conv2d(CH, CH, 3, padding=1, bias=False), nn.BatchNorm2d(CH)
            self.c2, self.b2 = nn.Conv2d(CH, CH, 3, padding=1, bias=False), nn.BatchNorm2d(CH)

        def forward(self, x):
            y = lib.relu(self.b1(self.c1(x)))
            return lib.relu(self.b2(self.c2(y)) + x)

    model = nn.Sequential(nn.Conv2d(3, CH, 3, padding=1, bias=False), nn.BatchNorm2d(CH), nn.ReLU(),
                          Block(), Block(),
                          nn.Conv2d(CH, CH, 3, padding=1, bias=False), nn.BatchNorm2d(CH), nn.ReLU(),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(CH, 10))
    rng = np.random.default_rng(seed)
    state = {}
    for k, v in model.state_dict().items():
        shape = tuple(v.shape)
        if k.endswith("weight") and len(shape) > 1:
            fan_in = int(np.prod(shape[1:]))
            state[k] = rng.uniform(-1, 1, shape).astype(np.float32) / np.sqrt(fan_in)
        else:
            state[k] = v.detach().numpy().copy()
    model.load_state_dict({k: lib.from_numpy(v) for k, v in state.items()})
    return model


def _train_step(lib, model, opt):
    F = lib.nn.functional

    def step(x, y):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()
    return step


def _libs():
    import npgrad
    from benchmarks.common import compiled_kernels
    compiled_kernels()
    libs = {"npgrad": npgrad}
    try:
        import torch
        libs["torch"] = torch
    except ImportError:
        pass
    return libs


def resnet_step(steps=10, threads=1):
    libs = _libs()
    rng = np.random.default_rng(1)
    xs = rng.standard_normal((steps + 2, BATCH, 3, 32, 32)).astype(np.float32)
    ys = rng.integers(0, 10, (steps + 2, BATCH))
    fns, inputs = {}, {}
    for k, lib in libs.items():
        lib.set_num_threads(threads)
        model = build_resnet(lib)
        fns[k] = _train_step(lib, model, lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9))
        inputs[k] = (lambda lib: lambda i: (lib.from_numpy(xs[i % len(xs)]), lib.from_numpy(ys[i % len(ys)])))(lib)
    return take_turns(fns, inputs, steps)


def cnn_inference(steps=5, threads=1, batch=1000):
    from benchmarks.bench_train import build_cnn, cnn_weights
    libs = _libs()
    rng = np.random.default_rng(2)
    xs = rng.random((steps + 2, batch, 1, 28, 28)).astype(np.float32)
    weights = cnn_weights()
    fns, inputs = {}, {}
    for k, lib in libs.items():
        lib.set_num_threads(threads)
        model = build_cnn(lib, weights).eval()

        def infer(x, lib=lib, model=model):
            with lib.no_grad():
                return model(x).argmax(1)
        fns[k] = infer
        inputs[k] = (lambda lib: lambda i: (lib.from_numpy(xs[i % len(xs)]),))(lib)
    return take_turns(fns, inputs, steps)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_models", description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    a = p.parse_args(argv)
    for n in [int(t) for t in a.threads.split(",")]:
        for name, fn in (("ResNet-style step, batch 32", resnet_step), ("CNN inference, batch 1000", cnn_inference)):
            r = fn(a.steps, n)
            line = f"{name}, {n} thread(s): npgrad {r['npgrad'] * 1e3:.1f} ms"
            if "torch" in r:
                line += f", PyTorch {r['torch'] * 1e3:.1f} ms, ratio {r['npgrad'] / r['torch']:.2f}"
            print(line)


if __name__ == "__main__":
    main()
