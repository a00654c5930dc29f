"""Checkpoints: ``npgrad.save(obj, path)`` / ``npgrad.load(path)`` in the safetensors format.

No pickle is involved, so loading an untrusted file cannot run code: a safetensors file is an
8-byte header length, a JSON header (tensor names, dtypes, shapes, byte offsets, plus a
string-to-string ``__metadata__`` map) and the raw little-endian tensor bytes.

How npgrad uses it
------------------
* Every tensor (or NumPy array) in ``obj`` is stored as one safetensors tensor. Its name is the path
  of dict keys / list indices leading to it, joined with ``/``. A flat model ``state_dict`` therefore
  keeps its own keys (``fc1.weight``, ...), and the file is an ordinary PyTorch-compatible
  safetensors checkpoint: ``safetensors.torch.load_file(path)`` loads it into the matching torch
  model, and a file written by ``safetensors.torch.save_file(model.state_dict(), path)`` loads here.
* Everything else is kept in ``__metadata__``:

  - ``"format": "pt"`` (what the wider safetensors tooling expects of PyTorch-layout files);
  - ``"npgrad"``: the whole object as JSON, with each tensor replaced by ``{"__tensor__": name}``
    (``{"__ndarray__": name}`` for NumPy arrays), tuples as ``{"__tuple__": [...]}`` and dicts
    whose keys are not all plain strings (e.g. an optimizer's integer parameter ids) as
    ``{"__dict__": [[key, value], ...]}``. Values may be tensors, arrays, ``None``, bools, ints,
    floats (including inf/nan), strings, lists, tuples and dicts of these;
  - ``"npgrad.crc32"``: a CRC-32 of every tensor's bytes, checked on load, so a corrupted file is
    reported instead of loaded as garbage.

  A file without ``"npgrad"`` metadata (e.g. written by PyTorch) loads as a flat ``{name: tensor}``.

Writes are atomic: the bytes go to a temporary file in the same folder, are flushed to disk
(``fsync``) and then renamed over the target, so a crash or an error mid-write leaves any previous
checkpoint intact.

>>> import npgrad, tempfile, os
>>> model = npgrad.nn.Linear(3, 2)
>>> opt = npgrad.optim.Adam(model.parameters())
>>> path = os.path.join(tempfile.mkdtemp(), "ckpt.safetensors")
>>> npgrad.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, path)
>>> ckpt = npgrad.load(path)
>>> ckpt["epoch"], sorted(ckpt["model"])
(3, ['bias', 'weight'])
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zlib

import numpy as np

from .tensor import Tensor

__all__ = ["save", "load"]

_STRUCT_KEY = "npgrad"
_CRC_KEY = "npgrad.crc32"
_MARKERS = ("__tensor__", "__ndarray__", "__tuple__", "__dict__")


def _safetensors():
    from ._optional import require
    return require("safetensors.numpy", "npgrad.save/npgrad.load")


# -- encoding ---------------------------------------------------------------------------------
def _path_name(path):
    return "/".join(str(p) for p in path) or "tensor"


def _add_tensor(arr, path, tensors):
    name = base = _path_name(path)
    n = 1
    while name in tensors:  # two paths can join to the same string ({'a/b': x, 'a': {'b': y}})
        n += 1
        name = f"{base}#{n}"
    if arr.dtype.byteorder == ">" or not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
    tensors[name] = arr
    return name


def _encode_key(k, path):
    if k is None or isinstance(k, (bool, int, float, str)):
        return k
    if isinstance(k, np.generic):
        return k.item()
    raise TypeError(f"npgrad.save: dict key {k!r} at '{_path_name(path)}' has type {type(k).__name__}; keys must "
                    "be strings, numbers, bools or None")


def _encode(obj, path, tensors):
    """JSON-ready form of ``obj``; tensors and arrays move into ``tensors`` and leave a reference."""
    if isinstance(obj, Tensor):
        return {"__tensor__": _add_tensor(obj._data, path, tensors)}
    if isinstance(obj, np.ndarray):
        return {"__ndarray__": _add_tensor(obj, path, tensors)}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, path + [i], tensors) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [_encode(v, path + [i], tensors) for i, v in enumerate(obj)]
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj) and not any(k in _MARKERS for k in obj):
            return {k: _encode(v, path + [k], tensors) for k, v in obj.items()}
        return {"__dict__": [[_encode_key(k, path), _encode(v, path + [k], tensors)] for k, v in obj.items()]}
    if hasattr(obj, "state_dict") and callable(obj.state_dict):
        raise TypeError(f"npgrad.save: cannot store the {type(obj).__name__} object itself at '{_path_name(path)}' "
                        "(that would need pickle); save its .state_dict() instead, and to restore, build the "
                        "object again and call .load_state_dict(npgrad.load(path))")
    raise TypeError(f"npgrad.save: cannot store a {type(obj).__module__}.{type(obj).__name__} at "
                    f"'{_path_name(path)}': checkpoints hold tensors, arrays, numbers, strings, bools, None, "
                    "lists, tuples and dicts (no pickle, so no arbitrary objects)")


def _decode(obj, arrays):
    if isinstance(obj, list):
        return [_decode(v, arrays) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if len(obj) == 1:
        (k, v), = obj.items()
        if k == "__tensor__":
            return Tensor._make(arrays[v], None, False, None)
        if k == "__ndarray__":
            return arrays[v]
        if k == "__tuple__":
            return tuple(_decode(x, arrays) for x in v)
        if k == "__dict__":
            return {key: _decode(val, arrays) for key, val in v}
    return {k: _decode(v, arrays) for k, v in obj.items()}


# -- save -------------------------------------------------------------------------------------
def save(obj, f, pickle_module=None, pickle_protocol=None, _use_new_zipfile_serialization=True):
    """Save ``obj`` (a state_dict, or a dict of them plus plain values) to ``f`` in safetensors format.

    ``f`` is a path (written atomically) or a binary file object. See the module docstring for the
    format. ``pickle_module``/``pickle_protocol`` are accepted for PyTorch compatibility and ignored.

    >>> import npgrad, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
    >>> npgrad.save({"w": npgrad.ones(2)}, path)
    >>> npgrad.load(path)
    {'w': tensor([1., 1.])}
    """
    data = _serialize(obj)
    if hasattr(f, "write"):
        f.write(data)
        return
    _atomic_write(os.fspath(f), data)


def _serialize(obj):
    tensors = {}
    structure = _encode(obj, [], tensors)
    crc = {name: zlib.crc32(arr) for name, arr in tensors.items()}
    meta = {"format": "pt", _STRUCT_KEY: json.dumps(structure), _CRC_KEY: json.dumps(crc)}
    return _safetensors().save(tensors, metadata=meta)


def _atomic_write(path, data):
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"npgrad.save: cannot write {path}: folder {folder} does not exist")
    if os.path.isdir(path):
        raise IsADirectoryError(f"npgrad.save: {path} is a directory")
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX); not possible everywhere
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _file_mode(path):
    """Keep an existing file's permissions; a new file gets the usual 0o666 minus the umask
    (mkstemp would leave it private, 0o600)."""
    try:
        return os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


# -- load -------------------------------------------------------------------------------------
def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **pickle_load_args):
    """Load an object saved by ``npgrad.save`` (or any safetensors file) from a path or binary file.

    Tensors come back as npgrad tensors on the CPU; ``map_location`` may only name the CPU. Loading
    never executes code, whatever ``weights_only`` says.

    >>> import npgrad, io
    >>> buf = io.BytesIO()
    >>> npgrad.save({"step": 7, "betas": (0.9, 0.999)}, buf)
    >>> npgrad.load(io.BytesIO(buf.getvalue()))
    {'step': 7, 'betas': (0.9, 0.999)}
    """
    if map_location not in (None, "cpu") and str(map_location) != "cpu":
        raise ValueError(f"npgrad.load: map_location={map_location!r}; npgrad runs on the CPU only")
    if hasattr(f, "read"):
        data, name = f.read(), getattr(f, "name", "<file object>")
    else:
        name = os.fspath(f)
        if not os.path.exists(name):
            raise FileNotFoundError(2, "npgrad.load: no such checkpoint file", name)
        with open(name, "rb") as fh:
            data = fh.read()
    return _deserialize(data, name)


def _corrupt(name, why):
    return RuntimeError(f"npgrad.load: {name} is not a valid safetensors checkpoint (truncated or corrupt?): {why}")


_DTYPES = {"BOOL", "U8", "I8", "I16", "I32", "I64", "F16", "F32", "F64"}


def _read_header(data, name):
    if len(data) < 8:
        raise _corrupt(name, f"the file has only {len(data)} bytes")
    n = int.from_bytes(data[:8], "little")
    if n > len(data) - 8:
        raise _corrupt(name, f"the header claims {n} bytes but the file has {len(data) - 8} after the length")
    try:
        header = json.loads(data[8:8 + n])
    except ValueError as e:
        raise _corrupt(name, f"unreadable header ({e})") from None
    if not isinstance(header, dict):
        raise _corrupt(name, "the header is not a JSON object")
    return header


def _deserialize(data, name):
    header = _read_header(data, name)
    meta = header.get("__metadata__") or {}
    for key, info in header.items():
        dtype = info.get("dtype") if isinstance(info, dict) and key != "__metadata__" else None
        if dtype is not None and dtype not in _DTYPES:
            raise TypeError(f"npgrad.load: tensor '{key}' in {name} has dtype {dtype}, which npgrad does not support; "
                            "convert it (e.g. to float32) before saving")
    stn = _safetensors()
    try:
        arrays = stn.load(data)
    except Exception as e:  # safetensors raises its own SafetensorError for bad offsets and sizes
        raise _corrupt(name, e) from None
    try:
        crc = json.loads(meta[_CRC_KEY]) if _CRC_KEY in meta else {}
        structure = json.loads(meta[_STRUCT_KEY]) if _STRUCT_KEY in meta else None
    except ValueError as e:
        raise _corrupt(name, f"unreadable npgrad metadata ({e})") from None
    for key, arr in arrays.items():
        if key in crc and zlib.crc32(np.ascontiguousarray(arr)) != crc[key]:
            raise _corrupt(name, f"the bytes of tensor '{key}' do not match their checksum")
    arrays = {k: (a if a.flags.writeable else a.copy()) for k, a in arrays.items()}
    if structure is None:
        return {k: Tensor._make(a, None, False, None) for k, a in arrays.items()}
    try:
        return _decode(structure, arrays)
    except (KeyError, ValueError, TypeError) as e:
        raise _corrupt(name, f"the metadata refers to a missing tensor ({e})") from None
