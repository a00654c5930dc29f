"""``npgrad playground``: prints its address, serves the page, refuses a bad port."""
import os
import re
import subprocess
import sys
import urllib.request

from npgrad.cli import main

SRC = os.path.join(os.path.dirname(__file__), "..", "..", "src")


def test_bad_port_is_a_one_line_error(capsys):
    assert main(["playground", "--port", "70000", "--no-browser"]) == 2
    assert "--port: must be 0..65535" in capsys.readouterr().err
    assert main(["playground", "--port", "many"]) == 2


def test_serves_on_a_free_port_and_prints_it():
    env = dict(os.environ, PYTHONPATH=os.path.abspath(SRC))
    proc = subprocess.Popen([sys.executable, "-m", "npgrad.cli", "playground", "--no-browser"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert url, line + proc.stderr.read()
        with urllib.request.urlopen(url.group(0), timeout=30) as res:
            assert res.status == 200 and b"npgrad playground" in res.read()
    finally:
        proc.terminate()
        proc.wait(30)


def test_port_in_use_is_a_one_line_error(capsys):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        assert main(["playground", "--port", str(s.getsockname()[1]), "--no-browser"]) == 2
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err
