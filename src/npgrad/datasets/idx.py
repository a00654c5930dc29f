"""The IDX file format of MNIST and Fashion-MNIST: a strict reader and a writer.

Layout: two zero bytes, a dtype code, the number of dimensions, one big-endian uint32 per
dimension, then the values (big-endian).  Files may be gzip-compressed; that is detected from
the gzip magic bytes, not the file name.  The reader checks every field and the exact byte
count, so a truncated or corrupt file raises ``IDXError`` naming the file and the problem
instead of returning a garbage array.
"""
from __future__ import annotations

import gzip
import os
import struct
import zlib

import numpy as np

_GZIP_MAGIC = b"\x1f\x8b"
_MAX_DIMS = 16

# IDX dtype code -> big-endian NumPy dtype
IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class IDXError(ValueError):
    """A file that is not a valid IDX file (bad magic, truncated, corrupt, wrong size)."""


def _open(path):
    """Open ``path`` for reading, transparently decompressing gzip (detected by its magic bytes)."""
    f = open(path, "rb")
    head = f.read(2)
    f.seek(0)
    return (gzip.GzipFile(fileobj=f, mode="rb"), f) if head == _GZIP_MAGIC else (f, f)


def _read_exact(f, n, path, what):
    buf = f.read(n)
    if len(buf) != n:
        raise IDXError(f"{path}: truncated IDX file: {what} needs {n} bytes, only {len(buf)} present")
    return buf


def _read_header(f, path):
    magic = _read_exact(f, 4, path, "the 4-byte magic number")
    if magic[0] != 0 or magic[1] != 0:
        raise IDXError(f"{path}: not an IDX file: magic number {magic.hex()} should start with two zero bytes")
    code, ndim = magic[2], magic[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise IDXError(f"{path}: unknown IDX dtype code 0x{code:02X} (known: {known})")
    if not 1 <= ndim <= _MAX_DIMS:
        raise IDXError(f"{path}: IDX header gives {ndim} dimensions; expected 1 to {_MAX_DIMS}")
    dims = struct.unpack(f">{ndim}I", _read_exact(f, 4 * ndim, path, f"the {ndim} dimension sizes"))
    return IDX_DTYPES[code], tuple(int(d) for d in dims)


def _read_into(f, view):
    """Fill ``view`` from ``f``; stops early only at end of file.  Returns the byte count."""
    got = 0
    while got < len(view):
        n = f.readinto(view[got:])
        if not n:
            break
        got += n
    return got


#: deflate never compresses better than about 1032:1, so a gzip file of n bytes holds at most this much
_GZIP_MAX_RATIO = 1100


def _check_size(path, raw, stream, dims, dtype, nbytes):
    """Refuse a header that announces more data than the file can hold, before allocating it."""
    size = os.fstat(raw.fileno()).st_size
    if stream is raw and nbytes > size - raw.tell():
        raise IDXError(f"{path}: truncated IDX file: header {dims} of {dtype.name} needs {nbytes} data bytes, "
                       f"only {size - raw.tell()} present")
    if stream is not raw and nbytes > size * _GZIP_MAX_RATIO:
        raise IDXError(f"{path}: truncated or corrupt IDX file: header {dims} of {dtype.name} needs {nbytes} data "
                       f"bytes, more than a {size}-byte gzip file can decompress to")


def read_idx(path):
    """Read an IDX file (raw or gzip) into a native-endian ndarray, validating it completely.

    >>> import os, tempfile, numpy as np
    >>> from npgrad.datasets.idx import read_idx, write_idx
    >>> p = os.path.join(tempfile.mkdtemp(), "a-idx1-ubyte.gz")
    >>> write_idx(p, np.arange(5, dtype=np.uint8))
    >>> read_idx(p)
    array([0, 1, 2, 3, 4], dtype=uint8)
    """
    path = os.fspath(path)
    stream, raw = _open(path)
    try:
        with raw:
            dtype, dims = _read_header(stream, path)
            count = 1
            for d in dims:  # Python ints: a product of 32-bit sizes may not fit int64
                count *= d
            nbytes = count * dtype.itemsize
            _check_size(path, raw, stream, dims, dtype, nbytes)
            try:
                out = np.empty(dims, dtype=dtype)
            except (MemoryError, ValueError):
                raise IDXError(f"{path}: IDX header {dims} of {dtype.name} asks for {nbytes} bytes, more than "
                               "this machine can allocate") from None
            # Decompress straight into the result: no intermediate bytes object, one copy.
            got = _read_into(stream, memoryview(out.reshape(-1)).cast("B")) if nbytes else 0
            if got != nbytes:
                raise IDXError(f"{path}: truncated IDX file: header {dims} of {dtype.name} needs "
                               f"{nbytes} data bytes, only {got} present")
            extra = len(stream.read(1 << 16))
            if extra:
                raise IDXError(f"{path}: corrupt IDX file: unexpected bytes after the {nbytes} data bytes "
                               f"that the header {dims} announces")
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise IDXError(f"{path}: truncated or corrupt gzip stream ({e})") from None
    return out if dtype.isnative else out.astype(dtype.newbyteorder("="))


def read_idx_header(path):
    """``(dtype, shape)`` from an IDX file's header, without reading the values."""
    path = os.fspath(path)
    stream, raw = _open(path)
    try:
        with raw:
            return _read_header(stream, path)
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise IDXError(f"{path}: truncated or corrupt gzip stream ({e})") from None


def write_idx(path, array, compress=None):
    """Write ``array`` as an IDX file (gzip when ``compress`` or when ``path`` ends with ``.gz``)."""
    arr = np.asarray(array)
    code = next((c for c, d in IDX_DTYPES.items() if d.kind == arr.dtype.kind
                 and d.itemsize == arr.dtype.itemsize), None)
    if code is None or arr.ndim == 0:
        raise ValueError(f"write_idx: cannot store an array of dtype {arr.dtype} and shape {arr.shape} as IDX")
    payload = bytes([0, 0, code, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape) \
        + arr.astype(IDX_DTYPES[code], copy=False).tobytes()
    if compress is None:
        compress = os.fspath(path).endswith(".gz")
    with open(path, "wb") as f:
        f.write(gzip.compress(payload, mtime=0) if compress else payload)
