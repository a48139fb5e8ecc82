"""A per-request response cache, so a rerun or a resumed run never pays twice."""

import asyncio
import sqlite3
import threading
from pathlib import Path

from babelforge.generators.accounting import Accounting
from babelforge.generators.client import ChatClient, ChatReply, ChatRequest
from babelforge.schemas.provenance import Usage


class ResponseCache:
    """SQLite table of replies keyed by ChatRequest.cache_key(model)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # no fsync per reply (it blocked the event loop on every put): WAL with synchronous=NORMAL
        # survives a killed process, which is what resume needs; a power cut may lose the last
        # replies, and a lost reply is only asked again
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, reply TEXT)")

    def get(self, key: str) -> ChatReply | None:
        with self._lock:
            row = self._db.execute("SELECT reply FROM replies WHERE key = ?", (key,)).fetchone()
        return ChatReply.model_validate_json(row[0]) if row else None

    def put(self, key: str, reply: ChatReply) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO replies VALUES (?, ?)", (key, reply.model_dump_json())
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM replies").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()


class CachedClient:
    """A ChatClient that answers from the cache and asks `inner` only on a miss."""

    def __init__(self, inner: ChatClient, cache: ResponseCache, accounting: Accounting) -> None:
        self.inner = inner
        self.cache = cache
        self.accounting = accounting
        self._in_flight: dict[str, asyncio.Future[ChatReply]] = {}

    @property
    def model(self) -> str:
        return self.inner.model

    @property
    def backend(self) -> str:
        return self.inner.backend

    async def complete(self, request: ChatRequest) -> ChatReply:
        """Serve from the cache; identical requests in flight together are sent only once."""
        key = request.cache_key(self.inner.model)
        pending = self._in_flight.get(key)
        if pending is not None:
            reply = await asyncio.shield(pending)
            self.accounting.add(request.stage, request.language, Usage(cached_requests=1))
            return reply.model_copy(update={"cached": True})
        hit = self.cache.get(key)
        if hit is not None:
            self.accounting.add(request.stage, request.language, Usage(cached_requests=1))
            return hit.model_copy(update={"cached": True})
        future: asyncio.Future[ChatReply] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            reply = await self.inner.complete(request)
        except BaseException as e:
            future.set_exception(e)
            future.exception()  # mark retrieved: waiters (if any) re-raise it themselves
            raise
        finally:
            del self._in_flight[key]
        self.cache.put(key, reply)
        future.set_result(reply)
        return reply
