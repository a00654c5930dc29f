"""A Griffe extension for the API reference: docstring examples (``>>>`` lines and their output)
become fenced ``pycon`` code blocks, so that Markdown does not read ``['a', 'b']`` as a link."""
from __future__ import annotations

import griffe


def fence(text):
    out, block = [], []

    def flush():
        if block:
            out.extend(["```pycon", *block, "```"])
            block.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(">>>") or (block and stripped and not stripped.startswith(":")):
            block.append(stripped if stripped.startswith((">>>", "...")) else line.strip())
        else:
            flush()
            out.append(line)
    flush()
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    def on_instance(self, *, obj, **kwargs):
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence(obj.docstring.value)
