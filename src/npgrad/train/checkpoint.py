"""Training checkpoints: a model's ``state_dict`` plus a ``metadata`` dict, in one safetensors file.

The weights keep their ``state_dict`` names at the top level, so the file is also a plain PyTorch
checkpoint (``safetensors.torch.load_file`` returns just the weights); the metadata (dataset,
architecture spec, input mean/std, epoch, accuracy ...) rides in the file's JSON header via
``npgrad.save``.
"""
from __future__ import annotations

import os

import npgrad

__all__ = ["save_checkpoint", "load_checkpoint", "METADATA_KEY"]

METADATA_KEY = "metadata"


def save_checkpoint(path, model, metadata=None):
    """Write ``model.state_dict()`` and ``metadata`` (plain values) atomically to ``path``.

    >>> import npgrad, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "m.safetensors")
    >>> save_checkpoint(path, npgrad.nn.Linear(2, 3), {"model": "linear", "epoch": 4})
    >>> state, meta = load_checkpoint(path)
    >>> sorted(state), meta["epoch"]
    (['bias', 'weight'], 4)
    """
    from ..nn.parallel import DistributedDataParallel
    if isinstance(model, DistributedDataParallel):     # saved as the model it wraps (no "module." keys)
        model = model.module
    state = dict(model.state_dict())
    if METADATA_KEY in state:
        raise ValueError(f"save_checkpoint: the model has a parameter named {METADATA_KEY!r}, "
                         f"which the checkpoint reserves for its metadata")
    state[METADATA_KEY] = dict(metadata or {})
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    npgrad.save(state, path)


def load_checkpoint(path):
    """``(state_dict, metadata)`` read from ``path``; ``metadata`` is ``{}`` for a bare state_dict file."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"checkpoint not found: {path}")
    obj = npgrad.load(path)
    if not isinstance(obj, dict):
        raise ValueError(f"{path}: expected a state_dict checkpoint, found a {type(obj).__name__}")
    obj = dict(obj)
    meta = obj.pop(METADATA_KEY, None) or {}
    if not isinstance(meta, dict):
        raise ValueError(f"{path}: the checkpoint's {METADATA_KEY!r} entry is not a dict")
    return obj, meta
