"""Bad input fails at the call that received it, with PyTorch's exception type and a message
naming what was given (shapes, dims, indices)."""
import pytest

import npgrad

# (id, call on module T, exception type PyTorch raises, fragments our message must contain)
ERRORS = [
    ("matmul_misaligned", lambda T: T.matmul(T.ones(3, 4), T.ones(5, 2)), RuntimeError,
     ["(3, 4)", "(5, 2)", "4 != 5"]),
    ("matmul_op_misaligned", lambda T: T.ones(2, 3) @ T.ones(2, 3), RuntimeError, ["(2, 3)"]),
    ("matmul_vec_misaligned", lambda T: T.ones(3) @ T.ones(4, 2), RuntimeError, ["(3,)", "(4, 2)"]),
    ("matmul_0dim", lambda T: T.matmul(T.tensor(1.0), T.ones(2)), RuntimeError, ["1 dimension"]),
    ("matmul_batch", lambda T: T.matmul(T.ones(2, 3, 4), T.ones(3, 4, 5)), RuntimeError, ["(2, 3, 4)", "(3, 4, 5)"]),
    ("mm_not_2d", lambda T: T.mm(T.ones(2, 3, 4), T.ones(4, 2)), RuntimeError, ["2-D"]),
    ("bmm_batch", lambda T: T.bmm(T.ones(2, 3, 4), T.ones(3, 4, 5)), RuntimeError, ["(2, 3, 4)"]),
    ("dot_sizes", lambda T: T.dot(T.ones(3), T.ones(4)), RuntimeError, ["3", "4"]),
    ("add_broadcast", lambda T: T.ones(3, 4) + T.ones(2, 4), RuntimeError, ["(3, 4)", "(2, 4)"]),
    ("mul_broadcast", lambda T: T.ones(3) * T.ones(4), RuntimeError, ["(3,)", "(4,)"]),
    ("sub_broadcast", lambda T: T.ones(2, 3) - T.ones(3, 2), RuntimeError, ["(2, 3)", "(3, 2)"]),
    ("div_broadcast", lambda T: T.ones(2, 3) / T.ones(3, 2), RuntimeError, ["(2, 3)", "(3, 2)"]),
    ("maximum_broadcast", lambda T: T.maximum(T.ones(2), T.ones(3)), RuntimeError, ["(2,)", "(3,)"]),
    ("expand_bad", lambda T: T.ones(2, 3).expand(4, 3), RuntimeError, ["4", "2"]),
    ("reshape_bad", lambda T: T.ones(2, 3).reshape(4, 2), RuntimeError, ["[4, 2]", "6"]),
    ("cat_sizes", lambda T: T.cat([T.ones(2, 3), T.ones(2, 4)]), RuntimeError, ["(2, 3)", "(2, 4)"]),
    ("stack_sizes", lambda T: T.stack([T.ones(2), T.ones(3)]), RuntimeError, ["(2,)", "(3,)"]),
    ("sum_dim", lambda T: T.ones(2, 3).sum(2), IndexError, ["range", "got 2"]),
    ("mean_neg_dim", lambda T: T.ones(2, 3).mean(-3), IndexError, ["range", "-3"]),
    ("max_dim", lambda T: T.ones(2, 3).max(5), IndexError, ["5"]),
    ("softmax_like_dim", lambda T: T.logsumexp(T.ones(2), 1), IndexError, ["1"]),
    ("transpose_dim", lambda T: T.ones(2, 3).transpose(0, 2), IndexError, ["2"]),
    ("unsqueeze_dim", lambda T: T.ones(2).unsqueeze(3), IndexError, ["3"]),
    ("cat_dim", lambda T: T.cat([T.ones(2), T.ones(2)], 1), IndexError, ["1"]),
    ("cumsum_dim", lambda T: T.ones(2).cumsum(1), IndexError, ["1"]),
    ("size_dim", lambda T: T.ones(2).size(1), IndexError, ["1"]),
    ("index_oob", lambda T: T.ones(3)[3], IndexError, ["3", "size 3"]),
    ("index_neg_oob", lambda T: T.ones(3, 2)[-4], IndexError, ["-4"]),
    ("index_second_dim", lambda T: T.ones(3, 2)[0, 2], IndexError, ["2", "dimension 1"]),
    ("index_array_oob", lambda T: T.ones(3)[T.tensor([0, 5])], IndexError, ["5"]),
    ("index_too_many", lambda T: T.ones(3)[0, 0], IndexError, ["too many"]),
    ("index_float", lambda T: T.ones(3)[T.tensor([0.0])], IndexError, ["long"]),
    ("mask_shape", lambda T: T.ones(3)[T.tensor([True, False])], IndexError, ["mask"]),
    ("gather_oob", lambda T: T.ones(2, 3).gather(1, T.tensor([[3], [0]])), RuntimeError, ["3"]),
    ("gather_negative", lambda T: T.ones(2, 3).gather(1, T.tensor([[-1], [0]])), RuntimeError, ["-1"]),
    ("gather_index_too_big", lambda T: T.ones(2, 3).gather(1, T.tensor([[0]] * 3)), RuntimeError, ["(3, 1)"]),
    ("scatter_add_src_small", lambda T: T.zeros(3, 4).scatter_add(0, T.tensor([[0, 1]]), T.ones(1, 1)),
     RuntimeError, ["(1, 2)", "(1, 1)"]),
    ("requires_grad_int", lambda T: T.tensor([1, 2], requires_grad=True), RuntimeError, ["floating point"]),
    ("requires_grad_int_", lambda T: T.arange(3).requires_grad_(), RuntimeError, ["floating point"]),
    ("backward_nonscalar", lambda T: (T.ones(2, requires_grad=True) * 2).backward(), RuntimeError,
     ["grad can be implicitly created only for scalar outputs"]),
    ("backward_no_grad", lambda T: T.ones(2).sum().backward(), RuntimeError, ["does not require grad"]),
    ("item_many", lambda T: T.ones(2).item(), RuntimeError, ["2 elements"]),
    ("bool_many", lambda T: bool(T.ones(2)), RuntimeError, ["ambiguous"]),
    ("clamp_none", lambda T: T.clamp(T.ones(2)), RuntimeError, ["min", "max"]),
    ("permute_len", lambda T: T.ones(2, 3).permute(0), RuntimeError, ["dims"]),
    ("split_sizes", lambda T: T.ones(5).split([2, 2]), RuntimeError, ["[2, 2]"]),
    ("cat_0dim", lambda T: T.cat([T.tensor(1.0), T.tensor(2.0)]), RuntimeError, ["zero-dimensional"]),
    ("neg_bool", lambda T: -T.tensor([True]), RuntimeError, ["bool"]),
    ("abs_bool", lambda T: T.tensor([True]).abs(), NotImplementedError, ["bool"]),
    ("mean_int", lambda T: T.tensor([1, 2]).mean(), RuntimeError, ["dtype"]),
]


@pytest.mark.parametrize("call,exc,fragments", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_error_message(call, exc, fragments):
    with pytest.raises(exc) as info:
        call(npgrad)
    for frag in fragments:
        assert frag in str(info.value), f"{frag!r} not in {str(info.value)!r}"


@pytest.mark.parametrize("call,exc", [e[1:3] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_error_type_matches_torch(call, exc, torch):
    with pytest.raises(exc):
        call(torch)


def test_errors_are_not_raw_numpy_errors():
    import numpy as np
    for call in (lambda: npgrad.ones(3, 4) @ npgrad.ones(5, 2), lambda: npgrad.ones(3) + npgrad.ones(4),
                 lambda: npgrad.ones(2, 3).reshape(7)):
        with pytest.raises(RuntimeError) as info:
            call()
        assert not isinstance(info.value, np.exceptions.AxisError)
        assert info.traceback[-1].path.name != "numeric.py"
