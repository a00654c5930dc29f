"""``Module``: the building block of every network, shaped like ``torch.nn.Module`` (``Parameter`` and
``Buffer`` are in ``parameter.py`` and re-exported here).

A Module keeps its Parameters, buffers and submodules in three ordered dicts, filled by plain
attribute assignment (``self.fc = Linear(2, 3)``), so that ``parameters()``, ``state_dict()`` and
``repr`` list them in the order they were defined.
"""
from __future__ import annotations

import itertools
from collections import OrderedDict, namedtuple

import numpy as np

from .. import _backend, _dtype
from ..autograd.grad_mode import state
from ..tensor import Size, Tensor
from .parameter import Buffer, Parameter

__all__ = ["Module", "Parameter", "Buffer"]


class RemovableHandle:
    """Returned by ``register_*_hook``: ``handle.remove()`` unregisters the hook."""
    _ids = itertools.count()

    def __init__(self, hooks_dict):
        self.hooks_dict = hooks_dict
        self.id = next(RemovableHandle._ids)

    def remove(self):
        self.hooks_dict.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _addindent(s, num_spaces):
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    pad = " " * num_spaces
    return lines[0] + "\n" + "\n".join(pad + line for line in lines[1:])


def _no_init_error(obj, what):
    return AttributeError(f"cannot assign {what} before Module.__init__() call "
                          f"(call super().__init__() first in {type(obj).__name__}.__init__)")


class Module:
    """Base class of all layers and models: subclass it, assign layers in ``__init__``, define ``forward``.

    >>> import npgrad
    >>> class Net(npgrad.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc = npgrad.nn.Linear(4, 2)
    ...     def forward(self, x):
    ...         return self.fc(x).relu()
    >>> net = Net()
    >>> [n for n, _ in net.named_parameters()]
    ['fc.weight', 'fc.bias']
    >>> net(npgrad.randn(3, 4)).shape
    torch.Size([3, 2])
    """

    training: bool

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments {args} {kwargs}")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()
        d["_forward_hooks_with_kwargs"] = {}
        d["_forward_pre_hooks"] = OrderedDict()
        d["_forward_pre_hooks_with_kwargs"] = {}

    # -- calling ---------------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args, **kwargs):
        d = self.__dict__
        if "_forward_hooks" not in d:
            raise RuntimeError(f"{type(self).__name__}: Module.__init__() was not called; call "
                               f"super().__init__() first in {type(self).__name__}.__init__")
        if not (d["_forward_hooks"] or d["_forward_pre_hooks"] or d.get("_backward_hooks")
                or d.get("_backward_pre_hooks")):
            return self.forward(*args, **kwargs)  # the common, hook-free path: no extra work
        return self._call_with_hooks(args, kwargs)

    def _call_with_hooks(self, args, kwargs):
        backward = None
        if (self.__dict__.get("_backward_hooks") or self.__dict__.get("_backward_pre_hooks")) and state._grad:
            from ._backward_hooks import BackwardHookCall
            backward = BackwardHookCall(self, self._backward_hooks, self._backward_pre_hooks)
        for hid, hook in list(self._forward_pre_hooks.items()):
            if hid in self._forward_pre_hooks_with_kwargs:
                r = hook(self, args, kwargs)
                if r is not None:
                    args, kwargs = r
            else:
                r = hook(self, args)
                if r is not None:
                    args = r if isinstance(r, tuple) else (r,)
        if backward is not None:
            args = backward.wrap_inputs(args)
        result = self.forward(*args, **kwargs)
        for hid, hook in list(self._forward_hooks.items()):
            if hid in self._forward_hooks_with_kwargs:
                r = hook(self, args, kwargs, result)
            else:
                r = hook(self, args, result)
            if r is not None:
                result = r
        return result if backward is None else backward.wrap_outputs(result)

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """``hook(module, args) -> None or new args`` runs before ``forward``."""
        return self._add_hook(self._forward_pre_hooks, self._forward_pre_hooks_with_kwargs, hook,
                              prepend, with_kwargs)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """``hook(module, args, output) -> None or new output`` runs after ``forward``."""
        return self._add_hook(self._forward_hooks, self._forward_hooks_with_kwargs, hook, prepend, with_kwargs)

    def register_full_backward_hook(self, hook, prepend=False):
        """``hook(module, grad_input, grad_output) -> None or new grad_input`` runs when the gradients
        with respect to the module's inputs are known (``grad_input`` holds None for inputs without one)."""
        return self._add_hook(self._backward_hook_dicts()[0], {}, hook, prepend, False)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """``hook(module, grad_output) -> None or new grad_output`` runs when the gradients with respect
        to the module's outputs are known, before the module's own backward."""
        return self._add_hook(self._backward_hook_dicts()[1], {}, hook, prepend, False)

    def _backward_hook_dicts(self):
        d = self.__dict__
        if "_backward_hooks" not in d:  # made on first use: hook-free modules skip them when called
            d["_backward_hooks"], d["_backward_pre_hooks"] = OrderedDict(), OrderedDict()
        return d["_backward_hooks"], d["_backward_pre_hooks"]

    @staticmethod
    def _add_hook(hooks, kw, hook, prepend, with_kwargs):
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if with_kwargs:
            kw[handle.id] = True
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    # -- registration ----------------------------------------------------------------------------
    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise _no_init_error(self, "parameters")
            self._forget(name)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                "(nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            if params is None:
                raise _no_init_error(self, "module")
            self._forget(name)
            d["_modules"][name] = value
        elif params is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                "(nn.Module or None expected)")
            d["_modules"][name] = value
        elif isinstance(value, Buffer):
            if params is None:
                raise _no_init_error(self, "buffers")
            self._forget(name)
            self.register_buffer(name, Tensor._make(value._data, None, False, value._version), value.persistent)
        elif params is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                "(Tensor or None expected)")
            d["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name):
        d = self.__dict__
        d.pop(name, None)
        for k in ("_parameters", "_buffers", "_modules"):
            d[k].pop(name, None)
        d["_non_persistent_buffers_set"].discard(name)

    def __getattr__(self, name):
        # only called when normal lookup failed: look in the three registries
        d = self.__dict__
        for k in ("_parameters", "_buffers", "_modules"):
            reg = d.get(k)
            if reg is not None and name in reg:
                return reg[name]
        if "_parameters" not in d and not name.startswith("__"):
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}' "
                                 f"(Module.__init__() was not called: call super().__init__() first "
                                 f"in {type(self).__name__}.__init__)")
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        d = self.__dict__
        for k in ("_parameters", "_buffers", "_modules"):
            if name in d.get(k, ()):
                del d[k][name]
                d["_non_persistent_buffers_set"].discard(name)
                return
        object.__delattr__(self, name)

    def _check_name(self, name, what, registry):
        """PyTorch's rules: a string without dots, not already an attribute of another kind."""
        if "_parameters" not in self.__dict__:
            raise _no_init_error(self, what)
        if not isinstance(name, str):
            raise TypeError(f"{what} name should be a string. Got {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f'{what} name can\'t be empty or contain ".", got: {name!r}')
        if hasattr(self, name) and name not in self.__dict__[registry]:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name, param):
        """Add ``param`` (a Parameter or None) under ``name``."""
        self._check_name(name, "parameter", "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            "(nn.Parameter or None required)")
        if param is not None and param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must "
                             "be created explicitly (wrap the tensor in nn.Parameter).")
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Add a tensor that is state but not a parameter (e.g. BatchNorm's running mean).

        ``persistent=False`` keeps it out of ``state_dict``.
        """
        self._check_name(name, "buffer", "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                            "(Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name, module):
        """Add a child module under ``name`` (the same as ``setattr`` for a Module)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name, "module", "_modules")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target):
        mod = self
        if target == "":
            return mod
        for item in target.split("."):
            if not isinstance(mod, Module) or item not in mod._modules:
                raise AttributeError(f"{mod._get_name()} has no attribute `{item}`")
            mod = mod._modules[item]
        return mod

    def get_parameter(self, target):
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if name not in mod._parameters:
            raise AttributeError(f"{mod._get_name()} has no parameter `{name}`")
        return mod._parameters[name]

    def get_buffer(self, target):
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if name not in mod._buffers:
            raise AttributeError(f"{mod._get_name()} has no buffer `{name}`")
        return mod._buffers[name]

    # -- iteration -------------------------------------------------------------------------------
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """Yield ``(dotted_name, module)`` for this module and all below it, depth first."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, m in self._modules.items():
            if m is None:
                continue
            yield from m.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self):
        for _, m in self.named_children():
            yield m

    def _named_members(self, registry, prefix, recurse, remove_duplicate=True):
        seen = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for mprefix, m in mods:
            for k, v in m.__dict__[registry].items():
                if v is None or (remove_duplicate and id(v) in seen):
                    continue
                seen.add(id(v))
                yield mprefix + ("." if mprefix else "") + k, v

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """Yield ``(dotted_name, Parameter)``, e.g. ``('0.weight', ...)`` for a Sequential."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn):
        """Call ``fn(m)`` on every submodule (children first) and then on this module."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # -- modes and gradients ---------------------------------------------------------------------
    def train(self, mode=True):
        if not isinstance(mode, bool):
            raise ValueError(f"{type(self).__name__}.train: training mode is expected to be boolean, got {mode!r}")
        self.training = mode
        for m in self.children():
            m.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters (to None by default, as PyTorch 2)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                if p.grad.grad_fn is not None:
                    p.grad = p.grad.detach()
                p.grad._data[...] = 0

    # -- dtype / device --------------------------------------------------------------------------
    def _apply(self, fn):
        """Replace every parameter's and buffer's array by ``fn(array)``, keeping the same objects."""
        for m in self.modules():
            for reg in (m._parameters, m._buffers):
                for t in reg.values():
                    if t is None:
                        continue
                    new = fn(t._data)
                    if new is not t._data:
                        t._data = new
                        if t._grad is not None:  # the same .grad object, as PyTorch's ``grad.data = ...``
                            t._grad._data = fn(t._grad._data)
        return self

    def to(self, *args, **kwargs):
        """``module.to(device)``, ``.to(dtype)``, ``.to(device, dtype)``, ``.to(tensor)``: move and/or
        cast parameters and buffers in place (floating-point ones only take ``dtype``), as PyTorch.

        >>> import npgrad
        >>> fc = npgrad.nn.Linear(2, 3).to("cpu", npgrad.float64)
        >>> fc.weight.dtype, fc.weight.device
        (torch.float64, device(type='cpu'))
        """
        device, dtype, _, _ = _backend.parse_to(args, kwargs, "to")
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but got desired "
                            f"dtype={dtype}")
        if device is not None:
            self._apply(lambda a: _backend.transfer(a, device))
        if dtype is None:
            return self
        return self._apply(lambda a: a.astype(dtype.np, copy=False) if a.dtype.kind == "f" else a)

    def float(self):
        return self.to(_dtype.float32)

    def double(self):
        return self.to(_dtype.float64)

    def half(self):
        return self.to(_dtype.float16)

    def type(self, dst_type):
        return self.to(dst_type)

    def cpu(self):
        return self.to(_backend.CPU)

    def cuda(self, device=None):
        return self.to(_backend.cuda_device(device))

    # -- state dict ------------------------------------------------------------------------------
    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        """Ordered ``{dotted_name: tensor}`` of parameters and persistent buffers (sharing memory)."""
        if args:  # PyTorch's deprecated positional form state_dict(destination, prefix, keep_vars)
            destination = args[0]
            prefix = args[1] if len(args) > 1 else prefix
            keep_vars = args[2] if len(args) > 2 else keep_vars
        if destination is None:
            destination = OrderedDict()
        for mprefix, m in self.named_modules(prefix=prefix[:-1] if prefix.endswith(".") else prefix,
                                             remove_duplicate=False):
            p = mprefix + "." if mprefix else ""
            for k, v in m._parameters.items():
                if v is not None:
                    destination[p + k] = v if keep_vars else v.detach()
            for k, v in m._buffers.items():
                if v is not None and k not in m._non_persistent_buffers_set:
                    destination[p + k] = v if keep_vars else v.detach()
        return destination

    def _expected_entries(self):
        out = OrderedDict()
        for mprefix, m in self.named_modules(remove_duplicate=False):
            p = mprefix + "." if mprefix else ""
            for k, v in m._parameters.items():
                if v is not None:
                    out[p + k] = v
            for k, v in m._buffers.items():
                if v is not None and k not in m._non_persistent_buffers_set:
                    out[p + k] = v
        return out

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy values (npgrad tensors or NumPy arrays) into this module's parameters and buffers.

        Returns ``(missing_keys, unexpected_keys)``; with ``strict=True`` either being non-empty
        raises. A shape mismatch always raises, naming the key and both shapes.
        """
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
        expected = self._expected_entries()
        missing, errors = [], []
        for key, target in expected.items():
            if key not in state_dict:
                missing.append(key)
                continue
            src = state_dict[key]
            arr = src._data if isinstance(src, Tensor) else np.asarray(src)
            if arr.shape != target._data.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape {Size(arr.shape)!r} from "
                              f"checkpoint, the shape in current model is {Size(target._data.shape)!r}.")
                continue
            if assign:  # the state dict's properties, its device included (PyTorch's assign=True)
                target._data = np.array(arr, copy=True) if type(arr) is np.ndarray else arr.copy()
            else:
                if type(arr) is not type(target._data):  # across devices, as PyTorch's copy_
                    arr = _backend.transfer(arr, _backend.device_of(target._data))
                np.copyto(target._data, arr, casting="unsafe")
            target._version[0] += 1
        unexpected = [k for k in state_dict.keys() if k not in expected]
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ". ")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {self._get_name()}:\n\t" + "\n\t".join(errors))
        return _IncompatibleKeys(missing, unexpected)

    # -- printing --------------------------------------------------------------------------------
    def _get_name(self):
        return type(self).__name__

    def extra_repr(self):
        """Override to show a layer's settings inside its ``repr``, e.g. ``in_features=4, ...``."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({k}): " + _addindent(repr(m), 2) for k, m in self._modules.items()]
        lines = extra_lines + child_lines
        s = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                s += extra_lines[0]
            else:
                s += "\n  " + "\n  ".join(lines) + "\n"
        return s + ")"

    def __dir__(self):
        keys = list(dir(type(self))) + list(self.__dict__) + list(self._parameters) + \
            list(self._modules) + list(self._buffers)
        return sorted(k for k in dict.fromkeys(keys) if not k[0].isdigit())

    def __setstate__(self, state):
        self.__dict__.update(state)
