"""Image transforms with torchvision's names, vectorised over a whole batch.

Every transform takes one image ``(C, H, W)`` (or ``(H, W)``) or a batch ``(N, C, H, W)`` and
returns the same layout; random transforms draw one set of parameters per image from npgrad's
global generator (``npgrad.manual_seed``) or the ``generator=`` given, with no Python loop over
images.  Tensors are treated as channels-first; NumPy arrays given to ``ToTensor`` follow
torchvision and are read as ``(H, W, C)`` / ``(N, H, W, C)``.

>>> import npgrad
>>> from npgrad.utils.data import transforms as T
>>> t = T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,)), T.RandomCrop(28, padding=2)])
>>> t(npgrad.zeros(16, 1, 28, 28, dtype=npgrad.uint8)).shape
torch.Size([16, 1, 28, 28])
"""
from __future__ import annotations

import numbers

import numpy as np

from ...random import _gen
from ...tensor import Tensor


def _unwrap(x, name):
    if isinstance(x, Tensor):
        return x._data, True
    if isinstance(x, np.ndarray):
        return x, False
    raise TypeError(f"{name}: expected a Tensor or an ndarray image, got {type(x).__name__}")


def _wrap(arr, as_tensor):
    return Tensor._make(arr, None, False, None) if as_tensor else arr


def _as_batch(arr, name):
    """A (N, C, H, W) view of one image or a batch, and a function restoring the input's layout."""
    if arr.ndim == 4:
        return arr, lambda out: out
    if arr.ndim == 3:
        return arr[None], lambda out: out[0]
    if arr.ndim == 2:
        return arr[None, None], lambda out: out[0, 0]
    raise ValueError(f"{name}: expected an image (H, W) or (C, H, W) or a batch (N, C, H, W), "
                     f"got shape {tuple(arr.shape)}")


def _pair(v, name, what):
    if isinstance(v, numbers.Number):
        return int(v), int(v)
    v = tuple(int(a) for a in v)
    if len(v) == 1:
        return v[0], v[0]
    if len(v) != 2:
        raise ValueError(f"{name}: {what} should be an int or a sequence of 1 or 2 ints, got {v}")
    return v


def is_batch_safe(transform):
    """Whether ``transform`` gives the same result on a batch as on each image of it.

    True for ``None``, the transforms of this module (a ``Lambda`` only when built with
    ``batched=True``) and ``Compose`` of such.  Datasets use this to decide whether they may
    transform a whole gathered batch at once or must go image by image.
    """
    if transform is None:
        return True
    if isinstance(transform, Compose):
        return all(is_batch_safe(t) for t in transform.transforms)
    return bool(getattr(transform, "_batch_safe", False))


class Compose:
    """Apply transforms one after the other.

    >>> import npgrad
    >>> from npgrad.utils.data import transforms as T
    >>> T.Compose([T.Lambda(lambda x: x + 1), T.Lambda(lambda x: x * 2)])(npgrad.zeros(1)).item()
    2.0
    """

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        body = "".join(f"\n    {t!r}" for t in self.transforms)
        return f"{type(self).__name__}({body}\n)"


class Lambda:
    """Wrap a function as a transform.

    Pass ``batched=True`` when the function works unchanged on a batch (N, C, H, W) as on one
    image (C, H, W); datasets then apply it to whole batches instead of image by image.

    >>> from npgrad.utils.data import transforms as T
    >>> T.Lambda(lambda x: x * 3)(2)
    6
    """

    def __init__(self, lambd, *, batched=False):
        if not callable(lambd):
            raise TypeError(f"Lambda: argument should be callable, got {type(lambd).__name__}")
        self.lambd = lambd
        self._batch_safe = bool(batched)

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f"{type(self).__name__}()"


class ToTensor:
    """uint8 images in [0, 255] -> float32 tensors in [0, 1]; other dtypes are wrapped unchanged.

    A 2-D image gains a channel axis.  NumPy input is channels-last as in torchvision
    ((H, W, C) or (N, H, W, C)) and is moved to channels-first; tensors are already channels-first.

    >>> import numpy as np
    >>> from npgrad.utils.data import transforms as T
    >>> T.ToTensor()(np.full((2, 2), 255, np.uint8)).shape, T.ToTensor()(np.full((2, 2), 255, np.uint8)).max()
    (torch.Size([1, 2, 2]), tensor(1.))
    """

    _batch_safe = True

    def __call__(self, pic):
        arr, is_tensor = _unwrap(pic, "ToTensor")
        if arr.ndim == 2:
            arr = arr[None]
        elif not is_tensor and arr.ndim in (3, 4):
            arr = np.moveaxis(arr, -1, -3)
        if arr.dtype == np.uint8:
            # Division (not multiplication by 1/255) gives torchvision's exact values.
            arr = np.divide(arr, np.float32(255), dtype=np.float32)
        return Tensor._make(arr, None, False, None)

    def __repr__(self):
        return f"{type(self).__name__}()"


class Normalize:
    """``(x - mean) / std`` per channel, for float images or batches.

    >>> import npgrad
    >>> from npgrad.utils.data import transforms as T
    >>> T.Normalize((0.5,), (0.5,))(npgrad.ones(1, 2, 2)).sum().item()
    4.0
    """

    _batch_safe = True

    def __init__(self, mean, std, inplace=False):
        self.mean = tuple(float(m) for m in np.atleast_1d(mean))
        self.std = tuple(float(s) for s in np.atleast_1d(std))
        self.inplace = inplace
        if any(s == 0 for s in self.std):
            raise ValueError(f"Normalize: std evaluated to zero, leading to division by zero (std={self.std})")

    def __call__(self, img):
        arr, is_tensor = _unwrap(img, "Normalize")
        if arr.dtype.kind != "f":
            raise TypeError(f"Normalize: input should be a float tensor, got {arr.dtype} "
                            "(apply ToTensor first)")
        if arr.ndim < 3:
            raise ValueError(f"Normalize: expected (C, H, W) or (N, C, H, W), got shape {tuple(arr.shape)}")
        c = arr.shape[-3]
        mean = np.asarray(self.mean, arr.dtype).reshape(-1, 1, 1)
        std = np.asarray(self.std, arr.dtype).reshape(-1, 1, 1)
        if mean.shape[0] not in (1, c) or std.shape[0] not in (1, c):
            raise ValueError(f"Normalize: mean has {mean.shape[0]} and std {std.shape[0]} values, "
                             f"but the image has {c} channels")
        out = np.subtract(arr, mean, out=arr if self.inplace else None)
        np.divide(out, std, out=out)
        return _wrap(out, is_tensor)

    def __repr__(self):
        return f"{type(self).__name__}(mean={list(self.mean)}, std={list(self.std)})"


class _RandomFlip:
    _batch_safe = True
    _axis = -1

    def __init__(self, p=0.5, *, generator=None):
        if not 0 <= p <= 1:
            raise ValueError(f"{type(self).__name__}: p must be in [0, 1], got {p}")
        self.p = p
        self.generator = generator

    def __call__(self, img):
        name = type(self).__name__
        arr, is_tensor = _unwrap(img, name)
        batch, restore = _as_batch(arr, name)
        flip = _gen(self.generator).random(batch.shape[0]) < self.p
        flipped = np.flip(batch, axis=self._axis)
        out = np.where(flip[:, None, None, None], flipped, batch)
        return _wrap(restore(out), is_tensor)

    def __repr__(self):
        return f"{type(self).__name__}(p={self.p})"


class RandomHorizontalFlip(_RandomFlip):
    """Mirror each image left-right with probability ``p``.

    >>> import npgrad
    >>> from npgrad.utils.data import transforms as T
    >>> T.RandomHorizontalFlip(p=1.0)(npgrad.arange(3.0).reshape(1, 1, 3))
    tensor([[[2., 1., 0.]]])
    """

    _axis = -1


class RandomVerticalFlip(_RandomFlip):
    """Mirror each image top-bottom with probability ``p``."""

    _axis = -2


def _padding4(padding, name):
    if isinstance(padding, numbers.Number):
        p = int(padding)
        return p, p, p, p
    p = tuple(int(v) for v in padding)
    if len(p) == 1:
        return p * 4
    if len(p) == 2:
        return p[0], p[1], p[0], p[1]
    if len(p) == 4:
        return p
    raise ValueError(f"{name}: padding must be an int or a sequence of 1, 2 or 4 ints, got {padding!r}")


class RandomCrop:
    """Crop a random ``size`` window from each image, after optional padding (as in torchvision).

    ``padding`` is an int, (left/right, top/bottom) or (left, top, right, bottom);
    ``padding_mode`` is ``'constant'`` (with ``fill``), ``'edge'``, ``'reflect'`` or ``'symmetric'``.

    >>> import npgrad
    >>> from npgrad.utils.data import transforms as T
    >>> T.RandomCrop(28, padding=4)(npgrad.ones(8, 1, 28, 28)).shape
    torch.Size([8, 1, 28, 28])
    """

    _batch_safe = True

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant", *,
                 generator=None):
        self.size = _pair(size, "RandomCrop", "size")
        self.padding = None if padding is None else _padding4(padding, "RandomCrop")
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError(f"RandomCrop: padding_mode should be constant, edge, reflect or symmetric, "
                             f"got {padding_mode!r}")
        self.pad_if_needed, self.fill, self.padding_mode = pad_if_needed, fill, padding_mode
        self.generator = generator

    def _pad(self, batch):
        left, top, right, bottom = self.padding or (0, 0, 0, 0)
        h, w = self.size
        if self.pad_if_needed:
            right += max(0, w - (batch.shape[3] + left + right))
            bottom += max(0, h - (batch.shape[2] + top + bottom))
        if not any((left, top, right, bottom)):
            return batch
        widths = ((0, 0), (0, 0), (top, bottom), (left, right))
        if self.padding_mode == "constant":
            return np.pad(batch, widths, mode="constant", constant_values=self.fill)
        return np.pad(batch, widths, mode=self.padding_mode)

    def __call__(self, img):
        arr, is_tensor = _unwrap(img, "RandomCrop")
        batch, restore = _as_batch(arr, "RandomCrop")
        padded = self._pad(batch)
        n, c, hp, wp = padded.shape
        h, w = self.size
        if h > hp or w > wp:
            raise ValueError(f"RandomCrop: required crop size {(h, w)} is larger than the (padded) input "
                             f"image size {(hp, wp)}")
        rng = _gen(self.generator)
        top = rng.integers(0, hp - h + 1, size=n)
        left = rng.integers(0, wp - w + 1, size=n)
        # A view of every (h, w) window; picking one per image copies whole windows at once.
        windows = np.lib.stride_tricks.sliding_window_view(padded, (h, w), axis=(2, 3))
        out = windows[np.arange(n), :, top, left]
        return _wrap(restore(out), is_tensor)

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


class InterpolationMode:
    """Resampling modes accepted by ``RandomRotation`` (torchvision's names)."""

    NEAREST = "nearest"
    BILINEAR = "bilinear"


class RandomRotation:
    """Rotate each image by its own random angle in ``degrees`` (counter-clockwise is positive).

    ``degrees`` is a number d (angles in [-d, d]) or a (min, max) pair.  Pixels are resampled by
    ``'nearest'`` (default, as torchvision) or ``'bilinear'`` interpolation about the image centre
    (or ``center=(x, y)``); points that come from outside the image take ``fill``.

    >>> import npgrad
    >>> from npgrad.utils.data import transforms as T
    >>> T.RandomRotation(10)(npgrad.ones(4, 1, 28, 28)).shape
    torch.Size([4, 1, 28, 28])
    """

    _batch_safe = True

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=0,
                 *, generator=None):
        if isinstance(degrees, numbers.Number):
            if degrees < 0:
                raise ValueError(f"RandomRotation: if degrees is a single number, it must be positive, "
                                 f"got {degrees}")
            degrees = (-degrees, degrees)
        degrees = tuple(float(d) for d in degrees)
        if len(degrees) != 2:
            raise ValueError(f"RandomRotation: degrees should be a number or a sequence of 2 numbers, got {degrees}")
        interpolation = getattr(interpolation, "value", interpolation)
        if str(interpolation).lower() not in ("nearest", "bilinear"):
            raise ValueError(f"RandomRotation: interpolation must be 'nearest' or 'bilinear', got {interpolation!r}")
        if expand:
            raise NotImplementedError("RandomRotation: expand=True is not supported (output keeps the input size)")
        self.degrees, self.interpolation = degrees, str(interpolation).lower()
        self.center, self.fill, self.generator = center, fill, generator

    def __call__(self, img):
        arr, is_tensor = _unwrap(img, "RandomRotation")
        batch, restore = _as_batch(arr, "RandomRotation")
        angles = _gen(self.generator).uniform(self.degrees[0], self.degrees[1], size=batch.shape[0])
        out = rotate(batch, angles, self.interpolation, self.center, self.fill)
        return _wrap(restore(out), is_tensor)

    def __repr__(self):
        return f"{type(self).__name__}(degrees={list(self.degrees)}, interpolation={self.interpolation})"


def _source_coords(n_angles, h, w, angles, center):
    """Where each output pixel samples the input: the inverse rotation of the pixel grid."""
    cx, cy = ((w - 1) / 2, (h - 1) / 2) if center is None else (float(center[0]), float(center[1]))
    theta = np.deg2rad(np.asarray(angles, np.float64)).reshape(n_angles, 1, 1)
    cos, sin = np.cos(theta).astype(np.float32), np.sin(theta).astype(np.float32)
    y = (np.arange(h, dtype=np.float32) - cy)[None, :, None]
    x = (np.arange(w, dtype=np.float32) - cx)[None, None, :]
    # rows grow downwards, so a counter-clockwise turn of the picture is this matrix on (x, y)
    return cos * x - sin * y + cx, sin * x + cos * y + cy  # fresh (N, H, W) arrays


def rotate(batch, angles, interpolation="nearest", center=None, fill=0):
    """Rotate a batch (N, C, H, W) by per-image ``angles`` in degrees (counter-clockwise)."""
    n, c, h, w = batch.shape
    sx, sy = _source_coords(n, h, w, angles, center)
    # A border of ``fill`` (1 pixel before, 2 after, so x0 + 1 stays inside): clamping the
    # source coordinates onto it reads ``fill`` outside the image, with no masks.
    np.clip(sx, -1, w, out=sx)
    np.clip(sy, -1, h, out=sy)
    src = np.pad(batch, ((0, 0), (0, 0), (1, 2), (1, 2)), constant_values=fill)
    if interpolation != "nearest" and src.dtype.kind != "f":
        src = src.astype(np.float32)
    flat = src.reshape(-1)
    row, plane = w + 3, (h + 3) * (w + 3)
    base = (np.arange(n) * (c * plane))[:, None, None] + (np.arange(c) * plane)[None, :, None] + row + 1

    def at(ys, xs):
        return np.take(flat, base + (ys * row + xs).reshape(n, 1, h * w))

    if interpolation == "nearest":
        out = at(np.rint(sy).astype(np.int64), np.rint(sx).astype(np.int64))
        return out.reshape(n, c, h, w)
    x0, y0 = np.floor(sx), np.floor(sy)
    wx, wy = (sx - x0).reshape(n, 1, -1), (sy - y0).reshape(n, 1, -1)
    x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
    out = (1 - wy) * ((1 - wx) * at(y0, x0) + wx * at(y0, x0 + 1)) \
        + wy * ((1 - wx) * at(y0 + 1, x0) + wx * at(y0 + 1, x0 + 1))
    if batch.dtype.kind in "iu":
        info = np.iinfo(batch.dtype)
        out = np.clip(np.rint(out), info.min, info.max)
    return out.astype(batch.dtype, copy=False).reshape(n, c, h, w)
