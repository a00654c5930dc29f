import numpy as np
import pytest

import npgrad
from npgrad.utils.data import transforms as T


def _u8(rng, *shape):
    return rng.integers(0, 256, size=shape, dtype=np.uint8)


def test_to_tensor_scales_uint8_and_adds_channel(rng):
    img = _u8(rng, 5, 6)
    out = T.ToTensor()(img)
    assert out.dtype == npgrad.float32 and tuple(out.shape) == (1, 5, 6)
    np.testing.assert_array_equal(out.numpy()[0], img.astype(np.float32) / np.float32(255))
    hwc = _u8(rng, 4, 5, 3)
    assert tuple(T.ToTensor()(hwc).shape) == (3, 4, 5)  # NumPy input is channels-last, as torchvision
    batch = npgrad.from_numpy(_u8(rng, 7, 1, 4, 4))
    out = T.ToTensor()(batch)
    assert tuple(out.shape) == (7, 1, 4, 4) and float(out.max()) <= 1.0


def test_to_tensor_matches_torch_division(torch, rng):
    img = _u8(rng, 3, 8, 8)
    ours = T.ToTensor()(npgrad.from_numpy(img)).numpy()
    theirs = torch.from_numpy(img).float().div(255).numpy()
    np.testing.assert_array_equal(ours, theirs)


def test_normalize_per_channel_single_and_batch(rng):
    x = rng.random((4, 3, 5, 5), dtype=np.float32)
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    ref = (x - np.array(mean, np.float32)[:, None, None]) / np.array(std, np.float32)[:, None, None]
    out = T.Normalize(mean, std)(npgrad.from_numpy(x))
    assert out.dtype == npgrad.float32
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-6)
    np.testing.assert_allclose(T.Normalize(mean, std)(npgrad.from_numpy(x[1])).numpy(), ref[1], rtol=1e-6)
    assert np.array_equal(x, x.copy())  # input untouched (inplace=False)


def test_normalize_errors():
    with pytest.raises(ValueError, match="zero"):
        T.Normalize((0.5,), (0.0,))
    with pytest.raises(TypeError, match="float"):
        T.Normalize((0.5,), (0.5,))(npgrad.zeros(1, 2, 2, dtype=npgrad.uint8))
    with pytest.raises(ValueError, match="channels"):
        T.Normalize((0.5, 0.5), (0.5, 0.5))(npgrad.zeros(3, 2, 2))


def test_horizontal_flip_all_none_and_mixed(rng):
    x = rng.random((40, 2, 3, 4), dtype=np.float32)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(1.0)(x), x[..., ::-1])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(0.0)(x), x)
    out = T.RandomHorizontalFlip(0.5)(x)
    flipped = np.array([np.array_equal(o, xi[..., ::-1]) for o, xi in zip(out, x)])
    kept = np.array([np.array_equal(o, xi) for o, xi in zip(out, x)])
    assert (flipped | kept).all() and 0 < flipped.sum() < 40  # per-image coin, not one per batch
    np.testing.assert_array_equal(T.RandomVerticalFlip(1.0)(x), x[..., ::-1, :])


def test_random_crop_windows_come_from_padded_image(rng):
    x = rng.random((30, 2, 6, 6), dtype=np.float32) + 1.0
    out = T.RandomCrop(6, padding=2)(npgrad.from_numpy(x)).numpy()
    assert out.shape == (30, 2, 6, 6)
    padded = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))
    offsets = set()
    for n in range(30):
        hits = [(i, j) for i in range(5) for j in range(5) if np.array_equal(out[n], padded[n, :, i:i + 6, j:j + 6])]
        assert hits, f"sample {n} is not a crop of its padded image"
        offsets.add(hits[0])
    assert len(offsets) > 3  # each image gets its own offset


def test_random_crop_sizes_modes_and_errors(rng):
    img = rng.random((1, 4, 5), dtype=np.float32)
    assert tuple(T.RandomCrop((2, 3))(img).shape) == (1, 2, 3)
    assert tuple(T.RandomCrop(7, pad_if_needed=True)(img).shape) == (1, 7, 7)
    out = T.RandomCrop(4, padding=(0, 0, 0, 0), padding_mode="edge")(img)
    assert out.shape == (1, 4, 4)
    full = T.RandomCrop((8, 9), padding=2, fill=-1.0)(img)
    np.testing.assert_array_equal(full[0, :2], -1.0)
    with pytest.raises(ValueError, match="larger"):
        T.RandomCrop(10)(img)
    with pytest.raises(ValueError, match="padding_mode"):
        T.RandomCrop(2, padding_mode="wrap")


@pytest.mark.parametrize("interp", ["nearest", "bilinear"])
@pytest.mark.parametrize("size", [5, 6])
def test_rotation_by_quarter_turns_is_exact(interp, size, rng):
    x = rng.random((2, 3, size, size), dtype=np.float32)
    r90 = T.RandomRotation((90, 90), interpolation=interp)(x)
    np.testing.assert_allclose(r90, np.rot90(x, k=1, axes=(2, 3)), atol=1e-5)  # counter-clockwise
    r180 = T.RandomRotation((180, 180), interpolation=interp)(x)
    np.testing.assert_allclose(r180, x[..., ::-1, ::-1], atol=1e-5)
    np.testing.assert_allclose(T.RandomRotation(0, interpolation=interp)(x), x)


def test_rotation_bilinear_matches_reference_loop(rng):
    img = rng.random((1, 7, 7), dtype=np.float32)
    out = T.RandomRotation((20, 20), interpolation="bilinear", fill=0.5)(img)[0]
    th, c = np.deg2rad(20.0), 3.0
    ref = np.empty((7, 7))
    for yo in range(7):
        for xo in range(7):
            sx = np.cos(th) * (xo - c) - np.sin(th) * (yo - c) + c
            sy = np.sin(th) * (xo - c) + np.cos(th) * (yo - c) + c
            x0, y0 = int(np.floor(sx)), int(np.floor(sy))
            acc = 0.0
            for dy in (0, 1):
                for dx in (0, 1):
                    wgt = (sx - x0 if dx else 1 - (sx - x0)) * (sy - y0 if dy else 1 - (sy - y0))
                    yy, xx = y0 + dy, x0 + dx
                    acc += wgt * (img[0, yy, xx] if 0 <= yy < 7 and 0 <= xx < 7 else 0.5)
            ref[yo, xo] = acc
    np.testing.assert_allclose(out, ref, atol=1e-5)


def test_rotation_per_image_angles_and_seeded(rng):
    x = np.zeros((16, 1, 9, 9), np.float32)
    x[:, :, 4, :] = 1.0  # a horizontal bar
    npgrad.manual_seed(3)
    a = T.RandomRotation(30)(npgrad.from_numpy(x)).numpy()
    npgrad.manual_seed(3)
    b = T.RandomRotation(30)(npgrad.from_numpy(x)).numpy()
    np.testing.assert_array_equal(a, b)
    assert len({a[i].tobytes() for i in range(16)}) > 4
    smooth = T.RandomRotation(30, interpolation="bilinear")(x)
    assert len({smooth[i].tobytes() for i in range(16)}) == 16  # one angle per image
    u8 = (x * 255).astype(np.uint8)
    out = T.RandomRotation(15, interpolation=T.InterpolationMode.BILINEAR)(u8)
    assert out.dtype == np.uint8 and out.shape == u8.shape


def test_rotation_arguments():
    with pytest.raises(ValueError, match="positive"):
        T.RandomRotation(-5)
    with pytest.raises(ValueError, match="interpolation"):
        T.RandomRotation(5, interpolation="bicubic")
    with pytest.raises(ValueError, match="batch"):
        T.RandomRotation(5)(np.zeros((1, 1, 1, 2, 2), np.float32))


def test_compose_lambda_and_batch_safety():
    pipe = T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,)), T.RandomHorizontalFlip()])
    out = pipe(npgrad.full((4, 1, 3, 3), 255, dtype=npgrad.uint8))
    np.testing.assert_allclose(out.numpy(), 1.0)
    assert T.is_batch_safe(pipe) and T.is_batch_safe(None)
    assert not T.is_batch_safe(T.Compose([pipe, T.Lambda(lambda x: x)]))
    assert T.is_batch_safe(T.Lambda(lambda x: x, batched=True))
    with pytest.raises(TypeError, match="callable"):
        T.Lambda(3)
    assert "Normalize" in repr(pipe)


def test_single_image_and_batch_give_same_layout(rng):
    img = rng.random((1, 8, 8), dtype=np.float32)
    for t in (T.RandomCrop(8, padding=1), T.RandomHorizontalFlip(), T.RandomRotation(10)):
        assert t(img).shape == img.shape
        assert t(img[0]).shape == img[0].shape
        assert isinstance(t(npgrad.from_numpy(img)), npgrad.Tensor)
