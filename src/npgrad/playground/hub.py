"""Sessions of the playground server: who is streaming, who is busy, and the reaper of abandoned ones."""
from __future__ import annotations

import secrets
import threading
import time

from .session import Session

MAX_SESSIONS = 32


class APIError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class Entry:
    """A session plus what the server knows about it: playing or not, its stream, when last used."""

    def __init__(self, session):
        self.session = session
        self.playing = False
        self.alive = True
        self.stream = 0             # token of the current event stream; 0: none
        self.streams = 0            # streams open now
        self.busy = 0               # requests being answered now
        self.last_seen = time.monotonic()
        self.wake = threading.Condition()

    def poke(self):
        self.last_seen = time.monotonic()
        with self.wake:
            self.wake.notify_all()


class Hub:
    """All sessions of one server, and the reaper that frees those left behind."""

    def __init__(self, ttl=120.0, reap_every=5.0):
        self.ttl, self.sessions, self.lock = ttl, {}, threading.Lock()
        self.stopping = threading.Event()
        self.reaper = threading.Thread(target=self._reap, args=(reap_every,), daemon=True)
        self.reaper.start()

    def create(self, raw):
        session = Session(raw)
        with self.lock:
            if len(self.sessions) >= MAX_SESSIONS:
                idle = [k for k, e in self.sessions.items() if e.streams == 0]
                if not idle:
                    raise APIError(503, f"too many open sessions ({MAX_SESSIONS}); close a tab")
                self._drop(min(idle, key=lambda k: self.sessions[k].last_seen))
            sid = secrets.token_hex(8)
            self.sessions[sid] = Entry(session)
        return sid

    def get(self, sid):
        with self.lock:
            entry = self.sessions.get(sid)
        if entry is None:
            raise APIError(404, f"no session {sid!r} (it may have timed out: reload the page)")
        entry.last_seen = time.monotonic()
        return entry

    def close(self, sid):
        with self.lock:
            return self._drop(sid)

    def _drop(self, sid):
        entry = self.sessions.pop(sid, None)
        if entry is not None:
            entry.alive, entry.playing = False, False
            entry.poke()
        return entry is not None

    def _reap(self, every):
        while not self.stopping.wait(every):
            now = time.monotonic()
            with self.lock:
                for sid in [k for k, e in self.sessions.items() if e.streams == 0 and now - e.last_seen > self.ttl]:
                    entry = self.sessions[sid]
                    if entry.busy == 0:               # not while a request is still using it
                        self._drop(sid)

    def stop(self):
        self.stopping.set()
        with self.lock:
            for sid in list(self.sessions):
                self._drop(sid)
