"""Optional compiled kernels for the memory-bound passes of a conv net's training step.

A small CNN's step is, besides its matrix products, a handful of passes over large activations.
NumPy does each of them as several whole-array operations, every one reading and writing the
whole array again.  With numba installed (``pip install "npgrad[jit]"``) these run as one compiled
loop each (:mod:`npgrad._jit_kernels`):

* 2x2 max pooling (kernel = stride = 2): maxima and their positions in one read of the input;
* its gradient: the input-sized gradient written once;
* the ReLU gradient ``g * (out > 0)``: one pass instead of a mask pass and a multiply;
* col2im (the input gradient of a conv): one pass instead of one strided add per kernel offset;
* SGD with momentum: ``b = m b + g; p -= lr b`` in one pass over the three arrays, not four;
* batch norm (training): ``xhat`` and ``w xhat + b`` written in one pass, and the input gradient in
  one pass instead of four (the per-channel sums stay NumPy's).

Measured on a 2-core machine, for the notes' CNN at batch 128: 36 -> 27 ms per training step (with
the pooling of ReLU outputs applying the ReLU's mask, see ``npgrad.ops.pool``).  Each kernel has a
NumPy twin in the op that uses it (``npgrad.ops.pool``, ``npgrad.ops.unary``), which stays the readable reference: the results are the same bit for bit
(the tests compare the two), except that where the NumPy product gives ``0 * inf = nan`` the
kernels give the exact 0 that PyTorch gives.

**Compiled ahead, in another process.**  Importing numba and running its compiler (LLVM) costs a
process about 130 MB, even when it only loads kernels from its on-disk cache: more than the
training step itself.  So the kernels are compiled ahead of time (numba's ``pycc``) into a small
extension module in a cache folder (``$NPGRAD_CACHE_DIR``, else ``~/.cache/npgrad``), by a
separate process started the first time a kernel would pay off; the process that trains only
loads that module (under 1 MB, no numba, no LLVM).  Until the build is done (tens of seconds, once
per machine and numba/NumPy version) the ops take their NumPy path; :func:`available` waits for
it.  The exported loops take C-contiguous arrays (the layout the ops hand over); any other layout,
and a machine where the build fails (no C compiler), run the same kernels through numba's
just-in-time compiler in this process, as a fallback.

Used for float32/float64 arrays of at least :data:`MIN_BYTES` (small tensors never trigger an
import or a compilation).  Set the environment variable ``NPGRAD_JIT=0`` (before the first
conv/pool op), or call :func:`set_enabled`, to run the NumPy code only.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys

import numpy as np

#: arrays smaller than this take the NumPy path
MIN_BYTES = 1 << 20

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_kernels = None
_loaded = False
_build = None     # the process building the ahead-of-time module, while it runs
_enabled = os.environ.get("NPGRAD_JIT", "1").strip() not in ("0", "false", "no", "off")

#: every kernel's arguments, exported for T = float32 and float64 (C-contiguous arrays)
SIGNATURES = {
    "max_pool_2x2": ("T[:, :, :, :, ::1]", "T[:, :, ::1]", "uint8[:, :, ::1]"),
    "max_pool_2x2_grad": ("T[:, :, ::1]", "uint8[:, :, ::1]", "T[:, :, :, :, ::1]"),
    "relu_grad": ("T[::1]", "T[::1]", "T[::1]"),
    "col2im_add": ("T[:, :, :, :, :, ::1]", "T[:, :, :, ::1]") + ("int64",) * 7,
    "max_pool_2x2_relu_grad": ("T[:, :, ::1]", "uint8[:, :, ::1]", "T[:, :, :, :, ::1]",
                               "T[:, :, :, :, ::1]"),
    "sgd_momentum": ("T[::1]", "T[::1]", "T[::1]", "T", "T"),
    "batch_norm_affine": ("T[:, :, ::1]",) + ("T[::1]",) * 3 + ("T[:, :, ::1]",),
    "batch_norm_input_grad": ("T[:, :, ::1]",) * 2 + ("T[::1]",) * 3 + ("T[:, :, ::1]",),
}
_SUFFIX = {np.dtype(np.float32): "f32", np.dtype(np.float64): "f64"}
#: part of the cached module's name: changed whenever :func:`build` compiles differently
_BUILD = 2


def set_enabled(flag):
    """Switch the compiled kernels on or off (they are on when numba is installed); returns the
    previous setting."""
    global _enabled
    prev, _enabled = _enabled, bool(flag)
    return prev


def available():
    """Whether the compiled kernels can be used (numba importable and not switched off); waits for
    the build of the ahead-of-time module when one is running."""
    if _load() is None and _build is not None:
        _build.wait()
    return _load() is not None


def kernels_for(a, *others, min_bytes=None):
    """The kernels module when they apply to ``a`` (and the arrays ``others`` of the same dtype):
    switched on, numba present, a float32/float64 array of at least ``min_bytes`` (default
    :data:`MIN_BYTES`); else None."""
    if not _enabled or type(a) is not np.ndarray or a.nbytes < (MIN_BYTES if min_bytes is None else min_bytes) or a.dtype not in _FLOATS:
        return None
    for o in others:
        if o.dtype != a.dtype or type(o) is not np.ndarray:
            return None
    return _load()


def _load():
    global _kernels, _loaded
    if not _enabled:
        return None
    if not _loaded:
        if _build is not None and _build.poll() is None:
            return None  # still compiling: NumPy meanwhile
        _loaded = True
        _kernels = _find_kernels()
    return _kernels


def _numba_usable():
    if importlib.util.find_spec("numba") is None:  # numba is optional
        return False
    # NUMBA_DISABLE_JIT would run the fallback loops as plain Python
    return os.environ.get("NUMBA_DISABLE_JIT", "0").strip() in ("", "0")


def _find_kernels():
    """The kernels: the ahead-of-time module from the cache (starting its build when missing), or
    numba's just-in-time kernels in this process when it cannot be built."""
    global _loaded, _build
    if not _numba_usable():
        return None
    path, name = _module_path()
    if path is not None:
        if not os.path.exists(path) and not os.path.exists(path + ".failed"):
            if _build is None:
                _build = _start_build(path, name)
                if _build is not None:
                    _loaded = False
                    return None
        if os.path.exists(path):
            try:
                spec = importlib.util.spec_from_file_location(name, path)
                mod = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(mod)
                return Kernels(mod)
            except Exception:  # a stale or broken file: the fallback below
                pass
    return Kernels(None)


def _cache_dir():
    d = os.environ.get("NPGRAD_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "npgrad")
    return os.path.join(d, "kernels")


def _module_path():
    """Where the ahead-of-time module for this source, Python, NumPy, numba and CPU lives (None
    when the cache folder cannot be made)."""
    import importlib.metadata
    import sysconfig
    h = hashlib.sha256()
    with open(os.path.join(os.path.dirname(__file__), "_jit_kernels.py"), "rb") as f:
        h.update(f.read())
    h.update(repr((sorted(SIGNATURES.items()), _BUILD)).encode())
    try:
        numba_version = importlib.metadata.version("numba")
    except importlib.metadata.PackageNotFoundError:
        numba_version = "?"
    h.update(f"{sys.version} {np.__version__} {numba_version} {_cpu()}".encode())
    name = "npgrad_kernels_" + h.hexdigest()[:16]
    d = _cache_dir()
    try:
        os.makedirs(d, exist_ok=True)
    except OSError:
        return None, name
    if not os.access(d, os.W_OK):
        return None, name
    return os.path.join(d, name + (sysconfig.get_config_var("EXT_SUFFIX") or ".so")), name


def _cpu():
    """The CPU's model and feature flags (the module is compiled for this CPU)."""
    try:
        with open("/proc/cpuinfo") as f:
            lines = f.read().split("\n\n")[0].splitlines()
        return "\n".join(line for line in lines if line.startswith(("model name", "flags")))
    except OSError:
        import platform
        return platform.processor() + platform.machine()


def _start_build(path, name):
    """Start compiling the module into ``path`` in a separate process (it alone pays numba's memory)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from npgrad._jit import build; "
            "build(sys.argv[2], sys.argv[3])")
    env = dict(os.environ, NPGRAD_JIT="0")
    try:
        return subprocess.Popen([sys.executable, "-c", code, root, path, name], env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return None


def build(path, name):
    """Compile every kernel of :data:`SIGNATURES` for float32 and float64 into the extension module
    ``path`` (written under another name, then moved into place: concurrent builds are harmless).
    A failure leaves ``path + ".failed"`` with its message, so that later runs use the fallback."""
    import shutil
    import tempfile
    import traceback
    import warnings
    tmp = tempfile.mkdtemp(prefix=".build-", dir=os.path.dirname(path))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from numba.pycc import CC
            from numba.pycc import compiler as pycc_compiler
            from . import _jit_kernels as k

            class Flags(pycc_compiler.Flags):
                """pycc's compiler flags with the GIL released while a kernel runs (the kernels
                touch no Python object), as numba's ``nogil=True`` of the just-in-time fallback:
                other Python threads (a data loader's) go on meanwhile."""

                def __init__(self, *args, **kwargs):
                    super().__init__(*args, **kwargs)
                    self.release_gil = True
            pycc_compiler.Flags = Flags
            cc = CC(name)
            cc.output_dir = tmp
            cc.target_cpu = "host"
            cc.verbose = False
            for kernel, args in SIGNATURES.items():
                fn = getattr(k, kernel).py_func
                for t in ("float32", "float64"):
                    sig = "void(" + ", ".join(a.replace("T", t) for a in args) + ")"
                    cc.export(f"{kernel}_{_SUFFIX[np.dtype(t)]}", sig)(fn)
            cc.compile()
        (out,) = [f for f in os.listdir(tmp) if f.startswith(name)]
        os.replace(os.path.join(tmp, out), path)
    except Exception:
        with open(path + ".failed", "w") as f:
            f.write(traceback.format_exc())
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class Kernels:
    """The kernels of :mod:`npgrad._jit_kernels` by name: each call goes to the ahead-of-time
    module's export for its dtype when every array is C-contiguous, else to numba's just-in-time
    kernel (imported on first need)."""

    def __init__(self, aot):
        self.aot = aot
        for kernel, args in SIGNATURES.items():
            setattr(self, kernel, self._dispatcher(kernel, [i for i, a in enumerate(args) if "[" in a]))

    def _dispatcher(self, kernel, arrays):
        exports = {dt: getattr(self.aot, f"{kernel}_{s}", None) for dt, s in _SUFFIX.items()}

        def call(*args):
            fn = exports[args[0].dtype] if self.aot is not None else None
            if fn is not None and all(args[i].flags.c_contiguous for i in arrays):
                try:
                    return fn(*args)
                except TypeError:  # an argument of another type than exported
                    pass
            return getattr(_jit_kernels(), kernel)(*args)
        call.__name__ = kernel
        return call


def _jit_kernels():
    from . import _jit_kernels as k  # imports numba
    return k
