"""`npgrad lab explain "EXPR" VAR=VALUE`: the explain table for a formula typed on the command line."""
import pytest

from npgrad import labs
from npgrad.labs.explain_expr import evaluate


def test_note004_formula_table(capsys):
    assert labs.main(["explain", "x = 2*w + 3*b; y = 2*b + 1; z = x*y", "w=3", "b=4"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[1]: line.split() for line in lines[2:] if line and line[0].isdigit()}
    assert rows["z"][2:5] == ["Mul", "162", "1"]
    assert rows["2*w"][2:5] == ["Mul", "6", "9"]           # sub-expressions labelled by their text
    assert rows["w"][2:5] == ["leaf", "3", "18"] and rows["b"][2:5] == ["leaf", "4", "63"]
    assert "d(2*w)/dw = 2" in "\n".join(lines)


def test_evaluate_returns_output_and_named_parts():
    out, names = evaluate("sqrt(log(x**2))", {"x": 2.0})
    assert out.item() == pytest.approx(1.1774100225154747)
    assert set(names) == {"x", "x**2", "log(x**2)", "sqrt(log(x**2))", "out"}


@pytest.mark.parametrize("args, message", [
    (["__import__('os')", "x=1"], "not allowed"),
    (["x*q", "x=2"], "unknown name 'q'"),
    (["x*2", "x=a"], "expected VAR=NUMBER"),
    (["x +", "x=1"], "cannot parse"),
    (["3*4"], "does not depend"),
    (["z = w * 9**9**9", "w=1"], "too large"),        # bounded: exact integers would never finish
    (["z = w * 10**400**2", "w=1"], "too large"),
    (["z = w * (1/0)", "w=1"], "division by zero"),
    (["z = w * " + "1" * 400, "w=1"], "too large"),
    (["z = " + "w+" * 300 + "w", "w=1"], "at most"),
    (["w" + "*w" * 1500, "w=1"], "too long"),
])
def test_bad_input_one_line_and_exit_2(args, message, capsys):
    assert labs.main(["explain"] + args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_help(capsys):
    assert labs.main(["explain", "--help"]) == 0
    assert "VAR=VALUE" in capsys.readouterr().out
