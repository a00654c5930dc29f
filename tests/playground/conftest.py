"""A live playground server on a free port, and a small JSON client for it."""
import json
import threading
import urllib.error
import urllib.request

import pytest

from npgrad.playground.server import make_server


class Client:
    def __init__(self, base):
        self.base = base

    def request(self, path, body=None, raw=None, method=None, headers=None):
        """``(status, parsed JSON or bytes)``; errors are returned, not raised."""
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        req = urllib.request.Request(self.base + path, data=data, method=method or ("POST" if data is not None else "GET"),
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                status, payload, ctype = res.status, res.read(), res.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            status, payload, ctype = exc.code, exc.read(), exc.headers.get("Content-Type", "")
        return status, (json.loads(payload) if ctype.startswith("application/json") else payload)

    def ok(self, path, body=None, **kw):
        status, payload = self.request(path, body, **kw)
        assert status == 200, payload
        return payload

    def session(self, config=None):
        r = self.ok("/api/session", {"config": config or {}})
        return r["id"], r["state"]


@pytest.fixture
def server():
    srv = make_server(port=0, ttl=1.0, reap_every=0.2)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.hub.stop()
    srv.server_close()


@pytest.fixture
def client(server):
    return Client(f"http://127.0.0.1:{server.server_address[1]}")
