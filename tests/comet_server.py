"""A stand-in for the Comet ML backend on 127.0.0.1, for the online-experiment test.

comet.com is not reachable from the test machines. `COMET_URL_OVERRIDE` points the real
`comet_ml` SDK here; every request it makes is recorded (gzip bodies decoded) and answered
with one JSON object that holds the fields the SDK reads from each reply (the handshake's
`runId`, the backend `version`, the heartbeat interval). Found by logging its requests:

- `GET  /clientlib/isAlive/ver`                        backend version
- `POST /clientlib/logger/add/run`                     experiment handshake
- `POST /clientlib/batch/logger/experiment/parameter`  parameters (gzip JSON)
- `POST /clientlib/batch/logger/experiment/metric`     metrics (gzip JSON)
- `POST /clientlib/asset/upload?fileName=...`          assets and tables (multipart)
- `POST /api/rest/v2/write/experiment/log-other`       name and "others"
- status reports, health pings, the end-of-run notification
"""

import gzip
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.stand_in import StandIn

HANDSHAKE = "/clientlib/logger/add/run"
REPLY = {
    "runId": "run-stand-in",
    "projectId": "project-stand-in",
    "project_id": "project-stand-in",
    "version": "3.999.0",
    "lastOffset": 0,
    "featureToggles": [],
    "isAliveBeatDurationMillis": 60000,
    "gpuMonitorIntervalMillis": 60000,
    "cpuMonitorIntervalMillis": 60000,
    "code": 200,
}


@dataclass(frozen=True)
class CometRequest:
    """One request the SDK sent: method, path, query and the (decoded) body."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:
        """Requests go to CometServer.requests, not to stderr."""

    def _serve(self, method: str) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if body[:2] == b"\x1f\x8b":
            body = gzip.decompress(body)
        url = urlsplit(self.path)
        request = CometRequest(method, url.path, parse_qs(url.query), body, dict(self.headers))
        with self.server.lock:
            self.server.requests.append(request)
        if url.path == HANDSHAKE and not self._key_accepted(request):
            self._reply(401, {"msg": "Invalid API key", "code": 401})
            return
        self._reply(200, {**REPLY, "focusUrl": f"{self.server.endpoint}/experiment/"})

    def _key_accepted(self, request: CometRequest) -> bool:
        valid = self.server.valid_key
        return valid is None or request.json().get("apiKey") == valid

    def _reply(self, status: int, reply: dict[str, Any]) -> None:
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[CometRequest]
    lock: threading.Lock
    endpoint: str
    valid_key: str | None


class CometServer(StandIn):
    """The stand-in on a free port of 127.0.0.1, serving in a thread while in a `with`;
    given `valid_key`, a handshake with any other key is answered 401."""

    def __init__(self, valid_key: str | None = None) -> None:
        super().__init__(_Server, _Handler)
        self._server.requests, self._server.lock = [], threading.Lock()
        self._server.valid_key = valid_key

    @property
    def url_override(self) -> str:
        """The value of COMET_URL_OVERRIDE that sends the SDK here."""
        return f"{self.endpoint}/clientlib/"

    @property
    def requests(self) -> list[CometRequest]:
        with self._server.lock:
            return list(self._server.requests)

    def sent(self, path: str) -> list[CometRequest]:
        """The requests to one endpoint path, in order."""
        return [r for r in self.requests if r.path == path]
