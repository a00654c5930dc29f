"""A differential fuzzer: random programs of views, in-place writes, broadcasting and (double)
backward, run on npgrad and on PyTorch side by side.

A program is generated while it runs (each step's arguments depend on the shapes so far) from a
``Draw`` source: Hypothesis in the test suite (tests/autograd/test_fuzz_views.py), a seeded
``random.Random`` when run as a script to count checks::

    PYTHONPATH=src python -m tests.autograd.fuzz_views 300     # programs; prints passed/failed checks

Every step is one check: both libraries raise the same exception type, or both succeed with the
same value, shape, ``requires_grad`` and aliasing (whether the result shares memory with its
input, i.e. is a view).  After each in-place write every live tensor is compared again (a write
must reach exactly the tensors that share memory with it).  At the end the gradients of the
leaves are compared, and on some programs the gradients of a function of those gradients.
"""
from __future__ import annotations

import builtins
import random
import warnings

import numpy as np


class Stop(Exception):
    """The two libraries diverged: the rest of the program would compare different states."""


class RandomDraw:
    """The draw interface over ``random.Random`` (the script)."""

    def __init__(self, seed):
        self.r = random.Random(seed)

    def int(self, lo, hi):
        return self.r.randint(lo, hi)

    def choice(self, seq):
        return seq[self.r.randrange(len(seq))]


class HypothesisDraw:
    """The draw interface over Hypothesis' ``st.data()`` (the test: failures shrink)."""

    def __init__(self, data):
        from hypothesis import strategies as st
        self.data, self.st = data, st

    def int(self, lo, hi):
        return self.data.draw(self.st.integers(lo, hi))

    def choice(self, seq):
        return self.data.draw(self.st.sampled_from(list(seq)))


def _builtin_type(e):
    """The first builtin class of an exception (torch raises subclasses such as LinAlgError)."""
    for c in type(e).__mro__:
        if getattr(builtins, c.__name__, None) is c:
            return c
    return Exception


def _arr(t):
    return None if t is None else np.array(t.detach().numpy(force=True), dtype=np.float64)


def _same(a, b):
    if a is None or b is None:  # a gradient PyTorch leaves None may be zeros here, and back
        z = a if b is None else b
        return z is None or not np.any(z)
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-7, atol=1e-9, equal_nan=True)


def _shares(t, base, lib):
    if t.numel() == 0 or base.numel() == 0:
        return None
    if lib == "torch":
        return t.untyped_storage().data_ptr() == base.untyped_storage().data_ptr()
    return bool(np.may_share_memory(t._data, base._data))


class Program:
    """One random program run on both libraries (see the module docstring)."""

    def __init__(self, draw, torch, npgrad, max_steps=10):
        self.d, self.libs, self.max_steps = draw, (torch, npgrad), max_steps
        self.checks, self.log = [], []
        self.env = []      # [torch tensor, npgrad tensor] pairs, all float64
        self.leaves = []   # the pairs gradients are taken for

    # -- bookkeeping -------------------------------------------------------------------------
    def check(self, name, ok, detail=""):
        self.checks.append((name, bool(ok), detail))
        if not ok:
            self.log.append(f"MISMATCH {name}: {detail}")
            raise Stop(name)

    def both(self, name, fn, *pairs):
        """``fn(lib, *tensors)`` on each library; None when both raised the same exception type."""
        out, errs = [], []
        for k, lib in enumerate(self.libs):
            try:
                out.append(fn(lib, *[p[k] for p in pairs]))
                errs.append(None)
            except Stop:
                raise
            except Exception as e:  # noqa: BLE001 - the point is to compare what each raises
                out.append(None)
                errs.append(e)
        if any(e is not None for e in errs):
            self.compare_errors(name, errs)
            return None
        return out

    def compare_errors(self, name, errs):
        """When a step raised in some library: all raised the same exception type."""
        ta, tb = (None if e is None else _builtin_type(e) for e in errs)
        self.check(name + " raises", ta is tb, f"torch: {errs[0]!r} / npgrad: {errs[1]!r}")

    def leaf(self, shape, requires_grad=True):
        vals = np.round(np.array([self.d.int(-20, 20) / 8 for _ in range(int(np.prod(shape)))]), 3)
        vals = vals.reshape(shape)
        pair = [lib.tensor(vals.copy(), dtype=lib.float64, requires_grad=requires_grad) for lib in self.libs]
        if requires_grad:
            self.leaves.append(pair)
        return pair

    def compare(self, name, pair, base=None):
        t, n = pair
        self.check(name + " shape", tuple(t.shape) == tuple(n.shape), f"{tuple(t.shape)} vs {tuple(n.shape)}")
        self.check(name + " value", _same(_arr(t), _arr(n)), f"\n{_arr(t)}\nvs\n{_arr(n)}")
        self.check(name + " requires_grad", t.requires_grad == n.requires_grad,
                   f"{t.requires_grad} vs {n.requires_grad}")
        if base is not None:
            st, sn = _shares(t, base[0], "torch"), _shares(n, base[1], "npgrad")
            if st is not None:
                self.check(name + " is a view", st == sn, f"torch shares memory: {st}, npgrad: {sn}")

    def compare_env(self, after):
        for i, p in enumerate(self.env):
            self.compare(f"after {after}: tensor {i}", p)

    # -- the program ---------------------------------------------------------------------------
    def run(self):
        try:
            self._run()
        except Stop:
            pass
        return self.checks

    def _run(self):
        d = self.d
        shape = tuple(d.int(1, 4) for _ in range(d.int(1, 3)))
        x = self.leaf(shape)
        self.log.append(f"x = leaf{shape}")
        self.env.append(self.both("h = x * 1", lambda L, a: a * 1, x))  # a non-leaf: in-place allowed
        self.env.append(x)
        for _ in range(d.int(1, self.max_steps)):
            kind = d.choice(("view", "view", "view", "inplace", "inplace", "inplace", "compute"))
            i = d.int(0, len(self.env) - 1)
            getattr(self, "step_" + kind)(i)
        self.backward(double=d.int(0, 2) == 0)

    def step_view(self, i):
        from .fuzz_ops import view_op
        src = self.env[i]
        desc, fn = view_op(self.d, tuple(src[0].shape))
        name = f"t{len(self.env)} = t{i}{desc}"
        self.log.append(name)
        out = self.both(name, fn, src)
        if out is not None:
            self.compare(name, out, base=src)
            self.env.append(out)

    def step_inplace(self, i):
        from .fuzz_ops import inplace_op
        dst = self.env[i]
        desc, fn, operands = inplace_op(self, tuple(dst[0].shape), dst)
        name = f"t{i}{desc}"
        self.log.append(name)
        out = self.both(name, fn, dst, *operands)
        if out is not None:
            self.compare_env(name)

    def step_compute(self, i):
        from .fuzz_ops import compute_op
        desc, fn, operands = compute_op(self, tuple(self.env[i][0].shape))
        name = f"t{len(self.env)} = {desc.replace('{}', f't{i}')}"
        self.log.append(name)
        out = self.both(name, fn, self.env[i], *operands)
        if out is not None:
            self.compare(name, out)
            self.env.append(out)

    def backward(self, double):
        live = [p for p in self.env if p[0].requires_grad and p[0].dtype.is_floating_point]
        if not live:
            return
        weights = [np.arange(1, p[0].numel() + 1, dtype=np.float64).reshape(tuple(p[0].shape)) % 5 - 2
                   for p in live]
        leaves = self.leaves

        def grads(L, *ts):
            k = self.libs.index(L)
            loss = sum((t * L.tensor(w)).sum() for t, w in zip(ts, weights))
            return L.autograd.grad(loss, [p[k] for p in leaves], allow_unused=True, create_graph=double)

        self.log.append("backward" + (" (double)" if double else ""))
        gs = self.both("backward", grads, *live)
        if gs is None:
            return
        self.compare_grads("grad", gs)
        if double:
            self.double_backward(gs)

    def double_backward(self, gs):
        k_sel = [j for j, g in enumerate(gs[0]) if g is not None and g.requires_grad]
        if not k_sel:
            return
        leaves = self.leaves

        def grads2(L):
            k = self.libs.index(L)
            # (a gradient one library leaves None, the other may give as zeros: none adds nothing)
            terms = [(gs[k][j] * gs[k][j]).sum() for j in k_sel if gs[k][j] is not None]
            if not terms:
                return [None] * len(leaves)
            return L.autograd.grad(sum(terms), [p[k] for p in leaves], allow_unused=True)

        self.log.append("double backward")
        g2 = self.both("double backward", grads2)
        if g2 is None:
            return
        self.compare_grads("second-order grad", g2)

    def compare_grads(self, what, gs):
        """The leaves' gradients, one tuple per library, agree leaf by leaf."""
        for j, (gt, gn) in enumerate(zip(*gs)):
            self.check(f"{what} of leaf {j}", _same(_arr(gt), _arr(gn)), f"\n{_arr(gt)}\nvs\n{_arr(gn)}")


def _category(name):
    """A failed check's kind, for the summary: the op and what differed, without tensor numbers."""
    import re
    name = re.sub(r"^after .*?: tensor \d+", "state after an in-place op:", name)
    name = re.sub(r"\bt\d+ = t\d+|\bt\d+", "t", name)
    return re.sub(r"\(.*?\)|\[.*?\]|o\(.*?\)", "", name)[:70]


def main(argv=None):
    import sys
    from collections import Counter

    import warnings

    import torch
    warnings.simplefilter("ignore")

    import npgrad
    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv else 200
    passed = failed = 0
    kinds = Counter()
    for seed in range(n):
        prog = Program(RandomDraw(seed), torch, npgrad)
        for name, ok, _ in prog.run():
            passed += ok
            failed += not ok
            if not ok:
                kinds[_category(name)] += 1
        if "-v" in argv and not prog.checks[-1][1]:
            print(f"--- seed {seed}\n" + "\n".join(prog.log))
    print(f"{n} programs: {passed} of {passed + failed} checks passed, {failed} failed")
    for k, c in kinds.most_common(25):
        print(f"  {c:4d}  {k}")


if __name__ == "__main__":
    main()


def failures(prog):
    """Run ``prog``; the checks that failed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch warns on masked_fill_ of expanded tensors
        checks = prog.run()
    return [c for c in checks if not c[1]]
