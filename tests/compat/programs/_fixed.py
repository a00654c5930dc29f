"""Deterministic data and weights for the corpus programs.

Each program runs once on PyTorch and once on npgrad; their random generators differ, so the
programs take their data and initial weights from NumPy's generator through these helpers (the
only change made to the programs they retell).  Uses the public torch API only.
"""
import zlib

import numpy as np
import torch


def rng(seed=0):
    return np.random.default_rng(seed)


def randn(*shape, seed=0, scale=1.0, dtype=np.float32):
    """A tensor of normal samples (the stand-in for ``torch.randn(*shape)``)."""
    return torch.tensor((rng(seed).standard_normal(shape) * scale).astype(dtype))


def rand(*shape, seed=0, dtype=np.float32):
    return torch.tensor(rng(seed).random(shape).astype(dtype))


def randint(high, shape, seed=0):
    return torch.tensor(rng(seed).integers(0, high, shape).astype(np.int64))


def fix_params(model, seed=0):
    """Overwrite every parameter with uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) values, drawn per name."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            shape = tuple(p.shape)
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
            bound = 1.0 / np.sqrt(max(fan_in, 1))
            g = rng(seed + zlib.crc32(name.encode()))
            p.copy_(torch.tensor(g.uniform(-bound, bound, shape).astype(np.float32)).to(p.dtype))
    return model


def images(n, channels=1, side=28, classes=10, seed=0):
    """Synthetic labelled images: each class is a blob at its own place, plus noise."""
    g = rng(seed)
    y = g.integers(0, classes, n)
    x = g.random((n, channels, side, side)).astype(np.float32) * 0.3
    for i, c in enumerate(y):
        r, col = (c * 7) % (side - 6), (c * 11) % (side - 6)
        x[i, :, r:r + 6, col:col + 6] += 0.7
    return torch.tensor(x), torch.tensor(y.astype(np.int64))


WORDS = ("emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily elizabeth "
         "mila ella avery sofia camila aria scarlett victoria madison luna grace chloe penelope layla "
         "riley zoey nora lily eleanor hannah lillian addison aubrey ellie stella natalie zoe leah").split()
