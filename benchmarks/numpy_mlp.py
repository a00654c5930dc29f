"""The floor: a hand-written NumPy forward/backward of the MLP 784-256-128-10 with SGD + momentum.

This is what a careful programmer writes by hand (no framework): every other MLP timing is
measured against it.
"""
from __future__ import annotations

import numpy as np


class NumpyMLP:
    def __init__(self, params, lr=0.01, momentum=0.9):
        # params: [(W1, b1), (W2, b2), (W3, b3)] with W of shape (out, in), as in PyTorch
        self.params = [p.copy() for pair in params for p in pair]
        self.velocity = [np.zeros_like(p) for p in self.params]
        self.lr = lr
        self.momentum = momentum

    def step(self, x, y):
        """One mini-batch: forward, softmax cross-entropy, backward, SGD-momentum update."""
        w1, b1, w2, b2, w3, b3 = self.params
        n = x.shape[0]
        h1 = x @ w1.T
        h1 += b1
        np.maximum(h1, 0, out=h1)
        h2 = h1 @ w2.T
        h2 += b2
        np.maximum(h2, 0, out=h2)
        z = h2 @ w3.T
        z += b3
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        loss = -np.log(z[np.arange(n), y] + 1e-12).mean()
        # backward: dL/dz = (softmax - onehot) / n
        z[np.arange(n), y] -= 1
        z /= n
        g3w = z.T @ h2
        g3b = z.sum(0)
        d2 = z @ w3
        d2 *= h2 > 0
        g2w = d2.T @ h1
        g2b = d2.sum(0)
        d1 = d2 @ w2
        d1 *= h1 > 0
        g1w = d1.T @ x
        g1b = d1.sum(0)
        for p, v, g in zip(self.params, self.velocity, (g1w, g1b, g2w, g2b, g3w, g3b)):
            v *= self.momentum
            v += g
            p -= self.lr * v
        return float(loss)
