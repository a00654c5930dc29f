"""How a lab talks: the notes' number beside npgrad's, short explanations, and saved figures."""
from __future__ import annotations

import os
import sys
import textwrap
import unicodedata

import numpy as np


class Report:
    """Collects a lab's printed lines, its numbers and the figures it saves.

    >>> r = Report("demo", out_dir=None, verbose=False)
    >>> r.compare("z", 162, 162.0)
    True
    >>> r.results["z"]
    162.0
    """

    def __init__(self, title, out_dir=None, verbose=True, intro=None):
        self.title = title
        self.out_dir = None if out_dir is None else str(out_dir)
        self.verbose = verbose
        self.results = {"figures": []}
        self.lines = []
        if self.out_dir is not None:
            os.makedirs(self.out_dir, exist_ok=True)
        self.say(f"== {title} ==")
        if intro:
            self.say("")
            for line in intro.strip().splitlines():
                self.say(line)

    def say(self, text=""):
        for line in _wrap(str(text)):
            self.lines.append(line)
            if self.verbose:
                print(line)

    def progress(self, text):
        """A passing status line for work that takes seconds (stderr, overwritten; only in a terminal)."""
        if self.verbose and sys.stderr.isatty():
            sys.stderr.write("\r" + text[:WIDTH - 1].ljust(WIDTH - 1) + "\r")
            sys.stderr.flush()

    def done(self):
        """Clear the status line of :meth:`progress`."""
        if self.verbose and sys.stderr.isatty():
            sys.stderr.write("\r" + " " * (WIDTH - 1) + "\r")
            sys.stderr.flush()

    def section(self, text):
        self.say("")
        self.say(f"-- {text}")

    def compare(self, key, notes, ours, tol=None, label=None):
        """Print ``label: expected N | npgrad M`` and record ``ours`` under ``key``; True when they agree.

        ``expected`` is the textbook's worked value; ``tol`` defaults to half a unit of its last decimal.
        """
        ours_f = float(np.asarray(ours).reshape(()))
        self.results[key] = ours_f
        if tol is None:
            tol = _half_unit(notes)
        ok = abs(ours_f - float(notes)) <= tol
        mark = "agrees" if ok else "DIFFERS"
        self.say(f"  {label or key}: expected {notes} | npgrad {ours_f:.6g}  ({mark})")
        return ok

    def record(self, key, value):
        self.results[key] = value
        return value

    def figure(self, fig, name):
        """Save ``fig`` as ``<out_dir>/<name>.png`` (nothing when the lab has no output folder)."""
        if self.out_dir is None:
            return None
        path = os.path.join(self.out_dir, name + ".png")
        from npgrad import viz
        english, _, chinese = self.title.partition(" — ")
        title = getattr(fig, "_suptitle", None)
        if chinese and title is not None and viz.enable_cjk():   # the notes' term beside the English title
            title.set_text(f"{title.get_text()} — {chinese}")
        fig.savefig(path, dpi=90)
        self.results["figures"].append(path)
        self.say(f"  figure: {path}")
        return path

    def table(self, headers, rows):
        """Print an aligned plain-text table (rows are never wrapped)."""
        cells = [[str(h) for h in headers]] + [[_cell(c) for c in r] for r in rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
        lines = []
        for j, r in enumerate(cells):
            lines.append("  " + "  ".join(c.rjust(w) for c, w in zip(r, widths)))
            if j == 0:
                lines.append("  " + "  ".join("-" * w for w in widths))
        for line in lines:
            self.lines.append(line)
            if self.verbose:
                print(line)


#: the widest line a lab prints (terminal columns; a Chinese character takes two)
WIDTH = 100


def _columns(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap(text):
    """``text`` as lines of at most WIDTH columns, continuation lines indented under the first."""
    out = []
    for line in text.split("\n"):
        if _columns(line) <= WIDTH:
            out.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip()))
        extra = _columns(line) - len(line)          # wide characters: leave room for them
        out += textwrap.wrap(line, width=WIDTH - min(extra, 20), subsequent_indent=indent + "  ",
                             break_on_hyphens=False) or [line]
    return out


def _cell(c):
    if isinstance(c, float) or isinstance(c, np.floating):
        return f"{c + 0.0:.6g}"      # + 0.0 turns -0.0 into 0.0
    return str(c)


def _half_unit(notes):
    text = repr(float(notes)) if not isinstance(notes, str) else notes
    if "e" in text or "." not in text:
        return 0.5
    return 0.5 * 10.0 ** -len(text.split(".")[1])
