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
    (``{"__tensor__": name, "device": "cuda:0"}`` for one that lived on an accelerator: the file holds
    a host copy, and ``load`` puts it back there unless ``map_location`` says otherwise, as
    ``torch.load`` does; ``{"__ndarray__": name}`` for NumPy arrays), tuples as
    ``{"__tuple__": [...]}`` and dicts whose keys are not all plain strings (e.g. an optimizer's
    integer parameter ids) as ``{"__dict__": [[key, value], ...]}``. Values may be tensors, arrays, ``None``, bools, ints,
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
import sys
import tempfile
import zlib

import numpy as np

from . import _backend
from .tensor import Tensor

__all__ = ["save", "load", "DEFAULT_PROTOCOL", "SourceChangeWarning", "add_safe_globals", "get_safe_globals",
           "clear_safe_globals", "safe_globals", "get_unsafe_globals_in_checkpoint", "location_tag",
           "default_restore_location", "register_package", "LoadEndianness", "get_default_load_endianness",
           "set_default_load_endianness", "skip_data"]

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
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"npgrad.save: the array at '{_path_name(path)}' has dtype {arr.dtype}, which a checkpoint "
                        "cannot hold (bool, integer and float arrays only); for complex data save .real and "
                        ".imag as two arrays")
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
        arr = obj._data
        if type(arr) is np.ndarray:
            return {"__tensor__": _add_tensor(arr, path, tensors)}
        # a device tensor: its host copy goes into the file, its device into the structure
        return {"__tensor__": _add_tensor(_backend.to_numpy(arr), path, tensors),
                "device": str(_backend.device_of(arr))}
    if isinstance(obj, np.ndarray):
        return {"__ndarray__": _add_tensor(obj, path, tensors)}
    if _backend.is_device_array(obj):
        return {"__ndarray__": _add_tensor(_backend.to_numpy(obj), path, tensors)}
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
        where = f" at '{_path_name(path)}'" if path else ""
        raise TypeError(f"npgrad.save: cannot store the {type(obj).__name__} object itself{where} (that would need "
                        "pickle, and loading a pickle can run any code); save its .state_dict() instead: "
                        "npgrad.save(model.state_dict(), path), and to restore, build the object again and call "
                        "model.load_state_dict(npgrad.load(path))")
    raise TypeError(f"npgrad.save: cannot store a {type(obj).__module__}.{type(obj).__name__} at "
                    f"'{_path_name(path)}': checkpoints hold tensors, arrays, numbers, strings, bools, None, "
                    "lists, tuples and dicts (no pickle, so no arbitrary objects)")


def _decode(obj, arrays, place):
    if isinstance(obj, list):
        return [_decode(v, arrays, place) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if len(obj) == 1:
        (k, v), = obj.items()
        if k == "__tensor__":
            return Tensor._make(place(arrays[v], "cpu"), None, False, None)
        if k == "__ndarray__":
            return arrays[v]
        if k == "__tuple__":
            return tuple(_decode(x, arrays, place) for x in v)
        if k == "__dict__":
            return {key: _decode(val, arrays, place) for key, val in v}
    if len(obj) == 2 and "__tensor__" in obj and "device" in obj:  # a tensor saved from a device
        return Tensor._make(place(arrays[obj["__tensor__"]], obj["device"]), None, False, None)
    return {k: _decode(v, arrays, place) for k, v in obj.items()}


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
    try:
        data = _serialize(obj)
    except RecursionError:
        raise RuntimeError("npgrad.save: the object is nested too deeply (lists/dicts/tuples inside each other "
                           f"more than ~{sys.getrecursionlimit() // 2} levels) to store") from None
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


class _MissingFolder(FileNotFoundError, RuntimeError):
    """PyTorch raises RuntimeError for a missing parent folder; FileNotFoundError is what it is."""


def _tmp_prefix(path):
    return "." + os.path.basename(path) + ".part-"


def _remove_stale_temps(path):
    """Delete the temporary files of earlier saves of ``path`` whose process died mid-write (killed, power
    cut): each is as large as the checkpoint and nothing else would ever remove it.  A temporary file
    carries its writer's process id, so those of live writers are left alone."""
    folder, prefix = os.path.dirname(os.path.abspath(path)), _tmp_prefix(path)
    with contextlib.suppress(OSError):
        for entry in os.listdir(folder):
            if not (entry.startswith(prefix) and entry.endswith(".tmp")):
                continue
            pid = entry[len(prefix):].split(".", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, entry))


def _alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):  # exists but belongs to someone else, or no way to tell
        return True
    return True


def _atomic_write(path, data):
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise _MissingFolder(f"npgrad.save: cannot write {path}: Parent directory {folder} does not exist")
    if os.path.isdir(path):
        raise IsADirectoryError(f"npgrad.save: {path} is a directory")
    _remove_stale_temps(path)
    fd, tmp = tempfile.mkstemp(prefix=f"{_tmp_prefix(path)}{os.getpid()}.", suffix=".tmp", dir=folder)
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

    Tensors come back on the device they were saved from (the file holds host copies), unless
    ``map_location`` says where, in ``torch.load``'s forms: a device or string (everything there),
    a ``{saved: target}`` dict of location strings, or a callable ``(tensor, location) -> tensor``
    (``lambda storage, loc: storage`` keeps the CPU copy; ``lambda storage, loc: storage.cuda()``).
    A device this build lacks raises as PyTorch's CPU build does. Loading never executes code,
    whatever ``weights_only`` says.

    >>> import npgrad, io
    >>> buf = io.BytesIO()
    >>> npgrad.save({"step": 7, "betas": (0.9, 0.999)}, buf)
    >>> npgrad.load(io.BytesIO(buf.getvalue()))
    {'step': 7, 'betas': (0.9, 0.999)}
    """
    _check_map_location(map_location)
    if hasattr(f, "read"):
        data, name = f.read(), getattr(f, "name", "<file object>")
    else:
        name = os.fspath(f)
        if not os.path.exists(name):
            raise FileNotFoundError(2, "npgrad.load: no such checkpoint file", name)
        with open(name, "rb") as fh:
            data = fh.read()
    return _deserialize(data, name, _placer(map_location))


def _check_map_location(map_location):
    from . import _backend
    if isinstance(map_location, dict):
        map_location = map_location.get("cpu", "cpu")
    if map_location is None or callable(map_location) and not isinstance(map_location, _backend.device):
        return
    if not isinstance(map_location, (str, _backend.device)):
        raise TypeError(f"npgrad.load: map_location must be a device, a string, a dict or a callable, "
                        f"got {type(map_location).__name__}")
    d = _backend.as_device(map_location)
    if d.type == "cuda" and _backend.backend("cuda") is None:
        raise RuntimeError(_NO_CUDA)
    _backend.resolve(d)  # a device type this build cannot hold data on raises


_NO_CUDA = ("Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. If you are "
            "running on a CPU-only machine, please use torch.load with map_location=torch.device('cpu') to map "
            "your storages to the CPU.")


def _restore(arr, location):
    """The host array ``arr`` on the device named ``location`` (``"cpu"``, ``"cuda:0"``, a device)."""
    d = _backend.as_device(location)
    if d.type == "cpu":
        return arr
    if d.type == "cuda" and _backend.backend("cuda") is None:
        raise RuntimeError(_NO_CUDA)
    return _backend.transfer(arr, d)


def _placer(map_location):
    """``(host array, saved location) -> array`` where ``torch.load(map_location=...)`` puts a tensor."""
    if map_location is None:
        return _restore
    if isinstance(map_location, (str, _backend.device)):
        return lambda arr, loc: _restore(arr, map_location)
    if isinstance(map_location, dict):
        return lambda arr, loc: _restore(arr, map_location.get(loc, loc))

    def call(arr, loc):
        out = map_location(Tensor._make(arr, None, False, None), loc)
        if out is None:
            return _restore(arr, loc)
        return out._data if isinstance(out, Tensor) else out
    return call


def _corrupt(name, why):
    return RuntimeError(f"npgrad.load: {name} is not a valid safetensors checkpoint (truncated or corrupt?): {why}")


_DTYPES = {"BOOL", "U8", "I8", "I16", "I32", "I64", "F16", "F32", "F64"}


def _pytorch_format(data):
    """The container of a ``torch.save`` file: a zip archive (PyTorch >= 1.6) or a bare pickle.  A
    safetensors header always starts with ``{`` after its 8-byte length, so neither is mistaken for one."""
    if data[8:9] == b"{":
        return None
    if data[:4] == b"PK\x03\x04":
        return "a zip archive holding a pickle"
    if data[:1] == b"\x80" and data[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "a pickle"
    return None


def _read_header(data, name):
    kind = _pytorch_format(data)
    if kind is not None:
        raise RuntimeError(
            f"npgrad.load: {name} is a PyTorch checkpoint in PyTorch's pickle format ({kind}), not safetensors. "
            "npgrad does not unpickle files: unpickling can run arbitrary code. Convert it once where PyTorch is "
            "installed, without running its code: `from safetensors.torch import save_file; "
            "save_file(torch.load(path, weights_only=True), 'model.safetensors')` (for a state_dict of tensors), "
            "then npgrad.load('model.safetensors')")
    if len(data) < 8:
        raise _corrupt(name, f"the file has only {len(data)} bytes")
    n = int.from_bytes(data[:8], "little")
    if n > len(data) - 8:
        raise _corrupt(name, f"the header claims {n} bytes but the file has {len(data) - 8} after the length")
    try:
        header = json.loads(data[8:8 + n])
    except RecursionError:
        raise _corrupt(name, "the header is nested too deeply to read") from None
    except ValueError as e:
        raise _corrupt(name, f"unreadable header ({e})") from None
    if not isinstance(header, dict):
        raise _corrupt(name, "the header is not a JSON object")
    return header


def _deserialize(data, name, place=None):
    place = place or _restore
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
    except RecursionError:
        raise _corrupt(name, "the npgrad metadata is nested too deeply to read") from None
    except ValueError as e:
        raise _corrupt(name, f"unreadable npgrad metadata ({e})") from None
    for key, arr in arrays.items():
        if key in crc and zlib.crc32(np.ascontiguousarray(arr)) != crc[key]:
            raise _corrupt(name, f"the bytes of tensor '{key}' do not match their checksum")
    arrays = {k: (a if a.flags.writeable else a.copy()) for k, a in arrays.items()}
    if structure is None:
        return {k: Tensor._make(place(a, "cpu"), None, False, None) for k, a in arrays.items()}
    try:
        return _decode(structure, arrays, place)
    except RecursionError:
        raise _corrupt(name, "the npgrad metadata is nested too deeply to read") from None
    except (KeyError, ValueError, TypeError) as e:
        raise _corrupt(name, f"the metadata refers to a missing tensor ({e})") from None


# -- the other names of torch.serialization that programs import ---------------------------------
# npgrad never unpickles, so the allow-list of globals that PyTorch's weights_only loader consults
# changes nothing here; it is kept so that programs registering their classes run unchanged.
DEFAULT_PROTOCOL = 2
_SAFE_GLOBALS = []


class SourceChangeWarning(Warning):
    """PyTorch warns with this when a pickled module's source changed (never raised here: no pickle)."""


def add_safe_globals(safe_globals):
    """Accepted for compatibility: npgrad's checkpoints hold no pickled objects to allow.

    >>> import npgrad
    >>> npgrad.serialization.add_safe_globals([dict]); dict in npgrad.serialization.get_safe_globals()
    True
    >>> npgrad.serialization.clear_safe_globals()
    """
    if not isinstance(safe_globals, (list, tuple)):
        raise TypeError(f"add_safe_globals: expected a list of classes or functions, got {type(safe_globals).__name__}")
    _SAFE_GLOBALS.extend(safe_globals)


def get_safe_globals():
    return list(_SAFE_GLOBALS)


def clear_safe_globals():
    _SAFE_GLOBALS.clear()


@contextlib.contextmanager
def safe_globals(safe_globals):
    """``with safe_globals([...]):`` adds the globals for the block only."""
    before = list(_SAFE_GLOBALS)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _SAFE_GLOBALS[:] = before


def get_unsafe_globals_in_checkpoint(f):
    """The pickled globals a checkpoint needs: none, for every file ``npgrad.load`` reads."""
    return []


def location_tag(storage):
    """Where a tensor's data lives, as the location string a checkpoint records (``"cpu"``, ``"cuda:0"``)."""
    if isinstance(storage, Tensor) and type(storage._data) is not np.ndarray:
        return str(_backend.device_of(storage._data))
    return "cpu"


def default_restore_location(storage, location):
    """Put ``storage`` on ``location`` as ``torch.load`` would."""
    _check_map_location(location)
    if isinstance(storage, Tensor):
        return Tensor._make(_restore(_backend.to_numpy(storage._data), location), None, False, None)
    return storage


def register_package(priority, tagger, deserializer):
    """Accepted for compatibility: npgrad's checkpoints name no device to tag or restore."""


class LoadEndianness:
    """PyTorch's byte-order choice for loading; safetensors files are little-endian, always."""
    NATIVE, LITTLE, BIG = 1, 2, 3


_ENDIANNESS = [None]


def get_default_load_endianness():
    return _ENDIANNESS[0]


def set_default_load_endianness(endianness):
    if endianness is not None and endianness not in (1, 2, 3):
        raise TypeError("Invalid argument type in function set_default_load_endianness")
    _ENDIANNESS[0] = endianness


@contextlib.contextmanager
def skip_data(materialize_fake_tensors=False):
    raise NotImplementedError("skip_data: npgrad.save always writes the tensors' data")
    yield  # pragma: no cover
