"""viz.draw_graph: DOT content and rendering (Graphviz and the matplotlib fallback)."""
import re
import shutil

import pytest

import npgrad
from npgrad import viz
from npgrad.viz import graph as graph_mod


def build():
    w = npgrad.tensor(3.0, requires_grad=True)
    b = npgrad.tensor(4.0, requires_grad=True)
    x = 2 * w + 3 * b
    y = 2 * b + 1
    z = x * y
    return dict(w=w, b=b, x=x, y=y, z=z)


def node_labels(dot):
    return dict(re.findall(r'(n\d+) \[label="([^"]*)"', dot))


def test_dot_has_ops_values_grads_and_edges():
    g = build()
    dot = viz.draw_graph(g["z"], names=g)
    assert dot.startswith("digraph G {") and dot.rstrip().endswith("}")
    labels = node_labels(dot)
    assert len(labels) == 8                          # z, x, y, three Mul, w, b
    by_head = {v.split("\\n")[0]: v for v in labels.values()}
    assert "value 162" in by_head["z = Mul"] and "grad 1" in by_head["z = Mul"]
    assert "value 18" in by_head["x = Add"] and "grad 9" in by_head["x = Add"]
    assert "value 4" in by_head["b"] and "grad 63" in by_head["b"]
    assert "shape" not in by_head["w"] and "grad 18" in by_head["w"]
    edges = re.findall(r"(n\d+) -> (n\d+);", dot)
    assert len(edges) == 8
    ids = {v.split("\\n")[0]: k for k, v in labels.items()}
    assert (ids["x = Add"], ids["z = Mul"]) in edges and (ids["y = Add"], ids["z = Mul"]) in edges
    assert g["w"].grad is None                       # drawing does not accumulate gradients


def test_large_values_show_shape_only():
    w = npgrad.randn(5, 5, requires_grad=True)
    dot = viz.draw_graph((w * 2).sum(), names={"w": w})
    head = [v for v in node_labels(dot).values() if v.startswith("w")][0]
    assert "shape (5, 5)" in head and "<shape (5, 5)>" in head


def test_after_backward_shows_leaf_grads_only():
    g = build()
    g["z"].backward()
    dot = viz.draw_graph(g["z"], names=g)
    by_head = {v.split("\\n")[0]: v for v in node_labels(dot).values()}
    assert "grad 63" in by_head["b"]
    assert "grad" not in by_head["x = Add"]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_render_png_and_svg_with_graphviz(tmp_path):
    g = build()
    png, svg = tmp_path / "g.png", tmp_path / "g.svg"
    viz.draw_graph(g["z"], names=g, filename=png)
    viz.draw_graph(g["z"], names=g, filename=svg)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()


def test_render_falls_back_to_matplotlib(tmp_path, monkeypatch):
    monkeypatch.setattr(graph_mod.shutil, "which", lambda name: None)
    g = build()
    out = tmp_path / "g.png"
    viz.draw_graph(g["z"], names=g, filename=out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 1000


def test_bad_argument():
    with pytest.raises(TypeError, match="draw_graph"):
        viz.draw_graph([1, 2])


def test_non_scalar_output_shows_values_without_gradients():
    w = npgrad.tensor([1.0, 2.0], requires_grad=True)
    dot = viz.draw_graph(w * 3, names={"w": w})
    labels = list(node_labels(dot).values())
    assert any("value [3 6]" in v for v in labels)
    assert not any("grad" in v for v in labels)
