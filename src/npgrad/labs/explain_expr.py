"""``npgrad lab explain "EXPR" VAR=VALUE ...``: the backward table of your own small formula.

Statements separated by ``;`` may name intermediate results, and the last one is the output:

    npgrad lab explain "x = 2*w + 3*b; y = 2*b + 1; z = x*y" w=3 b=4

Only arithmetic (+ - * / **), numbers, the given variables and a few functions (exp, log, sqrt,
sin, cos, tanh, sigmoid, relu, abs) are accepted: the formula is checked, not executed as Python.
"""
from __future__ import annotations

import ast
import operator
import sys

import npgrad
from npgrad import viz

FUNCTIONS = {name: getattr(npgrad, name) for name in
             ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs")}
_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
#: a formula is a few lines typed by hand; these bound what checking and computing it may cost
MAX_CHARS, MAX_NODES = 2000, 400


def evaluate(source, values):
    """Evaluate the statements with npgrad tensors (float64); returns (output, names -> tensors).

    >>> out, names = evaluate("z = (2*w + 3*b) * (2*b + 1)", {"w": 3, "b": 4})
    >>> out.item(), names["2*w"].item()
    (162.0, 6.0)
    """
    env = {k: npgrad.tensor(float(v), dtype=npgrad.float64, requires_grad=True) for k, v in values.items()}
    if len(source) > MAX_CHARS:
        raise ValueError(f"explain: the formula is too long ({len(source)} characters; at most {MAX_CHARS})")
    try:
        tree = ast.parse(source.strip(), mode="exec")
    except (SyntaxError, RecursionError, MemoryError) as e:
        raise ValueError(f"explain: cannot parse {source!r}: {getattr(e, 'msg', 'too deeply nested')}") from None
    n_nodes = sum(1 for _ in ast.walk(tree))
    if n_nodes > MAX_NODES:
        raise ValueError(f"explain: the formula has {n_nodes} parts; at most {MAX_NODES}")
    if not tree.body:
        raise ValueError("explain: the formula is empty")
    out, parts = None, {}
    for i, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name, expr = stmt.targets[0].id, stmt.value
        elif isinstance(stmt, ast.Expr):
            name, expr = "out", stmt.value
        else:
            raise ValueError(f"explain: statement {i + 1} must be 'name = expression' or an expression")
        out = _eval(expr, env, parts)
        env[name] = out
    if not isinstance(out, npgrad.Tensor) or not out.requires_grad:
        raise ValueError("explain: the output does not depend on any variable")
    # sub-expressions are labelled by their text (e.g. '2 * w'), named results by their name
    names = {k: v for k, v in parts.items() if isinstance(v, npgrad.Tensor) and v.requires_grad}
    names.update({k: v for k, v in env.items() if isinstance(v, npgrad.Tensor) and v.requires_grad})
    return out, names


def _eval(node, env, parts):
    value = _eval_node(node, env, parts)
    if not isinstance(node, (ast.Name, ast.Constant)):
        parts[ast.unparse(node).replace(" ", "")] = value
    return value


def _eval_node(node, env, parts):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        # as a float: Python's exact integers would make ``9**9**9`` a computation without end
        try:
            return float(node.value)
        except OverflowError:
            raise ValueError(f"explain: the number {ast.unparse(node)[:40]}... is too large") from None
    if isinstance(node, ast.Name):
        if node.id not in env:
            raise ValueError(f"explain: unknown name {node.id!r}; give it a value as {node.id}=NUMBER")
        return env[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left, right = _eval(node.left, env, parts), _eval(node.right, env, parts)
        try:
            return _BINOPS[type(node.op)](left, right)
        except (OverflowError, ZeroDivisionError) as e:  # (numbers only: tensors give inf/nan)
            why = "division by zero" if isinstance(e, ZeroDivisionError) else "the result is too large"
            raise ValueError(f"explain: {ast.unparse(node)!r} cannot be computed: {why}") from None
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand, env, parts))
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS
            and len(node.args) == 1 and not node.keywords):
        arg = _eval(node.args[0], env, parts)
        if not isinstance(arg, npgrad.Tensor):
            arg = npgrad.tensor(float(arg), dtype=npgrad.float64)
        return FUNCTIONS[node.func.id](arg)
    raise ValueError(f"explain: not allowed in a formula: {ast.unparse(node)!r} "
                     f"(use numbers, variables, + - * / ** and {', '.join(FUNCTIONS)})")


def main(argv):
    """``explain "EXPR" VAR=VALUE ...``: print the table; exit status 2 on a bad formula."""
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    values = {}
    for arg in argv[1:]:
        name, sep, val = arg.partition("=")
        try:
            if not sep or not name.isidentifier():
                raise ValueError
            values[name] = float(val)
        except ValueError:
            print(f"npgrad lab explain: expected VAR=NUMBER, got {arg!r}", file=sys.stderr)
            return 2
    try:
        out, names = evaluate(argv[0], values)
    except ValueError as e:
        print(f"npgrad lab {e}", file=sys.stderr)
        return 2
    print(viz.explain(out, names=names))
    return 0
