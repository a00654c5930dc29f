"""``History``: one record (a dict of Python numbers) per epoch, saved as CSV and drawn as curves."""
from __future__ import annotations

import csv
import math

__all__ = ["History"]


class History:
    """Per-epoch metrics of a training run.

    Each record is a dict such as ``{"epoch": 1, "train_loss": 0.41, "train_acc": 0.88, ...}``;
    ``history["train_loss"]`` is that column as a list.

    >>> h = History()
    >>> h.append({"epoch": 1, "train_loss": 0.9})
    >>> h.append({"epoch": 2, "train_loss": 0.5})
    >>> h["train_loss"]
    [0.9, 0.5]
    >>> h.best("train_loss", mode="min")["epoch"]
    2
    """

    def __init__(self, records=None):
        self.records = [dict(r) for r in (records or [])]

    def append(self, record):
        # Tensors here would keep their graphs alive for the whole run: only plain numbers are stored.
        for key, value in record.items():
            if not isinstance(value, (int, float, str)) or isinstance(value, bool):
                raise TypeError(f"History.append: {key!r} must be a Python number (use loss.item()), "
                                f"got {type(value).__name__}")
        self.records.append(dict(record))

    def __len__(self):
        return len(self.records)

    def __iter__(self):
        return iter(self.records)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self.records[key]
        if key not in self.columns:
            raise KeyError(f"History: no column {key!r}; columns are {self.columns}")
        return [r.get(key, math.nan) for r in self.records]

    def __eq__(self, other):
        return isinstance(other, History) and self.records == other.records

    def __repr__(self):
        return f"History({len(self)} epochs, columns={self.columns})"

    @property
    def columns(self):
        """Column names in first-seen order."""
        cols = []
        for r in self.records:
            cols += [k for k in r if k not in cols]
        return cols

    @property
    def last(self):
        return self.records[-1] if self.records else {}

    def best(self, monitor, mode="min"):
        """The record with the lowest (``mode="min"``) or highest (``"max"``) ``monitor`` value."""
        if mode not in ("min", "max"):
            raise ValueError(f"History.best: mode must be 'min' or 'max', got {mode!r}")
        rows = [r for r in self.records if monitor in r and not math.isnan(r[monitor])]
        if not rows:
            raise KeyError(f"History.best: no values recorded for {monitor!r}")
        pick = min if mode == "min" else max
        return pick(rows, key=lambda r: r[monitor])

    def to_csv(self, path):
        """Write one row per epoch with a header line; returns ``path``."""
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=self.columns, restval="")
            writer.writeheader()
            writer.writerows(self.records)
        return path

    @classmethod
    def from_csv(cls, path):
        """Read a CSV written by :meth:`to_csv` (numbers come back as int or float)."""
        with open(path, newline="") as f:
            return cls([{k: _number(v) for k, v in row.items() if v != ""} for row in csv.DictReader(f)])

    def plot(self, path=None):
        """Loss (left) and accuracy (right) against epoch, train and test; saved as PNG when ``path`` is given.

        Returns the matplotlib figure.
        """
        # A bare Figure draws with Agg and touches no global pyplot state: safe on a headless machine.
        from .._optional import require
        Figure = require("matplotlib.figure", "History.plot").Figure
        from ..viz._fonts import enable_cjk
        enable_cjk()
        from ..viz.plots import integer_ticks

        epochs = self["epoch"] if "epoch" in self.columns else list(range(1, len(self) + 1))
        fig = Figure(figsize=(10, 4))
        axes = fig.subplots(1, 2)
        for ax, metric, title in ((axes[0], "loss", "loss"), (axes[1], "acc", "accuracy")):
            for split in ("train", "test"):
                key = f"{split}_{metric}"
                if key in self.columns:
                    ax.plot(epochs, self[key], marker="o", markersize=3, label=split)
            ax.set_xlabel("epoch")
            ax.set_ylabel(title)
            integer_ticks(ax)
            ax.set_title(f"{title} per epoch")
            ax.grid(alpha=0.3)
            if ax.get_legend_handles_labels()[0]:
                ax.legend()
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=100)
        return fig


def _number(text):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text
