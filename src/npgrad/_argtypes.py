"""Argument types shared by the ``npgrad`` command and ``npgrad lab``: each parses one command-line
value or raises argparse's error with a message that says what was expected and what was given."""
from __future__ import annotations

import argparse
import math


def positive_int(text):
    """``"3"`` -> 3; zero, negatives and non-integers are refused."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def number(low=None, inclusive=True):
    """A parser of finite floats, at least (``inclusive``) or above ``low`` when it is given."""
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
        if low is not None and (value < low or (value == low and not inclusive)):
            raise argparse.ArgumentTypeError(f"must be {'>=' if inclusive else '>'} {low:g}, got {text}")
        return value
    return parse


def sizes(example):
    """A parser of comma-separated positive sizes (``"256,128"`` -> [256, 128])."""
    def parse(text):
        try:
            values = [int(s) for s in text.split(",") if s.strip()]
        except ValueError:
            values = []
        if not values or min(values) < 1:
            raise argparse.ArgumentTypeError(f"must be comma-separated positive sizes such as {example}, "
                                             f"got {text!r}")
        return values
    return parse
