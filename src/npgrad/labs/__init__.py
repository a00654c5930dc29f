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

from .. import _argtypes

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


_positive_int = _argtypes.positive_int
_sizes = _argtypes.sizes("1,10,100")


def _number(positive):
    return _argtypes.number(0.0 if positive else None, inclusive=not positive)


#: each lab's own options: lab -> {keyword argument of its run(): (parse, choices or None, help)}
OPTIONS = {
    "autodiff": {"sizes": (_sizes, None, "input sizes n to compare, e.g. 1,10,100,1000")},
    "chain": {"target": (_number(True), None, "the value c(x) should reach (default 2.13)"),
              "x0": (_number(True), None, "the starting x (default 2)"),
              "tol": (_number(True), None, "stop when |c(x) - target| is below this (default 0.001)")},
    "mnist": {"dataset": (str, ("digits", "mnist", "fashion-mnist"), "which images (default: digits, offline)"),
              "epochs": (_positive_int, None, "training epochs (default 40; 8 with --quick)"),
              "lr": (_number(True), None, "SGD learning rate (default 0.5 on digits, 0.1 on 28x28 images)"),
              "batch_size": (_positive_int, None, "mini-batch size (default 100)")},
    "perceptron": {"eta": (_number(True), None, "the learning rate η (default 0.1)")},
    "vanishing-gradients": {"depth": (_positive_int, None, "hidden layers (default 10)"),
                            "width": (_positive_int, None, "units per hidden layer (default 32)")},
}


class _LabError(Exception):
    """A bad command line: one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _LabError(f"{self.prog}: {message}")


def _lab_parser(name):
    """``npgrad lab NAME`` with the common options and the lab's own; ``--help`` shows the lesson."""
    parser = _Parser(prog=f"npgrad lab {name}", description=LABS[name][1],
                     epilog=getattr(get(name), "INTRO", None),
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=None, metavar="DIR",
                        help=f"folder for the lab's figures (default ./lab-output/{name})")
    parser.add_argument("--quick", action="store_true", help="shorter training, for a fast look")
    for key, (parse, choices, text) in OPTIONS.get(name, {}).items():
        parser.add_argument("--" + key.replace("_", "-"), dest=key, type=parse, choices=choices, default=None,
                            help=text)
    return parser


def main(argv=None):
    """Command line: no name lists the labs; a name runs it; a bad name or option exits with status 2.

    ``explain "EXPR" VAR=VALUE ...`` prints :func:`npgrad.viz.explain`'s table for a formula.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "explain":
        from .explain_expr import main as explain_main
        return explain_main(argv[1:])
    if not argv:
        print(listing())
        return 0
    if argv[0] in ("-h", "--help"):
        print(listing())
        print("\nEach lab's own options: npgrad lab NAME --help")
        return 0
    name = argv[0]
    if name not in LABS:
        what = f"unknown lab {name!r}" if not name.startswith("-") else f"unrecognised arguments {' '.join(argv)}"
        print(f"npgrad lab: {what} (run 'npgrad lab' to list them: {', '.join(LABS)})", file=sys.stderr)
        return 2
    try:
        args = _lab_parser(name).parse_args(argv[1:])
    except _LabError as e:
        msg = " ".join(str(e).split())
        if "unrecognized arguments" in msg:
            own = ", ".join("--" + k.replace("_", "-") for k in OPTIONS.get(name, {})) or "none"
            msg += f" (this lab's options: --out, --quick; its own: {own})"
        print(msg, file=sys.stderr)
        return 2
    except SystemExit as e:                 # --help
        return e.code or 0
    options = {k: v for k, v in vars(args).items() if k not in ("out", "quick") and v is not None}
    from .._optional import missing_message
    note = missing_message(["matplotlib"])
    if note:
        print(f"npgrad lab {name}: the labs draw their figures with matplotlib; {note}", file=sys.stderr)
        return 2
    out = args.out or os.path.join("lab-output", name)
    get(name).run(out_dir=out, quick=args.quick, **options)
    return 0
