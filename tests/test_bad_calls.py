"""A table of bad calls to public entry points, each run on npgrad and (when installed) on PyTorch.

Every row must raise PyTorch's exception type on both, and npgrad's message must name the function or
argument and what was given (the fragments).  ``test_errors.py`` in ``tests/ops`` holds the same kind of
table for shape and index errors of the ops.
"""
import types

import numpy as np
import pytest

import npgrad

nan, inf = float("nan"), float("inf")


def _ns(lib):
    """The public names a row uses, from npgrad or from torch."""
    if lib.__name__ == "torch":
        from torch.utils.data import DataLoader, TensorDataset
    else:
        from npgrad.utils.data import DataLoader, TensorDataset
    return types.SimpleNamespace(T=lib, F=lib.nn.functional, nn=lib.nn, optim=lib.optim,
                                 DataLoader=DataLoader, TensorDataset=TensorDataset)


def _set_grad(value_fn):
    def call(n):
        x = n.T.ones(3, requires_grad=True)
        x.grad = value_fn(n)
    return call


class _ShortDataset:
    """Claims 5 items, holds 3: the loader must pass the dataset's own IndexError through."""

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return [1.0, 2.0, 3.0][i]


def _param(n):
    return [n.T.ones(2, requires_grad=True)]


# (id, call(n), exception type PyTorch raises, fragments npgrad's message must contain)
ROWS = [
    # -- tensor(), creation and conversions -----------------------------------------------------
    ("cat_numbers", lambda n: n.T.cat([1, 2]), TypeError, ["cat", "element 0", "int"]),
    ("cat_tensor_and_number", lambda n: n.T.cat([n.T.ones(2), 5]), TypeError, ["element 1", "int"]),
    ("stack_numbers", lambda n: n.T.stack([1.0, 2.0]), TypeError, ["stack", "float"]),
    ("tensor_uint8_overflow", lambda n: n.T.tensor([300], dtype=n.T.uint8), RuntimeError, ["uint8", "300"]),
    ("tensor_uint8_overflow_0d", lambda n: n.T.tensor(300, dtype=n.T.uint8), RuntimeError, ["uint8", "300"]),
    ("tensor_int8_overflow", lambda n: n.T.tensor([1, 200], dtype=n.T.int8), RuntimeError, ["int8", "200"]),
    ("tensor_int32_overflow", lambda n: n.T.tensor([2 ** 40], dtype=n.T.int32), RuntimeError, ["int32"]),
    ("tensor_float_to_uint8_overflow", lambda n: n.T.tensor([300.0], dtype=n.T.uint8), RuntimeError, ["uint8"]),
    ("tensor_nan_to_int64", lambda n: n.T.tensor(nan, dtype=n.T.int64), RuntimeError, ["int64", "nan"]),
    ("tensor_nan_list_to_int64", lambda n: n.T.tensor([1.0, nan], dtype=n.T.int64), RuntimeError, ["nan"]),
    ("tensor_1e20_to_int64", lambda n: n.T.tensor(1e20, dtype=n.T.int64), RuntimeError, ["int64", "1e+20"]),
    ("tensor_inf_to_int32", lambda n: n.T.tensor([inf], dtype=n.T.int32), RuntimeError, ["int32", "inf"]),
    ("tensor_none", lambda n: n.T.tensor(None), RuntimeError, ["NoneType"]),
    ("tensor_list_with_none", lambda n: n.T.tensor([1.0, None]), RuntimeError, ["NoneType"]),
    ("tensor_dict", lambda n: n.T.tensor({"a": 1}), RuntimeError, ["dict"]),
    ("tensor_object", lambda n: n.T.tensor(object()), RuntimeError, ["object"]),
    ("tensor_str", lambda n: n.T.tensor("abc"), TypeError, ["str"]),
    ("tensor_ragged", lambda n: n.T.tensor([[1, 2], [3]]), ValueError,
     ["expected sequence of length 2 at dim 1 (got 1)"]),
    ("tensor_ragged_deep", lambda n: n.T.tensor([[[1, 2], [3, 4]], [[1, 2], [3]]]), ValueError,
     ["length 2 at dim 2 (got 1)"]),
    ("tensor_ragged_number", lambda n: n.T.tensor([[1, 2], 3]), TypeError, ["dim 1", "int"]),
    ("tensor_ragged_tensors", lambda n: n.T.tensor([n.T.ones(2), n.T.ones(3)]), ValueError, ["tensor"]),
    ("zeros_negative", lambda n: n.T.zeros(-1), RuntimeError, ["zeros", "-1"]),
    ("zeros_float_size", lambda n: n.T.zeros(2.5), TypeError, ["zeros", "2.5"]),
    ("ones_str_size", lambda n: n.T.ones("a"), TypeError, ["ones", "'a'"]),
    ("full_str_value", lambda n: n.T.full((2,), "a"), TypeError, ["full", "str"]),
    ("eye_negative", lambda n: n.T.eye(-1), RuntimeError, ["-1"]),
    ("linspace_negative", lambda n: n.T.linspace(0, 1, -1), RuntimeError, ["steps", "-1"]),
    ("randn_negative", lambda n: n.T.randn(-2), RuntimeError, ["-2"]),
    ("randint_empty_range", lambda n: n.T.randint(5, 2, (2,)), RuntimeError, ["from=5", "to=2"]),
    ("randperm_negative", lambda n: n.T.randperm(-1), RuntimeError, ["randperm", "-1"]),
    ("arange_step_sign", lambda n: n.T.arange(10, 0, 1), RuntimeError, ["arange", "10", "0", "step"]),
    ("arange_step_sign_neg", lambda n: n.T.arange(0, 10, -1), RuntimeError, ["arange", "step"]),
    ("arange_zero_step", lambda n: n.T.arange(0, 10, 0), RuntimeError, ["step"]),
    ("arange_inf", lambda n: n.T.arange(0, inf), RuntimeError, ["arange", "inf"]),
    ("arange_nan", lambda n: n.T.arange(0, nan), RuntimeError, ["arange", "nan"]),
    ("bernoulli_above_one", lambda n: n.T.bernoulli(n.T.tensor([0.5, 1.5])), RuntimeError, ["bernoulli", "1.5"]),
    ("bernoulli_negative", lambda n: n.T.bernoulli(n.T.tensor([-0.5])), RuntimeError, ["bernoulli", "-0.5"]),
    ("bernoulli_nan", lambda n: n.T.bernoulli(n.T.tensor([nan])), RuntimeError, ["bernoulli", "nan"]),
    ("bernoulli_p_arg", lambda n: n.T.bernoulli(n.T.tensor([0.5]), p=1.5), RuntimeError, ["p", "1.5"]),
    ("normal_std_nan", lambda n: n.T.normal(0.0, nan, (2,)), RuntimeError, ["std", "nan"]),
    ("normal_std_nan_tensor", lambda n: n.T.normal(n.T.zeros(2), n.T.tensor([nan, 1.0])), RuntimeError, ["std"]),
    ("normal_std_negative", lambda n: n.T.normal(0.0, -1.0, (2,)), RuntimeError, ["std", "-1"]),
    ("multinomial_all_zero", lambda n: n.T.multinomial(n.T.zeros(3), 1), RuntimeError, ["multinomial", "sum"]),
    ("multinomial_negative", lambda n: n.T.multinomial(n.T.tensor([-1.0, 2.0]), 1), RuntimeError, ["< 0"]),
    ("multinomial_nan", lambda n: n.T.multinomial(n.T.tensor([nan, 1.0]), 1), RuntimeError, ["nan"]),
    ("multinomial_too_many", lambda n: n.T.multinomial(n.T.tensor([1.0, 1.0]), 3), RuntimeError,
     ["3", "2", "replacement"]),
    ("from_numpy_str", lambda n: n.T.from_numpy(np.array(["a"])), TypeError, ["from_numpy"]),
    ("from_numpy_list", lambda n: n.T.from_numpy([1]), TypeError, ["list"]),
    ("zeros_like_list", lambda n: n.T.zeros_like([1, 2]), TypeError, ["zeros_like", "list"]),
    ("full_like_str", lambda n: n.T.full_like(n.T.ones(2), "a"), TypeError, ["full_like", "str"]),
    ("linspace_float_steps", lambda n: n.T.linspace(0, 1, 2.5), TypeError, ["steps", "float"]),
    ("logspace_negative", lambda n: n.T.logspace(0, 1, -1), RuntimeError, ["steps", "-1"]),
    ("randn_like_int", lambda n: n.T.randn_like(n.T.ones(2, dtype=n.T.int64)), NotImplementedError, ["int64"]),
    ("rand_int_dtype", lambda n: n.T.rand(2, dtype=n.T.int64), NotImplementedError, ["rand", "int64"]),
    ("float_of_many", lambda n: float(n.T.ones(2)), ValueError, ["one element", "(2,)"]),
    ("int_of_many", lambda n: int(n.T.ones(2, 2)), ValueError, ["one element"]),
    ("item_of_many", lambda n: n.T.ones(2).item(), RuntimeError, ["2 elements"]),
    # -- assigning .grad -------------------------------------------------------------------------
    ("grad_wrong_shape", _set_grad(lambda n: n.T.ones(2)), RuntimeError, ["[2]", "[3]"]),
    ("grad_wrong_dtype", _set_grad(lambda n: n.T.ones(3, dtype=n.T.float64)), RuntimeError, ["float64", "float32"]),
    ("grad_int_dtype", _set_grad(lambda n: n.T.ones(3, dtype=n.T.int64)), RuntimeError, ["int64"]),
    ("grad_list", _set_grad(lambda n: [1.0, 2.0, 3.0]), TypeError, ["grad", "list"]),
    ("grad_ndarray", _set_grad(lambda n: np.ones(3, np.float32)), TypeError, ["grad", "ndarray"]),
    # -- integer division by zero ----------------------------------------------------------------
    ("int_floordiv_zero", lambda n: n.T.tensor([5]) // 0, RuntimeError, ["ZeroDivisionError"]),
    ("int_floordiv_zero_tensor", lambda n: n.T.tensor([5, 1]) // n.T.tensor([1, 0]), RuntimeError, ["floor"]),
    ("int_remainder_zero", lambda n: n.T.tensor([5]) % 0, RuntimeError, ["remainder", "ZeroDivisionError"]),
    ("int_remainder_zero_tensor", lambda n: n.T.tensor([5]) % n.T.tensor([0]), RuntimeError, ["remainder"]),
    ("int_fmod_zero", lambda n: n.T.fmod(n.T.tensor([5]), 0), RuntimeError, ["fmod"]),
    ("int_div_trunc_zero", lambda n: n.T.div(n.T.tensor([5]), 0, rounding_mode="trunc"), RuntimeError, ["div"]),
    ("int_div_floor_zero", lambda n: n.T.div(n.T.tensor([5]), 0, rounding_mode="floor"), RuntimeError, ["div"]),
    # -- ops accepted with a wrong meaning -------------------------------------------------------
    ("tril_1d", lambda n: n.T.tril(n.T.ones(3)), RuntimeError, ["tril", "2 dimensions", "(3,)"]),
    ("triu_1d", lambda n: n.T.ones(3).triu(), RuntimeError, ["triu", "2 dimensions"]),
    ("roll_more_shifts", lambda n: n.T.roll(n.T.ones(3), (1, 2), 0), RuntimeError, ["shifts", "2", "1"]),
    ("roll_more_shifts_2d", lambda n: n.T.roll(n.T.ones(3, 3), (1, 2), (0,)), RuntimeError, ["shifts"]),
    ("index_select_2d_index", lambda n: n.T.ones(3, 3).index_select(0, n.T.tensor([[0, 1]])), IndexError,
     ["index_select", "vector", "(1, 2)"]),
    ("index_select_float_index", lambda n: n.T.ones(3).index_select(0, n.T.tensor([0.0])), RuntimeError,
     ["index_select", "float32"]),
    ("view_other_tensor", lambda n: n.T.ones(4).view(n.T.ones(2, 2)), TypeError, ["view", "Tensor"]),
    ("where_bool_condition", lambda n: n.T.where(n.T.tensor([1.0, 0.0]), n.T.ones(2), n.T.zeros(2)),
     RuntimeError, ["where", "bool", "float32"]),
    ("where_broadcast", lambda n: n.T.where(n.T.tensor([True, False]), n.T.ones(3), n.T.zeros(3)),
     RuntimeError, ["where", "(2,)", "(3,)"]),
    ("masked_fill_broadcast", lambda n: n.T.ones(3).masked_fill(n.T.tensor([True, False]), 0.0), RuntimeError,
     ["masked_fill", "(2,)", "(3,)"]),
    ("masked_fill_float_mask", lambda n: n.T.ones(2).masked_fill(n.T.tensor([1.0, 0.0]), 0.0), RuntimeError,
     ["masked_fill", "float"]),
    ("einsum_sizes", lambda n: n.T.einsum("ij,jk->ik", n.T.ones(2, 3), n.T.ones(4, 5)), RuntimeError,
     ["einsum", "j", "4", "3"]),
    ("einsum_operands", lambda n: n.T.einsum("ij,jk", n.T.ones(2, 3)), RuntimeError, ["einsum", "operands"]),
    ("clamp_str", lambda n: n.T.clamp(n.T.ones(2), min="a"), TypeError, ["clamp", "min", "str"]),
    ("clamp_method_str", lambda n: n.T.ones(2).clamp(max="a"), TypeError, ["clamp", "max", "str"]),
    ("fill_str", lambda n: n.T.ones(2).fill_("a"), TypeError, ["fill_", "str"]),
    ("add_str", lambda n: n.T.ones(2) + "a", TypeError, ["str"]),
    ("mul_none", lambda n: n.T.ones(2) * None, TypeError, ["NoneType"]),
    ("masked_select_float_mask", lambda n: n.T.ones(3).masked_select(n.T.tensor([1.0, 0.0, 1.0])), RuntimeError,
     ["masked_select", "float32"]),
    ("relu_bool", lambda n: n.F.relu(n.T.tensor([True])), RuntimeError, ["relu", "Boolean"]),
    ("softmax_int", lambda n: n.F.softmax(n.T.tensor([1, 2]), 0), NotImplementedError, ["softmax", "int64"]),
    ("log_softmax_int", lambda n: n.F.log_softmax(n.T.tensor([1, 2]), 0), NotImplementedError, ["int64"]),
    ("scatter_add_number_src", lambda n: n.T.zeros(3).scatter_add(0, n.T.tensor([0]), 1.0), TypeError,
     ["scatter_add", "src", "float"]),
    ("masked_fill_1d_value", lambda n: n.T.ones(2).masked_fill(n.T.tensor([True, False]), n.T.tensor([1.0, 2.0])),
     RuntimeError, ["masked_fill", "0-dimensional", "(2,)"]),
    ("masked_fill_str_value", lambda n: n.T.ones(2).masked_fill(n.T.tensor([True, False]), "a"), TypeError,
     ["masked_fill", "str"]),
    ("Tensor_float", lambda n: n.T.Tensor(2.5), TypeError, ["Tensor", "float"]),
    ("Tensor_none", lambda n: n.T.Tensor(None), TypeError, ["NoneType"]),
    ("Tensor_negative_size", lambda n: n.T.Tensor(2, -1), RuntimeError, ["-1"]),
    ("bool_sub", lambda n: n.T.tensor([True]) - n.T.tensor([False]), RuntimeError, ["bool", "logical_xor"]),
    ("bitwise_float", lambda n: n.T.tensor([1]) & n.T.tensor([1.0]), NotImplementedError, ["bitwise_and", "float32"]),
    ("int_pow_negative_int", lambda n: n.T.tensor([2]) ** -1, RuntimeError, ["negative integer powers"]),
    ("int_overflow_python_int", lambda n: n.T.tensor([1]) + 2 ** 70, OverflowError, ["int"]),
    ("matmul_float32_float64", lambda n: n.T.ones(2, 2) @ n.T.ones(2, 2, dtype=n.T.float64), RuntimeError,
     ["float32", "float64"]),
    ("matmul_vec_float32_float64", lambda n: n.T.ones(2) @ n.T.ones(2, dtype=n.T.float64), RuntimeError,
     ["float32", "float64"]),
    ("mm_float_int", lambda n: n.T.mm(n.T.ones(2, 2), n.T.ones(2, 2, dtype=n.T.int64)), RuntimeError, ["int64"]),
    ("bmm_float32_float64", lambda n: n.T.bmm(n.T.ones(1, 2, 2), n.T.ones(1, 2, 2, dtype=n.T.float64)),
     RuntimeError, ["float64"]),
    ("matmul_half_float", lambda n: n.T.ones(2, 2).half() @ n.T.ones(2, 2), RuntimeError, ["float16"]),
    ("argmax_empty", lambda n: n.T.ones(0).argmax(), IndexError, ["argmax", "numel() == 0"]),
    ("topk_too_big", lambda n: n.T.ones(3).topk(4), RuntimeError, ["topk", "4"]),
    ("chunk_zero", lambda n: n.T.ones(4).chunk(0), RuntimeError, ["chunk", "0"]),
    ("one_hot_negative", lambda n: n.F.one_hot(n.T.tensor([-1])), RuntimeError, ["non-negative"]),
    ("one_hot_float", lambda n: n.F.one_hot(n.T.tensor([1.0])), RuntimeError, ["LongTensor"]),
    ("manual_seed_str", lambda n: n.T.manual_seed("a"), ValueError, ["manual_seed", "'a'"]),
    # -- losses ----------------------------------------------------------------------------------
    ("ce_1d_logits_int_target", lambda n: n.F.cross_entropy(n.T.randn(3), n.T.tensor([0, 1, 2])), RuntimeError,
     ["probabilities", "floating point", "int64"]),
    ("ce_int32_target", lambda n: n.F.cross_entropy(n.T.randn(2, 3), n.T.tensor([0, 1], dtype=n.T.int32)),
     RuntimeError, ["target", "int32"]),
    ("ce_int16_target", lambda n: n.F.cross_entropy(n.T.randn(2, 3), n.T.tensor([0, 1], dtype=n.T.int16)),
     RuntimeError, ["target", "int16"]),
    ("nll_int32_target", lambda n: n.F.nll_loss(n.T.randn(2, 3), n.T.tensor([0, 1], dtype=n.T.int32)),
     RuntimeError, ["target", "int32"]),
    ("ce_float_class_labels", lambda n: n.F.cross_entropy(n.T.randn(2, 3), n.T.tensor([0.0, 1.0])), RuntimeError,
     ["class indices", "integer", "float32"]),
    ("ce_int_logits", lambda n: n.F.cross_entropy(n.T.tensor([[1, 2, 3]]), n.T.tensor([0])), NotImplementedError,
     ["int64"]),
    ("CrossEntropyLoss_int_logits", lambda n: n.nn.CrossEntropyLoss()(n.T.tensor([[1, 2, 3]]), n.T.tensor([0])),
     NotImplementedError, ["int64"]),
    ("ce_label_smoothing", lambda n: n.F.cross_entropy(n.T.randn(2, 3), n.T.tensor([0, 1]), label_smoothing=1.5),
     RuntimeError, ["label_smoothing", "1.5"]),
    ("CrossEntropyLoss_label_smoothing",
     lambda n: n.nn.CrossEntropyLoss(label_smoothing=1.5)(n.T.randn(2, 3), n.T.tensor([0, 1])), RuntimeError,
     ["label_smoothing", "1.5"]),
    ("ce_target_out_of_range", lambda n: n.F.cross_entropy(n.T.randn(2, 3), n.T.tensor([0, 3])), IndexError,
     ["Target 3 is out of bounds"]),
    ("ce_batch_mismatch", lambda n: n.F.cross_entropy(n.T.randn(2, 3), n.T.tensor([0, 1, 2])), ValueError,
     ["(2)", "(3)"]),
    ("ce_reduction", lambda n: n.F.cross_entropy(n.T.randn(2, 3), n.T.tensor([0, 1]), reduction="foo"),
     ValueError, ["foo"]),
    ("mse_shapes", lambda n: n.F.mse_loss(n.T.ones(2, 3), n.T.ones(3, 2)), RuntimeError, ["(2, 3)", "(3, 2)"]),
    ("bce_nan_input", lambda n: n.F.binary_cross_entropy(n.T.tensor([nan, 0.5]), n.T.ones(2)), RuntimeError,
     ["binary_cross_entropy", "between 0 and 1"]),
    ("bce_input_above_one", lambda n: n.F.binary_cross_entropy(n.T.tensor([1.5]), n.T.ones(1)), RuntimeError,
     ["between 0 and 1"]),
    ("bce_target_above_one", lambda n: n.F.binary_cross_entropy(n.T.tensor([0.5]), n.T.tensor([1.5])),
     RuntimeError, ["target", "between 0 and 1"]),
    ("bce_shapes", lambda n: n.F.binary_cross_entropy(n.T.ones(2) * 0.5, n.T.ones(3)), ValueError, ["[3]", "[2]"]),
    ("bce_logits_shapes", lambda n: n.F.binary_cross_entropy_with_logits(n.T.ones(2), n.T.ones(3)), ValueError,
     ["[3]", "[2]"]),
    # -- layers' constructors and calls ----------------------------------------------------------
    ("Linear_negative", lambda n: n.nn.Linear(-1, 3), RuntimeError, ["in_features", "-1"]),
    ("Linear_negative_out", lambda n: n.nn.Linear(3, -2), RuntimeError, ["out_features", "-2"]),
    ("Linear_float", lambda n: n.nn.Linear(2.5, 3), TypeError, ["in_features", "2.5"]),
    ("Linear_input_features", lambda n: n.nn.Linear(2, 3)(n.T.ones(4, 5)), RuntimeError, ["(4, 5)"]),
    ("Embedding_negative", lambda n: n.nn.Embedding(-1, 2), RuntimeError, ["num_embeddings", "-1"]),
    ("Embedding_index_range", lambda n: n.nn.Embedding(3, 2)(n.T.tensor([3])), IndexError, ["3"]),
    ("Embedding_float_index", lambda n: n.nn.Embedding(3, 2)(n.T.tensor([1.0])), RuntimeError, ["float32"]),
    ("Conv2d_negative", lambda n: n.nn.Conv2d(-1, 2, 3), RuntimeError, ["in_channels", "-1"]),
    ("Conv2d_stride_zero", lambda n: n.nn.Conv2d(1, 2, 3, stride=0)(n.T.ones(1, 1, 5, 5)), RuntimeError,
     ["stride", "0"]),
    ("Conv2d_groups", lambda n: n.nn.Conv2d(3, 2, 3, groups=2), ValueError, ["groups"]),
    ("Conv2d_padding_mode", lambda n: n.nn.Conv2d(1, 2, 3, padding_mode="foo"), ValueError, ["'foo'"]),
    ("Conv2d_padding_str", lambda n: n.nn.Conv2d(1, 2, 3, padding="foo"), ValueError, ["'foo'"]),
    ("Conv2d_same_strided", lambda n: n.nn.Conv2d(1, 2, 3, padding="same", stride=2), ValueError, ["same"]),
    ("conv2d_stride_zero", lambda n: n.F.conv2d(n.T.ones(1, 1, 4, 4), n.T.ones(1, 1, 2, 2), stride=0),
     RuntimeError, ["conv2d", "stride", "0"]),
    ("conv2d_padding_negative", lambda n: n.F.conv2d(n.T.ones(1, 1, 4, 4), n.T.ones(1, 1, 2, 2), padding=-1),
     RuntimeError, ["conv2d", "padding", "-1"]),
    ("conv2d_dilation_zero", lambda n: n.F.conv2d(n.T.ones(1, 1, 4, 4), n.T.ones(1, 1, 2, 2), dilation=0),
     RuntimeError, ["conv2d", "dilation", "0"]),
    ("conv2d_channels", lambda n: n.F.conv2d(n.T.ones(1, 3, 4, 4), n.T.ones(2, 2, 2, 2)), RuntimeError,
     ["3 channels"]),
    ("conv2d_kernel_too_big", lambda n: n.F.conv2d(n.T.ones(1, 1, 2, 2), n.T.ones(1, 1, 3, 3)), RuntimeError,
     ["(2, 2)", "(3, 3)"]),
    ("conv2d_2d_input", lambda n: n.F.conv2d(n.T.ones(4, 4), n.T.ones(1, 1, 2, 2)), RuntimeError, ["(4, 4)"]),
    ("max_pool2d_kernel_zero", lambda n: n.F.max_pool2d(n.T.ones(1, 1, 4, 4), 0), RuntimeError,
     ["max_pool2d", "0"]),
    ("max_pool2d_stride_zero", lambda n: n.F.max_pool2d(n.T.ones(1, 1, 4, 4), 2, stride=0), RuntimeError,
     ["max_pool2d", "stride", "0"]),
    ("max_pool2d_padding", lambda n: n.F.max_pool2d(n.T.ones(1, 1, 4, 4), 2, padding=2), RuntimeError,
     ["padding", "2"]),
    ("max_pool2d_too_small", lambda n: n.F.max_pool2d(n.T.ones(1, 1, 1, 1), 2), RuntimeError, ["(1, 1, 1, 1)"]),
    ("MaxPool2d_stride_zero", lambda n: n.nn.MaxPool2d(2, stride=0)(n.T.ones(1, 1, 4, 4)), RuntimeError,
     ["stride", "0"]),
    ("avg_pool2d_kernel_zero", lambda n: n.F.avg_pool2d(n.T.ones(1, 1, 4, 4), 0), RuntimeError,
     ["avg_pool2d", "0"]),
    ("avg_pool2d_padding", lambda n: n.F.avg_pool2d(n.T.ones(1, 1, 4, 4), 2, padding=2), RuntimeError,
     ["padding", "2"]),
    ("max_pool2d_1d_input", lambda n: n.F.max_pool2d(n.T.ones(4), 2), RuntimeError, ["(4,)"]),
    ("BatchNorm2d_channels", lambda n: n.nn.BatchNorm2d(3)(n.T.ones(2, 4, 2, 2)), RuntimeError, ["3", "4"]),
    ("BatchNorm1d_channels", lambda n: n.nn.BatchNorm1d(3)(n.T.ones(2, 4)), RuntimeError, ["3", "4"]),
    ("BatchNorm1d_one_sample", lambda n: n.nn.BatchNorm1d(3)(n.T.ones(1, 3)), ValueError, ["[1, 3]"]),
    ("LayerNorm_shape", lambda n: n.nn.LayerNorm(3)(n.T.ones(2, 4)), RuntimeError, ["[3]", "[2, 4]"]),
    ("GroupNorm_divisible", lambda n: n.nn.GroupNorm(3, 4), ValueError, ["3", "4"]),
    ("GroupNorm_channels", lambda n: n.nn.GroupNorm(2, 4)(n.T.ones(2, 6, 2)), RuntimeError, ["4", "(2, 6, 2)"]),
    ("Dropout_p", lambda n: n.nn.Dropout(1.5), ValueError, ["1.5"]),
    ("dropout_p", lambda n: n.F.dropout(n.T.ones(2), -0.1), ValueError, ["-0.1"]),
    ("LSTM_input_size", lambda n: n.nn.LSTM(-1, 3), ValueError, ["input_size"]),
    ("RNN_input_features", lambda n: n.nn.RNN(3, 4)(n.T.ones(2, 1, 5)), RuntimeError, ["3", "5"]),
    ("Flatten_dim", lambda n: n.nn.Flatten(3)(n.T.ones(2, 2)), IndexError, ["3"]),
    ("Sequential_index", lambda n: n.nn.Sequential(n.nn.ReLU())[3], IndexError, ["3"]),
    ("register_buffer_int", lambda n: n.nn.Module().register_buffer("a", 5), TypeError, ["int", "'a'"]),
    ("kaiming_1d", lambda n: n.nn.init.kaiming_uniform_(n.T.ones(3)), ValueError, ["fewer than 2 dimensions"]),
    ("load_state_dict_shape",
     lambda n: n.nn.Linear(2, 3).load_state_dict({"weight": n.T.ones(3, 3), "bias": n.T.ones(3)}), RuntimeError,
     ["weight", "[3, 3]", "[3, 2]"]),
    # -- F.pad -------------------------------------------------------------------------------------
    ("pad_odd_length", lambda n: n.F.pad(n.T.ones(2, 2), (1,)), RuntimeError, ["pad", "divisible by 2", "1"]),
    ("pad_too_long", lambda n: n.F.pad(n.T.ones(2), (1, 1, 1, 1)), RuntimeError, ["pad", "4"]),
    ("pad_reflect_too_big", lambda n: n.F.pad(n.T.ones(1, 1, 2), (3, 3), mode="reflect"), RuntimeError,
     ["(3, 3)", "2"]),
    ("pad_mode", lambda n: n.F.pad(n.T.ones(1, 1, 2), (1, 1), mode="foo"), NotImplementedError, ["foo"]),
    # -- optimizers' arguments -------------------------------------------------------------------
    ("SGD_lr", lambda n: n.optim.SGD(_param(n), lr=-1), ValueError, ["learning rate", "-1"]),
    ("SGD_momentum", lambda n: n.optim.SGD(_param(n), lr=0.1, momentum=-1), ValueError, ["momentum", "-1"]),
    ("SGD_empty", lambda n: n.optim.SGD([], lr=0.1), ValueError, ["empty parameter list"]),
    ("SGD_tensor_params", lambda n: n.optim.SGD(n.T.ones(2, requires_grad=True), lr=0.1), TypeError, ["Tensor"]),
    ("SGD_nesterov", lambda n: n.optim.SGD(_param(n), lr=0.1, nesterov=True), ValueError, ["Nesterov"]),
    ("Adam_betas", lambda n: n.optim.Adam(_param(n), betas=(1.0, 0.9)), ValueError, ["beta", "1.0"]),
    ("Adam_eps", lambda n: n.optim.Adam(_param(n), eps=-1), ValueError, ["epsilon", "-1"]),
    ("Adam_weight_decay", lambda n: n.optim.Adam(_param(n), weight_decay=-1), ValueError, ["weight_decay"]),
    ("RMSprop_alpha", lambda n: n.optim.RMSprop(_param(n), alpha=-1), ValueError, ["alpha", "-1"]),
    ("Adagrad_lr_decay", lambda n: n.optim.Adagrad(_param(n), lr_decay=-1), ValueError, ["lr_decay"]),
    # -- data ------------------------------------------------------------------------------------
    ("DataLoader_batch_size_zero", lambda n: n.DataLoader(n.TensorDataset(n.T.ones(4)), batch_size=0), ValueError,
     ["batch_size", "0"]),
    ("DataLoader_batch_size_negative", lambda n: n.DataLoader(n.TensorDataset(n.T.ones(4)), batch_size=-1),
     ValueError, ["batch_size", "-1"]),
    ("TensorDataset_sizes", lambda n: n.TensorDataset(n.T.ones(4), n.T.ones(3)), AssertionError,
     ["ize mismatch"]),
    ("TensorDataset_index", lambda n: n.TensorDataset(n.T.ones(4))[4], IndexError, ["4"]),
    ("DataLoader_dataset_index", lambda n: list(n.DataLoader(_ShortDataset(), batch_size=2)), IndexError,
     ["index"]),
    ("DataLoader_sampler_index", lambda n: list(n.DataLoader(n.TensorDataset(n.T.ones(4)), sampler=[0, 9],
                                                             batch_size=2)), IndexError, ["index 9", "size 4"]),
    ("DataLoader_batch_sampler_index",
     lambda n: list(n.DataLoader(n.TensorDataset(n.T.ones(4)), batch_sampler=[[0, 7]])), IndexError, ["7"]),
    # -- load / save -----------------------------------------------------------------------------
    ("load_map_location_cuda", lambda n: n.T.load(_checkpoint(n), map_location="cuda"), RuntimeError, ["cuda"]),
    ("load_missing", lambda n: n.T.load("/nonexistent/npgrad_missing.pt"), FileNotFoundError,
     ["npgrad_missing.pt"]),
    ("save_missing_folder", lambda n: n.T.save({"a": n.T.ones(2)}, "/nonexistent/dir/x.pt"), RuntimeError,
     ["/nonexistent/dir"]),
]


def _checkpoint(n):
    import os
    import tempfile
    path = os.path.join(tempfile.mkdtemp(), "ckpt.pt")
    n.T.save({"a": n.T.ones(2)}, path)
    return path


_IDS = [r[0] for r in ROWS]
assert len(set(_IDS)) == len(_IDS), "duplicate row ids"


@pytest.mark.parametrize("call,exc,fragments", [r[1:] for r in ROWS], ids=_IDS)
def test_npgrad_raises_pytorch_type_and_names_the_problem(call, exc, fragments):
    with pytest.raises(exc) as info:
        call(_ns(npgrad))
    for frag in fragments:
        assert frag in str(info.value), f"{frag!r} not in {str(info.value)!r}"


@pytest.mark.parametrize("call,exc", [r[1:3] for r in ROWS], ids=_IDS)
def test_pytorch_raises_the_same_type(call, exc, torch):
    with pytest.raises(exc):
        call(_ns(torch))
