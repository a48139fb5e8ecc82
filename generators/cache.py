"""The response cache in front of a client, so a rerun, a resumed shard or another worker never
pays twice for a reply (storage: generators/cache_store.py)."""

import asyncio
from collections import OrderedDict

from babelforge.generators.accounting import Accounting
from babelforge.generators.cache_store import CacheSegment, SharedCache
from babelforge.generators.client import ChatClient, ChatReply, ChatRequest
from babelforge.schemas.provenance import Usage


class CachedClient:
    """A ChatClient that answers from its segment, then from the shared cache, and asks `inner`
    only on a miss; identical requests in flight together are sent once. Every reply it gets
    is recorded in the segment (a resumed shard finds it there), a paid one in the shared
    cache too. Without a segment it only joins identical requests in flight and, with
    `remember` > 0, answers again the last `remember` replies it paid for (the run-wide client:
    the same short option translated in two shards is paid once per run)."""

    def __init__(
        self,
        inner: ChatClient,
        accounting: Accounting,
        segment: CacheSegment | None = None,
        shared: SharedCache | None = None,
        remember: int = 0,
    ) -> None:
        self.inner = inner
        self.accounting = accounting
        self.segment = segment
        self.shared = shared
        self._in_flight: dict[str, asyncio.Future[ChatReply]] = {}
        self._remember = remember
        self._recent: OrderedDict[str, ChatReply] = OrderedDict()

    @property
    def model(self) -> str:
        return self.inner.model

    @property
    def backend(self) -> str:
        return self.inner.backend

    async def complete(self, request: ChatRequest) -> ChatReply:
        key = request.cache_key(self.inner.model)
        pending = self._in_flight.get(key)
        if pending is not None:
            return self._served(request, await asyncio.shield(pending))
        hit = self.segment.get(key) if self.segment is not None else self._recent.get(key)
        if hit is not None:
            if self.shared is not None and self.segment is not None:
                # paid by an earlier attempt that may have died before its shared write
                self.shared.put(key, hit)
            return self._served(request, hit)
        future: asyncio.Future[ChatReply] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            reply = await self._missed(request, key)
        except BaseException as e:
            future.set_exception(e)
            future.exception()  # mark retrieved: waiters (if any) re-raise it themselves
            raise
        finally:
            del self._in_flight[key]
        future.set_result(reply)
        return reply

    async def _missed(self, request: ChatRequest, key: str) -> ChatReply:
        """The shared cache's reply, else `inner`'s; either way kept in the segment."""
        reply = await self.shared.get(key) if self.shared is not None else None
        if reply is not None:
            reply = self._served(request, reply)
        else:
            reply = await self.inner.complete(request)
            if self.shared is not None and not reply.cached:
                self.shared.put(key, reply)
            if self._remember and not reply.cached:
                self._recent[key] = reply
                if len(self._recent) > self._remember:
                    self._recent.popitem(last=False)
        if self.segment is not None:
            self.segment.put(key, reply.model_copy(update={"cached": False}))
        return reply

    def _served(self, request: ChatRequest, reply: ChatReply) -> ChatReply:
        self.accounting.add(request.stage, request.language, Usage(cached_requests=1))
        return reply.model_copy(update={"cached": True})
