"""Run an unmodified PyTorch script on npgrad: ``python -m npgrad.compat SCRIPT.py [args ...]``.

A finder placed first on ``sys.meta_path`` answers every ``torch`` / ``torch.*`` import with the
npgrad module of the same place (``torch.nn.functional`` -> ``npgrad.nn.functional``,
``torch.utils.data`` -> ``npgrad.utils.data``), so ``import torch``, ``import torch.nn as nn`` and
``from torch.utils.data import DataLoader`` all resolve to npgrad, even where PyTorch is installed.
A ``torch`` module npgrad has no counterpart for raises ``ModuleNotFoundError`` naming it.

In code, ``with torch_alias(): ...`` does the same for a block (used by the tests).

>>> import sys
>>> from npgrad.compat import torch_alias
>>> with torch_alias():
...     import torch
...     import torch.nn.functional as F
>>> torch.__name__, F.__name__
('npgrad', 'npgrad.nn.functional')
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import os
import runpy
import sys

__all__ = ["torch_alias", "run_script", "main"]

# where npgrad has no module of the same dotted name, the module that holds the same things
_FALLBACKS = {
    "torch.nn.modules": "npgrad.nn",  # torch.nn.modules.linear.Linear: every layer is in npgrad.nn
}


def _candidates(fullname):
    yield "npgrad" + fullname[len("torch"):]
    for prefix, repl in _FALLBACKS.items():
        if fullname == prefix or fullname.startswith(prefix + "."):
            yield repl


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        self._spec = getattr(self.module, "__spec__", None)
        return self.module

    def exec_module(self, module):
        # the npgrad module is already initialised; only give back the spec the import system
        # replaced, so npgrad's own relative imports keep their package
        module.__spec__ = self._spec


class _TorchFinder(importlib.abc.MetaPathFinder):
    """Resolve ``torch`` and ``torch.*`` to the npgrad module of the same place."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        tried = []
        for name in _candidates(fullname):
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as e:
                if e.name is None or not name.startswith(e.name):
                    raise  # a dependency missing inside npgrad, not a missing counterpart
                tried.append(name)
                continue
            return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module))
        raise ModuleNotFoundError(f"No module named {fullname!r}: npgrad has no counterpart of {fullname} "
                                  f"(looked for {', '.join(tried)})", name=fullname)


def _torch_keys():
    return [k for k in sys.modules if k == "torch" or k.startswith("torch.")]


@contextlib.contextmanager
def torch_alias():
    """Within the block, ``import torch`` (and every ``torch.*``) gives npgrad's modules.

    Modules of a real PyTorch that were already imported are set aside and restored afterwards.
    """
    saved = {k: sys.modules.pop(k) for k in _torch_keys()}
    finder = _TorchFinder()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for k in _torch_keys():
            del sys.modules[k]
        sys.modules.update(saved)


def run_script(path, argv=()):
    """Run the script at ``path`` as ``__main__`` with npgrad standing in for torch.

    ``sys.argv`` and ``sys.path[0]`` are set as ``python SCRIPT.py`` would set them; the script's
    globals are returned.
    """
    path = os.fspath(path)
    old_argv, old_path0 = sys.argv[:], sys.path[0] if sys.path else None
    sys.argv = [path, *argv]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        with torch_alias():
            return runpy.run_path(path, run_name="__main__")
    finally:
        sys.argv = old_argv
        if sys.path and sys.path[0] != old_path0:
            del sys.path[0]


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m npgrad.compat SCRIPT.py [ARGS ...]\n\n"
              "Runs a PyTorch script unchanged with npgrad in place of torch.")
        return 0 if argv else 2
    script = argv[0]
    if not os.path.isfile(script):
        print(f"npgrad.compat: cannot open script {script!r}: no such file", file=sys.stderr)
        return 2
    run_script(script, argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
