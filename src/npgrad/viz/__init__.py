"""Teaching tools: backward-pass tables, computation-graph drawings and plot helpers."""
from .explain import ExplainRow, ExplainTable, explain
from .graph import draw_graph, render

__all__ = ["explain", "ExplainTable", "ExplainRow", "draw_graph", "render"]
