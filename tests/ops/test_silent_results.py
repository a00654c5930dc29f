"""Values that used to be silently wrong (NaN ordering, float16 accumulation, conversions), each
compared with PyTorch; and the valid neighbours of refused calls, which must keep working."""
import numpy as np
import pytest

import npgrad

nan = float("nan")


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _same(a, b, **kw):
    np.testing.assert_allclose(_np(a), _np(b), equal_nan=True, **kw)


NAN_DATA = [[1.0, nan, 3.0, 3.0, -1.0], [nan, nan, 0.0, 2.0, 2.0]]


@pytest.mark.parametrize("descending", [False, True])
def test_sort_puts_nan_where_pytorch_does(torch, descending):
    ours = npgrad.tensor(NAN_DATA).sort(dim=1, descending=descending)
    ref = torch.tensor(NAN_DATA).sort(dim=1, descending=descending, stable=True)
    _same(ours.values, ref.values)
    np.testing.assert_array_equal(_np(ours.indices), ref.indices.numpy())
    np.testing.assert_array_equal(_np(npgrad.tensor(NAN_DATA).argsort(1, descending=descending)),
                                  torch.tensor(NAN_DATA).argsort(dim=1, descending=descending, stable=True).numpy())


@pytest.mark.parametrize("largest", [True, False])
def test_topk_treats_nan_as_largest(torch, largest):
    ours = npgrad.tensor(NAN_DATA[0]).topk(2, largest=largest)
    ref = torch.tensor(NAN_DATA[0]).topk(2, largest=largest)
    _same(ours.values, ref.values)
    np.testing.assert_array_equal(_np(ours.indices), ref.indices.numpy())


@pytest.mark.parametrize("dtype", ["uint8", "int64"])
def test_descending_sort_of_integers_does_not_wrap(torch, dtype):
    vals = [0, 5, 200, 7] if dtype == "uint8" else [0, -2 ** 63, 2 ** 63 - 1, 5]
    ours = npgrad.tensor(vals, dtype=getattr(npgrad, dtype)).sort(descending=True).values
    assert ours.tolist() == torch.tensor(vals, dtype=getattr(torch, dtype)).sort(descending=True).values.tolist()


@pytest.mark.parametrize("fn", ["fmax", "fmin"])
def test_fmax_fmin_ignore_nan_with_pytorch_gradients(torch, fn):
    a, b = [nan, 1.0, 2.0, nan, -1.0], [1.0, nan, 2.0, nan, 3.0]
    xa, xb = npgrad.tensor(a, requires_grad=True), npgrad.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    y, ty = getattr(npgrad, fn)(xa, xb), getattr(torch, fn)(ta, tb)
    _same(y, ty.detach())
    (y * npgrad.arange(1.0, 6.0)).sum().backward()
    (ty * torch.arange(1.0, 6.0)).sum().backward()
    _same(xa.grad, ta.grad)
    _same(xb.grad, tb.grad)


def test_float16_norm_accumulates_in_float32(torch):
    x = np.full(1000, 100.0, np.float16)
    ours = npgrad.from_numpy(x).norm()
    assert ours.dtype == npgrad.float16 and np.isfinite(ours.item())
    _same(ours, torch.from_numpy(x).norm(), rtol=1e-3)


def test_float16_norm_gradient_is_finite():
    x = npgrad.full((1000,), 100.0, dtype=npgrad.float16, requires_grad=True)
    x.norm().backward()
    assert np.isfinite(_np(x.grad)).all()


def test_float16_cumsum_does_not_stall(torch):
    x = np.full(10000, 0.1, np.float16)
    ours = npgrad.from_numpy(x).cumsum(0)
    assert ours.dtype == npgrad.float16
    _same(ours, torch.from_numpy(x).cumsum(0), rtol=2e-3)


@pytest.mark.parametrize("data,dtype", [
    ([-1, -255, 255], "uint8"),           # PyTorch wraps negative ints into unsigned types
    ([1.5, -1.5, 2.9], "int64"),         # floats truncate toward zero
    ([9.2e18, -9.2e18], "int64"),        # inside int64's range
    ([300, 0], "bool"),
    ([1e6], "float16"),                  # float overflow to inf is allowed
    ([127, -128], "int8"),
])
def test_conversions_pytorch_accepts(torch, data, dtype):
    ours = npgrad.tensor(data, dtype=getattr(npgrad, dtype))
    assert ours.tolist() == torch.tensor(data, dtype=getattr(torch, dtype)).tolist()


def test_numpy_arrays_convert_without_range_checks(torch):
    # PyTorch checks Python values only; arrays and tensors are cast (and wrap) like .to()
    arr = np.array([300, 44])
    assert npgrad.tensor(arr, dtype=npgrad.uint8).tolist() == torch.tensor(arr, dtype=torch.uint8).tolist()
    assert npgrad.tensor([300]).to(npgrad.uint8).tolist() == torch.tensor([300]).to(torch.uint8).tolist()


def test_numpy_scalar_is_checked_like_a_python_value(torch):
    with pytest.raises(RuntimeError):
        torch.tensor(np.int64(300), dtype=torch.uint8)
    with pytest.raises(RuntimeError, match="uint8"):
        npgrad.tensor(np.int64(300), dtype=npgrad.uint8)


def test_fill_and_full_check_the_value(torch):
    for lib in (npgrad, torch):
        with pytest.raises(RuntimeError):
            lib.zeros(2, dtype=lib.uint8).fill_(300)
        with pytest.raises(RuntimeError):
            lib.full((2,), nan, dtype=lib.int64)
    assert npgrad.zeros(2, dtype=npgrad.int64).fill_(2.7).tolist() == \
        torch.zeros(2, dtype=torch.int64).fill_(2.7).tolist()


def test_trunc_division_of_large_integers_is_exact(torch):
    a, b = [2 ** 62 + 1, -(2 ** 62) - 3, 7, -7], [3, 3, -2, 2]
    ours = npgrad.div(npgrad.tensor(a), npgrad.tensor(b), rounding_mode="trunc")
    assert ours.tolist() == torch.div(torch.tensor(a), torch.tensor(b), rounding_mode="trunc").tolist()


def test_float_division_by_zero_still_gives_inf(torch):
    assert npgrad.tensor([5, -5]).div(0).tolist() == torch.tensor([5, -5]).div(0).tolist()
    assert (npgrad.tensor([5.0]) // 0).tolist() == (torch.tensor([5.0]) // 0).tolist()


def test_grad_assignment_accepts_matching_tensors_and_none():
    x = npgrad.ones(3, requires_grad=True)
    x.grad = npgrad.full((3,), 2.0)
    assert x.grad.tolist() == [2.0, 2.0, 2.0]
    x.grad = None
    assert x.grad is None


def test_wrong_shape_grad_is_not_broadcast_by_sgd():
    w = npgrad.nn.Parameter(npgrad.ones(3))
    with pytest.raises(RuntimeError, match="size"):
        w.grad = npgrad.ones(1)
    assert w.grad is None


def test_tensor_of_sizes_is_still_uninitialised_storage(torch):
    assert tuple(npgrad.Tensor(5).shape) == tuple(torch.Tensor(5).shape) == (5,)
    assert npgrad.Tensor([5]).tolist() == torch.Tensor([5]).tolist() == [5.0]


def test_cat_and_stack_take_tuples_of_tensors(torch):
    for lib in (npgrad, torch):
        assert lib.cat((lib.ones(2), lib.zeros(1))).tolist() == [1.0, 1.0, 0.0]
        assert lib.stack((lib.ones(2), lib.zeros(2))).shape == (2, 2)


def test_cat_keeps_a_skipped_legacy_empty_tensor_in_the_graph(torch):
    # PyTorch skips 1-D empty tensors in cat (for the shapes) but they still get a gradient, an empty one
    for lib in (npgrad, torch):
        x, e = lib.ones(2, 3, requires_grad=True), lib.empty(0, requires_grad=True)
        y = lib.cat([e, x, e], 1)
        y.sum().backward()
        assert tuple(y.shape) == (2, 3) and tuple(e.grad.shape) == (0,) and x.grad.tolist() == [[1.0] * 3] * 2
    with pytest.raises(RuntimeError, match="for tensor number 2 in the list"):
        npgrad.cat([npgrad.empty(0), npgrad.ones(2, 3), npgrad.ones(2, 4)])


def test_float32_std_accumulates_in_float64_as_pytorch(torch):
    data = [[1e30, -1e30, 3e29], [1.0, 2.0, 4.0]]
    for kw in ({}, {"dim": 1}, {"dim": 1, "correction": 0, "keepdim": True}):
        ours, ref = npgrad.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        a, b = ours.std(**kw), ref.std(**kw)
        assert a.dtype == npgrad.float32 and a.grad_fn.name() == "StdBackward0"
        _same(a, b.detach(), rtol=1e-6)
        a.sum().backward(), b.sum().backward()
        _same(ours.grad, ref.grad, rtol=1e-5, atol=1e-7)


def test_roll_with_paired_shifts_and_dims(torch):
    x = np.arange(12.0).reshape(3, 4)
    for args in [((1, -1), (0, 1)), (2, 1), (5, None)]:
        _same(npgrad.roll(npgrad.tensor(x), *args), torch.roll(torch.tensor(x), *args))


def test_index_select_accepts_int32_and_0d_index(torch):
    x = np.arange(6.0).reshape(3, 2)
    for idx in ([2, 0], 1):
        for dt in ("int64", "int32"):
            ours = npgrad.tensor(x).index_select(0, npgrad.tensor(idx, dtype=getattr(npgrad, dt)))
            _same(ours, torch.tensor(x).index_select(0, torch.tensor(idx, dtype=getattr(torch, dt))))


def test_cross_entropy_targets_pytorch_accepts(torch):
    logits = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    for dt in ("int64", "uint8"):
        t = [0, 2, 1, 2]
        ours = npgrad.nn.functional.cross_entropy(npgrad.tensor(logits), npgrad.tensor(t, dtype=getattr(npgrad, dt)))
        ref = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(t, dtype=getattr(torch, dt)))
        _same(ours, ref, rtol=1e-5)
    # a 0-d index for a single sample, and probabilities of the input's shape
    _same(npgrad.nn.functional.cross_entropy(npgrad.tensor(logits[0]), npgrad.tensor(1)),
          torch.nn.functional.cross_entropy(torch.tensor(logits[0]), torch.tensor(1)), rtol=1e-5)


def test_negative_label_smoothing_is_ignored_as_in_pytorch(torch):
    logits = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    t = [0, 2, 1, 2]
    ours = npgrad.nn.functional.cross_entropy(npgrad.tensor(logits), npgrad.tensor(t), label_smoothing=-0.1)
    ref = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(t), label_smoothing=-0.1)
    _same(ours, ref, rtol=1e-5)


def test_where_accepts_uint8_condition_as_pytorch(torch):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = torch.where(torch.tensor([1, 0], dtype=torch.uint8), torch.ones(2), torch.zeros(2))
    ours = npgrad.where(npgrad.tensor([1, 0], dtype=npgrad.uint8), npgrad.ones(2), npgrad.zeros(2))
    assert ours.tolist() == ref.tolist()


def test_bernoulli_and_normal_edges_pytorch_accepts(torch):
    assert npgrad.bernoulli(npgrad.tensor([0.0, 1.0])).tolist() == [0.0, 1.0]
    assert np.isinf(_np(npgrad.normal(0.0, float("inf"), (2,)))).all()
    assert torch.isinf(torch.normal(0.0, float("inf"), (2,))).all()


def test_arange_with_consistent_signs(torch):
    for args in [(10, 0, -3), (0, 10, 3), (5, 5, 1), (1.0, 0.0, -0.25)]:
        assert npgrad.arange(*args).tolist() == torch.arange(*args).tolist()


def test_multinomial_with_zero_weights_never_draws_them():
    out = npgrad.multinomial(npgrad.tensor([0.0, 1.0, 0.0, 2.0]), 2)
    assert sorted(out.tolist()) == [1, 3]


@pytest.mark.parametrize("p", [1, 3, 0])
def test_float16_p_norms_accumulate_in_float32(torch, p):
    x = np.full(1000, 30.0, np.float16)
    ours = npgrad.from_numpy(x).norm(p=p)
    assert ours.dtype == npgrad.float16
    _same(ours, torch.from_numpy(x).norm(p=p), rtol=1e-3)


@pytest.mark.parametrize("dtype", ["int32", "uint8", "float64", "float32", "int16"])
def test_view_dtype_reinterprets_the_bytes(torch, dtype):
    x = np.linspace(-2, 2, 8).astype(np.float32).reshape(2, 4)
    ours = npgrad.from_numpy(x.copy()).view(getattr(npgrad, dtype))
    ref = torch.from_numpy(x.copy()).view(getattr(torch, dtype))
    assert tuple(ours.shape) == tuple(ref.shape)
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())


def test_view_dtype_errors_as_pytorch(torch):
    for call in (lambda T: T.ones(3).view(T.float64), lambda T: T.ones(4, 2).t().view(T.float64),
                 lambda T: T.ones(()).view(T.float64)):
        for lib in (npgrad, torch):
            with pytest.raises(RuntimeError):
                call(lib)


def test_writes_through_a_dtype_view_reach_the_base():
    x = npgrad.zeros(2)
    x.view(npgrad.int32)[0] = 1065353216  # the bits of 1.0f
    assert x.tolist() == [1.0, 0.0]


def test_float16_normalisation_and_variance_use_float32_statistics(torch):
    x = (np.random.default_rng(0).standard_normal((8, 4, 50)) * 3 + 40).astype(np.float16)
    for fn, tol in ((lambda T, t: T.nn.functional.layer_norm(t, (50,)), 2e-3),
                    (lambda T, t: T.nn.functional.group_norm(t, 2), 2e-3),
                    (lambda T, t: t.var(2), 1e-3), (lambda T, t: t.std(), 1e-3)):
        ours = fn(npgrad, npgrad.from_numpy(x.copy()))
        assert ours.dtype == npgrad.float16
        np.testing.assert_allclose(ours.numpy().astype(np.float32),
                                   fn(torch, torch.from_numpy(x.copy())).numpy().astype(np.float32), atol=tol, rtol=tol)
    # batch statistics: within a float16 rounding of the exact result (PyTorch's own error is larger)
    out = npgrad.nn.functional.batch_norm(npgrad.from_numpy(x.copy()), None, None, training=True)
    x64 = x.astype(np.float64)
    exact = (x64 - x64.mean((0, 2), keepdims=True)) / np.sqrt(x64.var((0, 2), keepdims=True) + 1e-5)
    assert out.dtype == npgrad.float16
    assert np.abs(out.numpy().astype(np.float64) - exact).max() < 2e-3


def test_integer_powers_with_negative_tensor_exponents(torch):
    base, exp = [1, -1, 2, -2, 3, -1, 1, 5], [-1, -1, -1, -2, -3, -2, -5, 2]
    ours = npgrad.tensor(base) ** npgrad.tensor(exp)
    assert ours.tolist() == (torch.tensor(base) ** torch.tensor(exp)).tolist()
    assert (2 ** npgrad.tensor([-1, 3])).tolist() == (2 ** torch.tensor([-1, 3])).tolist()


@pytest.mark.parametrize("dtype,op,value", [("uint8", "add", 300), ("int8", "mul", 1000), ("int16", "sub", 70000)])
def test_python_ints_wrap_into_narrow_integer_tensors(torch, dtype, op, value):
    data = [1, 7, 100]
    ours = getattr(npgrad, op)(npgrad.tensor(data, dtype=getattr(npgrad, dtype)), value)
    ref = getattr(torch, op)(torch.tensor(data, dtype=getattr(torch, dtype)), value)
    assert ours.dtype == getattr(npgrad, dtype) and ours.tolist() == ref.tolist()


@pytest.mark.parametrize("fn", ["tril", "triu"])
def test_tril_triu_zero_out_nan_and_inf(fn, torch):
    x = [[1.0, nan, float("inf")], [-float("inf"), 2.0, nan]]
    _same(getattr(npgrad, fn)(npgrad.tensor(x), 0), getattr(torch, fn)(torch.tensor(x), 0))


@pytest.mark.parametrize("shape,chunks,dim", [((0,), 3, 0), ((3, 0), 2, 1), ((0, 2), 5, 0)])
def test_chunk_of_an_empty_dim_gives_chunks_empty_pieces(shape, chunks, dim, torch):
    ours, theirs = npgrad.zeros(*shape).chunk(chunks, dim), torch.zeros(*shape).chunk(chunks, dim)
    assert [tuple(t.shape) for t in ours] == [tuple(t.shape) for t in theirs]


@pytest.mark.parametrize("dtype", ["int32", "uint8"])
@pytest.mark.parametrize("fn", ["dot", "inner", "matmul"])
def test_integer_vector_products_keep_the_dtype_and_wrap(fn, dtype, torch):
    a, b = np.array([100, 200, 7]).astype(dtype), np.array([1, 2, 3]).astype(dtype)
    ours = getattr(npgrad, fn)(npgrad.tensor(a), npgrad.tensor(b))
    theirs = getattr(torch, fn)(torch.tensor(a), torch.tensor(b))
    assert ours.dtype.name == dtype == str(theirs.dtype).replace("torch.", "") and ours.item() == theirs.item()


def test_isclose_of_0d_tensors_and_mixed_dtypes(torch):
    a = npgrad.tensor(1.5, dtype=npgrad.float64)
    ours = npgrad.isclose(a, a + 1e-9)
    assert isinstance(ours.numpy(), np.ndarray) and ours.shape == () and ours.item() is True
    with pytest.raises(RuntimeError, match="did not match"):
        torch.isclose(torch.tensor([1.0]), torch.tensor([1.0], dtype=torch.float64))
    with pytest.raises(RuntimeError, match="did not match"):
        npgrad.isclose(npgrad.tensor([1.0]), npgrad.tensor([1.0], dtype=npgrad.float64))


@pytest.mark.parametrize("eq,sa,sb", [("bij,bjk->bik", (5, 3, 1), (5, 2, 4)), ("i,i->", (0,), (1,)),
                                      ("i,i->", (1,), (3,)), ("ij,j->i", (3, 1), (4,))])
def test_einsum_gradients_of_letters_broadcast_from_size_1(eq, sa, sb, torch):
    rng = np.random.default_rng(0)
    a0, b0 = rng.standard_normal(sa), rng.standard_normal(sb)
    grads = []
    for T in (npgrad, torch):
        a, b = T.tensor(a0, requires_grad=True), T.tensor(b0, requires_grad=True)
        y = T.einsum(eq, a, b)
        (y * T.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)))).sum().backward()
        grads.append((a.grad.numpy(), b.grad.numpy()))
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape,dim,sizes", [((0, 0, 0), 1, (3, 2)), ((2, 6), 1, (4, 2)), ((2, 0), 1, (3, -1))])
def test_unflatten_checks_the_sizes_against_the_dim(shape, dim, sizes, torch):
    try:
        theirs = torch.zeros(*shape).unflatten(dim, sizes)
    except RuntimeError:
        with pytest.raises(RuntimeError, match="don't multiply up"):
            npgrad.zeros(*shape).unflatten(dim, sizes)
        return
    assert npgrad.zeros(*shape).unflatten(dim, sizes).shape == theirs.shape


@pytest.mark.parametrize("shape", [(2,), (1,), (2, 1), (), (3,), (2, 2, 2)])
def test_addmm_input_expands_to_the_product_and_never_widens_it(shape, torch):
    try:
        theirs = torch.addmm(torch.zeros(shape), torch.ones(2, 4), torch.ones(4, 1))
    except RuntimeError:
        with pytest.raises(RuntimeError):
            npgrad.addmm(npgrad.zeros(shape), npgrad.ones(2, 4), npgrad.ones(4, 1))
        return
    assert npgrad.addmm(npgrad.zeros(shape), npgrad.ones(2, 4), npgrad.ones(4, 1)).shape == theirs.shape


@pytest.mark.parametrize("shape,widths,mode", [
    ((3, 0, 4), (1, 1), "reflect"), ((0, 3, 4), (1, 1), "reflect"), ((0, 4), (1, 1), "replicate"),
    ((2, 3, 0), (1, 1), "replicate"), ((2, 3, 4), (-5, 1), "constant"), ((2, 3, 4), (-4, 1), "constant"),
    ((2, 3, 4), (-2, -2), "constant"), ((2, 3, 4), (-3, -2), "constant"), ((2, 3, 2), (3, -1), "circular")])
def test_pad_refuses_empty_dims_and_crops_past_the_size(shape, widths, mode, torch):
    try:
        theirs = torch.nn.functional.pad(torch.ones(shape), widths, mode=mode)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            npgrad.nn.functional.pad(npgrad.ones(shape), widths, mode=mode)
        return
    assert npgrad.nn.functional.pad(npgrad.ones(shape), widths, mode=mode).shape == theirs.shape


@pytest.mark.parametrize("fn,parts", [("hstack", [(0,), (2,)]), ("cat", [(0,), (2, 2)])])
def test_skipped_empty_tensors_still_take_part_in_type_promotion(fn, parts, torch):
    ours, theirs = [getattr(T, fn)([T.zeros(parts[0], dtype=T.float64), T.ones(parts[1], dtype=T.int64)])
                    for T in (npgrad, torch)]
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "") == "float64" and ours.shape == theirs.shape


def test_broadcast_tensors_raises_runtime_error(torch):
    for T in (torch, npgrad):
        with pytest.raises(RuntimeError):
            T.broadcast_tensors(T.zeros(3, 1), T.zeros(0, 3))


def test_einsum_diagonal_of_unequal_dims_raises_runtime_error(torch):
    for T in (torch, npgrad):
        with pytest.raises(RuntimeError, match="repeated for operand 0"):
            T.einsum("ii->i", T.zeros(1, 3))


@pytest.mark.parametrize("widths,mode", [((-2, -2), "replicate"), ((-2, -2), "reflect"), ((-2, -1), "replicate")])
def test_reflect_replicate_padding_needs_an_output_of_size_1(widths, mode, torch):
    try:
        theirs = torch.nn.functional.pad(torch.ones(1, 2, 4), widths, mode=mode)
    except RuntimeError:
        with pytest.raises(RuntimeError, match="too small"):
            npgrad.nn.functional.pad(npgrad.ones(1, 2, 4), widths, mode=mode)
        return
    assert npgrad.nn.functional.pad(npgrad.ones(1, 2, 4), widths, mode=mode).shape == theirs.shape


def test_mT_of_vectors_raises_and_of_0d_tensors_is_identity(torch):
    for T in (torch, npgrad):
        with pytest.raises(RuntimeError, match="only supported on matrices"):
            T.tensor([1.0, 2.0]).mT
    assert npgrad.tensor(1.0).mT.item() == 1.0 and npgrad.ones(2, 3).mT.shape == (3, 2)


def test_out_of_another_dtype_as_pytorch(torch):
    """sum/prod/cumsum into an int out add the elements as ints; abs, neg, sign, tril, where ... refuse an
    out of another dtype."""
    x = [[0.6, 0.7], [1.5, -0.4]]
    for T in (npgrad, torch):
        out = T.zeros(2, dtype=T.int32)
        assert T.sum(T.tensor(x), 1, out=out).tolist() == [0, 1]
        for call in (lambda o: T.abs(T.tensor(x), out=o), lambda o: T.neg(T.tensor(x), out=o),
                     lambda o: T.tril(T.tensor(x), out=o),
                     lambda o: T.where(T.tensor(x) > 0, T.tensor(x), T.zeros(2, 2), out=o)):
            with pytest.raises(RuntimeError):
                call(T.zeros(2, 2, dtype=T.float64))


@pytest.mark.parametrize("call", [lambda T, a, b: a / b, lambda T, a, b: T.true_divide(b, a),
                                  lambda T, a, b: T.atan2(a, b), lambda T, a, b: T.copysign(b, a)])
def test_float_ops_of_mixed_integer_operands_do_not_wrap_first(call, torch):
    """A 0-d int64 -4 with a uint8 tensor: the result is float, computed from -4 (not from 252, its uint8 wrap)."""
    res = [call(T, T.tensor(-4), T.tensor([1, 2, 3], dtype=T.uint8)) for T in (npgrad, torch)]
    assert res[0].dtype.name == "float32"
    np.testing.assert_allclose(res[0].numpy(), res[1].numpy(), rtol=1e-6)


def test_float_power_casts_integers_straight_to_float64(torch):
    for args in [(lambda T: T.tensor([2 ** 40 + 1, 16777217]), 1), (2, lambda T: T.tensor([0.5]))]:
        res = [T.float_power(*[a(T) if callable(a) else a for a in args]) for T in (npgrad, torch)]
        assert res[0].dtype.name == "float64" and res[0].tolist() == res[1].tolist()


@pytest.mark.parametrize("call", [
    lambda T: T.tensor([1, 2, 0], dtype=T.int32).masked_fill(T.tensor([True, False, True]), T.tensor(1.5)),
    lambda T: T.tensor([1, 2, 0], dtype=T.int32).masked_fill_(T.tensor([True, False, True]), T.tensor(1.5)),
    lambda T: T.tensor([True, False, True]).masked_fill(T.tensor([True, False, True]), T.tensor(0))])
def test_masked_fill_keeps_the_input_dtype_for_a_0d_tensor_value(call, torch):
    ours, theirs = call(npgrad), call(torch)
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "") and ours.tolist() == theirs.tolist()


def test_copy_into_bool_casts_the_source(torch):
    for T in (npgrad, torch):
        assert T.tensor([True, False, True]).copy_(T.tensor([0, 2, 0])).tolist() == [False, True, False]


def test_fill_refuses_a_value_tensor_with_dims(torch):
    for T in (torch, npgrad):
        with pytest.raises(RuntimeError, match="0-dimension value tensor"):
            T.tensor([1, 2, 0]).fill_(T.tensor([5, 6, 7]))


@pytest.mark.parametrize("call", [
    lambda T: T.tensor([1, 2, 3]).__ipow__(2), lambda T: T.tensor([1, 4]).__ipow__(0.5),
    lambda T: T.tensor([True, True]).__iand__(T.tensor([True, False])), lambda T: T.tensor([1, 4]).__ior__(2),
    lambda T: T.tensor([1, 4], dtype=T.int32).__ixor__(T.tensor(1)),
    lambda T: T.tensor([1.0, 0.0]).logical_and_(T.tensor([1, 1])), lambda T: T.tensor([1, 0]).logical_or_(T.zeros(2))])
def test_augmented_assignments_write_in_place(call, torch):
    """x **= y, &=, |=, ^= are in-place as in PyTorch: the dtype stays (an int x **= 0.5 raises)."""
    try:
        theirs = call(torch)
    except RuntimeError:
        with pytest.raises(RuntimeError, match="can't be cast"):
            call(npgrad)
        return
    ours = call(npgrad)
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "") and ours.tolist() == theirs.tolist()


def test_pow_assignment_updates_views(torch):
    for T in (npgrad, torch):
        x = T.tensor([1, 2, 3])
        v = x[1:]
        x **= 2
        assert v.tolist() == [4, 9]


@pytest.mark.parametrize("call", [lambda T, x: x.clone().fill_(-1), lambda T, x: x.masked_fill(x > 0, -2),
                                  lambda T, x: x.clone().fill_(256), lambda T, x: x.masked_fill(x > 0, 300.5)])
def test_fill_values_wrap_or_overflow_into_unsigned_as_pytorch(call, torch):
    """A negative int fills an unsigned tensor wrapped (-1 is 255); a value past the range raises."""
    try:
        theirs = call(torch, torch.tensor([1, 2], dtype=torch.uint8))
    except RuntimeError:
        with pytest.raises(RuntimeError, match="without overflow"):
            call(npgrad, npgrad.tensor([1, 2], dtype=npgrad.uint8))
        return
    assert call(npgrad, npgrad.tensor([1, 2], dtype=npgrad.uint8)).tolist() == theirs.tolist()


def test_masked_fill_checks_a_0d_tensor_value_fits(torch):
    for T in (npgrad, torch):
        x = T.tensor([1, 2], dtype=T.uint8)
        assert x.masked_fill(x > 1, T.tensor(-1)).tolist() == [1, 255]
        with pytest.raises(RuntimeError, match="overflow"):
            x.masked_fill(x > 1, T.tensor(300))


@pytest.mark.parametrize("call", [lambda t: np.float64(2) * t, lambda t: np.float32(1) + t,
                                  lambda t: np.int64(3) - t, lambda t: np.float64(2) ** t,
                                  lambda t: np.float64(2) > t, lambda t: np.float64(2) / t])
def test_numpy_scalar_on_the_left_gives_a_tensor(call, torch):
    ours, theirs = [call(T.tensor([1.0, 2.0], requires_grad=True)) for T in (npgrad, torch)]
    assert isinstance(ours, npgrad.Tensor) and ours.requires_grad == theirs.requires_grad
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "") and ours.tolist() == theirs.tolist()


@pytest.mark.parametrize("call", [lambda x: x * 1e-9, lambda x: 3e-8 * x, lambda x: x * 100000, lambda x: x / 1e5,
                                  lambda x: 7e4 / x, lambda x: 5 / x,
                                  lambda x: npgrad.div(x, 1e5) if isinstance(x, npgrad.Tensor) else x.div(1e5)])
def test_float16_times_a_number_rounds_once(call, torch):
    """PyTorch multiplies/divides float16 by a Python number in float32: 60000 * 1e-9 is 6e-5, not 0
    (1e-9 rounded to float16 first), and 1e-3 * 1e5 is 100, not inf."""
    x = [60000.0, 1e-3, 2.0, float("inf")]
    ours, theirs = call(npgrad.tensor(x, dtype=npgrad.float16)), call(torch.tensor(x, dtype=torch.float16))
    assert ours.dtype.name == "float16" and ours.tolist() == theirs.tolist()
