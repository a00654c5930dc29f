import gzip
import hashlib
import os
import struct

import numpy as np
import pytest

from npgrad.datasets.idx import IDXError, read_idx, read_idx_header, write_idx

from tests.sample_data import MNIST_T10K as MNIST_DIR, needs_mnist  # noqa: E402


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("gz", [False, True])
def test_round_trip_all_dtypes(tmp_path, dtype, gz, rng):
    arr = (rng.standard_normal((3, 4, 2)) * 50).astype(dtype)
    # the name never decides the format: gzip is detected from the magic bytes
    path = tmp_path / "data-idx"
    write_idx(path, arr, compress=gz)
    out = read_idx(path)
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative and out.flags.writeable
    np.testing.assert_array_equal(out, arr)


def test_big_endian_layout_on_disk(tmp_path):
    write_idx(tmp_path / "a", np.array([1, 258], np.int32))
    raw = (tmp_path / "a").read_bytes()
    assert raw == bytes([0, 0, 0x0C, 1]) + struct.pack(">I", 2) + struct.pack(">ii", 1, 258)


def _write_raw(path, payload, gz=False):
    path.write_bytes(gzip.compress(payload) if gz else payload)
    return path


def _good_payload():
    return bytes([0, 0, 0x08, 2]) + struct.pack(">II", 2, 3) + bytes(range(6))


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("mutate, match", [
    (lambda p: p[:-2], "truncated"),
    (lambda p: p + b"\x00\x01", "unexpected bytes"),
    (lambda p: b"\x01" + p[1:], "magic"),
    (lambda p: p[:2] + b"\x07" + p[3:], "dtype code 0x07"),
    (lambda p: p[:3] + b"\x00" + p[4:], "dimensions"),
    (lambda p: p[:6], "dimension sizes"),
    (lambda p: p[:3], "magic number"),
    (lambda p: b"", "magic number"),
])
def test_bad_files_raise_naming_file_and_problem(tmp_path, gz, mutate, match):
    path = _write_raw(tmp_path / "bad-idx3-ubyte", mutate(_good_payload()), gz)
    with pytest.raises(IDXError, match=match) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_truncated_and_corrupt_gzip_stream(tmp_path):
    blob = gzip.compress(_good_payload() * 50)
    cut = _write_raw(tmp_path / "cut.gz", blob[: len(blob) // 2])
    with pytest.raises(IDXError, match="gzip") as info:
        read_idx(cut)
    assert "cut.gz" in str(info.value)
    flipped = bytearray(gzip.compress(_good_payload()))
    flipped[12] ^= 0xFF
    with pytest.raises(IDXError):
        read_idx(_write_raw(tmp_path / "flip.gz", bytes(flipped)))


def test_valid_file_is_accepted(tmp_path):
    out = read_idx(_write_raw(tmp_path / "ok", _good_payload()))
    np.testing.assert_array_equal(out, np.arange(6, dtype=np.uint8).reshape(2, 3))
    assert read_idx_header(tmp_path / "ok") == (np.dtype(np.uint8), (2, 3))


@needs_mnist
def test_real_mnist_test_split():
    images = read_idx(os.path.join(MNIST_DIR, "t10k-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(MNIST_DIR, "t10k-labels-idx1-ubyte.gz"))
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels[:5].tolist() == [7, 2, 1, 0, 4]
    assert np.bincount(labels).tolist()[:3] == [980, 1135, 1032]


@needs_mnist
def test_real_file_uncompressed_and_truncated(tmp_path):
    raw = gzip.decompress(open(os.path.join(MNIST_DIR, "t10k-labels-idx1-ubyte.gz"), "rb").read())
    np.testing.assert_array_equal(read_idx(_write_raw(tmp_path / "labels", raw))[:3], [7, 2, 1])
    with pytest.raises(IDXError, match="10000 data bytes, only 9999"):
        read_idx(_write_raw(tmp_path / "short", raw[:-1]))
    assert hashlib.md5(open(os.path.join(MNIST_DIR, "t10k-labels-idx1-ubyte.gz"), "rb").read()).hexdigest() \
        == "ec29112dd5afa0611ce80d1b7f02629c"
