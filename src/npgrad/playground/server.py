"""The playground's web server: static page, JSON API, and Server-Sent Events while training.

Standard library only (``http.server``), bound to 127.0.0.1.  Each browser tab owns one session;
training runs inside that tab's event stream, so closing the tab ends the stream, which stops the
training, and a session nobody streams or calls for ``ttl`` seconds is freed.

>>> server = make_server(port=0)
>>> server.server_address[0]
'127.0.0.1'
>>> server.server_close()
"""
from __future__ import annotations

import json
import re
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from . import codegen, trace
from .config import DATASETS, LIMITS, ConfigError
from .data import DOMAIN, CSVError, make_points, parse_csv
from .hub import APIError, Hub
from .labs_api import LABS
from .session import ENGINE

STATIC = Path(__file__).with_name("static")
MAX_BODY = 2_000_000
FRAME_SECONDS = 0.08        # train this long between two frames sent while playing
PING_SECONDS = 10.0         # an idle stream sends a comment this often, which detects a closed tab
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png"}


def make_server(port=0, host="127.0.0.1", ttl=120.0, reap_every=5.0):
    """A ready (not yet serving) playground server; ``port=0`` picks a free port."""
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    server.hub = Hub(ttl, reap_every)
    return server


def serve(port=0, open_browser=True, ttl=120.0):
    """Run the playground until Ctrl-C; prints the address."""
    server = make_server(port, ttl=ttl)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    print(f"npgrad playground on {url}  (Ctrl-C stops it)", flush=True)
    if open_browser:
        import webbrowser
        threading.Timer(0.3, webbrowser.open, args=(url,)).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopped")
    finally:
        server.hub.stop()
        server.server_close()
    return 0


ROUTES = []


def route(method, pattern):
    def register(fn):
        ROUTES.append((method, re.compile("^" + pattern + "$"), fn))
        return fn
    return register


class Handler(BaseHTTPRequestHandler):
    server_version = "npgrad-playground"

    def log_message(self, format, *args):       # quiet: the terminal shows only the address
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def entry(self, sid):
        """The session ``sid``, marked busy until this request is answered (the reaper leaves it alone)."""
        e = self.server.hub.get(sid)
        with e.wake:
            e.busy += 1
        self._held.append(e)
        return e

    def _dispatch(self, method):
        url = urlsplit(self.path)
        self.query, self._held = parse_qs(url.query), []
        try:
            self._route(method, url)
        finally:
            for e in self._held:
                with e.wake:
                    e.busy -= 1
                e.last_seen = time.monotonic()

    def _route(self, method, url):
        try:
            for m, pattern, fn in ROUTES:
                match = pattern.match(url.path)
                if match and m == method:
                    return fn(self, *match.groups())
            if any(p.match(url.path) for _, p, _ in ROUTES):
                raise APIError(405, f"{method} is not allowed on {url.path}")
            raise APIError(404, f"no such page or API: {url.path}")
        except APIError as exc:
            self._json({"error": str(exc)}, exc.status)
        except (ConfigError, CSVError) as exc:
            self._json({"error": str(exc)}, 400)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:                            # noqa: BLE001 - the server must survive
            traceback.print_exc()
            self._json({"error": f"internal error: {type(exc).__name__}: {exc}"}, 500)

    # -- helpers -------------------------------------------------------------------------------------
    def _body(self):
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            raise APIError(400, "Content-Length must be a number") from None
        if length < 0:
            raise APIError(400, "Content-Length must not be negative")
        if length > MAX_BODY:
            self.close_connection = True
            raise APIError(413, f"request body of {length} bytes is over the limit of {MAX_BODY} bytes")
        return self.rfile.read(length) if length else b""

    def _json_body(self):
        raw = self._body()
        if not raw.strip():
            return {}
        try:
            obj = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise APIError(400, f"the request body is not valid JSON: {exc}") from None
        if not isinstance(obj, dict):
            raise APIError(400, f"the request body must be a JSON object, got {type(obj).__name__}")
        return obj

    def _send(self, status, ctype, data, extra=None):
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _json(self, obj, status=200):
        self._send(status, "application/json", json.dumps(obj, allow_nan=False).encode())


# -- pages -------------------------------------------------------------------------------------------
@route("GET", r"/(?:index\.html)?")
def _index(h):
    _static(h, "index.html")


@route("GET", r"/static/([A-Za-z0-9_.-]+)")
def _static(h, name):
    path = STATIC / name
    if name.startswith(".") or not path.is_file():
        raise APIError(404, f"no static file {name!r}")
    h._send(200, CONTENT_TYPES.get(path.suffix, "application/octet-stream"), path.read_bytes())


@route("GET", r"/api/health")
def _health(h):
    h._json({"ok": True, "sessions": len(h.server.hub.sessions), "limits": LIMITS})


@route("GET", r"/api/datasets")
def _datasets(h):
    h._json(dataset_previews())


_PREVIEWS = {}


def dataset_previews():
    """200 points of every built-in dataset, for the dataset buttons' thumbnails (computed once)."""
    if not _PREVIEWS:
        pts, tasks = {}, {}
        for name in DATASETS:
            if name != "csv":
                X, y, tasks[name] = make_points(name, 200, 0.1, 0)
                pts[name] = [[round(float(a), 3), round(float(b), 3), round(float(c), 3)] for (a, b), c in zip(X, y)]
        _PREVIEWS.update(domain=DOMAIN, tasks=tasks, **pts)
    return _PREVIEWS


# -- sessions -----------------------------------------------------------------------------------------
@route("POST", r"/api/session")
def _create(h):
    body = h._json_body()
    sid = h.server.hub.create(body.get("config", {}))
    h._json({"id": sid, "state": h.entry(sid).session.state()})


@route("GET", r"/api/session/(\w+)/state")
def _state(h, sid):
    e = h.entry(sid)
    h._json(dict(e.session.state(), playing=e.playing))


@route("POST", r"/api/session/(\w+)/config")
def _config(h, sid):
    e = h.entry(sid)
    e.session.configure(h._json_body())
    e.poke()
    h._json(dict(e.session.state(), playing=e.playing))


@route("POST", r"/api/session/(\w+)/(play|pause)")
def _play(h, sid, what):
    e = h.entry(sid)
    e.playing = what == "play"
    e.poke()
    h._json({"playing": e.playing, "streaming": e.streams > 0})


@route("POST", r"/api/session/(\w+)/step")
def _step(h, sid):
    e = h.entry(sid)
    body = h._json_body()
    epochs = body.get("epochs", 1)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise APIError(400, f"epochs must be a positive whole number, got {epochs!r}")
    capped = min(epochs, LIMITS["epochs_per_step"])
    frame = e.session.train(capped)
    e.poke()
    warnings = [f"epochs {epochs} capped to {capped}"] if capped < epochs else []
    h._json(dict(frame, warnings=warnings))


@route("POST", r"/api/session/(\w+)/reset")
def _reset(h, sid):
    e = h.entry(sid)
    e.playing = False
    e.session.reset()
    e.poke()
    h._json(dict(e.session.state(), playing=False))


@route("DELETE", r"/api/session/(\w+)")
@route("POST", r"/api/session/(\w+)/close")      # the form navigator.sendBeacon can send
def _close(h, sid):
    h._json({"closed": h.server.hub.close(sid)})


@route("POST", r"/api/session/(\w+)/inspect")
def _inspect(h, sid):
    e = h.entry(sid)
    body = h._json_body()
    s = e.session
    if "index" in body:
        split, index = body.get("split", "train"), body["index"]
        if split not in s.points or isinstance(index, bool) or not isinstance(index, int):
            raise APIError(400, f"inspect needs split 'train' or 'test' and a whole index, got {split!r}, {index!r}")
        X, y = s.points[split]
        if not 0 <= index < len(X):
            raise APIError(400, f"index {index} is outside the {len(X)} {split} points")
        point, label = X[index].tolist(), float(y[index])
    else:
        point, label = body.get("point"), body.get("label", 1.0)
        ok = isinstance(point, list) and len(point) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) < 1e6 for v in point + [label])
        if not ok:
            raise APIError(400, f"inspect needs 'index' or 'point': [x1, x2] and a numeric 'label', got {body!r}")
    h._json(trace.inspect(s, point, label))


@route("GET", r"/api/session/(\w+)/code")
def _code(h, sid):
    s = h.entry(sid).session
    flavour = h.query.get("flavour", ["npgrad"])[0]
    with s.lock:
        pts = None
        if s.config["dataset"] == "csv":
            X, y = s.csv[0], s.csv[1]
            pts = [[round(float(a), 5), round(float(b), 5), float(c)] for (a, b), c in zip(X, y)]
        src = codegen.generate(s.config, flavour, epochs=max(s.epoch, 100), csv_points=pts)
    h._json({"flavour": flavour, "code": src})


@route("GET", r"/api/session/(\w+)/export")
def _export(h, sid):
    s = h.entry(sid).session
    h._send(200, "application/octet-stream", s.export(),
            {"Content-Disposition": f'attachment; filename="playground-{s.config["dataset"]}.safetensors"'})


@route("POST", r"/api/session/(\w+)/import")
def _import(h, sid):
    e = h.entry(sid)
    blob = h._body()
    try:
        e.session.load_model(blob)
    except (ValueError, RuntimeError, TypeError, KeyError) as exc:
        raise APIError(400, f"cannot import this file: {' '.join(str(exc).split())}") from None
    e.playing = False
    e.poke()
    h._json(dict(e.session.state(), playing=False))


@route("POST", r"/api/session/(\w+)/csv")
def _csv(h, sid):
    e = h.entry(sid)
    try:
        text = h._body().decode("utf-8")
    except UnicodeDecodeError:
        raise APIError(400, "the CSV is not UTF-8 text") from None
    parsed = parse_csv(text)
    s = e.session
    with s.lock:
        s.csv = parsed
        s.configure(dict(s.config, dataset="csv"))
    e.playing = False
    e.poke()
    h._json(dict(s.state(), playing=False))


@route("POST", r"/api/lab/([\w-]+)")
def _lab(h, name):
    if name not in LABS:
        raise APIError(404, f"no lab {name!r}; labs: {', '.join(LABS)}")
    body = h._json_body()
    with ENGINE:                      # the labs run npgrad too: take turns with the training sessions
        result = LABS[name](body)
    h._json(result)


# -- the event stream ----------------------------------------------------------------------------------
@route("GET", r"/api/session/(\w+)/events")
def _events(h, sid):
    e = h.entry(sid)
    h.send_response(200)
    h.send_header("Content-Type", "text/event-stream")
    h.send_header("Cache-Control", "no-store")
    h.end_headers()
    e.stream += 1
    token, e.streams = e.stream, e.streams + 1
    try:
        _stream(h, e, token)
    except (BrokenPipeError, ConnectionResetError, OSError):
        pass                                    # the tab went away
    finally:
        e.streams -= 1
        if e.stream == token:                   # the last stream of this session closed: stop training
            e.playing = False
        e.last_seen = time.monotonic()


def _stream(h, e, token):
    sent, s = None, e.session
    while e.alive and e.stream == token and not h.server.hub.stopping.is_set():
        if e.playing:
            s.epoch_slice(FRAME_SECONDS)
        if s.version != sent:
            with s.lock:
                frame, sent = s.frame(), s.version
            if frame["diverged"] and e.playing:
                e.playing = False
                frame["warnings"] = ["the loss is not finite any more (diverged): training paused; "
                                     "lower the learning rate and reset"]
            frame["playing"] = e.playing
            h.wfile.write(b"event: frame\ndata: " + json.dumps(frame).encode() + b"\n\n")
            h.wfile.flush()
            e.last_seen = time.monotonic()
            continue
        with e.wake:             # checked under the lock, so a poke cannot slip in before the wait
            woke = e.playing or s.version != sent or e.wake.wait(PING_SECONDS)
        if not woke:
            h.wfile.write(b": ping\n\n")
            h.wfile.flush()
