"""Lab ``convolution`` — kernels, stride and padding, learned filters (note 002; 卷积 / 步幅 / 填充).

A 3x3 kernel slides over an image; at each place the overlapping numbers are multiplied and
summed (what CNNs call convolution is cross-correlation: the kernel is not flipped).  Done by hand
it agrees with ``F.conv2d``.  Output size per side: floor((n + 2p - k) / s) + 1.  Finally a small
CNN trained on the digits, its first-layer filters shown.
"""
from __future__ import annotations

import npgrad
import npgrad.nn.functional as F
from npgrad import nn
from npgrad.datasets import load_digits, train_test_split
from npgrad.utils.data import DataLoader, TensorDataset

from ._report import Report

#: what the lab teaches, printed first (plain words, the notes' terms beside)
INTRO = """A convolution (卷积) slides a small kernel over an image and, at each place, multiplies the overlapping
numbers and adds them up: a kernel like Sobel's responds to edges. Stride (步幅) is how far the
kernel moves each time, padding (填充) the border of zeros added around the image; the output has
floor((n + 2p - k) / s) + 1 pixels per side. Then a small CNN learns its own kernels."""

IMAGE = [[1, 2, 0, 3, 1, 0],
         [0, 1, 3, 1, 2, 2],
         [2, 0, 1, 0, 1, 3],
         [1, 3, 2, 2, 0, 1],
         [0, 1, 1, 3, 2, 0],
         [3, 0, 2, 1, 1, 2]]
KERNEL = [[1, 0, -1],
          [2, 0, -2],
          [1, 0, -1]]          # a Sobel filter: responds to vertical edges


def conv_by_hand(image, kernel, stride=1, padding=0):
    """Slide ``kernel`` over ``image`` (2-D tensors): multiply the overlap, sum, step by ``stride``."""
    if padding:
        image = F.pad(image, (padding, padding, padding, padding))
    k = kernel.shape[0]
    n_out = (image.shape[0] - k) // stride + 1
    m_out = (image.shape[1] - k) // stride + 1
    out = npgrad.zeros(n_out, m_out)
    for i in range(n_out):                        # the sliding window, written out for teaching
        for j in range(m_out):
            patch = image[i * stride:i * stride + k, j * stride:j * stride + k]
            out[i, j] = (patch * kernel).sum()
    return out


def output_size(n, k, stride, padding):
    """floor((n + 2p - k) / s) + 1."""
    return (n + 2 * padding - k) // stride + 1


def run(out_dir=None, quick=False, verbose=True):
    """Check the hand convolution and output sizes; train a small CNN. Returns the numbers.

    >>> from npgrad.labs import convolution
    >>> convolution.run(quick=True, verbose=False)['hand_equals_conv2d']
    True
    """
    r = Report("convolution, stride and padding — 卷积 / 步幅 / 填充", out_dir, verbose, intro=INTRO)
    img = npgrad.tensor(IMAGE, dtype=npgrad.float32)
    ker = npgrad.tensor(KERNEL, dtype=npgrad.float32)
    r.section("a 3x3 kernel over a 6x6 image, by hand and by F.conv2d")
    patch = [v for row in IMAGE[:3] for v in row[:3]]
    weights = [v for row in KERNEL for v in row]
    terms = " + ".join(f"{a}·({b})" for a, b in zip(patch, weights))
    r.say(f"  first window: {terms} = {(img[:3, :3] * ker).sum().item():g}")
    r.record("first_window", (img[:3, :3] * ker).sum().item())
    agree = True
    for stride, padding in ((1, 0), (2, 0), (1, 1), (2, 1)):
        hand = conv_by_hand(img, ker, stride, padding)
        lib = F.conv2d(img[None, None], ker[None, None], stride=stride, padding=padding)[0, 0]
        same = bool(npgrad.equal(hand, lib))
        agree &= same
        r.say(f"  stride {stride}, padding {padding}: output {tuple(lib.shape)}, hand == conv2d: {same}")
        if (stride, padding) == (1, 0):
            r.say("  " + str(lib.int().tolist()))
    r.record("hand_equals_conv2d", agree)

    r.section("output size per side: floor((n + 2p - k) / s) + 1")
    rows, sizes_ok = [], True
    for n, k, s, p in ((6, 3, 1, 0), (6, 3, 1, 1), (6, 3, 2, 0), (6, 3, 2, 1), (28, 5, 1, 0), (28, 5, 1, 2),
                       (28, 3, 2, 1), (32, 7, 2, 3)):
        got = F.conv2d(npgrad.zeros(1, 1, n, n), npgrad.zeros(1, 1, k, k), stride=s, padding=p).shape[-1]
        rows.append((n, k, s, p, output_size(n, k, s, p), got))
        sizes_ok &= got == output_size(n, k, s, p)
    r.table(["n", "kernel", "stride", "padding", "formula", "conv2d"], rows)
    r.record("sizes_agree", bool(sizes_ok))
    r.say("  padding (k - 1) / 2 keeps the size ('same'); stride 2 halves it.")
    _train_cnn(r, epochs=2 if quick else 8)
    return r.results


def _train_cnn(r, epochs):
    r.section(f"a small CNN on the 8x8 digits ({epochs} epochs, Adam)")
    X, y = load_digits()
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    npgrad.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(8 * 4 * 4, 10))
    opt = npgrad.optim.Adam(model.parameters(), lr=0.01)
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with npgrad.no_grad():
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
        maps = model[1](model[0](Xte[:1]))[0]
    r.say(f"  test accuracy {acc:.4f}")
    r.record("cnn_test_acc", acc)
    if r.out_dir is None:
        return
    from npgrad import viz
    filters = model[0].weight.detach()[:, 0]
    fig = viz.plot_image_grid(filters, ncols=8, cmap="RdBu_r", symmetric=True, colorbar=True,
                              title="first-layer filters (3x3): one colour scale, white = 0")
    r.figure(fig, "filters")
    fig = viz.plot_image_grid(npgrad.cat([Xte[:1, 0], maps]), ncols=9, cmap="viridis",
                              title="a test digit and its 8 feature maps")
    r.figure(fig, "feature_maps")
    shape = shapes_image()
    kernel = npgrad.tensor(KERNEL, dtype=npgrad.float32)
    edge = F.conv2d(shape[None, None], kernel[None, None], padding=1)[0, 0]
    fig = viz.plot_convolution(shape, kernel, edge, title="the Sobel kernel finds vertical edges: "
                                                          "blue where dark turns bright, red where bright turns dark")
    r.figure(fig, "sobel")


def shapes_image(size=24):
    """A test picture with clear edges: a bright square and a bright triangle on a dark background."""
    img = npgrad.zeros(size, size)
    img[4:12, 3:11] = 1.0                                   # the square: two vertical edges
    for row in range(8):                                     # the triangle: slanted edges
        img[14 + row, 14 - row // 2:15 + row // 2 + 1] = 1.0
    return img
