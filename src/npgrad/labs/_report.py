"""How a lab talks: the notes' number beside npgrad's, short explanations, and saved figures."""
from __future__ import annotations

import os

import numpy as np


class Report:
    """Collects a lab's printed lines, its numbers and the figures it saves.

    >>> r = Report("demo", out_dir=None, verbose=False)
    >>> r.compare("z", 162, 162.0)
    True
    >>> r.results["z"]
    162.0
    """

    def __init__(self, title, out_dir=None, verbose=True):
        self.title = title
        self.out_dir = None if out_dir is None else str(out_dir)
        self.verbose = verbose
        self.results = {"figures": []}
        self.lines = []
        if self.out_dir is not None:
            os.makedirs(self.out_dir, exist_ok=True)
        self.say(f"== {title} ==")

    def say(self, text=""):
        self.lines.append(str(text))
        if self.verbose:
            print(text)

    def section(self, text):
        self.say("")
        self.say(f"-- {text}")

    def compare(self, key, notes, ours, tol=None, label=None):
        """Print ``label: notes N | npgrad M`` and record ``ours`` under ``key``; True when they agree.

        ``tol`` defaults to half a unit of the last decimal the notes print.
        """
        ours_f = float(np.asarray(ours).reshape(()))
        self.results[key] = ours_f
        if tol is None:
            tol = _half_unit(notes)
        ok = abs(ours_f - float(notes)) <= tol
        mark = "agrees" if ok else "DIFFERS"
        self.say(f"  {label or key}: notes {notes} | npgrad {ours_f:.6g}  ({mark})")
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
        """Print an aligned plain-text table."""
        cells = [[str(h) for h in headers]] + [[_cell(c) for c in r] for r in rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
        for j, r in enumerate(cells):
            self.say("  " + "  ".join(c.rjust(w) for c, w in zip(r, widths)))
            if j == 0:
                self.say("  " + "  ".join("-" * w for w in widths))


def _cell(c):
    if isinstance(c, float) or isinstance(c, np.floating):
        return f"{c + 0.0:.6g}"      # + 0.0 turns -0.0 into 0.0
    return str(c)


def _half_unit(notes):
    text = repr(float(notes)) if not isinstance(notes, str) else notes
    if "e" in text or "." not in text:
        return 0.5
    return 0.5 * 10.0 ** -len(text.split(".")[1])
