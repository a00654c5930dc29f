"""The playground's HTTP API: sessions, training, bad requests, event streams, files, labs."""
import io
import json
import socket
import threading
import time

import numpy as np
import pytest

import npgrad
from npgrad.playground import server as server_mod

pytest.importorskip("safetensors", reason="export/import writes safetensors")


def wait_for(predicate, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_bound_to_localhost_and_serves_the_page(server, client):
    assert server.server_address[0] == "127.0.0.1"
    status, page = client.request("/")
    assert status == 200 and b"npgrad" in page and b"/static/app.js" in page
    for name in ("app.js", "engine.js", "labs.js", "draw.js", "style.css"):
        status, body = client.request("/static/" + name)
        assert status == 200 and len(body) > 100, name
    status, err = client.request("/static/..%2Fserver.py")
    assert status == 404 and "error" in err


def test_create_step_and_losses_fall(client):
    sid, state = client.session({"dataset": "circles", "features": ["x1", "x2", "x1^2", "x2^2"], "optimizer": "adam"})
    assert state["task"] == "classification" and len(state["points"]["train"]) == 250
    first = state["frame"]["losses"]["test"]
    frame = client.ok(f"/api/session/{sid}/step", {"epochs": 30})
    assert frame["epoch"] == 30 and frame["losses"]["test"] < first / 2
    assert len(frame["neurons"]) == 2 and len(frame["neurons"][0]) == 4
    assert len(frame["history"]["epoch"]) == 31 and len(frame["history"]["grad_norms"][-1]) == 3
    assert [len(w) for w in frame["weights"]] == [4, 2, 1]


@pytest.mark.parametrize("body, fragment", [
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "must be a JSON object"),
    (json.dumps({"hidden": "four"}).encode(), "hidden must be a list"),
    (json.dumps({"activation": "swish"}).encode(), "activation must be one of"),
    (json.dumps({"lr": -1}).encode(), "lr must be > 0"),
    (json.dumps({"lr": "fast"}).encode(), "lr must be a finite number"),
    (json.dumps({"colour": "red"}).encode(), "unknown setting"),
    (json.dumps({"features": []}).encode(), "features must be a non-empty list"),
    (json.dumps({"dataset": "csv"}).encode(), "needs an uploaded file"),
])
def test_malformed_config_is_400_with_a_json_error(client, body, fragment):
    sid, _ = client.session()
    status, err = client.request(f"/api/session/{sid}/config", raw=body)
    assert status == 400 and fragment in err["error"]
    assert client.ok(f"/api/session/{sid}/state")["config"]["hidden"] == [4, 2]     # unchanged, still alive


def test_absurd_sizes_are_capped_and_said_so(client):
    sid, _ = client.session()
    st = client.ok(f"/api/session/{sid}/config", {"hidden": [1000] * 50, "samples": 10 ** 9, "lr": 1e9,
                                                       "batch_size": 5000})
    assert st["config"]["hidden"] == [32] * 6 and st["config"]["samples"] == 2000 and st["config"]["lr"] == 10
    text = " ".join(st["warnings"])
    assert "50 hidden layers capped to 6" in text and "samples 1e+09 capped to 2000" in text
    assert "batch_size 5000 capped to 1000" in text
    sid, _ = client.session({"dataset": "xor", "hidden": [2], "batch_size": 1000})
    frame = client.ok(f"/api/session/{sid}/step", {"epochs": 10 ** 6})
    assert frame["epoch"] == 100 and "capped to 100" in frame["warnings"][0]
    status, err = client.request(f"/api/session/{sid}/step", {"epochs": -3})
    assert status == 400 and "epochs" in err["error"]


def test_oversized_body_is_413_and_unknown_things_are_404(client, monkeypatch):
    monkeypatch.setattr(server_mod, "MAX_BODY", 1000)
    sid, _ = client.session()
    status, err = client.request(f"/api/session/{sid}/csv", raw=b"1,2,3\n" * 1000)
    assert status == 413 and "over the limit" in err["error"]
    assert client.request("/api/session/nope/state")[0] == 404
    assert client.request("/api/nothing")[0] == 404
    assert client.request("/api/lab/alchemy", {})[0] == 404
    assert client.request(f"/api/session/{sid}/state", {})[0] == 405


def test_inspect_one_example(client):
    sid, state = client.session({"hidden": [3]})
    r = client.ok(f"/api/session/{sid}/inspect", {"split": "train", "index": 0})
    names = [row["name"] for row in r["rows"]]
    assert names[0] == "loss" and {"x", "W1", "b1", "z1", "a1", "W2", "b2", "out"} <= set(names)
    assert r["point"] == pytest.approx(state["points"]["train"][0][:2], abs=1e-4)
    assert len(r["neurons"][0]["value"]) == 3 and len(r["input_grad"]) == 2
    for bad in ({"split": "train", "index": 10 ** 6}, {"split": "nope", "index": 0}, {"point": "here"}):
        status, err = client.request(f"/api/session/{sid}/inspect", bad)
        assert status == 400 and "error" in err


def test_csv_upload_and_bad_files(client):
    sid, _ = client.session()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    rows = "\n".join(f"{a:.3f},{b:.3f},{int(a * b > 0)}" for a, b in X)
    st = client.ok(f"/api/session/{sid}/csv", raw=("x1,x2,label\n" + rows).encode())
    assert st["config"]["dataset"] == "csv" and st["task"] == "classification" and "classification" in st["csv_note"]
    assert len(st["points"]["train"]) + len(st["points"]["test"]) == 60
    assert client.ok(f"/api/session/{sid}/step", {"epochs": 2})["epoch"] == 2
    for text, fragment in [("1,2\n3,4\n", "expected 3 columns"), ("a,b,c\n1,2,x\n", "not a number"),
                           ("1,2,3\n", "at least 4 data rows"), ("1,1,0\n2,2,0\n3,3,0\n4,4,0\n", "every label is 0")]:
        status, err = client.request(f"/api/session/{sid}/csv", raw=text.encode())
        assert status == 400 and fragment in err["error"], err
    status, err = client.request(f"/api/session/{sid}/csv", raw=b"\xff\xfe\x00bad")
    assert status == 400


def test_export_loads_with_npgrad_and_imports_back(client):
    sid, _ = client.session({"dataset": "xor", "hidden": [5]})
    client.ok(f"/api/session/{sid}/step", {"epochs": 5})
    status, blob = client.request(f"/api/session/{sid}/export")
    assert status == 200
    obj = npgrad.load(io.BytesIO(blob))
    assert json.loads(obj["config"])["hidden"] == [5] and obj["model"]["0.weight"].shape == (5, 2)
    other, _ = client.session()
    st = client.ok(f"/api/session/{other}/import", raw=blob)
    assert st["config"]["dataset"] == "xor"
    np.testing.assert_allclose(st["frame"]["weights"][0], obj["model"]["0.weight"].numpy(), atol=1e-4)
    status, err = client.request(f"/api/session/{other}/import", raw=b"garbage")
    assert status == 400 and "cannot import" in err["error"]


def test_code_endpoint_and_labs(client):
    sid, _ = client.session()
    assert "import npgrad as torch" in client.ok(f"/api/session/{sid}/code")["code"]
    assert "import torch " in client.ok(f"/api/session/{sid}/code?flavour=torch")["code"]
    assert client.request(f"/api/session/{sid}/code?flavour=jax")[0] == 400
    p = client.ok("/api/lab/perceptron", {"eta": 0.1})
    assert p["converged"] and p["history"][-1]["mistakes"] == 0
    g = client.ok("/api/lab/gradient-descent", {"start": [3, 1], "rates": [0.1, 1.0], "steps": 20})
    assert [q["kind"] for q in g["paths"]] == ["slow", "oscillates"]
    s = client.ok("/api/lab/softmax", {"logits": [1, 2, 3], "temperature": 1e6, "target": 2})
    assert "capped" in s["warnings"][0] and sum(s["probs"]) == pytest.approx(1, abs=1e-5)
    assert client.request("/api/lab/softmax", {"logits": "many"})[0] == 400


def _open_stream(server, sid):
    """A raw socket reading the event stream, as a browser's EventSource does."""
    sock = socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=60)
    sock.sendall(f"GET /api/session/{sid}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    res = sock.makefile("rb")
    head = []
    for line in res:
        if line in (b"\r\n", b"\n"):
            break
        head.append(line.decode())
    assert head[0].split()[1] == "200" and any("text/event-stream" in h for h in head)
    return sock, res


def _next_frame(res):
    for line in res:
        if line.startswith(b"data: "):
            return json.loads(line[6:])


def test_event_stream_trains_and_a_closed_tab_stops_it(server, client):
    sid, _ = client.session({"dataset": "gaussian"})
    conn, res = _open_stream(server, sid)
    assert _next_frame(res)["epoch"] == 0
    assert client.ok(f"/api/session/{sid}/play", {})["streaming"]
    frames = [_next_frame(res) for _ in range(3)]
    assert frames[-1]["epoch"] > frames[0]["epoch"] > 0
    entry = server.hub.sessions[sid]
    conn.shutdown(socket.SHUT_RDWR)        # the tab closes mid-training
    conn.close()
    assert wait_for(lambda: not entry.playing and entry.streams == 0)
    epoch = entry.session.epoch
    time.sleep(0.3)
    assert entry.session.epoch == epoch                              # no training without a tab
    assert wait_for(lambda: sid not in server.hub.sessions)          # freed after the ttl (1 s here)
    assert client.request(f"/api/session/{sid}/state")[0] == 404


def test_a_diverging_run_pauses_and_says_why(server, client):
    sid, _ = client.session({"dataset": "plane", "lr": 10, "activation": "relu", "hidden": [8, 8]})
    conn, res = _open_stream(server, sid)
    _next_frame(res)
    client.ok(f"/api/session/{sid}/play", {})
    frame = next(f for f in iter(lambda: _next_frame(res), None) if f.get("warnings"))
    assert frame["diverged"] and not frame["playing"] and "diverged" in frame["warnings"][0]
    assert frame["losses"]["train"] is None
    r = client.ok(f"/api/session/{sid}/inspect", {"split": "train", "index": 0})     # still answers, in JSON
    assert r["loss"] is None or r["loss"] >= 0
    conn.close()


def test_two_tabs_train_independently(server, client):
    a, _ = client.session({"dataset": "circles", "hidden": [4]})
    b, _ = client.session({"dataset": "xor", "hidden": [2]})
    streams = [_open_stream(server, a), _open_stream(server, b)]
    for sid in (a, b):
        client.ok(f"/api/session/{sid}/play", {})
    frames = []
    threads = [threading.Thread(target=lambda r=res: frames.append([_next_frame(r) for _ in range(4)][-1]))
               for _, res in streams]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(frames) == 2 and all(f["epoch"] > 0 for f in frames)
    assert sorted(len(f["weights"][0]) for f in frames) == [2, 4]
    client.ok(f"/api/session/{a}/close", {})
    assert a not in server.hub.sessions and b in server.hub.sessions
    assert client.ok(f"/api/session/{b}", method="DELETE")["closed"] and b not in server.hub.sessions
    for conn, _ in streams:
        conn.close()


def test_reset_and_live_settings(client):
    sid, _ = client.session()
    client.ok(f"/api/session/{sid}/step", {"epochs": 3})
    st = client.ok(f"/api/session/{sid}/reset", {})
    assert st["frame"]["epoch"] == 0 and st["playing"] is False


def test_too_many_sessions_evicts_the_longest_idle(server, client, monkeypatch):
    from npgrad.playground import hub
    monkeypatch.setattr(hub, "MAX_SESSIONS", 3)
    ids = [client.session()[0] for _ in range(3)]
    client.ok(f"/api/session/{ids[0]}/state")            # the first is used again: the second is the oldest
    newest = client.session()[0]
    assert set(server.hub.sessions) == {ids[0], ids[2], newest}


def test_garbled_http_gets_a_json_error_and_the_server_lives_on(server, client):
    sid, _ = client.session()
    for head in (b"Content-Length: abc\r\n", b"Content-Length: -5\r\n"):
        with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=30) as sock:
            sock.sendall(b"POST /api/session/" + sid.encode() + b"/config HTTP/1.1\r\nHost: x\r\n" + head + b"\r\n")
            reply = sock.makefile("rb").read().decode()
        assert reply.split()[1] == "400" and '"error": "Content-Length must' in reply
    status, err = client.request(f"/api/session/{sid}/config", raw=b'{"lr": NaN}')
    assert status == 400 and "finite" in err["error"]
    assert client.ok("/api/health")["ok"]
