"""Teaching tools: backward-pass tables, computation-graph drawings and plot helpers.

>>> import npgrad
>>> from npgrad import viz
>>> x = npgrad.tensor(2.0, requires_grad=True)
>>> print(viz.explain(x * x, names={'x': x})['x'].grad)
4.0
"""
from ._fonts import enable_cjk, find_cjk_font
from .explain import ExplainRow, ExplainTable, explain
from .graph import draw_graph, render
from .plots import (history_records, integer_ticks, new_figure, plot_activations, plot_contour_path, plot_convolution,
                    plot_decision_boundary, plot_history, plot_image_grid, plot_surface_path, save)

__all__ = ["enable_cjk", "find_cjk_font", "explain", "ExplainTable", "ExplainRow", "draw_graph", "render", "plot_decision_boundary",
           "plot_history", "history_records", "plot_contour_path", "plot_surface_path", "plot_activations",
           "plot_image_grid", "plot_convolution", "new_figure", "integer_ticks", "save"]
