"""Write the generated pages of the documentation: one page per lab and the command-line reference.

    python docs/gen_pages.py          # rewrite docs/labs/*.md and docs/cli.md from the code

The pages come from the labs' own introductions and options and from the ``npgrad`` command's
argparse help, so the site cannot drift from the code (a test compares them).
"""
from __future__ import annotations

import contextlib
import io
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def lab_page(name):
    from npgrad import labs
    module = labs.get(name)
    topic = labs.LABS[name][1]
    lines = [f"# Lab `{name}`", "", f"*{topic}*", "", module.INTRO.strip(), "", "## Run it", "", "```bash",
             f"npgrad lab {name}                 # prints the numbers, saves figures in lab-output/{name}/",
             f"npgrad lab {name} --quick         # a shorter run", "```", ""]
    options = labs.OPTIONS.get(name, {})
    if options:
        lines += ["Its own options:", "", "| option | meaning |", "|---|---|"]
        for key, (_, choices, text) in options.items():
            flag = "--" + key.replace("_", "-")
            if choices:
                flag += " {" + ",".join(choices) + "}"
            lines.append(f"| `{flag}` | {text} |")
        lines.append("")
    lines += ["From Python, the same lab returns its numbers as a dict:", "", "```python",
              "from npgrad import labs",
              f"results = labs.run({name!r}, out_dir=\"lab-output/{name}\")", "```", "",
              "The lab's source, which uses only npgrad's public API, is the best usage example: "
              f"`src/npgrad/labs/{labs.LABS[name][0]}.py`.", ""]
    return "\n".join(lines)


def labs_index():
    from npgrad import labs
    lines = ["# Labs", "", "The lessons of the course notes as runnable programs. Each prints its numbers beside "
             "the worked example's, explains what they show, and saves figures.", "",
             "| lab | topic |", "|---|---|"]
    lines += [f"| [{n}]({n}.md) | {labs.LABS[n][1]} |" for n in labs.names()]
    lines += ["", "Your own formula's backward pass, step by step:", "", "```bash",
              'npgrad lab explain "z = (2*w + 3*b) * (2*b + 1)" w=3 b=4', "```", ""]
    return "\n".join(lines)


def _help(argv):
    from npgrad.cli import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        main(argv)
    return out.getvalue().rstrip()


def cli_page():
    os.environ["COLUMNS"] = "100"                      # argparse wraps help text at this width
    lines = ["# The `npgrad` command", "", "`npgrad COMMAND ...` and `python -m npgrad COMMAND ...` are the same. "
             "A bad argument prints one line to stderr and exits with status 2.", ""]
    for title, argv in (("npgrad", ["--help"]), ("npgrad train", ["train", "--help"]),
                        ("npgrad evaluate", ["evaluate", "--help"]), ("npgrad predict", ["predict", "--help"]),
                        ("npgrad export", ["export", "--help"]), ("npgrad lab", ["lab", "--help"]),
                        ("npgrad playground", ["playground", "--help"])):
        lines += [f"## `{title}`", "", "```text", _help(argv), "```", ""]
    return "\n".join(lines)


def pages():
    """path (relative to docs/) -> text, for every generated page."""
    from npgrad import labs
    out = {"labs/index.md": labs_index(), "cli.md": cli_page()}
    out.update({f"labs/{n}.md": lab_page(n) for n in labs.names()})
    return out


def main():
    for rel, text in pages().items():
        path = os.path.join(HERE, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    print(f"wrote {len(pages())} pages", file=sys.stderr)


if __name__ == "__main__":
    main()
