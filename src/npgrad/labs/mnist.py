"""Lab ``mnist`` — the notes' 2-layer network learning handwritten digits (note 003; 手写数字识别 / mini-batch学习).

The 4-step learning algorithm of note 003: (1) draw a random mini-batch, (2) compute the gradient,
(3) update the weights a little, (4) repeat; one epoch = one pass over the shuffled training data.
A 2-layer network (one hidden layer of 50 sigmoid units) trained with SGD (lr 0.1, batches of
100), train and test accuracy recorded every epoch: when the two curves stay together, no
overfitting.  Runs offline on the digits bundled with scikit-learn (8x8); ``dataset='mnist'`` or
``'fashion-mnist'`` use the 28x28 sets when their files are present.
"""
from __future__ import annotations

import sys

import npgrad
from npgrad import nn
from npgrad.datasets import load_digits, train_test_split
from npgrad.train import Trainer
from npgrad.utils.data import DataLoader, TensorDataset

from ._report import Report

#: what the lab teaches, printed first (plain words, the notes' terms beside)
INTRO = """Learning handwritten digits (手写数字识别) with the four-step algorithm: (1) take a random mini-batch
of images, (2) compute the loss's gradient, (3) move the weights a little against it, (4) repeat;
one pass over the training data is an epoch. A network with one hidden layer of 50 sigmoid units
trains with SGD; train and test accuracy are compared every epoch to check for overfitting."""


class TwoLayerNet(nn.Module):
    """input -> Linear -> sigmoid -> Linear -> class scores (softmax lives in the cross-entropy loss)."""

    def __init__(self, input_size, hidden_size=50, output_size=10):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.fc2 = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        return self.fc2(npgrad.sigmoid(self.fc1(x.flatten(1))))


def load(dataset, quick, r):
    """(X_train, y_train, X_test, y_test, name, class names) as float32 images in [0, 1] and int64 labels."""
    if dataset in ("mnist", "fashion-mnist"):
        from npgrad.datasets import MNIST, FashionMNIST
        cls = MNIST if dataset == "mnist" else FashionMNIST
        try:
            train, test = cls(train=True), cls(train=False)
        except (RuntimeError, OSError) as e:
            r.say(f"  {dataset} is not available here ({str(e).splitlines()[0][:90]}...); using the bundled digits")
        else:
            n = 10000 if quick else len(train)
            return (train.data[:n].float() / 255, train.targets[:n], test.data.float() / 255, test.targets,
                    dataset, list(train.classes))
    X, y = load_digits()
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    return Xtr, ytr, Xte, yte, "digits (8x8, scikit-learn)", [str(d) for d in range(10)]


def run(out_dir=None, quick=False, verbose=True, dataset="digits", epochs=None, lr=None, batch_size=100):
    """Train the 2-layer network; returns per-epoch accuracies and the final ones.

    >>> from npgrad.labs import mnist
    >>> mnist.run(quick=True, verbose=False)['final_test_acc'] > 0.7
    True
    """
    if dataset not in ("digits", "mnist", "fashion-mnist"):
        raise ValueError(f"mnist lab: dataset must be 'digits', 'mnist' or 'fashion-mnist', got {dataset!r}")
    r = Report("a 2-layer network learns handwritten digits — mini-batch SGD", out_dir, verbose, intro=INTRO)
    Xtr, ytr, Xte, yte, name, classes = load(dataset, quick, r)
    epochs = epochs or (8 if quick else 40)
    if lr is None:           # the notes' 0.1 on MNIST (600 updates/epoch); the 1,347 digits give 14: bigger steps
        lr = 0.5 if name.startswith("digits") else 0.1
    r.section(f"{name}: {len(Xtr)} training and {len(Xte)} test images; hidden 50, batch {batch_size}, "
              f"lr {lr:g}, {epochs} epochs")
    npgrad.manual_seed(0)
    model = TwoLayerNet(Xtr[0].numel())
    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(Xte, yte), batch_size=1000)
    trainer = Trainer(model, npgrad.optim.SGD(model.parameters(), lr=lr), nn.CrossEntropyLoss(),
                      seed=0, log=r.say, progress=verbose and sys.stderr.isatty())
    history = trainer.fit(train_loader, test_loader, epochs=epochs)
    last = history[-1]
    r.record("dataset", name)
    r.record("train_acc", history["train_acc"])
    r.record("test_acc", history["test_acc"])
    r.record("final_train_acc", last["train_acc"])
    r.record("final_test_acc", last["test_acc"])
    gap = last["train_acc"] - last["test_acc"]
    r.record("gap", gap)
    r.say(f"  final: train accuracy {last['train_acc']:.4f}, test accuracy {last['test_acc']:.4f}, gap {gap:+.4f}")
    r.say("  " + verdict(gap))
    _figures(r, history, model, Xte, yte, classes)
    return r.results


def verdict(gap):
    """What the final gap (train accuracy - test accuracy) says about overfitting.

    >>> verdict(0.12).startswith("the curves separate")
    True
    >>> verdict(-0.08).startswith("test accuracy is above")
    True
    """
    if gap > 0.05:
        return "the curves separate: training accuracy runs ahead of test accuracy -> the network memorises its training set"
    if gap < -0.05:
        return ("test accuracy is above training accuracy (a small or easy test set, or noise): "
                "no sign of overfitting")
    return "both accuracies rise and the curves stay together -> no overfitting"


def _figures(r, history, model, Xte, yte, classes):
    from npgrad import viz
    fig = viz.plot_history(history, keys=["train_acc", "test_acc"], title="accuracy per epoch")
    r.figure(fig, "accuracy")
    fig = viz.plot_history(history, keys=["train_loss", "test_loss"], title="loss per epoch")
    r.figure(fig, "loss")
    model.eval()
    with npgrad.no_grad():
        pred = model(Xte[:32]).argmax(1)
    fig = viz.plot_image_grid(Xte[:32], labels=yte[:32], predictions=pred, ncols=8, class_names=classes,
                              title="test images: label / prediction (red: wrong)")
    r.figure(fig, "predictions")
