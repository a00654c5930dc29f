"""viz.explain: the backward table of note 004's graph, checked against the hand computation."""
import numpy as np
import pytest

import npgrad
from npgrad.viz import explain


def note004_graph(w=3.0, b=4.0):
    w = npgrad.tensor(w, requires_grad=True)
    b = npgrad.tensor(b, requires_grad=True)
    x = 2 * w + 3 * b
    y = 2 * b + 1
    z = x * y
    return dict(w=w, b=b, x=x, y=y, z=z)


def test_rows_match_hand_computation():
    g = note004_graph()
    t = explain(g["z"], names=g)
    z, x, y, w, b = (t[k] for k in "zxywb")
    # values: z = 162, x = 18, y = 9
    assert (float(z.value), float(x.value), float(y.value)) == (162.0, 18.0, 9.0)
    # arriving gradients: dz/dz = 1, dz/dx = y = 9, dz/dy = x = 18, dz/dw = 18, dz/db = 63
    assert (float(z.grad), float(x.grad), float(y.grad)) == (1.0, 9.0, 18.0)
    assert (float(w.grad), float(b.grad)) == (18.0, 63.0)
    # local derivatives of z = x*y
    assert float(z.local["x"]) == 9.0 and float(z.local["y"]) == 18.0
    assert float(z.sent("x")) == 9.0
    assert z.op == "Mul" and w.op == "leaf"
    assert t.rows[0].name == "z"      # backward starts at the output


def test_backward_order_every_consumer_before_its_inputs():
    g = note004_graph()
    t = explain(g["z"], names=g)
    pos = {r.name: i for i, r in enumerate(t.rows)}
    for r in t.rows:
        for inp in r.inputs:
            assert pos[r.name] < pos[inp]


def test_local_derivatives_for_each_op_of_a_chain():
    x = npgrad.tensor(2.0, dtype=npgrad.float64, requires_grad=True)
    a = x ** 2
    b = npgrad.log(a)
    c = npgrad.sqrt(b)
    t = explain(c, names=dict(x=x, a=a, b=b, c=c))
    assert float(t["a"].local["x"]) == pytest.approx(4.0)              # 2x
    assert float(t["b"].local["a"]) == pytest.approx(1 / 4.0)          # 1/a
    assert float(t["c"].local["b"]) == pytest.approx(1 / (2 * np.sqrt(np.log(4.0))))
    expected = 1 / (2 * np.sqrt(np.log(4.0))) * 0.25 * 4.0
    assert float(t["x"].grad) == pytest.approx(expected)


def test_leaves_grad_untouched_and_graph_still_usable():
    g = note004_graph()
    explain(g["z"], names=g)
    assert g["w"].grad is None and g["b"].grad is None
    g["z"].backward()
    assert g["w"].grad.item() == 18.0 and g["b"].grad.item() == 63.0


def test_vector_graph_with_broadcasting_and_reduction():
    w = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    bias = npgrad.tensor([0.5, -0.5], requires_grad=True)
    loss = ((w + bias) ** 2).sum()
    t = explain(loss, names={"w": w, "bias": bias, "loss": loss})
    np.testing.assert_allclose(t["w"].grad, 2 * (w._data + bias._data))
    np.testing.assert_allclose(t["bias"].grad, (2 * (w._data + bias._data)).sum(0))


def test_str_prints_a_table():
    g = note004_graph()
    text = str(explain(g["z"], names=g))
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["step", "node", "op", "value"]
    assert any(line.split()[1:5] == ["b", "leaf", "4", "63"] for line in lines[2:])
    assert "dz/dx = 9" in text
    md = explain(g["z"], names=g).to_markdown()
    assert md.startswith("| step |")


def test_errors():
    g = note004_graph()
    with pytest.raises(ValueError, match="scalar"):
        explain(npgrad.stack([g["z"], g["z"]]))
    with pytest.raises(TypeError, match="Tensor"):
        explain(3.0)
    with pytest.raises(ValueError, match="require grad"):
        explain(npgrad.tensor(1.0))
    with pytest.raises(TypeError, match="names"):
        explain(g["z"], names={"w": 3.0})
    g["z"].backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        explain(g["z"])
    with pytest.raises(KeyError, match="no node named"):
        explain(note004_graph()["z"])["nope"]


def test_retained_intermediate_grad_left_alone():
    x = npgrad.tensor(2.0, requires_grad=True)
    a = x * x
    a.retain_grad()
    c = a * 3
    t = explain(c, names={"a": a, "x": x})
    assert float(t["a"].grad) == 3.0 and a.grad is None
    c.backward()
    assert a.grad.item() == 3.0
