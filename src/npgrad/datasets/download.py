"""Verified, atomic downloads from a list of mirrors, and where datasets live on disk.

The mirror lists and expected file sizes/hashes are module-level data (tests point them at a
local server).  Hashes: SHA-256 where the canonical bytes were verified locally (the MNIST test
files and their published md5 agree), otherwise the canonical md5 that torchvision and the
dataset authors publish (MNIST training files, Fashion-MNIST).  Debian's ``dataset-fashion-mnist``
ships the same images re-compressed, so its ``.gz`` bytes differ from the mirror's; it is read
from its folder directly and never checked against these hashes.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import socket
import tempfile
import urllib.error
import urllib.request
from typing import NamedTuple, Optional


class FileSpec(NamedTuple):
    """Expected size in bytes and digest(s) of a file exactly as the mirrors serve it."""

    size: int
    sha256: Optional[str] = None
    md5: Optional[str] = None


MNIST_MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]

MNIST_RESOURCES = {
    "train-images-idx3-ubyte.gz": FileSpec(9912422, md5="f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    "train-labels-idx1-ubyte.gz": FileSpec(28881, md5="d53e105ee54ea40749a09fcbcd1e9432"),
    "t10k-images-idx3-ubyte.gz": FileSpec(
        1648877, sha256="8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
    "t10k-labels-idx1-ubyte.gz": FileSpec(
        4542, sha256="f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
}

FASHION_MNIST_MIRRORS = [
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
]

FASHION_MNIST_RESOURCES = {
    "train-images-idx3-ubyte.gz": FileSpec(26421880, md5="8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
    "train-labels-idx1-ubyte.gz": FileSpec(29515, md5="25c81989df183df01b3e8a0aad5dffbe"),
    "t10k-images-idx3-ubyte.gz": FileSpec(4422102, md5="bef4ecab320f06d8554ea6380940ec79"),
    "t10k-labels-idx1-ubyte.gz": FileSpec(5148, md5="bb300cfdad3c16e7a12a480ee83cd310"),
}

TIMEOUT = 30.0  # seconds per connection attempt / read
_CHUNK = 1 << 20


class DownloadError(RuntimeError):
    """Every mirror failed for a file; the message lists each URL with its failure.

    ``failures`` holds the ``(url, reason)`` pairs.
    """

    def __init__(self, message, failures=()):
        super().__init__(message)
        self.failures = list(failures)


def default_root():
    """The data folder: ``$NPGRAD_DATA`` if set, else ``~/.cache/npgrad``."""
    return os.environ.get("NPGRAD_DATA") or os.path.join(os.path.expanduser("~"), ".cache", "npgrad")


def _digests(spec):
    return {name: hashlib.new(name) for name in ("sha256", "md5") if getattr(spec, name)}


def check_file(path, spec):
    """``None`` if ``path`` has the expected size and digests, else the reason it does not."""
    size = os.path.getsize(path)
    if size != spec.size:
        return f"size is {size} bytes, expected {spec.size}"
    hashes = _digests(spec)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            for h in hashes.values():
                h.update(chunk)
    return _digest_mismatch(hashes, spec)


def _digest_mismatch(hashes, spec):
    for name, h in hashes.items():
        expected = getattr(spec, name).lower()
        if h.hexdigest() != expected:
            label = {"sha256": "SHA-256", "md5": "MD5"}[name]
            return f"{label} mismatch: got {h.hexdigest()}, expected {expected}"
    return None


def _fetch(url, dest, spec, timeout):
    """Stream ``url`` to a temp file next to ``dest``, verify it, then rename it into place."""
    folder = os.path.dirname(dest) or "."
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(dest) + ".", suffix=".part")
    try:
        hashes, size = _digests(spec), 0
        with os.fdopen(fd, "wb") as out, \
                urllib.request.urlopen(urllib.request.Request(url, headers={"User-Agent": "npgrad"}),
                                       timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            if length is not None and length.isdigit() and int(length) != spec.size:
                raise ValueError(f"server announces {length} bytes, expected {spec.size}")
            for chunk in iter(lambda: resp.read(_CHUNK), b""):
                size += len(chunk)
                if size > spec.size:
                    raise ValueError(f"more than the expected {spec.size} bytes")
                out.write(chunk)
                for h in hashes.values():
                    h.update(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size != spec.size:
            raise ValueError(f"truncated: got {size} bytes, expected {spec.size}")
        bad = _digest_mismatch(hashes, spec)
        if bad:
            raise ValueError(bad)
        os.replace(tmp, dest)  # atomic: readers see no file or the whole verified file
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _reason(err, timeout):
    if isinstance(err, urllib.error.HTTPError):
        return f"HTTP {err.code} {err.reason}"
    if isinstance(err, (socket.timeout, TimeoutError)):
        return f"timed out after {timeout:g} s"
    if isinstance(err, urllib.error.URLError):
        return f"cannot connect ({err.reason})"
    if isinstance(err, http.client.IncompleteRead):
        return "connection closed before the whole file arrived (truncated)"
    return str(err) or type(err).__name__


def _makedirs(folder):
    """Create ``folder`` and its missing parents; returns the ones created, outermost first."""
    created, path = [], os.path.abspath(folder)
    while not os.path.isdir(path):
        created.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    os.makedirs(folder, exist_ok=True)
    return created[::-1]


def download_file(filename, folder, mirrors, spec, timeout=None):
    """Fetch ``filename`` into ``folder`` from the first mirror that serves it intact.

    Each try streams to a temp file, checks size and hash, and renames it into place; any
    failure (HTTP error, timeout, wrong size or hash) moves on to the next mirror.  Returns the
    path, or raises ``DownloadError`` listing every URL tried and why it failed.
    """
    timeout = TIMEOUT if timeout is None else timeout
    created = _makedirs(folder)
    dest = os.path.join(folder, filename)
    failures = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + filename
        try:
            _fetch(url, dest, spec, timeout)
            return dest
        except (OSError, ValueError, http.client.HTTPException) as e:  # URLError/timeouts are OSErrors
            failures.append((url, _reason(e, timeout)))
    for path in reversed(created):          # leave no empty cache folders behind
        try:
            os.rmdir(path)
        except OSError:                     # not empty (another file arrived): keep it
            break
    tried = "\n".join(f"  - {url}: {why}" for url, why in failures) or "  (no mirrors configured)"
    raise DownloadError(f"could not download {filename}; every mirror failed:\n{tried}", failures)
