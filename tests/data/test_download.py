"""The downloader against a real HTTP server on 127.0.0.1 (ephemeral port, in a thread)."""
import hashlib
import http.server
import os
import socket
import tempfile
import threading
import time

import numpy as np
import pytest

import npgrad.datasets
from npgrad.datasets import download as dl
from npgrad.datasets.idx import write_idx


def _idx_bytes(arr):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "a.gz")
        write_idx(path, arr, compress=True)
        with open(path, "rb") as f:
            return f.read()


class _Handler(http.server.BaseHTTPRequestHandler):
    routes = {}   # path -> (kind, bytes)
    hits = []

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        type(self).hits.append(self.path)
        kind, body = self.routes.get(self.path, ("missing", b""))
        if kind == "missing":
            self.send_error(404, "Not Found")
            return
        if kind == "slow":
            time.sleep(1.0)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body) + (7 if kind == "cut" else 0)))
        self.end_headers()
        self.wfile.write(body)  # "cut" announces more bytes than it sends, then closes


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # clients that hang up early are expected here
        pass


@pytest.fixture
def server():
    _Handler.routes, _Handler.hits = {}, []
    httpd = _QuietServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Handler
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def payload():
    good = _idx_bytes(np.arange(200, dtype=np.uint8) % 10)
    return good, dl.FileSpec(len(good), sha256=hashlib.sha256(good).hexdigest())


def _serve_variants(handler, name, good):
    corrupt = bytes([good[0] ^ 1]) + good[1:]
    handler.routes.update({
        f"/good/{name}": ("ok", good),
        f"/corrupt/{name}": ("ok", corrupt),          # right size, wrong hash
        f"/trunc/{name}": ("ok", good[:-10]),         # honest but short
        f"/cut/{name}": ("cut", good[:-7]),           # connection drops mid-file
        f"/long/{name}": ("ok", good + b"xx"),
    })


def _leftovers(folder):
    return [f for f in os.listdir(folder) if f.endswith(".part")]


def test_falls_through_mirrors_to_the_good_one(server, payload, tmp_path):
    base, handler = server
    good, spec = payload
    _serve_variants(handler, "f.gz", good)
    mirrors = [f"{base}/missing/", f"{base}/corrupt/", f"{base}/trunc/", f"{base}/cut/", f"{base}/long/",
               f"{base}/good/"]
    path = dl.download_file("f.gz", str(tmp_path), mirrors, spec)
    assert open(path, "rb").read() == good
    assert handler.hits == [m[len(base):] + "f.gz" for m in mirrors]
    assert _leftovers(tmp_path) == []


def test_total_failure_lists_every_url_and_leaves_nothing(server, payload, tmp_path):
    base, handler = server
    good, spec = payload
    _serve_variants(handler, "f.gz", good)
    mirrors = [f"{base}/missing/", f"{base}/corrupt/", f"{base}/trunc/", f"{base}/cut/", f"{base}/long"]
    with pytest.raises(dl.DownloadError) as info:
        dl.download_file("f.gz", str(tmp_path), mirrors, spec)
    msg = str(info.value)
    for m in mirrors:
        assert m.rstrip("/") + "/f.gz" in msg
    assert "HTTP 404" in msg and "SHA-256 mismatch" in msg and "truncated" in msg
    assert len(info.value.failures) == len(mirrors)
    assert os.listdir(tmp_path) == []  # no partial or unverified file kept


def test_md5_checked_when_that_is_the_known_hash(server, payload, tmp_path):
    base, handler = server
    good, _ = payload
    _serve_variants(handler, "f.gz", good)
    spec = dl.FileSpec(len(good), md5=hashlib.md5(good).hexdigest())
    dl.download_file("f.gz", str(tmp_path), [f"{base}/corrupt/", f"{base}/good/"], spec)
    assert dl.check_file(tmp_path / "f.gz", spec) is None
    bad = dl.FileSpec(len(good), md5="0" * 32)
    with pytest.raises(dl.DownloadError, match="MD5 mismatch"):
        dl.download_file("f.gz", str(tmp_path / "other"), [f"{base}/good/"], bad)
    assert not (tmp_path / "other").exists()          # the folder it made is removed again


def test_timeout_and_refused_connection(server, payload, tmp_path, monkeypatch):
    base, handler = server
    good, spec = payload
    handler.routes["/slow/f.gz"] = ("slow", good)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/"
    with pytest.raises(dl.DownloadError) as info:
        dl.download_file("f.gz", str(tmp_path), [f"{base}/slow/", dead], spec, timeout=0.2)
    msg = str(info.value)
    assert "timed out" in msg and "cannot connect" in msg
    assert os.listdir(tmp_path) == []


def _tiny_mnist(n=3):
    images = (np.arange(n * 28 * 28) % 256).astype(np.uint8).reshape(n, 28, 28)
    return {"t10k-images-idx3-ubyte.gz": _idx_bytes(images),
            "t10k-labels-idx1-ubyte.gz": _idx_bytes(np.arange(n, dtype=np.uint8))}


def _patch_resources(monkeypatch, files, mirrors, which="MNIST"):
    specs = {k: dl.FileSpec(len(v), sha256=hashlib.sha256(v).hexdigest()) for k, v in files.items()}
    monkeypatch.setattr(dl, f"{which}_RESOURCES", specs)
    monkeypatch.setattr(dl, f"{which}_MIRRORS", mirrors)


def test_mnist_download_true_uses_mirrors_then_cache(server, tmp_path, monkeypatch):
    base, handler = server
    files = _tiny_mnist()
    for name, body in files.items():
        handler.routes[f"/b/{name}"] = ("ok", body)
        handler.routes[f"/a/{name}"] = ("ok", body[:-1] + b"\x00")  # first mirror serves corrupt files
    _patch_resources(monkeypatch, files, [f"{base}/a/", f"{base}/b/"])
    ds = npgrad.datasets.MNIST(tmp_path, train=False, download=True)
    assert len(ds) == 3 and ds.targets.tolist() == [0, 1, 2]
    assert sorted(os.listdir(tmp_path / "MNIST" / "raw")) == sorted(files)
    n_hits = len(handler.hits)
    npgrad.datasets.MNIST(tmp_path, train=False, download=True)  # already there: no network
    assert len(handler.hits) == n_hits


def test_mnist_total_failure_says_how_to_place_files(server, tmp_path, monkeypatch):
    base, _ = server
    _patch_resources(monkeypatch, _tiny_mnist(), [f"{base}/x/", f"{base}/y/"])
    with pytest.raises(dl.DownloadError) as info:
        npgrad.datasets.MNIST(tmp_path, train=False, download=True)
    msg = str(info.value)
    assert f"{base}/x/t10k-images-idx3-ubyte.gz" in msg and f"{base}/y/t10k-images-idx3-ubyte.gz" in msg
    assert str(tmp_path / "MNIST" / "raw") in msg and "t10k-labels-idx1-ubyte.gz" in msg
    assert msg.count("by hand") == 1                       # said once, not "by hand ... by hand"
    assert not (tmp_path / "MNIST").exists()               # no empty cache folders left behind


def test_not_found_without_download(tmp_path):
    with pytest.raises(RuntimeError, match="download=True"):
        npgrad.datasets.MNIST(tmp_path, train=True)


def test_default_root_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NPGRAD_DATA", str(tmp_path))
    assert dl.default_root() == str(tmp_path)
    monkeypatch.delenv("NPGRAD_DATA")
    assert dl.default_root().endswith(os.path.join(".cache", "npgrad"))


def test_canonical_hashes_match_local_copies():
    from tests.sample_data import mnist_t10k
    folder = mnist_t10k()
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        assert dl.check_file(os.path.join(folder, name), dl.MNIST_RESOURCES[name]) is None
