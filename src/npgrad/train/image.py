"""Reading a picture of one digit (or garment) and preparing it like the training images.

Expected input: a PNG (or any format ``matplotlib.image.imread`` reads) of a single digit, any size,
grey or colour.  A dark digit on a light background (ink on paper) is inverted automatically to the
MNIST convention, a light digit on a dark background.  The digit is cropped to its bounding box,
centred on a square with the dataset's margin (MNIST digits sit in a 20x20 box inside 28x28; the
8x8 digits fill their frame), resized to the model's input size by area averaging, scaled so the
brightest ink is 1, and standardised with the training set's mean and standard deviation.
"""
from __future__ import annotations

import os

import numpy as np

__all__ = ["read_grayscale", "to_mnist_convention", "resize_area", "prepare_image"]


def read_grayscale(path):
    """The image at ``path`` as a float32 (H, W) array in [0, 1]; transparent pixels count as white."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"image not found: {path}")
    from .._optional import require
    mpimg = require("matplotlib.image", "reading an image")
    try:
        img = np.asarray(mpimg.imread(path))
    except Exception as exc:  # matplotlib/PIL raise many types for a file that is not an image
        raise ValueError(f"cannot read image {path}: {exc}") from None
    if img.dtype.kind in "ui":               # JPEG and friends come back as 0..255 integers
        img = img / np.float32(np.iinfo(img.dtype).max)
    img = img.astype(np.float32, copy=False)
    if img.ndim == 3:
        rgb, alpha = img[..., :3], (img[..., 3:4] if img.shape[2] == 4 else None)
        if rgb.shape[2] == 3:
            rgb = rgb @ np.array([0.299, 0.587, 0.114], np.float32)[:, None]
        if alpha is not None:                # composite over a white sheet of paper
            rgb = rgb * alpha + (1.0 - alpha)
        img = rgb[..., 0]
    if img.ndim != 2 or min(img.shape) < 1:
        raise ValueError(f"cannot read image {path}: expected a 2-D picture, got an array of shape {img.shape}")
    return img


def to_mnist_convention(img):
    """Invert ``img`` when its border is bright (dark ink on light paper), so the digit is the bright part."""
    border = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
    return 1.0 - img if np.median(border) > 0.5 else img


def _area_weights(n_in, n_out):
    """(n_out, n_in) matrix: how much of each input pixel falls into each output pixel, rows summing to 1."""
    edges = np.linspace(0.0, n_in, n_out + 1)
    lo, hi = edges[:-1, None], edges[1:, None]
    pix = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(hi, pix + 1) - np.maximum(lo, pix), 0.0, None)
    return (overlap / overlap.sum(axis=1, keepdims=True)).astype(np.float32)


def resize_area(img, height, width):
    """Resize a 2-D array by area averaging: two small matrix products, no loop over pixels.

    >>> resize_area(np.arange(16.0).reshape(4, 4), 2, 2).tolist()
    [[2.5, 4.5], [10.5, 12.5]]
    """
    return _area_weights(img.shape[0], height) @ img @ _area_weights(img.shape[1], width).T


def _centre_on_square(img, margin):
    """Crop to the ink's bounding box and pad to a square with ``margin`` (a fraction of the side) around it."""
    ink = img > 0.2 * img.max() if img.max() > 0 else np.ones_like(img, bool)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    img = img[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    side = max(img.shape)
    full = int(round(side / (1.0 - 2.0 * margin)))
    out = np.zeros((full, full), np.float32)
    top, left = (full - img.shape[0]) // 2, (full - img.shape[1]) // 2
    out[top:top + img.shape[0], left:left + img.shape[1]] = img
    return out


def prepare_image(path, input_shape, mean, std, margin=0.0):
    """The picture at ``path`` as a float32 batch of one, shaped ``(1, *input_shape)``, ready for the model."""
    if len(input_shape) != 3 or input_shape[0] != 1:
        raise ValueError(f"predict needs a model of 1-channel images; this one takes inputs of shape "
                         f"{tuple(input_shape)}")
    img = to_mnist_convention(read_grayscale(path))
    img = resize_area(_centre_on_square(img, margin), input_shape[1], input_shape[2])
    peak = img.max()
    if peak > 0:
        img = img / peak
    img = (img - np.float32(mean)) / np.float32(std)
    return img.reshape(1, *input_shape).astype(np.float32, copy=False)
