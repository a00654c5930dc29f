"""``Optimizer``: the base class of every update rule, shaped like ``torch.optim.Optimizer``.

An optimizer holds ``param_groups`` (a list of dicts: the tensors under ``'params'`` plus their
hyperparameters), ``defaults`` (the hyperparameters a group gets when it names none) and ``state``
(a dict keyed by the parameter tensor, holding each parameter's running buffers).

Updates run on the parameters' ``._data`` arrays with NumPy's in-place ufuncs: an optimizer step
records no graph and allocates nothing after the first step (temporaries go into a scratch
buffer that is reused across parameters).  The same code steps parameters on an accelerator: the
ufuncs dispatch to the device's array module, and buffers are made on the parameter's device
(the ``step`` count stays a CPU scalar, as in PyTorch without ``capturable``).
"""
from __future__ import annotations

import copy
import functools
import inspect
import warnings
from collections import defaultdict

import numpy as np

from .. import _backend
from ..autograd.grad_mode import enable_grad
from ..tensor import Tensor

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Marks a hyperparameter that has no default and must be given by every group."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class for all optimizers.

    ``params`` is an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts (parameter
    groups, each with its own hyperparameters). Subclasses implement ``step``.

    >>> import npgrad
    >>> w = npgrad.randn(3, requires_grad=True)
    >>> opt = npgrad.optim.SGD([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step(); opt.zero_grad()
    >>> w.grad is None
    True
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors "
                            f"or dicts, but got {type(params).__name__}")
        if isinstance(params, (set, frozenset)):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        self.state = defaultdict(dict)
        self.param_groups = []
        self._scratch, self._views = {}, {}
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(dict(group))

    # -- hyperparameter checks -----------------------------------------------------------------
    #: whether ``_validate`` makes PyTorch's range checks of lr, eps, betas, weight_decay and
    #: differentiable (``_check_hyper``, in that order); optimizers that check in another order
    #: (SGD, RMSprop, Adagrad) leave it off and make their own
    _hyper_checks = False

    def _validate(self, group):
        """Raise for an invalid hyperparameter in ``group``: a number wherever the default is a
        number, then the shared range checks (``_hyper_checks``); subclasses add their own range
        checks after calling this one."""
        for name in _numeric_options(type(self)):
            v = group.get(name, 0)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.number, Tensor)):
                raise TypeError(f"{type(self).__name__}: {name} must be a number, got {v!r}")
        if self._hyper_checks:
            _check_hyper(self, group)

    # -- groups --------------------------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a group of parameters (with optional hyperparameters of its own), e.g. to unfreeze
        layers while fine-tuning.

        >>> import npgrad
        >>> a, b = npgrad.randn(2, requires_grad=True), npgrad.randn(2, requires_grad=True)
        >>> opt = npgrad.optim.SGD([a], lr=0.1)
        >>> opt.add_param_group({"params": [b], "lr": 0.01})
        >>> [g["lr"] for g in opt.param_groups]
        [0.1, 0.01]
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of tensors in sets will change between runs. Please use a list instead.")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names and len(names) != len(params):
            raise ValueError("all optimizer params should be with/without names. Some param names are missing")
        param_group["params"] = params
        if names:
            param_group["param_names"] = names
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__module__}.{type(p).__name__}")
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required optimization "
                                 f"parameter {name}")
            param_group.setdefault(name, default)
        self._validate(param_group)
        ids = [id(p) for p in params]
        if len(ids) != len(set(ids)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; the duplicates "
                          "would be updated twice per step", stacklevel=3)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(i in seen for i in ids):
            raise ValueError("some parameters appear in more than one parameter group")
        for g in self.param_groups:
            if ("param_names" in g) != ("param_names" in param_group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        self.param_groups.append(param_group)

    # -- gradients -----------------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients: drop them (``set_to_none=True``, the default) or fill them with 0."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad  # a parameter is a leaf: its gradient slot, without the property
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    g.grad_fn = None
                    g.requires_grad = False
                    g._data.fill(0)
                    g._version[0] += 1

    def step(self, closure=None):
        """Perform one optimization step. ``closure`` re-evaluates the model and returns the loss."""
        raise NotImplementedError

    def _closure_loss(self, closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def _with_grad(self, group):
        """The parameters of ``group`` that have a gradient, as (param, data, grad data) triples."""
        return [(p, p._data, p._grad._data) for p in group["params"] if p._grad is not None]

    def _work(self, like, slot):
        """A scratch array shaped like ``like``: a view into one buffer per (dtype, slot) grown to the
        largest parameter, so the update's temporaries cost no allocation after the first step."""
        key = (like.dtype, slot, type(like))
        buf = self._scratch.get(key)
        if buf is None or buf.size < like.size:
            buf = self._scratch[key] = _backend.array_module(like).empty(like.size, dtype=like.dtype)
        return buf[:like.size].reshape(like.shape)

    def _works(self, p):
        """The two scratch arrays for parameter ``p``, cached so a step costs one dict lookup each."""
        views = self._views.get(p)
        if views is None or views[0].shape != p._data.shape or views[0].dtype != p._data.dtype:
            views = self._views[p] = (self._work(p._data, 0), self._work(p._data, 1))
        return views

    # -- serialization -------------------------------------------------------------------------
    def state_dict(self):
        """The optimizer's state as ``{'state': {index: {...}}, 'param_groups': [...]}`` (PyTorch's
        format): parameters are named by their position across the groups, never stored.

        The tensors in ``'state'`` are the live buffers; save the dict (``npgrad.save``) or deep-copy
        it to keep a snapshot.
        """
        index, start, groups = {}, 0, []
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            for i, p in enumerate(g["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in g["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a dict made by ``state_dict()`` (possibly read back with ``npgrad.load``).

        State buffers are copied and cast to their parameter's dtype and moved to its device (the
        ``step`` count keeps its own, as in PyTorch), so the optimizer continues exactly where the
        saved one stopped, on whichever device the parameters now live.
        """
        groups, saved = self.param_groups, copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved):
            raise ValueError("loaded state dict has a different number of parameter groups "
                             f"({len(saved)} saved, {len(groups)} in this optimizer)")
        for i, (g, s) in enumerate(zip(groups, saved)):
            if len(g["params"]) != len(s["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size "
                                 f"of optimizer's group (group {i}: {len(s['params'])} saved, "
                                 f"{len(g['params'])} here)")
        id_map = {sid: p for g, s in zip(groups, saved) for sid, p in zip(s["params"], g["params"])}
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = {key: _cast_state(id_map[k], k, key, val) for key, val in v.items()}
            else:
                state[k] = v
        for g, s in zip(groups, saved):
            for k, v in self.defaults.items():  # a checkpoint from before an option existed
                s.setdefault(k, v)
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
        self.state = state
        self.param_groups = saved

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._scratch, self._views = {}, {}

    def __repr__(self):
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"


@functools.lru_cache(maxsize=None)
def _numeric_options(cls):
    """The constructor arguments of ``cls`` whose defaults are numbers (so must their values be)."""
    params = inspect.signature(cls.__init__).parameters.values()
    return tuple(p.name for p in params if isinstance(p.default, (int, float)) and not isinstance(p.default, bool))


def _cast_state(param, index, key, value):
    """A copy of one saved state value for ``param``: float buffers take the parameter's dtype and
    device and must have its shape (``'step'`` keeps its own dtype and device)."""
    if isinstance(value, np.ndarray) or _backend.is_device_array(value):
        value = Tensor._make(value, None, False, None)
    if key == "step" and isinstance(value, (int, float)):  # older checkpoints keep the count as a number
        return Tensor._make(np.array(value, dtype=np.float32), None, False, None)
    if isinstance(value, Tensor):
        arr = value._data
        if key != "step":
            if arr.shape != param._data.shape and arr.ndim != 0:
                raise ValueError(f"load_state_dict: state '{key}' of parameter {index} has shape "
                                 f"{tuple(arr.shape)}, but the parameter has shape {tuple(param._data.shape)}")
            moved = _backend.transfer(arr, _backend.device_of(param._data))
            if param._data.dtype.kind == "f":
                return Tensor._make(moved.astype(param._data.dtype, copy=moved is arr), None, False, None)
            return Tensor._make(moved.copy() if moved is arr else moved, None, False, None)
        return Tensor._make(arr.copy(), None, False, None)
    if isinstance(value, dict):
        return {k: _cast_state(param, index, k, v) for k, v in value.items()}
    return copy.deepcopy(value)


def _effective_grad(work, p, g, weight_decay, maximize):
    """The gradient an update rule sees: ``g' = ±g + weight_decay * p`` (written into ``work`` only
    when it differs from ``g``, so the parameter's own ``.grad`` is never modified)."""
    if weight_decay == 0:
        if not maximize:
            return g
        return np.negative(g, out=work)
    np.multiply(p, weight_decay, out=work)
    return np.subtract(work, g, out=work) if maximize else np.add(work, g, out=work)


def _new_step():
    """A fresh step counter: a 0-d float32 tensor, as PyTorch keeps it."""
    return Tensor._make(np.zeros((), dtype=np.float32), None, False, None)


def _bump_step(state):
    """Add one to ``state['step']`` and return the new count as a Python float."""
    st = state["step"]
    st._data += 1
    return float(st._data)


def _zeros_state(p, fill=0.0):
    """A buffer shaped like parameter ``p``, on its device, filled with ``fill``."""
    return Tensor._make(np.full_like(p._data, fill), None, False, None)


def _check(ok, message):
    if not ok:
        raise ValueError(message)


def _check_hyper(opt, group):
    """PyTorch's range checks for the hyperparameters ``group`` has among lr, eps, betas,
    weight_decay and differentiable (shared by the Adam family and the smaller rules)."""
    name = type(opt).__name__
    if "lr" in group:
        _check(group["lr"] >= 0, f"Invalid learning rate: {group['lr']} ({name}: lr must be >= 0)")
    if "eps" in group:
        _check(group["eps"] >= 0, f"Invalid epsilon value: {group['eps']} ({name}: eps must be >= 0)")
    if "betas" in group:
        betas = group["betas"]
        _check(isinstance(betas, (tuple, list)) and len(betas) == 2,
               f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        for i in range(2):
            _check(0 <= betas[i] < 1, f"Invalid beta parameter at index {i}: {betas[i]} "
                                      f"({name}: betas must be in [0, 1))")
    if "weight_decay" in group:
        _check(group["weight_decay"] >= 0,
               f"Invalid weight_decay value: {group['weight_decay']} ({name}: weight_decay must be >= 0)")
    _check(not group.get("differentiable", False), f"{name}: differentiable=True is not supported by npgrad")


def _scalar_state(value, p=None):
    """A 0-d float32 state tensor (PyTorch keeps step, eta, mu and mu_product so), on the device of
    parameter ``p`` when given (where PyTorch keeps eta, mu and mu_product)."""
    arr = np.array(value, dtype=np.float32)
    return Tensor._make(arr if p is None else _backend.like(p._data, arr), None, False, None)
