"""The course notes' lessons as runnable labs.

Each lab is a module with ``run(out_dir=None, quick=False, verbose=True)`` that prints the notes'
numbers beside npgrad's, saves its figures (PNG) into ``out_dir`` and returns a dict of its numbers.
From the shell: ``npgrad lab`` lists them, ``npgrad lab NAME [--out DIR]`` runs one.

>>> from npgrad import labs
>>> labs.get('graph').run(verbose=False)['z']
162.0
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

#: name -> (module, one-line help: the topic in English and the notes' term)
LABS = {
    "neuron": ("neuron", "the M-P neuron, step activation and the XOR network — M-P神经元模型 / 异或问题"),
    "perceptron": ("perceptron", "Rosenblatt's perceptron and its convergence theorem — 感知器 / 感知器收敛定理"),
    "activations": ("activations", "activation functions and their derivatives — 激活函数"),
    "backprop-by-hand": ("backprop_by_hand", "backpropagation by hand on the 9-parameter network — 反向传播 / 手撕求导"),
    "graph": ("graph", "the computation graph of z = x*y and its partial derivatives — 计算图 / 偏导数"),
    "chain": ("chain", "the chain rule through x -> x^2 -> ln -> sqrt (Table 2-2) — 链式法则 / 非线性反向传播"),
    "gradient-descent": ("gradient_descent", "gradient descent and the learning rate — 梯度下降 / 学习率"),
    "sgd": ("sgd", "full-batch vs stochastic vs mini-batch gradient descent — 随机梯度下降 / 小批量梯度下降"),
    "autodiff": ("autodiff", "numerical vs forward-mode vs reverse-mode differentiation — 自动求导 / 正向累计与反向累计"),
    "vanishing-gradients": ("vanishing_gradients",
                            "vanishing and exploding gradients, BatchNorm, residuals, clipping, init — 梯度消失 / 梯度爆炸"),
    "overfitting": ("overfitting", "under- and overfitting, L1/L2, dropout, augmentation — 过拟合和欠拟合 / 正则化"),
    "softmax": ("softmax", "softmax, temperature, one-hot and cross-entropy — SoftMax回归 / 温度 / 独热编码 / 交叉熵"),
    "convolution": ("convolution", "convolution kernels, stride and padding, learned filters — 卷积 / 步幅 / 填充"),
    "mnist": ("mnist", "a 2-layer network learning handwritten digits with mini-batch SGD — 手写数字识别 / mini-batch学习"),
}


def names():
    """The labs' names, in the notes' order."""
    return list(LABS)


def get(name):
    """The module of lab ``name`` (e.g. ``'backprop-by-hand'``)."""
    if name not in LABS:
        raise KeyError(f"unknown lab {name!r}; labs are: {', '.join(LABS)}")
    return importlib.import_module(f"{__name__}.{LABS[name][0]}")


def run(name, out_dir=None, quick=False, verbose=True):
    """Run lab ``name`` and return its numbers."""
    return get(name).run(out_dir=out_dir, quick=quick, verbose=verbose)


def listing():
    """The text ``npgrad lab`` prints: one line per lab."""
    width = max(len(n) for n in LABS)
    lines = ["Labs (run one with: npgrad lab NAME [--out DIR] [--quick] [lab options, e.g. mnist --dataset "
             "fashion-mnist --epochs 5]):"]
    lines += [f"  {n.ljust(width)}  {h}" for n, (_, h) in LABS.items()]
    lines += ["", "Your own formula's backward pass, as a table:",
              '  npgrad lab explain "z = (2*w + 3*b) * (2*b + 1)" w=3 b=4']
    return "\n".join(lines)


def main(argv=None):
    """Command line: no name lists the labs; a name runs it; an unknown name exits with status 2.

    ``explain "EXPR" VAR=VALUE ...`` prints :func:`npgrad.viz.explain`'s table for a formula.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "explain":
        from .explain_expr import main as explain_main
        return explain_main(argv[1:])
    parser = argparse.ArgumentParser(prog="npgrad lab", description="Run a lab from the course notes.")
    parser.add_argument("name", nargs="?", help="the lab to run (omit to list them)")
    parser.add_argument("--out", default=None, help="folder for the lab's figures (default ./lab-output/NAME)")
    parser.add_argument("--quick", action="store_true", help="shorter training, for a fast look")
    args, extra = parser.parse_known_args(argv)
    if args.name is None and not extra:
        print(listing())
        return 0
    if args.name not in LABS:
        what = f"unknown lab {args.name!r}" if args.name else f"unrecognised arguments {' '.join(extra)}"
        print(f"npgrad lab: {what} (run 'npgrad lab' to list them: {', '.join(LABS)})", file=sys.stderr)
        return 2
    try:
        options = _lab_options(args.name, extra)
    except ValueError as e:
        print(f"npgrad lab {args.name}: {e}", file=sys.stderr)
        return 2
    out = args.out or os.path.join("lab-output", args.name)
    get(args.name).run(out_dir=out, quick=args.quick, **options)
    return 0


def _lab_options(name, extra):
    """``--key value`` pairs for a lab's own keyword arguments (e.g. ``mnist --dataset fashion-mnist``)."""
    import inspect
    params = inspect.signature(get(name).run).parameters
    allowed = [p for p in params if p not in ("out_dir", "quick", "verbose")]
    options, i = {}, 0
    while i < len(extra):
        key, sep, value = extra[i].partition("=")
        if not key.startswith("--") or key[2:].replace("-", "_") not in allowed:
            hint = ", ".join("--" + a.replace("_", "-") for a in allowed) or "none"
            raise ValueError(f"unrecognised option {extra[i]!r} (this lab's options: {hint})")
        if not sep:
            if i + 1 >= len(extra):
                raise ValueError(f"option {key} needs a value")
            value, i = extra[i + 1], i + 1
        options[key[2:].replace("-", "_")] = _number(value)
        i += 1
    return options


def _number(text):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text
