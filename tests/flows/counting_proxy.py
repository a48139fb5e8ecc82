"""A counting HTTP proxy in front of the real LLM server: how many chat requests reached it,
and the most that were in flight at once (what a test of "paid once" and "overlap" reads)."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx


@dataclass
class Counts:
    """Chat requests forwarded, those whose reply reached the client (`answered`: a request
    whose client was killed before the reply arrived was never received), and the peak
    number in flight."""

    requests: int = 0
    answered: int = 0
    in_flight: int = 0
    peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def counting_proxy(upstream: str) -> Iterator[tuple[str, Counts]]:
    """Serve on 127.0.0.1 (a free port), forward every request to `upstream` (a base URL
    ending in /v1); yield the proxy's base URL and its live counts."""
    counts = Counts()
    client = httpx.Client(timeout=600)
    origin = upstream.removesuffix("/v1").rstrip("/")

    class Handler(BaseHTTPRequestHandler):
        def _forward(self, method: str) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            chat = self.path.endswith("/chat/completions")
            if chat:
                with counts.lock:
                    counts.requests += 1
                    counts.in_flight += 1
                    counts.peak = max(counts.peak, counts.in_flight)
            try:
                reply = client.request(
                    method,
                    origin + self.path,
                    content=body,
                    headers={"Content-Type": self.headers.get("Content-Type", "application/json")},
                )
            except httpx.HTTPError:  # the proxy is shutting down under a request
                return
            finally:
                if chat:
                    with counts.lock:
                        counts.in_flight -= 1
            try:
                self.send_response(reply.status_code)
                self.send_header(
                    "Content-Type", reply.headers.get("Content-Type", "application/json")
                )
                self.send_header("Content-Length", str(len(reply.content)))
                self.end_headers()
                self.wfile.write(reply.content)
                self.wfile.flush()
            except OSError:  # the client is gone (killed): it never got this reply
                return
            if chat and reply.status_code == 200:
                with counts.lock:
                    counts.answered += 1

        def do_POST(self) -> None:
            self._forward("POST")

        def do_GET(self) -> None:
            self._forward("GET")

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", counts
    finally:
        server.shutdown()
        server.server_close()
        client.close()
