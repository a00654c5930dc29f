"""Elementwise details the op table does not reach: special values, rounding modes, integer ops."""
import numpy as np
import pytest

import npgrad

SAME = [
    ("sign_inf", lambda T: T.sign(T.tensor([-np.inf, 0.0, np.inf, -2.0]))),
    ("remainder_signs", lambda T: T.remainder(T.tensor([-3.0, 3.0, -3.5, 7.0]), T.tensor([2.0, -2.0, 2.0, 3.0]))),
    ("fmod_signs", lambda T: T.fmod(T.tensor([-3.0, 3.0, -3.5, 7.0]), T.tensor([2.0, -2.0, 2.0, 3.0]))),
    ("mod_int", lambda T: T.tensor([-7, 7]) % 3),
    ("floordiv", lambda T: T.tensor([-7.0, 7.0]) // 2),
    ("div_trunc", lambda T: T.div(T.tensor([-7, 7]), 2, rounding_mode="trunc")),
    ("div_floor", lambda T: T.div(T.tensor([-7.0, 7.0]), 2, rounding_mode="floor")),
    ("int_div", lambda T: T.tensor([1, 2]) / T.tensor([2, 4])),
    ("int_pow", lambda T: T.tensor([2, 3]) ** 3),
    ("exp_overflow", lambda T: T.exp(T.tensor([100.0, -100.0]))),
    ("log_zero_neg", lambda T: T.log(T.tensor([0.0, -1.0]))),
    ("sqrt_neg", lambda T: T.sqrt(T.tensor([-1.0, 4.0]))),
    ("div_zero", lambda T: T.tensor([1.0, -1.0, 0.0]) / 0.0),
    ("sigmoid_extremes", lambda T: T.sigmoid(T.tensor([-1000.0, 1000.0, 0.0]))),
    ("tanh_extremes", lambda T: T.tanh(T.tensor([-1000.0, 1000.0]))),
    ("clamp_int", lambda T: T.clamp(T.tensor([1, 5, 9]), 2, 6)),
    ("clamp_int_float", lambda T: T.clamp(T.tensor([1, 5, 9]), 2.5)),
    ("round", lambda T: T.round(T.tensor([0.5, 1.5, 2.5, -0.5]))),
    ("floor_ceil_trunc", lambda T: T.stack([T.floor(T.tensor([-1.5, 1.5])), T.ceil(T.tensor([-1.5, 1.5])),
                                            T.trunc(T.tensor([-1.5, 1.5]))])),
    ("abs_int", lambda T: T.abs(T.tensor([-3, 4]))),
    ("neg_int", lambda T: -T.tensor([3, -4])),
    ("maximum_nan", lambda T: T.maximum(T.tensor([np.nan, 1.0]), T.tensor([0.0, np.nan]))),
    ("eq_int_float", lambda T: T.tensor([1, 2]) == T.tensor([1.0, 2.5])),
    ("isnan_isinf", lambda T: T.stack([T.isnan(T.tensor([np.nan, 1.0])), T.isinf(T.tensor([np.inf, 1.0]))])),
    ("bitwise_bool", lambda T: (T.tensor([True, False]) & T.tensor([True, True])) ^ T.tensor([False, True])),
    ("invert_bool", lambda T: ~T.tensor([True, False])),
    ("where_scalars", lambda T: T.where(T.tensor([True, False]), 1.0, 0.0)),
    ("where_int_scalar", lambda T: T.where(T.tensor([True, False]), T.tensor([5, 6]), 0)),
]


@pytest.mark.parametrize("build", [s[1] for s in SAME], ids=[s[0] for s in SAME])
def test_matches_torch(build, torch):
    with np.errstate(all="ignore"):
        a = build(npgrad)
    b = build(torch)
    assert a.dtype.name == str(b.dtype).replace("torch.", "")
    np.testing.assert_allclose(a._data.astype(np.float64), b.numpy().astype(np.float64), rtol=1e-6, equal_nan=True)


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # sqrt'(0) * 0 is nan, as in PyTorch
@pytest.mark.parametrize("f", [
    lambda T, x: T.sign(x), lambda T, x: x.abs(), lambda T, x: T.relu(x), lambda T, x: x.clamp(0.0, 1.0),
    lambda T, x: T.sqrt(x * x), lambda T, x: T.maximum(x, T.zeros(3)), lambda T, x: x % 1.0,
], ids=["sign", "abs", "relu", "clamp", "sqrt_at_0", "maximum", "remainder"])
def test_gradients_at_kinks_match_torch(f, torch):
    grads = []
    for T in (npgrad, torch):
        x = T.tensor([0.0, 1.0, -1.0], requires_grad=True)
        f(T, x).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


def test_sign_gradient_is_zero_not_none():
    x = npgrad.tensor([1.0, -2.0], requires_grad=True)
    (npgrad.sign(x) * 3).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_integer_pow_negative_exponent():
    with pytest.raises(RuntimeError, match="negative integer powers"):
        npgrad.tensor([2, 3]) ** -1


def test_python_scalar_operands_on_either_side():
    x = npgrad.tensor([1.0, 2.0])
    assert (1 - x).tolist() == [0.0, -1.0] and (x - 1).tolist() == [0.0, 1.0]
    assert (2 / x).tolist() == [2.0, 1.0] and (2 ** x).tolist() == [2.0, 4.0]
    assert (True + x).tolist() == [2.0, 3.0]
    assert (x * np.float64(2.0)).dtype == npgrad.float32  # a NumPy scalar is a scalar too


def test_data_updates_with_numpy_operands():
    # the old tutorials' `p.data -= lr * p.grad` writes into the parameter, outside the graph
    p = npgrad.ones(3, requires_grad=True)
    (p * 2).sum().backward()
    arr = p.numpy(force=True)
    with npgrad.no_grad():
        p.data -= 0.5 * p.grad
    assert p.numpy(force=True) is arr and p.tolist() == [0.0, 0.0, 0.0]
    p.data -= 0.5 * p.grad                      # outside no_grad too: .data is detached
    assert p.tolist() == [-1.0, -1.0, -1.0] and p.is_leaf and p.requires_grad
    # NumPy operands on the left defer to the tensor (np.float64(2) * t is a tensor, as in PyTorch)
    assert isinstance(np.ones(3) - npgrad.ones(3), npgrad.Tensor)


def test_pow_gradients_at_zero_match_torch(torch):
    """0 ** 0, 0 ** (y < 0) and x ** 0: PyTorch's values (0, -inf, ...), no nan from 0 * inf."""
    xs, ys = np.array([0., 0., 0., 0., 2., -2., 0.]), np.array([0., -1., 2., -0.5, 0., 0., 0.5])
    grads = {}
    for T in (npgrad, torch):
        x, y = T.tensor(xs, requires_grad=True), T.tensor(ys, requires_grad=True)
        (x ** y).sum().backward()
        y2 = T.tensor(ys, requires_grad=True)
        (0.0 ** y2).sum().backward()
        grads[T.__name__] = [x.grad.numpy(), y.grad.numpy(), y2.grad.numpy()]
    for a, b in zip(grads["npgrad"], grads["torch"]):
        np.testing.assert_array_equal(a, b)


def test_integer_pow_with_negative_exponents(torch):
    b, e = np.array([2, 0, -1, -1, 1, 3]), np.array([-1, -2, -3, -2, -5, 2])
    np.testing.assert_array_equal((npgrad.tensor(b) ** npgrad.tensor(e)).numpy(),
                                  (torch.tensor(b) ** torch.tensor(e)).numpy())


@pytest.mark.parametrize("call", [
    lambda T, x: T.clamp(x, -0.5, 0.5), lambda T, x: x.clamp(0, 1), lambda T, x: T.clamp(x, max=0.25),
    lambda T, x: x ** 2, lambda T, x: T.square(x), lambda T, x: T.pow(x, 0.5),
])
@pytest.mark.parametrize("dtype", ["bool", "int32", "uint8"])
def test_scalar_operands_promote_bool_and_int_inputs(call, dtype, torch):
    x = np.array([0, 1, 1, 0, 1]).astype(dtype)
    ours, theirs = call(npgrad, npgrad.tensor(x)), call(torch, torch.tensor(x))
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())


ALPHA_CALLS = [
    lambda T: T.add(T.tensor([True, False]), T.tensor([True, True]), alpha=2),
    lambda T: T.add(T.tensor([1, 2], dtype=T.int32), T.tensor(3), alpha=2),
    lambda T: T.add(T.tensor([1, 2], dtype=T.int32), T.tensor([1, 2], dtype=T.int32), alpha=2.5),
    lambda T: T.add(T.tensor([1.0, 2.0]), T.tensor([1.0, 2.0]), alpha=True),
    lambda T: T.sub(T.tensor([1, 2], dtype=T.uint8), 3, alpha=2),
    lambda T: T.add(T.tensor([1.0, 2.0]), T.tensor([1, 2]), alpha=0.5),
    lambda T: T.tensor([1.0, 2.0]) - True,
    lambda T: 1.5 - T.tensor([True, False]),
    lambda T: T.sub(T.tensor([1.0, 2.0]), T.tensor([True, False]), alpha=2),
]


@pytest.mark.parametrize("call", ALPHA_CALLS)
def test_alpha_and_bool_operands_of_add_sub_as_pytorch(call, torch):
    """alpha takes no part in type promotion (bool + 2 * bool is bool), a float alpha needs a float
    result, and no bool tensor may take part in a subtraction."""
    try:
        theirs = call(torch)
    except RuntimeError as e:
        with pytest.raises(RuntimeError, match=str(e).split(",")[0][:40]):
            call(npgrad)
        return
    ours = call(npgrad)
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "") and ours.tolist() == theirs.tolist()


def test_sign_of_nan_is_zero_and_sign_of_bool_is_bool(torch):
    x = [float("nan"), -0.0, 2.0, -3.0, float("inf")]
    for dt in ("float32", "float16"):
        ours, theirs = [T.sign(T.tensor(x, dtype=getattr(T, dt))) for T in (npgrad, torch)]
        assert ours.dtype.name == dt and ours.tolist() == theirs.tolist()
    assert npgrad.sgn(npgrad.tensor([True, False])).tolist() == torch.sgn(torch.tensor([True, False])).tolist()


def test_clamp_with_a_nan_tensor_bound_gives_nan(torch):
    bound = [float("nan"), 0.5, 5.0]
    for T in (npgrad, torch):
        lo = T.clamp(T.tensor([1, 2, 3], dtype=T.uint8), min=T.tensor(bound))
        hi = T.tensor([1.0, 2.0, 3.0]).clamp(max=T.tensor(bound))
        assert np.isnan(lo[0].item()) and lo[1:].tolist() == [2.0, 5.0]
        assert np.isnan(hi[0].item()) and hi[1:].tolist() == [0.5, 3.0]


@pytest.mark.parametrize("call", [lambda T, b: b ** True, lambda T, b: b ** False, lambda T, b: T.pow(b, b),
                                  lambda T, b: T.pow(True, b), lambda T, b: 2 ** b])
def test_powers_of_bool_tensors(call, torch):
    try:
        theirs = call(torch, torch.tensor([True, False]))
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            call(npgrad, npgrad.tensor([True, False]))
        return
    ours = call(npgrad, npgrad.tensor([True, False]))
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "") and ours.tolist() == theirs.tolist()


def test_lerp_refuses_an_end_of_another_dtype(torch):
    for T in (torch, npgrad):
        with pytest.raises(RuntimeError, match="expected dtype"):
            T.lerp(T.tensor([1.0, 2.0]), T.tensor([3.0, 4.0], dtype=T.float64), 0.5)


def test_clamp_bound_out_of_the_dtype_range_raises_runtime_error(torch):
    for T in (torch, npgrad):
        with pytest.raises(RuntimeError, match="without overflow"):
            T.clamp(T.tensor([0, 200], dtype=T.uint8), max=300)
        with pytest.raises(RuntimeError, match="without overflow"):
            T.clamp(T.tensor([1.0, 2.0], dtype=T.float16), 1e-4, 1e5)
        assert T.clamp(T.tensor([1.0, 2.0], dtype=T.float16), max=float("inf")).tolist() == [1.0, 2.0]


def test_heaviside_refuses_values_of_another_dtype(torch):
    for T in (torch, npgrad):
        with pytest.raises(RuntimeError, match="different dtypes"):
            T.heaviside(T.tensor([True, False]), T.tensor([1, 2], dtype=T.uint8))
        assert T.heaviside(T.tensor([-1.0, 0.0, 2.0]), T.tensor([0.5, 0.5, 0.5])).tolist() == [0.0, 0.5, 1.0]


@pytest.mark.parametrize("value", [300, -1, 256, -300, 2.5])
def test_where_python_int_must_fit_an_integer_result(value, torch):
    res = []
    for T in (torch, npgrad):
        try:
            res.append(T.where(T.tensor([True, False]), T.tensor([1, 2], dtype=T.uint8), value).tolist())
        except RuntimeError as e:
            res.append("overflow" if "without overflow" in str(e) else str(e))
    assert res[0] == res[1]
