"""A fake vendor API over real HTTP on 127.0.0.1: validates every request against the vendor's
OpenAPI spec and injects faults (429, 5xx, slow responses, dropped connections) on demand."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from copilot.platforms.contract import body_problems, match_path, parameter_problems

FAULTS = ("429", "500", "503", "500_after", "timeout", "drop")


@dataclass
class Fault:
    """One injected fault: the next `times` matching requests get it."""

    kind: str
    method: str
    path: re.Pattern[str]
    times: int = 1
    retry_after: str | None = None
    delay: float = 1.5


@dataclass
class Seen:
    """A request as the server received it (credentials never recorded)."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int | None = None
    fault: str | None = None
    problems: list[str] = field(default_factory=list)


class FakeVendor:
    """Base fake: subclasses implement `authorized` and `handle` for their vendor."""

    platform = ""
    prefix = ""

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> str:
        """Serve on a free port; returns the base URL the client should use."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_GET(self) -> None:
                fake._dispatch(self, "GET")

            def do_POST(self) -> None:
                fake._dispatch(self, "POST")

            def do_PUT(self) -> None:
                fake._dispatch(self, "PUT")

            def do_PATCH(self) -> None:
                fake._dispatch(self, "PATCH")

            def do_DELETE(self) -> None:
                fake._dispatch(self, "DELETE")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.prefix}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # --- faults and inspection --------------------------------------------------------------
    def inject(
        self,
        kind: str,
        method: str = "POST",
        path: str = ".*",
        times: int = 1,
        retry_after: str | None = None,
        delay: float = 1.5,
    ) -> None:
        """Make the next `times` requests matching METHOD and path regex fail as `kind`."""
        assert kind in FAULTS, kind
        with self.lock:
            self.faults.append(
                Fault(kind, method.upper(), re.compile(path), times, retry_after, delay)
            )

    def violations(self) -> list[Seen]:
        """Requests that broke the spec (should be none)."""
        return [s for s in self.seen if s.problems]

    def count(self, method: str, path_regex: str = ".*") -> int:
        rx = re.compile(path_regex)
        return sum(1 for s in self.seen if s.method == method and rx.fullmatch(s.path))

    # --- subclass API -----------------------------------------------------------------------
    def authorized(self, headers: Any) -> bool:
        raise NotImplementedError

    def unauthorized(self) -> tuple[int, Any]:
        raise NotImplementedError

    def error(self, status: int, message: str) -> tuple[int, Any]:
        raise NotImplementedError

    def handle(
        self, method: str, template: str, params: dict[str, str], query: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        raise NotImplementedError

    # --- plumbing ---------------------------------------------------------------------------
    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.method == method and fault.path.fullmatch(path):
                    fault.times -= 1
                    return fault
        return None

    def _dispatch(self, h: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(h.path)
        path = url.path[len(self.prefix) :] if url.path.startswith(self.prefix) else url.path
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        length = int(h.headers.get("content-length") or 0)
        raw = h.rfile.read(length) if length else b""
        seen = Seen(method, path, query, None)
        with self.lock:
            self.seen.append(seen)
        try:
            seen.body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            return self._reply(h, seen, *self.error(400, "body is not valid JSON"))
        if not self.authorized(h.headers):
            return self._reply(h, seen, *self.unauthorized())
        matched = match_path(self.platform, path)
        if matched is None:
            return self._reply(h, seen, *self.error(404, f"no such path {path}"))
        template, params = matched
        try:
            problems = parameter_problems(self.platform, method, template, params, query)
            problems += body_problems(self.platform, method, template, seen.body)
        except Exception as exc:  # an unknown method on a known path
            problems = [str(exc)]
        if problems:
            seen.problems = problems
            return self._reply(h, seen, *self.error(400, "; ".join(problems)))
        fault = self._take_fault(method, path)
        seen.fault = fault.kind if fault else None
        if fault is not None and fault.kind in ("429", "500", "503"):
            status = int(fault.kind)
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return self._reply(h, seen, *self.error(status, "injected fault"), headers=headers)
        with self.lock:
            status, payload = self.handle(method, template, params, query, seen.body)
        if fault is None:
            return self._reply(h, seen, status, payload)
        if fault.kind == "500_after":  # processed, but the client hears an error
            return self._reply(h, seen, *self.error(500, "injected fault after processing"))
        if fault.kind == "timeout":  # processed, answered too late for the client
            time.sleep(fault.delay)
            try:
                return self._reply(h, seen, status, payload)
            except OSError:
                return None
        # "drop": processed, then the connection closes without a response
        seen.status = None
        h.close_connection = True
        return None

    def _reply(
        self,
        h: BaseHTTPRequestHandler,
        seen: Seen,
        status: int,
        payload: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        seen.status = status
        data = b"" if payload is None else json.dumps(payload).encode("utf-8")
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        if data:
            h.wfile.write(data)
        h.wfile.flush()
