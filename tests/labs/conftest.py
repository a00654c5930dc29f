"""Run a lab headless into a temporary folder and check the figures it saved."""
import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def run_lab(tmp_path):
    def run(name, **kw):
        from npgrad import labs
        out = tmp_path / name
        res = labs.run(name, out_dir=out, quick=True, verbose=False, **kw)
        assert res["figures"], f"lab {name} saved no figure"
        for path in res["figures"]:
            with open(path, "rb") as f:
                head = f.read(8)
            assert head == PNG and os.path.getsize(path) > 1000, path
            assert os.path.dirname(path) == str(out)
        return res
    return run
