"""Optional packages: which extra brings each, and one clear message when some are missing.

The core of npgrad needs only NumPy.  Plots, progress bars, checkpoints, the bundled digits and the
compiled kernels come with extras (``pip install "npgrad[all]"`` installs them all); a feature whose
package is missing says which one and how to get it, instead of a bare ``ModuleNotFoundError``.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys

#: import name -> (pip name, the extra that brings it, what npgrad uses it for)
PACKAGES = {
    "matplotlib": ("matplotlib", "train", "figures and plots"),
    "tqdm": ("tqdm", "train", "progress bars"),
    "safetensors": ("safetensors", "train", "checkpoints"),
    "sklearn": ("scikit-learn", "digits", "the bundled 8x8 digits"),
    "numba": ("numba", "jit", "compiled kernels"),
    "threadpoolctl": ("threadpoolctl", "all", "setting the BLAS thread count"),
    "onnx": ("onnx", "onnx", "ONNX export"),
}


def available(module):
    """True when ``module`` can be imported (without importing it)."""
    if module in sys.modules:               # imported already, or blocked (None)
        return sys.modules[module] is not None
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing(modules):
    """The ones of ``modules`` that are not installed, in the order given."""
    return [m for m in modules if not available(m)]


def install_hint(modules):
    """``pip install "npgrad[train]"``-style advice that covers every module named."""
    extras = sorted({PACKAGES[m][1] for m in modules if m in PACKAGES})
    return f'pip install "npgrad[{extras[0]}]"' if len(extras) == 1 else 'pip install "npgrad[all]"'


def missing_message(modules):
    """One line naming every missing package, what it is for, and the pip command; '' when none is missing.

    >>> missing_message(["numpy"])
    ''
    """
    gone = missing(modules)
    if not gone:
        return ""
    names = ", ".join(f"{PACKAGES[m][0]} ({PACKAGES[m][2]})" if m in PACKAGES else m for m in gone)
    return f"optional packages not installed: {names}; {install_hint(gone)} or \"npgrad[all]\""


def require(module, feature):
    """Import and return ``module``, or raise ModuleNotFoundError saying which extra ``feature`` needs."""
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        pip, extra, _ = PACKAGES.get(top, (top, "all", ""))
        raise ModuleNotFoundError(f"{feature} needs {pip}: pip install \"npgrad[{extra}]\" "
                                  f"(or pip install {pip})", name=module) from None
