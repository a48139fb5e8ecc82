"""A local stand-in HTTP server for a service that cannot be reached here (the Hub, Comet's
backend): served from a thread on a free port of 127.0.0.1 while in a `with` block."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self


class StandIn:
    """Start `server_type` on a free loopback port; `endpoint` is its base URL."""

    def __init__(
        self, server_type: type[ThreadingHTTPServer], handler: type[BaseHTTPRequestHandler]
    ) -> None:
        server: Any = server_type(("127.0.0.1", 0), handler)
        self.endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        server.endpoint = self.endpoint
        self._server = server
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
