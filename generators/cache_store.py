"""Where the response cache lives, on any fsspec file system (local disk, S3, memory://): a
shard's segment of reply parts, kept with the shard, and the shared cache that outlives a run.

    <segment>/<uuid>.jsonl          one part per writer, {"key": ..., "reply": {...}} a line
    <shared>/<key[:2]>/<key>.json   one object per request key

A segment is read whole when it opens (every part, whoever wrote it) and written while it is in
use, so a killed shard keeps what it paid for: on a local disk each reply is appended to this
writer's part and flushed at once; on an object store (no append, no rename) the replies since
the last write go to a new part every FLUSH_EVERY replies or FLUSH_AFTER_S seconds, and closing
merges the segment's parts into one. A killed writer leaves at worst a torn last line: it is
skipped with a warning naming the part, and its request is asked again.
"""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import IO

import fsspec
from fsspec import AbstractFileSystem
from pydantic import ValidationError

from babelforge.generators.client import ChatReply
from babelforge.schemas.base import Record

FLUSH_EVERY = 32
FLUSH_AFTER_S = 1.0
log = logging.getLogger(__name__)


class _Background:
    """Writes in threads, off the event loop; `wait` raises the first that failed."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._errors: list[BaseException] = []

    def start(self, write: Callable[..., None], *args: object) -> None:
        task = asyncio.get_running_loop().create_task(asyncio.to_thread(write, *args))
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None:
            self._errors.append(error)

    async def wait(self) -> None:
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._errors:
            raise self._errors[0]


class CachedReply(Record):
    """One line of a segment part."""

    key: str
    reply: ChatReply


class CacheSegment:
    """The replies one shard (or one command) got, keyed by ChatRequest.cache_key(model)."""

    def __init__(self, fs: AbstractFileSystem, folder: str) -> None:
        self.fs, self.folder = fs, folder.rstrip("/")
        protocols = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
        self.appends = "file" in protocols  # a local disk appends; an object store cannot
        self._replies: dict[str, ChatReply] = {}
        self._parts: list[str] = []  # parts read or written by this writer
        self._pending: list[str] = []  # lines not written yet (object stores)
        self._file: IO[str] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._writes = _Background()

    @classmethod
    def at(cls, url: str) -> "CacheSegment":
        """The segment at a path or fsspec URL, not loaded yet."""
        fs, folder = fsspec.core.url_to_fs(url)
        return cls(fs, folder)

    def load(self) -> "CacheSegment":
        """Read every part of the segment (blocking I/O: call it in a thread)."""
        for part in sorted(self.fs.glob(f"{self.folder}/*.jsonl")):
            try:
                text = self.fs.cat_file(part).decode("utf-8", errors="replace")
            except FileNotFoundError:  # merged away by another writer since the listing
                continue
            self._parts.append(part)
            torn = 0
            for line in text.splitlines():
                if not line.strip():
                    continue
                try:
                    entry = CachedReply.model_validate_json(line)
                except ValidationError:
                    torn += 1
                    continue
                self._replies.setdefault(entry.key, entry.reply)
            if torn:
                log.warning(
                    "%s: skipped %d unreadable cache line(s) (a writer killed mid-line leaves "
                    "one); their requests are asked again",
                    part, torn,
                )  # fmt: skip
        return self

    def __len__(self) -> int:
        return len(self._replies)

    def get(self, key: str) -> ChatReply | None:
        return self._replies.get(key)

    def put(self, key: str, reply: ChatReply) -> None:
        """Keep a reply: appended and flushed now on a local disk, written soon elsewhere."""
        self._replies[key] = reply
        line = CachedReply(key=key, reply=reply).model_dump_json() + "\n"
        if self.appends:
            self._append(line)
            return
        self._pending.append(line)
        if len(self._pending) >= FLUSH_EVERY:
            self._flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(FLUSH_AFTER_S, self._flush)

    def _append(self, line: str) -> None:
        if self._file is None:
            self.fs.makedirs(self.folder, exist_ok=True)
            part = self._new_part()
            self._file = open(part, "a", encoding="utf-8")  # noqa: SIM115 (closed by aclose)
        self._file.write(line)
        self._file.flush()

    def _new_part(self) -> str:
        part = f"{self.folder}/{uuid.uuid4().hex}.jsonl"
        self._parts.append(part)
        return part

    def _flush(self) -> None:
        """Write the pending lines to a new part, in a thread."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        lines, self._pending = "".join(self._pending), []
        part = self._new_part()
        self._writes.start(self.fs.pipe_file, part, lines.encode("utf-8"))

    async def aclose(self) -> None:
        """Write what is pending, then merge an object store's parts into one; raise the first
        write that failed (an OSError: the caller's retry decides)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._flush()
        await self._writes.wait()
        if not self.appends and len(self._parts) > 1:
            await asyncio.to_thread(self._merge)

    def _merge(self) -> None:
        """One part with every reply, then the parts it replaces (all immutable on an object
        store, so a concurrent reader sees the replies in one or the other)."""
        old = list(self._parts)
        lines = "".join(
            CachedReply(key=k, reply=r).model_dump_json() + "\n" for k, r in self._replies.items()
        )
        merged = f"{self.folder}/{uuid.uuid4().hex}.jsonl"
        self.fs.pipe_file(merged, lines.encode("utf-8"))
        for part in old:
            with suppress(FileNotFoundError):  # merged away by another writer already
                self.fs.rm_file(part)
        self._parts = [merged]


@asynccontextmanager
async def open_segment(
    folder: str, fs: AbstractFileSystem | None = None
) -> AsyncIterator[CacheSegment]:
    """The segment at `folder` (a path or URL, or a path on `fs`), loaded, closed on exit."""
    unloaded = CacheSegment.at(folder) if fs is None else CacheSegment(fs, folder)
    segment = await asyncio.to_thread(unloaded.load)
    try:
        yield segment
    finally:
        await segment.aclose()


class SharedCache:
    """Replies kept across runs, content-addressed: read on a miss, written on a paid reply."""

    def __init__(self, url: str) -> None:
        self.fs, self.root = fsspec.core.url_to_fs(url)
        self.root = self.root.rstrip("/")
        self._writes = _Background()

    def _object(self, key: str) -> str:
        return f"{self.root}/{key[:2]}/{key}.json"

    async def get(self, key: str) -> ChatReply | None:
        return await asyncio.to_thread(self._get, key)

    def _get(self, key: str) -> ChatReply | None:
        path = self._object(key)
        try:
            data = self.fs.cat_file(path)
        except FileNotFoundError:
            return None
        try:
            return ChatReply.model_validate_json(data)
        except ValidationError:
            log.warning("%s: unreadable shared cache entry; its request is asked again", path)
            return None

    def put(self, key: str, reply: ChatReply) -> None:
        """Write the reply in a thread; aclose waits for it."""
        data = reply.model_copy(update={"cached": False}).model_dump_json().encode("utf-8")
        self._writes.start(self._put, key, data)

    def _put(self, key: str, data: bytes) -> None:
        path = self._object(key)
        protocols = self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,)
        if "file" not in protocols:
            self.fs.pipe_file(path, data)  # one PUT: whole or absent
            return
        self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        temp = f"{path}.tmp-{uuid.uuid4().hex[:8]}"
        self.fs.pipe_file(temp, data)
        self.fs.mv(temp, path)

    async def aclose(self) -> None:
        """Wait for the writes; raise the first that failed."""
        await self._writes.wait()
