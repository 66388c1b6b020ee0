"""A loopback reverse proxy that records every request's method and path, and can add latency.

Put in front of a sandbox, it shows what a run really sent (whatever the suite's own counters
say), and with `delay_seconds` it stands in for a server 150 ms away.
"""

from __future__ import annotations

import contextlib
import http.client
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}


@dataclass
class Recording:
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, method: str, path: str) -> None:
        with self.lock:
            self.requests.append((method, path))

    def methods(self) -> Counter[str]:
        with self.lock:
            return Counter(method for method, _ in self.requests)


def _forward(handler: _ProxyHandler) -> None:
    server: _ProxyServer = handler.server  # type: ignore[assignment]
    server.recording.add(handler.command, handler.path)
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length) if length else None
    headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP}
    upstream = http.client.HTTPConnection(server.upstream_host, server.upstream_port, timeout=30)
    try:
        upstream.request(handler.command, server.upstream_prefix + handler.path, body, headers)
        response = upstream.getresponse()
        payload = response.read()
        answer_headers = response.getheaders()
        status, reason = response.status, response.reason
    finally:
        upstream.close()
    if server.delay_seconds:
        time.sleep(server.delay_seconds)
    handler.send_response(status, reason)
    for name, value in answer_headers:
        if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
            handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(payload)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real API offers

    def log_message(self, format: str, *args: object) -> None:
        pass


for _method in METHODS:
    setattr(_ProxyHandler, f"do_{_method}", _forward)


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str, delay_seconds: float, recording: Recording) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.upstream_prefix = ""  # the proxy's paths are the upstream's
        self.delay_seconds = delay_seconds
        self.recording = recording


@contextlib.contextmanager
def recording_proxy(
    upstream_base_url: str, delay_seconds: float = 0.0
) -> Iterator[tuple[str, Recording]]:
    """Yield (the proxy's base URL, with the upstream's path, and its recording)."""
    recording = Recording()
    server = _ProxyServer(upstream_base_url, delay_seconds, recording)
    thread = threading.Thread(target=server.serve_forever, name="recording-proxy", daemon=True)
    thread.start()
    try:
        path = urlsplit(upstream_base_url).path
        yield f"http://127.0.0.1:{server.server_address[1]}{path}", recording
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
