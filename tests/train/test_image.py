import matplotlib.image as mpimg
import numpy as np
import pytest

from npgrad.train.image import prepare_image, read_grayscale, resize_area, to_mnist_convention


def test_resize_area_averages_blocks_and_keeps_the_mean(rng):
    img = rng.random((12, 18)).astype(np.float32)
    small = resize_area(img, 4, 6)
    np.testing.assert_allclose(small, img.reshape(4, 3, 6, 3).mean(axis=(1, 3)), rtol=1e-5)
    odd = resize_area(img, 5, 7)                      # non-integer factors
    assert odd.shape == (5, 7)
    assert odd.mean() == pytest.approx(img.mean(), rel=1e-4)


def test_resize_area_upsamples_by_repetition():
    img = np.array([[0.0, 1.0], [1.0, 0.0]], np.float32)
    np.testing.assert_array_equal(resize_area(img, 4, 4), np.kron(img, np.ones((2, 2))))


def test_dark_on_light_is_inverted_light_on_dark_is_kept():
    paper = np.ones((10, 10), np.float32)
    paper[3:7, 4:6] = 0.0
    assert to_mnist_convention(paper)[5, 5] == 1.0 and to_mnist_convention(paper)[0, 0] == 0.0
    screen = 1.0 - paper
    np.testing.assert_array_equal(to_mnist_convention(screen), screen)


def test_read_grayscale_rgb_and_transparency(tmp_path):
    rgba = np.zeros((6, 6, 4), np.float32)
    rgba[..., 3] = 0.0                                 # fully transparent: white paper
    rgba[2:4, 2:4] = [1.0, 0.0, 0.0, 1.0]              # opaque red square
    mpimg.imsave(str(tmp_path / "a.png"), rgba)
    gray = read_grayscale(str(tmp_path / "a.png"))
    assert gray.shape == (6, 6) and gray.dtype == np.float32
    assert gray[0, 0] == pytest.approx(1.0) and gray[2, 2] == pytest.approx(0.299, abs=0.01)


def test_prepare_image_matches_the_training_preparation(tmp_path):
    """An 8x8 digit (filling its frame, as the 8x8 digits do) drawn large, dark on white, comes back as the
    same 8x8 standardised input."""
    digit = np.zeros((8, 8), np.float32)
    digit[:, 2:6] = np.linspace(0.3, 1.0, 32).reshape(8, 4)
    mpimg.imsave(str(tmp_path / "d.png"), np.kron(1.0 - digit, np.ones((8, 8))), cmap="gray", vmin=0, vmax=1)
    x = prepare_image(str(tmp_path / "d.png"), [1, 8, 8], mean=0.3, std=0.4)
    assert x.shape == (1, 1, 8, 8) and x.dtype == np.float32
    np.testing.assert_allclose(x[0, 0] * 0.4 + 0.3, digit, atol=0.02)


def test_prepare_image_mnist_margin_centres_the_digit(tmp_path):
    img = np.ones((100, 60), np.float32)
    img[10:90, 20:40] = 0.0                            # a tall dark bar on white
    mpimg.imsave(str(tmp_path / "bar.png"), img, cmap="gray", vmin=0, vmax=1)
    x = prepare_image(str(tmp_path / "bar.png"), [1, 28, 28], mean=0.0, std=1.0, margin=4 / 28)[0, 0]
    rows, cols = np.flatnonzero(x.max(1) > 0.5), np.flatnonzero(x.max(0) > 0.5)
    assert (rows[0], rows[-1]) == (4, 23)             # 20 rows tall inside a 4-pixel margin
    assert abs((cols[0] + cols[-1]) / 2 - 13.5) <= 0.5


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.png"):
        read_grayscale(str(tmp_path / "nope.png"))
    (tmp_path / "bad.png").write_bytes(b"not an image")
    with pytest.raises(ValueError, match="cannot read image"):
        read_grayscale(str(tmp_path / "bad.png"))
    mpimg.imsave(str(tmp_path / "ok.png"), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="1-channel images"):
        prepare_image(str(tmp_path / "ok.png"), [2], 0.0, 1.0)
