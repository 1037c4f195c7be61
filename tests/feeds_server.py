"""A real HTTP server on 127.0.0.1 for the feeds tests and benchmark (no mocked client).

Each path has a Route: a list of responses served in turn (the last one repeats), each with a
status, headers, a body and an optional delay before the headers. A route with an ``etag``
answers 304 to a matching If-None-Match, and one with ``last_modified`` to an
If-Modified-Since equal to it.
``gzip=True`` compresses the body when the client accepts it; ``reset=True`` drops the
connection with a TCP reset. Every request is logged (path and headers) for the tests to check
what was and was not asked.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunked: bool = False  # no Content-Length: the client cannot know the size up front
    reset: bool = False  # drop the connection with a TCP reset instead of answering


@dataclass
class Route:
    replies: list[Reply]
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    served: int = 0


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server._handle(self)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: http.server would print every request into the test output."""

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, *replies: Reply, etag: str | None = None,
            last_modified: str | None = None, gzip: bool = False) -> str:
        self.routes[path] = Route(list(replies), etag, last_modified, gzip)
        return self.url(path)

    def page(self, path: str, html: str | bytes, **headers: str) -> str:
        body = html.encode() if isinstance(html, str) else html
        return self.add(path, Reply(200, body, {"Content-Type": "text/html; charset=utf-8",
                                                **headers}))

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def count(self, path: str) -> int:
        return self.paths().count(path)

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append(Request(h.path, dict(h.headers.items())))
            route = self.routes.get(h.path)
            reply = None
            if route is not None:
                reply = route.replies[min(route.served, len(route.replies) - 1)]
                route.served += 1
        if route is None or reply is None:
            self._send(h, Reply(404, b"not found", {"Content-Type": "text/plain"}))
            return
        if reply.delay:
            time.sleep(reply.delay)
        if reply.reset:
            # SO_LINGER 0: close() sends RST, the client sees "connection reset by peer"
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                    struct.pack("ii", 1, 0))
            h.connection.close()
            h.close_connection = True
            return
        headers = dict(reply.headers)
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        if reply.status == 200 and (
                (route.etag and h.headers.get("If-None-Match") == route.etag) or
                (route.last_modified and
                 h.headers.get("If-Modified-Since") == route.last_modified)):
            self._send(h, Reply(304, b"", headers))
            return
        body = reply.body
        if route.gzip and "gzip" in (h.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self._send(h, Reply(reply.status, body, headers, chunked=reply.chunked))

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, reply: Reply) -> None:
        try:
            h.send_response(reply.status)
            for key, value in reply.headers.items():
                h.send_header(key, value)
            if reply.chunked:
                h.send_header("Connection", "close")
                h.end_headers()
                h.wfile.write(reply.body)
                h.close_connection = True
                return
            h.send_header("Content-Length", str(len(reply.body)))
            h.end_headers()
            if reply.status != 304:
                h.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout or size-limit test): expected

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.stop()


def rss(items: list[tuple[str, str, str]], *, language: str = "nl") -> bytes:
    """An RSS 2.0 feed of (link, title, RFC 822 date) items."""
    entries = "".join(f"<item><title>{t}</title><link>{u}</link><pubDate>{d}</pubDate></item>"
                      for u, t, d in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>test</title><link>http://example.org/</link><description>t</description>"
            f"<language>{language}</language>{entries}</channel></rss>").encode()


RSS_HEADERS = {"Content-Type": "application/rss+xml; charset=utf-8"}
