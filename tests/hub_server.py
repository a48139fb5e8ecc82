"""A stand-in for the Hugging Face Hub on 127.0.0.1, for end-to-end push tests.

The Hub itself is not reachable from the test machines, so this small threaded HTTP server
implements the endpoints the real `huggingface_hub` client calls for `create_repo` and
`upload_folder` (found by logging its requests):

- `POST /api/repos/create`                     create a repository (409 when it exists)
- `POST /api/validate-yaml`                    check the card's YAML header (400 when broken)
- `POST /api/{type}s/{repo}/preupload/{rev}`   tell the client how to send each file
- `POST /api/{type}s/{repo}/commit/{rev}`      the commit, NDJSON with base64 file contents
- `GET  /api/whoami-v2`                        the token's owner

Every file is answered `regular` at preupload (sent inline in the commit, as the Hub does for
small files), so the LFS/Xet transfer protocol is not needed. Any other request is answered
404 and kept in `unknown`, so a test sees when the client starts calling something new.
"""

import base64
import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import yaml

from tests.stand_in import StandIn

OWNER = "babelforge-tests"


@dataclass
class HubRepo:
    """One repository as the stand-in holds it."""

    repo_id: str
    repo_type: str
    visibility: str
    files: dict[str, bytes] = field(default_factory=dict)
    commits: list[str] = field(default_factory=list)


@dataclass
class HubState:
    """What the client did: repositories, the tokens it authenticated with, every request."""

    repos: dict[str, HubRepo] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:
        """Requests go to HubState.requests, not to stderr."""

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _authorized(self) -> bool:
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ")
        valid = self.server.valid_tokens
        if not auth.startswith("Bearer ") or (valid is not None and token not in valid):
            # the real Hub's answer to a missing, revoked or mistyped token
            self._reply(401, {"error": "Invalid credentials in Authorization header"})
            return False
        with self.server.state.lock:
            self.server.state.tokens.add(token)
        return True

    def _route(self, method: str) -> None:
        path = self.path.split("?", 1)[0]
        state = self.server.state
        with state.lock:
            state.requests.append(f"{method} {path}")
        if not self._authorized():
            return
        parts = path.strip("/").split("/")
        if method == "GET" and path == "/api/whoami-v2":
            self._reply(200, {"type": "user", "name": OWNER, "orgs": []})
        elif method == "POST" and path == "/api/repos/create":
            self._create(json.loads(self._body()))
        elif method == "POST" and path == "/api/validate-yaml":
            self._validate_yaml(json.loads(self._body()))
        elif method == "POST" and len(parts) == 6 and parts[0] == "api" and parts[4] == "preupload":
            self._preupload(json.loads(self._body()))
        elif method == "POST" and len(parts) == 6 and parts[0] == "api" and parts[4] == "commit":
            self._commit(f"{parts[2]}/{parts[3]}", self._body())
        else:
            with state.lock:
                state.unknown.append(f"{method} {self.path}")
            self._reply(404, {"error": f"the stand-in Hub does not implement {method} {path}"})

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PUT(self) -> None:
        self._route("PUT")

    def _create(self, payload: dict[str, Any]) -> None:
        repo_id = f"{payload.get('organization') or OWNER}/{payload['name']}"
        repo_type = payload.get("type") or "model"
        visibility = payload.get("visibility") or (
            "private" if payload.get("private") else "public"
        )
        state = self.server.state
        with state.lock:
            if repo_id in state.repos:
                self._reply(409, {"error": "You already created this dataset repo"})
                return
            state.repos[repo_id] = HubRepo(repo_id, repo_type, visibility)
        self._reply(200, {"url": f"{self.server.endpoint}/{repo_type}s/{repo_id}"})

    def _validate_yaml(self, payload: dict[str, Any]) -> None:
        content = str(payload.get("content", ""))
        header = content.split("---\n")[1] if content.startswith("---\n") else ""
        try:
            metadata = yaml.safe_load(header)
        except yaml.YAMLError as e:
            self._reply(400, {"errors": [{"message": f"invalid YAML: {e}"}]})
            return
        if not isinstance(metadata, dict):
            self._reply(400, {"errors": [{"message": "the card has no YAML metadata header"}]})
            return
        self._reply(200, {"errors": [], "warnings": []})

    def _preupload(self, payload: dict[str, Any]) -> None:
        files = [
            {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False}
            for f in payload["files"]
        ]
        self._reply(200, {"files": files, "commitOid": "0" * 40})

    def _commit(self, repo_id: str, body: bytes) -> None:
        state = self.server.state
        with state.lock:
            repo = state.repos.get(repo_id)
            if repo is None:
                self._reply(404, {"error": f"Repository Not Found: {repo_id}"})
                return
            for line in body.splitlines():
                item = json.loads(line)
                if item["key"] == "file":
                    value = item["value"]
                    repo.files[value["path"]] = base64.b64decode(value["content"])
                elif item["key"] != "header":
                    self._reply(400, {"error": f"the stand-in Hub takes no {item['key']}"})
                    return
            oid = hashlib.sha1(body).hexdigest()
            repo.commits.append(oid)
        url = f"{self.server.endpoint}/{repo.repo_type}s/{repo_id}/commit/{oid}"
        self._reply(200, {"commitUrl": url, "commitOid": oid})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: HubState
    endpoint: str
    valid_tokens: frozenset[str] | None


class HubServer(StandIn):
    """The stand-in Hub on a free port of 127.0.0.1, serving in a thread while in a `with`;
    given `valid_tokens`, every other token is answered 401 as the Hub does."""

    def __init__(self, valid_tokens: frozenset[str] | None = None) -> None:
        super().__init__(_Server, _Handler)
        self._server.state = HubState()
        self._server.valid_tokens = valid_tokens

    @property
    def state(self) -> HubState:
        """What the client has done so far."""
        return self._server.state
