"""A small HTTP proxy in front of the real llama.cpp server that injects faults on demand.

This is the one fake the suite allows: a real server cannot produce 5xx, 429, timeouts or
malformed bodies when asked. Every fifth request (20%) gets a fault, cycling through FAULTS.
"""

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from babelforge.generators.local_process import free_port

FAULTS = (
    "http_500",
    "http_503",
    "http_429_retry_after",
    "http_429",
    "timeout",
    "truncated_body",
    "malformed_content",
)


class FaultProxy:
    """Forwards /v1/* to `upstream`; every `every`-th request gets the next fault."""

    def __init__(
        self,
        upstream: str,
        *,
        every: int = 5,
        hang_s: float = 8.0,
        always: tuple[int, str] | None = None,
        refuse_response_format: bool = False,
    ) -> None:
        """`always=(status, message)` answers every chat request so (a wrong key, a model
        the server lacks); `refuse_response_format` answers 400 to any request that carries
        one (a server without structured output)."""
        self.upstream = upstream.rstrip("/")
        self.every = every
        self.hang_s = hang_s
        self.always = always
        self.refuse_response_format = refuse_response_format
        self.requests = 0
        self.injected: Counter[str] = Counter()
        self.forwarded = 0
        self._lock = threading.Lock()
        self.port = free_port()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _next_fault(self) -> str | None:
        with self._lock:
            self.requests += 1
            n = self.requests
            if n % self.every:
                return None
            fault = FAULTS[(n // self.every - 1) % len(FAULTS)]
            self.injected[fault] += 1
            return fault

    async def chat(self, request: Request) -> Response:
        body = await request.body()
        refused = self.refuse_response_format and b'"response_format"' in body
        if self.always is not None or refused:
            with self._lock:
                self.requests += 1
            status, message = self.always or (400, "response_format is not supported")
            return JSONResponse({"error": {"message": message}}, status_code=status)
        fault = self._next_fault()
        if fault == "http_500":
            return JSONResponse({"error": {"message": "injected"}}, status_code=500)
        if fault == "http_503":
            return JSONResponse({"error": {"message": "overloaded"}}, status_code=503)
        if fault == "http_429_retry_after":
            return JSONResponse(
                {"error": {"message": "slow down"}}, status_code=429, headers={"Retry-After": "1"}
            )
        if fault == "http_429":
            return JSONResponse({"error": {"message": "slow down"}}, status_code=429)
        if fault == "timeout":
            await asyncio.sleep(self.hang_s)
        async with httpx.AsyncClient(timeout=300) as client:
            upstream = await client.post(
                f"{self.upstream}/chat/completions",
                content=body,
                headers={"content-type": "application/json"},
            )
        self.forwarded += 1
        text = upstream.text
        if fault == "truncated_body":
            text = text[: len(text) // 2]
        elif fault == "malformed_content":
            data = json.loads(text)
            data["choices"][0]["message"]["content"] = '{"question": "unterminated'
            text = json.dumps(data)
        return Response(text, status_code=upstream.status_code, media_type="application/json")

    async def models(self, request: Request) -> Response:
        async with httpx.AsyncClient() as client:
            upstream = await client.get(f"{self.upstream}/models")
        return Response(upstream.content, media_type="application/json")

    @contextmanager
    def running(self) -> Iterator["FaultProxy"]:
        app = Starlette(
            routes=[
                Route("/v1/chat/completions", self.chat, methods=["POST"]),
                Route("/v1/models", self.models, methods=["GET"]),
            ]
        )
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        try:
            yield self
        finally:
            server.should_exit = True
            thread.join(timeout=10)
