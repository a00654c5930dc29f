"""``npgrad.onnx.export``: trace a model twice, build the ONNX graph, check it, write it."""
from __future__ import annotations

import inspect
import os
import warnings

import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .graph import Builder, leaves, onnx_type
from .modules import MODULES
from .ops import FRIENDLY, PRIMITIVES
from .trace import ExportError, flatten, tracing

DEFAULT_OPSET = 18
MIN_OPSET = 13  # graphs are built for opset 13 or newer; older opsets go through ONNX's version converter
OLDEST_OPSET = 7


def _import_onnx():
    from .._optional import require
    return require("onnx", "npgrad.onnx.export")


def _split_args(args, kwargs):
    if isinstance(args, Tensor):
        args = (args,)
    elif isinstance(args, list):
        args = tuple(args)
    elif not isinstance(args, tuple):
        raise TypeError(f"onnx.export: args must be a Tensor or a tuple of inputs, got {type(args).__name__}")
    kwargs = dict(kwargs or {})
    if args and isinstance(args[-1], dict):  # PyTorch's convention: a trailing dict holds keyword inputs
        kwargs.update(args[-1])
        args = args[:-1]
    return args, kwargs


def _input_names(model, inputs, given):
    if given is not None:
        given = list(given)
        if len(given) > len(inputs):
            raise ValueError(f"onnx.export: {len(given)} input_names given for {len(inputs)} tensor inputs")
    names = list(given or [])
    try:
        params = [p.name for p in inspect.signature(model.forward).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    except (TypeError, ValueError):
        params = []
    for k in range(len(names), len(inputs)):
        names.append(params[k] if k < len(params) and params[k] not in names else f"input_{k}")
    return names


#: keywords of torch.onnx.export that change nothing here (its other exporter's options)
_IGNORED = {"custom_translation_table", "report", "optimize", "verify", "profile", "dump_exported_program",
            "artifacts_dir", "fallback"}


def _from_dynamic_shapes(spec, in_names):
    """PyTorch's ``dynamic_shapes`` (per input: ``{axis: name or Dim}`` or one entry per axis,
    ``None`` for static; a dict keyed by input name or a sequence by position) -> ``dynamic_axes``."""
    items = spec.items() if isinstance(spec, dict) else zip(in_names, spec)
    out = {}
    for name, axes in items:
        if axes is None:
            continue
        pairs = axes.items() if isinstance(axes, dict) else enumerate(axes)
        named = {int(a): getattr(d, "__name__", None) or str(d) for a, d in pairs if d is not None}
        if named:
            out[name] = named
    return out


def _dynamic_axes(spec, in_names, output_names):
    """``{name: {axis: dim_name}}`` or ``{name: [axes]}`` -> ``{name: {axis: dim_name}}``."""
    out = {}
    for name, axes in (spec or {}).items():
        default_out = name == "output" or name.startswith("output_")
        if name not in in_names and (name not in output_names if output_names else not default_out):
            known = in_names + list(output_names or ["output", "output_0", "..."])
            raise ValueError(f"onnx.export: dynamic_axes names {name!r}, which is not among the input or output "
                             f"names {known}")
        if isinstance(axes, dict):
            out[name] = {int(a): str(d) for a, d in axes.items()}
        elif isinstance(axes, (list, tuple)):
            out[name] = {int(a): f"{name}_dynamic_axes_{i + 1}" for i, a in enumerate(axes)}
        else:
            raise TypeError(f"onnx.export: dynamic_axes[{name!r}] must be a dict or a list of axes, got "
                            f"{type(axes).__name__}")
    return out


def _second_input(t, axes, rng):
    """Another input for the check trace: other values, and one more element along each dynamic axis."""
    a = t._data
    shape = tuple(n + 1 if d in axes else n for d, n in enumerate(a.shape))
    if a.dtype.kind == "f":
        scale = float(np.std(a)) if a.size > 1 and np.std(a) > 0 else 1.0
        new = (rng.standard_normal(shape) * scale + (float(np.mean(a)) if a.size else 0.0)).astype(a.dtype)
    elif a.size:  # integers (indices, tokens): values taken from the example, so they stay valid
        new = rng.choice(a.reshape(-1), size=shape).astype(a.dtype)
    else:
        new = np.zeros(shape, a.dtype)
    return Tensor._make(new, None, False, None)


def _on_host(model, args, kwargs):
    """A model or inputs on a GPU are traced as host copies (the graph is the same; the model itself
    stays where it is)."""
    tensors = [a for a in flatten(args) + flatten(kwargs) if isinstance(a, Tensor)]
    if all(t.device.type == "cpu" for t in list(model.parameters()) + list(model.buffers()) + tensors):
        return model, args, kwargs
    import copy
    moved = {id(t): t.cpu() for t in tensors}
    return copy.deepcopy(model).cpu(), _replace(args, moved), _replace(kwargs, moved)


def _replace(obj, new):
    """``obj`` (nested tuples/lists/dicts) with each tensor ``t`` replaced by ``new[id(t)]``."""
    if isinstance(obj, (tuple, list)):
        return type(obj)(_replace(o, new) for o in obj)
    if isinstance(obj, dict):
        return {k: _replace(v, new) for k, v in obj.items()}
    return new.get(id(obj), obj) if isinstance(obj, Tensor) else obj


def _run(model, args, kwargs, inputs, fold):
    with no_grad(), tracing(model, MODULES, fold) as trace:
        for k, t in enumerate(inputs):
            trace.bind(t, ("in", k))
        out = model(*args, **kwargs)
    return trace, out


def _same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, slice):
        return (a.start, a.stop, a.step) == (b.start, b.stop, b.step)
    if isinstance(a, Tensor):
        return True  # checked where it is used (Builder.value)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - incomparable objects are taken as different
        return False


#: arguments that legitimately differ between the two runs (the emitter handles them)
_SIZE_ATTRS = {"Reshape": 1, "ReshapeCopy": 1, "Expand": 1, "LeakyRelu": 1, "Gather": 2}


def _check_same_program(t1, t2):
    if len(t1.records) != len(t2.records):
        raise ExportError("onnx.export: the model ran different operations for inputs of another size or other "
                          f"values ({len(t1.records)} vs {len(t2.records)} operations): data-dependent control "
                          "flow cannot be exported to a static graph")
    for r1, r2 in zip(t1.records, t2.records):
        _emitter(r1)  # an unsupported operation is reported as such first
        if r1.op is not r2.op or r1.vids != r2.vids or r1.path != r2.path:
            raise ExportError(f"onnx.export: {r1.where()}: the model ran {r1.op_name()} here for the example "
                              f"input but {r2.op_name()} for an input of another size or other values: "
                              "data-dependent control flow cannot be exported to a static graph")
        skip = _SIZE_ATTRS.get(r1.op_name()) if r1.kind == "function" else None
        l1, l2 = leaves(r1), leaves(r2)
        for k, (a, b) in enumerate(zip(l1, l2)):
            if k != skip and r1.vids[k] is None and not _same(a, b):
                raise ExportError(f"onnx.export: {r1.where()}: argument {k} of {r1.op_name()} ({_show(a)}) "
                                  "depends on the input's size or values (or is random); it would be a wrong "
                                  "constant in the graph")
        if r1.kind == "function" and not _same(r1.kwargs, r2.kwargs):
            raise ExportError(f"onnx.export: {r1.where()}: the keyword arguments of {r1.op_name()} depend on the "
                              "input's size or values")


def _show(a):
    return f"array of shape {a.shape}" if isinstance(a, np.ndarray) else repr(a)[:80]


def _emitter(rec):
    if rec.kind == "module":
        return MODULES[type(rec.op)][1]
    fn = PRIMITIVES.get(rec.op.__name__) if rec.op.__module__.startswith("npgrad.") else None
    if fn is None and rec.op.__module__.startswith("npgrad."):  # a variant of a primitive (Index of GetItem)
        fn = next((PRIMITIVES[c.__name__] for c in rec.op.__mro__[1:] if c.__name__ in PRIMITIVES), None)
    if fn is None:
        what = FRIENDLY.get(rec.op.__name__, rec.op.__name__)
        kind = "" if rec.op.__module__.startswith("npgrad.") else " (a custom autograd.Function)"
        raise ExportError(f"onnx.export: {rec.where()}: the operation {what}{kind} is not supported by the "
                          "ONNX exporter")
    return fn


def _param_names(model):
    names = {}
    for name, t in list(model.named_parameters()) + list(model.named_buffers()):
        names.setdefault(id(t), name)
        names.setdefault(id(t._data), name)
    return names


def _emit(b, t1, t2):
    for i, (r1, r2) in enumerate(zip(t1.records, t2.records)):
        b.rec, b.rec2 = r1, r2
        outs = _emitter(r1)(b, r1)
        outs = [outs] if isinstance(outs, str) else list(outs)
        if len(outs) != len(r1.outs):
            raise ExportError(f"onnx.export: {r1.where()}: {r1.op_name()} gave {len(outs)} outputs for "
                              f"{len(r1.outs)} results")
        for j, name in enumerate(outs):
            b.names[(i, j)] = name


def _dims(shape1, shape2, fixed):
    """Dims of a graph input/output: a name where it is dynamic (given, or seen to change), else the size."""
    dims = []
    for d, n in enumerate(shape1):
        if d in fixed:
            dims.append(fixed[d])
        elif shape2 is not None and shape2[d] != n:
            dims.append(None)  # named by the caller
        else:
            dims.append(int(n))
    return dims


def _value_info(onnx, name, dtype, dims):
    return onnx.helper.make_tensor_value_info(name, onnx_type(dtype), dims)


def _outputs(b, t1, out1, out2, names, dyn, input_dims):
    """Name the graph outputs: the node that makes each one is renamed (an Identity when it cannot be)."""
    onnx = _import_onnx()
    outs1, outs2 = [o for o in flatten(out1)], [o for o in flatten(out2)]
    if not all(isinstance(o, Tensor) for o in outs1):
        raise ExportError("onnx.export: the model must return tensors (or tuples/lists/dicts of tensors)")
    if names is None:
        names = ["output"] if len(outs1) == 1 else [f"output_{k}" for k in range(len(outs1))]
    names = list(names) + [f"output_{k}" for k in range(len(names), len(outs1))]
    produced = {o: n for n in b.nodes for o in n.output}
    infos, renamed = [], {}
    for k, (o1, o2) in enumerate(zip(outs1, outs2)):
        vid = t1.vid_of(o1)
        internal = b.names[vid] if vid is not None else b.const(o1._data)
        if internal in produced and internal not in renamed:
            renamed[internal] = names[k]
        else:
            b.nodes.append(onnx.helper.make_node("Identity", [internal], [names[k]], name=b.fresh("n_out")))
        fixed = dyn.get(names[k], {})
        dims = _dims(o1._data.shape, o2._data.shape, fixed)
        for d, v in enumerate(dims):
            if v is None:
                dims[d] = input_dims.get((o1._data.shape[d], o2._data.shape[d]), f"{names[k]}_dynamic_axes_{d + 1}")
        infos.append(_value_info(onnx, names[k], o1._data.dtype, dims))
    for node in b.nodes:
        for seq in (node.input, node.output):
            for j, v in enumerate(seq):
                if v in renamed:
                    seq[j] = renamed[v]
    return infos


def _build(b, t1, inputs1, inputs2, in_names, out1, out2, output_names, dyn, opset, keep_inits_as_inputs):
    onnx = _import_onnx()
    from onnx import helper, numpy_helper
    graph_inputs, input_dims = [], {}
    for name, x1, x2 in zip(in_names, inputs1, inputs2):
        fixed = dyn.get(name, {})
        dims = _dims(x1._data.shape, None, fixed)
        for d, v in fixed.items():
            input_dims.setdefault((x1._data.shape[d], x2._data.shape[d]), v)
        graph_inputs.append(_value_info(onnx, name, x1._data.dtype, dims))
    outputs = _outputs(b, t1, out1, out2, output_names, dyn, input_dims)
    for name, arr in b.param_inputs:
        graph_inputs.append(_value_info(onnx, name, arr.dtype, list(arr.shape)))
    inits = [numpy_helper.from_array(np.array(arr, order="C"), name) for name, arr in b.inits.items()]
    if keep_inits_as_inputs:
        graph_inputs += [_value_info(onnx, n, a.dtype, list(a.shape)) for n, a in b.inits.items()]
    graph = helper.make_graph(b.nodes, "npgrad", graph_inputs, outputs, initializer=inits)
    opsets = [helper.make_opsetid("", opset)]
    from .. import __version__
    model = helper.make_model(graph, opset_imports=opsets, producer_name="npgrad", producer_version=__version__,
                              ir_version=helper.find_min_ir_version_for(opsets))
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # noqa: BLE001 - ValidationError or InferenceError: a bug here, reported as such
        raise ExportError(f"onnx.export: the exported graph failed onnx.checker: {e}") from e
    return model


def _convert(onnx, model, opset, built):
    """Down to an opset older than the graph was built for, with ONNX's version converter; where it
    cannot, the graph stays at ``built`` with a warning (as PyTorch's exporter does)."""
    try:
        converted = onnx.version_converter.convert_version(model, opset)
        onnx.checker.check_model(converted, full_check=True)
        return converted
    except Exception as e:  # noqa: BLE001 - the converter raises several kinds
        why = str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__
        warnings.warn(f"onnx.export: the graph could not be converted to opset_version={opset} ({why}); it is "
                      f"written for opset {built}", stacklevel=3)
        return model


def _save(model, f):
    if f is None:
        return
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            fh.write(model.SerializeToString())
    elif hasattr(f, "write"):
        f.write(model.SerializeToString())
    else:
        raise TypeError(f"onnx.export: f must be a path or a writable file object, got {type(f).__name__}")


def export(model, args=(), f=None, *, kwargs=None, export_params=True, verbose=False, input_names=None,
           output_names=None, opset_version=None, dynamic_axes=None, do_constant_folding=True,
           keep_initializers_as_inputs=False, training=None, dynamo=None, external_data=True,
           dynamic_shapes=None, operator_export_type=None, custom_opsets=None, export_modules_as_functions=False,
           autograd_inlining=True, **options):
    """Export ``model`` to ONNX by tracing ``model(*args)``; PyTorch's ``torch.onnx.export`` call.

    The forward runs in eval mode under ``no_grad`` (and the model's training flags are restored
    afterwards). A second run on inputs that are one larger along every axis named in
    ``dynamic_axes`` (and hold other values) tells which dims follow the input sizes, and catches
    any operation the graph would get wrong: those raise :class:`ExportError` naming the operation
    and the module path where it ran.  Parameters and buffers become initializers named by their
    ``state_dict`` keys.  ``opset_version`` defaults to 18; graphs are built for opset 13 or newer
    (older ones go through ONNX's version converter, with a warning where it cannot convert).
    ``f`` is a path or a writable binary file; the ``onnx.ModelProto`` is also returned.  Keywords of PyTorch's exporter that do not apply here (``dynamo``,
    ``external_data``, ``optimize``, ...) are accepted and ignored.

    >>> import io, npgrad
    >>> model = npgrad.nn.Sequential(npgrad.nn.Linear(4, 3), npgrad.nn.ReLU())
    >>> proto = npgrad.onnx.export(model, npgrad.randn(2, 4), io.BytesIO(), input_names=["x"],
    ...                            dynamic_axes={"x": {0: "batch"}})
    >>> [n.op_type for n in proto.graph.node]
    ['Gemm', 'Relu']
    >>> [i.name for i in proto.graph.initializer]
    ['0.weight', '0.bias']
    >>> proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param
    'batch'
    """
    unknown = sorted(set(options) - _IGNORED)
    if unknown:
        raise TypeError(f"onnx.export() got an unexpected keyword argument {unknown[0]!r}")
    from ..nn import Module
    if not isinstance(model, Module):
        raise TypeError(f"onnx.export: model must be an nn.Module, got {type(model).__name__}")
    onnx = _import_onnx()
    opset = DEFAULT_OPSET if opset_version is None else int(opset_version)
    if not OLDEST_OPSET <= opset <= onnx.defs.onnx_opset_version():
        raise ValueError(f"onnx.export: opset_version must be between {OLDEST_OPSET} and "
                         f"{onnx.defs.onnx_opset_version()}, got {opset_version}")
    if training is not None and getattr(training, "name", str(training)).upper().endswith("TRAINING"):
        raise ValueError("onnx.export: only eval-mode export is supported (training=TrainingMode.EVAL)")
    args, kwargs = _split_args(args, kwargs)
    model, args, kwargs = _on_host(model, args, kwargs)
    inputs = [a for a in flatten(args) + flatten(kwargs) if isinstance(a, Tensor)]  # nested inputs, in order
    if len({id(t) for t in inputs}) != len(inputs):
        raise ValueError("onnx.export: the same tensor is passed as two inputs; pass distinct tensors")
    in_names = _input_names(model, inputs, input_names)
    if dynamic_shapes is not None:
        if dynamic_axes is not None:
            raise ValueError("onnx.export: give dynamic_axes or dynamic_shapes, not both")
        dynamic_axes = _from_dynamic_shapes(dynamic_shapes, in_names)
    dyn = _dynamic_axes(dynamic_axes, in_names, output_names)
    flags = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        t1, out1 = _run(model, args, kwargs, inputs, do_constant_folding)
        rng = np.random.default_rng(0)
        inputs2 = [_second_input(t, dyn.get(name, {}), rng) for t, name in zip(inputs, in_names)]
        new = {id(t): t2 for t, t2 in zip(inputs, inputs2)}
        t2, out2 = _run(model, _replace(args, new), _replace(kwargs, new), inputs2, do_constant_folding)
    finally:
        for m, flag in flags:
            m.training = flag
    _check_same_program(t1, t2)
    shapes1 = {("in", k): tuple(x._data.shape) for k, x in enumerate(inputs)}
    shapes2 = {("in", k): tuple(x._data.shape) for k, x in enumerate(inputs2)}
    for i, (r1, r2) in enumerate(zip(t1.records, t2.records)):
        for j, (s1, s2) in enumerate(zip(r1.out_shapes, r2.out_shapes)):
            shapes1[(i, j)], shapes2[(i, j)] = s1, s2
    b = Builder(max(opset, MIN_OPSET), _param_names(model), export_params, shapes1, shapes2)
    for k, name in enumerate(in_names):
        b.names[("in", k)] = name
        b.input_vids[name] = ("in", k)
    _emit(b, t1, t2)
    model_proto = _build(b, t1, inputs, inputs2, in_names, out1, out2, output_names, dyn, b.opset,
                         keep_initializers_as_inputs)
    if opset < b.opset:
        model_proto = _convert(onnx, model_proto, opset, b.opset)
    if verbose:
        print(onnx.helper.printable_graph(model_proto.graph))
    _save(model_proto, f)
    return model_proto
