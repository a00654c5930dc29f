"""Callbacks: small objects the training loop calls at the end of every epoch.

A callback sees the epoch's record (a dict of Python numbers) and may ask the loop to stop by setting
``trainer.stop_training = True``.  Two are provided: :class:`EarlyStopping` and :class:`ModelCheckpoint`.
"""
from __future__ import annotations

import math

__all__ = ["Callback", "EarlyStopping", "ModelCheckpoint"]


class Callback:
    """Base class: override the hooks you need (each receives the :class:`~npgrad.train.Trainer`)."""

    def on_train_begin(self, trainer):
        pass

    def on_epoch_end(self, trainer, epoch, logs):
        pass

    def on_train_end(self, trainer):
        pass


def _resolve_mode(mode, monitor, who):
    if mode == "auto":
        return "max" if monitor.endswith("acc") or monitor.endswith("accuracy") else "min"
    if mode not in ("min", "max"):
        raise ValueError(f"{who}: mode must be 'min', 'max' or 'auto', got {mode!r}")
    return mode


class _Monitor:
    """Tracks the best value of one metric; shared by early stopping and checkpointing."""

    def __init__(self, monitor, mode, min_delta, who):
        if min_delta < 0:
            raise ValueError(f"{who}: min_delta must be >= 0, got {min_delta}")
        self.monitor, self.min_delta, self.who = monitor, float(min_delta), who
        self.mode = _resolve_mode(mode, monitor, who)
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = None

    def value(self, logs):
        if self.monitor not in logs:
            raise KeyError(f"{self.who}: monitored metric {self.monitor!r} is not recorded; "
                           f"available: {sorted(logs)}")
        return logs[self.monitor]

    def improved(self, value):
        """True (and remember it) when ``value`` beats the best by more than ``min_delta``."""
        if math.isnan(value):
            return False
        better = value < self.best - self.min_delta if self.mode == "min" else value > self.best + self.min_delta
        if better:
            self.best = value
        return better


class EarlyStopping(Callback):
    """Stop after ``patience`` epochs in a row in which ``monitor`` did not improve by more than ``min_delta``.

    ``mode="auto"`` maximises metrics ending in ``acc`` and minimises the rest (losses).
    With ``restore_best_weights=True`` the model gets back the weights of its best epoch at the end.

    >>> stopper = EarlyStopping(monitor="test_loss", patience=3, min_delta=1e-4)
    >>> stopper.mode
    'min'
    """

    def __init__(self, monitor="test_loss", patience=5, min_delta=0.0, mode="auto", restore_best_weights=False):
        if int(patience) != patience or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be a non-negative integer, got {patience!r}")
        self._m = _Monitor(monitor, mode, min_delta, "EarlyStopping")
        self.monitor, self.mode, self.patience = monitor, self._m.mode, int(patience)
        self.restore_best_weights = restore_best_weights
        self.wait = 0
        self.stopped_epoch = None
        self._best_state = None

    @property
    def best(self):
        return self._m.best

    @property
    def best_epoch(self):
        return self._m.best_epoch

    def on_train_begin(self, trainer):
        self._m = _Monitor(self.monitor, self.mode, self._m.min_delta, "EarlyStopping")
        self.wait, self.stopped_epoch, self._best_state = 0, None, None

    def on_epoch_end(self, trainer, epoch, logs):
        if self._m.improved(self._m.value(logs)):
            self._m.best_epoch, self.wait = epoch, 0
            if self.restore_best_weights:
                # Copies: the optimizer updates the live arrays in place.
                self._best_state = {k: v.clone() for k, v in trainer.model.state_dict().items()}
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            trainer.stop_training = True
            if trainer.log is not None:
                trainer.log(f"early stopping after epoch {epoch}: {self.monitor} has not improved for "
                            f"{self.patience} epoch{'s' if self.patience != 1 else ''} (best {self.best:.4f} at "
                            f"epoch {self.best_epoch})")

    def on_train_end(self, trainer):
        if self.restore_best_weights and self._best_state is not None:
            trainer.model.load_state_dict(self._best_state)


class ModelCheckpoint(Callback):
    """Save the model's ``state_dict`` (safetensors, via ``npgrad.save``) whenever ``monitor`` improves.

    ``metadata`` (a dict of strings/numbers) is stored in the file beside the weights, with the epoch
    and the monitored value, so a program can rebuild the model it belongs to.
    ``save_best_only=False`` saves after every epoch instead.

    >>> ckpt = ModelCheckpoint("best.safetensors", monitor="test_acc")
    >>> ckpt.mode
    'max'
    """

    def __init__(self, path, monitor="test_acc", mode="auto", min_delta=0.0, save_best_only=True, metadata=None):
        self._m = _Monitor(monitor, mode, min_delta, "ModelCheckpoint")
        self.path, self.monitor, self.mode = path, monitor, self._m.mode
        self.save_best_only = save_best_only
        self.metadata = dict(metadata or {})
        self.saved_epochs = []

    @property
    def best(self):
        return self._m.best

    @property
    def best_epoch(self):
        return self._m.best_epoch

    def on_train_begin(self, trainer):
        self._m = _Monitor(self.monitor, self.mode, self._m.min_delta, "ModelCheckpoint")
        self.saved_epochs = []

    def on_epoch_end(self, trainer, epoch, logs):
        value = self._m.value(logs)
        if self._m.improved(value):
            self._m.best_epoch = epoch
        elif self.save_best_only:
            return
        from .checkpoint import save_checkpoint
        meta = dict(self.metadata, epoch=epoch, monitor=self.monitor)
        meta[self.monitor] = value
        save_checkpoint(self.path, trainer.model, meta)
        self.saved_epochs.append(epoch)
