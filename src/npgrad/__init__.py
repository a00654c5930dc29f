"""npgrad: a deep-learning framework on NumPy with PyTorch's API.

>>> import npgrad as torch
>>> x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> y = (x ** 2).sum()
>>> y.backward()
>>> x.grad
tensor([2., 4., 6.])
"""
from __future__ import annotations

__version__ = "0.1.0"

from . import _dtype
from ._dtype import (bool_ as bool, dtype, finfo, float16, float32, float64, get_default_dtype, iinfo,  # noqa: A001
                     int8, int16, int32, int64, promote_types, set_default_dtype, uint8)
from .tensor import Size, Tensor
from ._backend import device, get_default_device, set_default_device
from ._settings import (are_deterministic_algorithms_enabled, channels_last, channels_last_3d, contiguous_format,
                        get_float32_matmul_precision, is_deterministic_algorithms_warn_only_enabled, layout,
                        memory_format, preserve_format, set_float32_matmul_precision, strided,
                        use_deterministic_algorithms)
from .autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                                 set_grad_enabled)
from .random import Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .creation import (arange, as_tensor, bernoulli, empty, empty_like, eye, from_numpy, full, full_like,
                       linspace, logspace, multinomial, normal, ones, ones_like, rand, rand_like, randint,
                       randint_like, randn, randn_like, randperm, tensor, zeros, zeros_like)
from .ops.elementwise import (abs, absolute, add, allclose, bitwise_and, bitwise_not, bitwise_or, bitwise_xor,
                              ceil, clamp, clamp_max, clamp_min, clip, cos, div, divide, eq, equal, exp, exp2,
                              expm1, float_power, floor, floor_divide, fmax, fmin, fmod, ge, greater,
                              greater_equal, gt, heaviside, isclose, isfinite, isinf, isnan, le, lerp, less,
                              less_equal, log, log1p, log2, log10, logical_and, logical_not, logical_or,
                              logical_xor, lt, maximum, minimum, mul, multiply, nan_to_num, ne, neg, negative,
                              nonzero, not_equal, pow, reciprocal, relu, remainder, round, rsqrt, sgn, sigmoid,
                              sign, sin, sqrt, square, sub, subtract, tan, tanh, true_divide, trunc, where)
from .ops.index import index_select, masked_fill, masked_select
from .ops.linalg import addmm, bmm, dot, einsum, ger, inner, matmul, mm, mv, outer
from .ops.reduce import (all, amax, amin, any, argmax, argmin, argsort, count_nonzero, cumprod, cumsum,
                         logsumexp, max, mean, min, norm, prod, sort, std, std_mean, sum, topk, var, var_mean)
from .ops.shape import (broadcast_shapes, broadcast_tensors, broadcast_to, cat, chunk, concat, concatenate,
                        diagonal, flatten, flip, narrow, gather, hstack, movedim, moveaxis, permute, repeat_interleave,
                        reshape, roll, scatter, scatter_add, split, squeeze, stack, swapaxes, swapdims, t,
                        take_along_dim, tile, trace, transpose, tril, triu, unbind, unflatten, unsqueeze,
                        vstack)
from . import autograd, linalg  # noqa: E402

float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
cfloat = None


def softmax(input, dim, dtype=None):
    """``npgrad.softmax`` (same as ``nn.functional.softmax``)."""
    return _F().softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, dtype=None):
    """``npgrad.log_softmax`` (same as ``nn.functional.log_softmax``)."""
    return _F().log_softmax(input, dim, dtype=dtype)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def clone(input, memory_format=None):
    return input.clone()


def detach(input):
    return input.detach()


def is_floating_point(input):
    return input.is_floating_point()


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,  # noqa: A001
            disable=False):
    """``torch.compile``: npgrad has no graph compiler, so the model (or function) comes back as it is,
    and runs eagerly with the same results; usable as ``torch.compile(m)``, ``@torch.compile`` and
    ``@torch.compile(mode=...)``."""
    if model is None:
        return lambda fn: fn
    return model


from ._format import set_printoptions  # noqa: E402


from ._threads import get_num_threads, set_num_threads  # noqa: E402


def _bind_methods():
    """Tensor methods are the functions above with the tensor as first argument, as in PyTorch."""
    from .ops import elementwise as E, index as I, linalg as L, reduce as R, shape as S
    names = {
        E: "abs absolute add sub mul div pow neg exp log log1p log2 log10 expm1 exp2 sqrt rsqrt sin cos tan tanh "
           "sigmoid sign sgn clamp clip clamp_min clamp_max maximum minimum floor ceil round trunc eq ne lt le gt "
           "ge isnan isinf isfinite logical_and logical_or logical_not logical_xor relu square reciprocal lerp "
           "nan_to_num remainder fmod float_power floor_divide equal allclose isclose heaviside nonzero "
           "bitwise_and bitwise_or bitwise_xor bitwise_not multiply divide subtract true_divide negative "
           "greater less greater_equal less_equal not_equal",
        R: "sum mean var std max min amax amin argmax argmin prod cumsum cumprod logsumexp norm all any "
           "count_nonzero sort argsort topk",
        S: "reshape view view_as reshape_as flatten unflatten squeeze unsqueeze permute transpose swapaxes "
           "swapdims t movedim moveaxis expand expand_as broadcast_to split chunk unbind flip gather scatter "
           "scatter_add repeat tile repeat_interleave tril triu diagonal trace roll take_along_dim",
        I: "index_select masked_fill masked_select",
        L: "matmul mm bmm mv dot inner outer ger addmm",
    }
    for mod, ns in names.items():
        for n in ns.split():
            setattr(Tensor, n, getattr(mod, n))
    Tensor.where = lambda self, condition, other: E.where(condition, self, other)
    Tensor.narrow = S.narrow
    Tensor.clone = lambda self, memory_format=None: E.Cast.apply(self, self.dtype, True) \
        if self.requires_grad else Tensor._make(self._data.copy(order="K"), None, False, None)
    def _new_kw(self, dtype, device, requires_grad, **kw):
        return dict(dtype=dtype or self.dtype, device=self.device if device is None else device,
                    requires_grad=requires_grad, **kw)
    Tensor.new_tensor = lambda self, data, dtype=None, device=None, requires_grad=False: tensor(
        data, **_new_kw(self, dtype, device, requires_grad))
    Tensor.new_zeros = lambda self, *size, dtype=None, device=None, requires_grad=False, pin_memory=False: zeros(
        *size, **_new_kw(self, dtype, device, requires_grad, pin_memory=pin_memory))
    Tensor.new_ones = lambda self, *size, dtype=None, device=None, requires_grad=False, pin_memory=False: ones(
        *size, **_new_kw(self, dtype, device, requires_grad, pin_memory=pin_memory))
    Tensor.new_full = lambda self, size, fill_value, dtype=None, device=None, requires_grad=False, pin_memory=False: \
        full(size, fill_value, **_new_kw(self, dtype, device, requires_grad, pin_memory=pin_memory))
    Tensor.new_empty = lambda self, *size, dtype=None, device=None, requires_grad=False, pin_memory=False: empty(
        *size, **_new_kw(self, dtype, device, requires_grad, pin_memory=pin_memory))
    Tensor.softmax = lambda self, dim, dtype=None: _F().softmax(self, dim, dtype=dtype)
    Tensor.log_softmax = lambda self, dim, dtype=None: _F().log_softmax(self, dim, dtype=dtype)


def _F():
    from .nn import functional
    return functional


_bind_methods()
del _bind_methods

from .ops.more import *  # noqa: E402,F401,F403  (copysign, erf, cummax, scatter_reduce, diag, ... and their methods)

_LAZY_MODULES = ("nn", "optim", "utils", "datasets", "viz", "labs", "testing", "train", "serialization", "onnx",
                 "cuda", "backends", "accelerator", "mps", "xpu", "distributed", "distributions", "amp")


def __getattr__(name):
    # Subpackages load on first use, so `import npgrad` stays quick and core-only.
    import importlib
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in ("save", "load"):
        return getattr(importlib.import_module(".serialization", __name__), name)
    if name in ("autocast", "is_autocast_enabled"):
        return getattr(importlib.import_module(".amp.autocast_mode", __name__), name)
    raise AttributeError(f"module 'npgrad' has no attribute {name!r}")


# last, so that every function above (wherever imported from) gets them
from ._torch_args import install as _install_torch_args  # noqa: E402
_install_torch_args(globals(), Tensor)  # axis=/keepdims=/size=/out= as PyTorch's parser takes them
from ._legacy import install as _install_legacy  # noqa: E402
_install_legacy(globals(), autograd)  # Variable, FloatTensor & co., Tensor.resize_
